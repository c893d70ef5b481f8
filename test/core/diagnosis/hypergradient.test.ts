import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conjugateGradient } from '../../../src/core/algorithms/cg';
import { neumannSeries } from '../../../src/core/algorithms/neumann';
import { hypergradientReport, relativeError, weightDecayHypergradient } from '../../../src/core/diagnosis/hypergradient';
import { DenseOperator } from '../../../src/core/operators/linear-operator';

// H = [[2, 1], [1, 3]]: H⁻¹ = [[3, −1], [−1, 2]]/5 in closed form.
const H = DenseOperator.fromRows([
  [2, 1],
  [1, 3],
]);
const gradVal = Float64Array.from([1, -2]);
const w = Float64Array.from([0.5, 1.5]);
const hinvG = Float64Array.from([(3 * 1 - 1 * -2) / 5, (-1 * 1 + 2 * -2) / 5]); // [1, −1]
const exact = -(hinvG[0] * w[0] + hinvG[1] * w[1]); // −(0.5 − 1.5) = 1

test('dL_V/dλ = −∇L_Vᵀ H⁻¹ w from the exact solution', () => {
  assert.equal(weightDecayHypergradient(hinvG, w), exact);
  assert.equal(exact, 1);
  assert.equal(weightDecayHypergradient(null, w), null);
  assert.equal(weightDecayHypergradient(Float64Array.from([Infinity, 0]), w), null);
  assert.throws(() => weightDecayHypergradient(Float64Array.from([1]), w), RangeError);
});

test('Neumann and CG hypergradients approach the exact one; the report carries relative errors', async () => {
  // Eigenvalues (5 ± √5)/2 ≈ 1.38, 3.62; α = 0.4 → ρ ≈ 0.45.
  const neu = await neumannSeries(H, gradVal, { alpha: 0.4, terms: 40 });
  const cg = await conjugateGradient(H, gradVal, { rtol: 1e-12 });
  const rep = hypergradientReport({ weights: w, neumann: neu.x, cg: { x: cg.x, status: cg.status, iterations: cg.iterations }, exact: hinvG });
  assert.equal(rep.exact, 1);
  assert.ok(Math.abs((rep.neumann as number) - 1) < 1e-9);
  assert.ok(Math.abs((rep.cg as number) - 1) < 1e-10);
  assert.equal(rep.cgStatus, 'converged');
  assert.equal(rep.cgIterations, cg.iterations);
  assert.ok(Math.abs((rep.relErrorNeumann as number) - Math.abs((rep.neumann as number) - 1)) < 1e-15);
  // A 5-term series is visibly off; its relative error says by how much.
  const short = await neumannSeries(H, gradVal, { alpha: 0.4, terms: 5 });
  const rep5 = hypergradientReport({ weights: w, neumann: short.x, cg: null, exact: hinvG });
  assert.ok((rep5.relErrorNeumann as number) > 1e-3);
  assert.equal(rep5.cgStatus, 'not-run');
  assert.equal(rep5.cg, null);
});

test('an indefinite CG stop gives no CG hypergradient; no exact value means no relative errors', () => {
  const rep = hypergradientReport({ weights: w, neumann: hinvG, cg: { x: hinvG, status: 'indefinite', iterations: 1 }, exact: null });
  assert.equal(rep.cg, null);
  assert.equal(rep.cgStatus, 'indefinite');
  assert.equal(rep.relErrorNeumann, null);
  assert.equal(relativeError(2, 0), 2);
});

test('neumannReport carries the series record, ρ and the verdict into the report block', async () => {
  const { neumannReport } = await import('../../../src/core/diagnosis/neumann-report');
  const { spectralRadius } = await import('../../../src/core/diagnosis/spectral-radius');
  const series = await neumannSeries(H, gradVal, { alpha: 0.4, terms: 3 });
  const radius = spectralRadius(0.4, [1.38, 1.39], [3.61, 3.62]);
  const rep = neumannReport(series, { alpha: 0.4, terms: 3, damping: 0 }, radius, 'slow');
  assert.equal(rep.termNorms.length, 4);
  assert.equal(rep.rho, radius.rho);
  assert.equal(rep.verdict, 'slow');
  assert.deepEqual(rep.solutionHead, Array.from(series.x));
  assert.equal(rep.nonFiniteAtTerm, null);
  // JSON round trip: every number in the block is finite.
  assert.deepEqual(JSON.parse(JSON.stringify(rep)), rep);
});

test('the reference is the best converged one: exact, else a converged MINRES, else a converged CG, else none', () => {
  const x = (scale: number) => Float64Array.from([hinvG[0] * scale, hinvG[1] * scale]);
  const minres = (converged: boolean, scale: number) => ({
    x: x(scale), status: converged ? ('converged' as const) : ('max-iterations' as const), converged, iterations: 7, hvps: 8,
    relativeResidual: 0, trueRelativeResidual: converged ? 1e-9 : 0.3, normalEquationsResidual: 0, normEstimate: 4, conditionEstimate: 2.6,
  });
  const neumann = x(0.9); // hypergradient 0.9 against the true 1
  const cgOk = { x: x(1.01), status: 'converged' as const, iterations: 2 };
  const withExact = hypergradientReport({ weights: w, neumann, cg: cgOk, exact: hinvG, minres: minres(true, 1.02) });
  assert.equal(withExact.reference, 'exact');
  assert.ok(Math.abs(withExact.relErrorNeumann! - 0.1) < 1e-12);
  // No dense solve: the converged MINRES, and CG is measured against it.
  const noExact = hypergradientReport({ weights: w, neumann, cg: cgOk, exact: null, minres: minres(true, 1.02) });
  assert.equal(noExact.reference, 'minres');
  assert.ok(Math.abs(noExact.relErrorNeumann! - Math.abs(0.9 - 1.02) / 1.02) < 1e-12);
  assert.ok(Math.abs(noExact.relErrorCg! - Math.abs(1.01 - 1.02) / 1.02) < 1e-12);
  assert.equal(noExact.minres!.converged, true);
  // An unconverged MINRES is reported with its residual, never used as the truth.
  const unconverged = hypergradientReport({ weights: w, neumann, cg: cgOk, exact: null, minres: minres(false, 3) });
  assert.equal(unconverged.reference, 'cg');
  assert.equal(unconverged.minres!.value, -(x(3)[0] * w[0] + x(3)[1] * w[1]));
  assert.equal(unconverged.minres!.residual, 0.3);
  assert.equal(unconverged.relErrorCg, null, 'CG is not measured against itself');
  const none = hypergradientReport({ weights: w, neumann, cg: { ...cgOk, status: 'indefinite' }, exact: null, minres: minres(false, 3) });
  assert.equal(none.reference, 'none');
  assert.equal(none.relErrorNeumann, null);
});
