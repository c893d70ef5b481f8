/**
 * The hypergradient's references, the spectral density and the eigenvectors' tensor shares of whole
 * sessions, on the exact path and on the Lanczos path (exactMaxParams: 0) of the same model,
 * against a float64 reference computed here: the analytic MLP's Hessian, ml-matrix's eigenvalues,
 * eigenvectors and LU solves of (H + δI)x = b, and the state_dict layout written out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { validateExperiment } from '../../src/core/config/load';
import { syntheticSplits } from '../../src/core/data/synthetic';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import { initParams, type MlpSpec } from '../../src/core/model/mlp';
import { referenceHessian, referenceObjective } from '../../src/core/reference/mlp64';
import { subSeed } from '../../src/core/util/rng';
import { runSession } from '../../src/session/run-session';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);
const SEED = 5;
const spec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'tanh', loss: 'mse', weightDecay: 0.1 };
const raw = {
  name: 'seed model at its seeded initialisation',
  seed: SEED,
  data: { synthetic: { kind: 'seed-regression', n: 200 } },
  model: { layers: spec.layers, activation: spec.activation },
  loss: spec.loss,
  weightDecay: spec.weightDecay,
  training: { epochs: 0, batchSize: 32, learningRate: 0.01 },
  neumann: { alpha: 0.5, terms: 12, damping: 0.05 },
};
/** PyTorch's nn.Sequential(Linear(1, 8), Tanh, Linear(8, 4), Tanh, Linear(4, 1)) state_dict, in order. */
const LAYOUT: [string, number][] = [['0.weight', 8], ['0.bias', 8], ['2.weight', 32], ['2.bias', 4], ['4.weight', 4], ['4.bias', 1]];

interface Reference {
  n: number;
  w: Float64Array;
  eigenvalues: number[];
  vectors: number[][];
  /** −wᵀ(H + δI)⁻¹b in float64. */
  hyper: (delta: number) => number;
}

function reference(): Reference {
  const { train, validation } = syntheticSplits({ kind: 'seed-regression', n: 200 }, SEED);
  const w = initParams(spec.layers, subSeed(SEED, 'init'));
  const n = w.length;
  const H = referenceHessian(spec, train, w);
  const b = referenceObjective({ ...spec, weightDecay: 0 }, validation, w).grad;
  const rows = Array.from({ length: n }, (_, i) => Array.from(H.subarray(i * n, (i + 1) * n)));
  const eig = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true });
  const order = eig.realEigenvalues.map((l, k) => [l, k] as const).sort((p, q) => p[0] - q[0]);
  const V = eig.eigenvectorMatrix;
  return {
    n,
    w,
    eigenvalues: order.map(([l]) => l),
    vectors: order.map(([, k]) => V.getColumn(k)),
    hyper: (delta) => {
      const a = new Matrix(rows.map((r, i) => r.map((x, j) => (i === j ? x + delta : x))));
      const x = solve(a, Matrix.columnVector(Array.from(b))).getColumn(0);
      return -x.reduce((s, xi, i) => s + xi * w[i], 0);
    },
  };
}

function shares(v: number[]): Record<string, number> {
  const total = v.reduce((s, x) => s + x * x, 0);
  let at = 0;
  return Object.fromEntries(
    LAYOUT.map(([name, size]) => {
      const part = v.slice(at, (at += size)).reduce((s, x) => s + x * x, 0);
      return [name, part / total];
    }),
  );
}

function trapezoid(grid: number[], values: number[]): number {
  let s = 0;
  for (let i = 0; i + 1 < grid.length; i++) s += 0.5 * (grid[i + 1] - grid[i]) * (values[i] + values[i + 1]);
  return s;
}

/** The grid: ≥ 6 points above −λ_min,lower (besides 0 and the advice's and the configured δ), ascending. */
function checkGrid(report: DiagnosisReport, withZero: boolean): void {
  const damped = report.hypergradient.damped!;
  const ds = damped.map((p) => p.damping);
  ds.forEach((d, i) => i === 0 || assert.ok(d > ds[i - 1], `ascending δ: ${ds}`));
  const floor = Math.max(0, -report.spectrum.lambdaMinInterval[0]);
  const special = [0, report.neumann.damping, report.advice.damping?.delta ?? NaN];
  assert.ok(ds.filter((d) => d > floor && !special.includes(d)).length >= 6, `≥ 6 grid points above ${floor}: ${ds}`);
  assert.ok(ds.includes(report.neumann.damping), 'the configured δ is on the grid');
  if (report.advice.damping) assert.ok(ds.includes(report.advice.damping.delta), 'the recommended δ is on the grid');
  assert.equal(ds.includes(0), withZero);
}

const ref = reference();

test('exact path: damping sweep, MINRES, reference, density and tensor shares match float64', async () => {
  const report = await runSession(validateExperiment(raw, null), { backend: 'cpu' }, { onEvent: () => {} });
  assert.equal(report.spectrum.method, 'exact');
  const h = report.hypergradient;
  const exact = ref.hyper(0);
  assert.ok(rel(h.exact!, exact) < 1e-3, `exact ${h.exact} vs ${exact}`);
  assert.equal(h.reference, 'exact');
  assert.ok(rel(h.relErrorNeumann!, Math.abs(h.neumann! - exact) / Math.abs(exact)) < 1e-3);

  checkGrid(report, true);
  for (const p of h.damped!) {
    assert.equal(p.method, 'dense');
    assert.ok(p.converged && p.residual! < 1e-10, `δ = ${p.damping}: residual ${p.residual}`);
    assert.ok(rel(p.value!, ref.hyper(p.damping)) < 1e-3, `δ = ${p.damping}: ${p.value} vs ${ref.hyper(p.damping)}`);
  }

  const m = h.minres!;
  assert.ok(m.converged && m.residual <= 1e-5, `MINRES ${m.status} at ${m.residual}`);
  assert.ok(rel(m.value!, exact) < 1e-3, `MINRES ${m.value} vs ${exact}`);

  const d = report.spectrum.density!;
  assert.equal(d.method, 'exact');
  assert.ok(Math.abs(trapezoid(d.grid, d.values) - 1) < 1e-12);
  const allowance = report.spectrum.roundingAllowance!;
  const negatives = ref.eigenvalues.filter((l) => l < -allowance).length;
  assert.equal(report.spectrum.negativeCount, negatives);
  assert.equal(d.negativeFraction, negatives / ref.n);

  for (const [which, k] of [['bottomEigenvector', 0], ['topEigenvector', ref.n - 1]] as const) {
    const got = report.spectrum[which]!.tensorShare;
    const want = shares(ref.vectors[k]);
    assert.deepEqual(Object.keys(got), LAYOUT.map(([name]) => name));
    for (const [name] of LAYOUT) assert.ok(Math.abs(got[name] - want[name]) < 1e-3, `${which} ${name}: ${got[name]} vs ${want[name]}`);
  }
});

test('Lanczos path: converged CG points, MINRES as the reference, SLQ density with an error bar, Ritz-vector shares', async () => {
  const exp = validateExperiment({ ...raw, analysis: { exactMaxParams: 0 } }, null);
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  assert.equal(report.spectrum.method, 'lanczos');
  const h = report.hypergradient;
  const exact = ref.hyper(0);
  assert.equal(h.exact, null);

  checkGrid(report, false);
  const converged = h.damped!.filter((p) => p.converged);
  assert.ok(converged.length >= 6, `${converged.length} converged CG points`);
  for (const p of h.damped!) {
    assert.equal(p.method, 'cg');
    if (p.damping + ref.eigenvalues[0] <= 0) {
      assert.ok(!p.converged && p.value === null, `δ = ${p.damping} below −λ_min is not a CG solution`);
      continue;
    }
    if (!p.converged) continue;
    assert.ok(p.residual! <= 1e-5);
    assert.ok(rel(p.value!, ref.hyper(p.damping)) < 1e-3, `δ = ${p.damping}: ${p.value} vs ${ref.hyper(p.damping)}`);
  }

  const m = h.minres!;
  if (m.converged) {
    assert.equal(h.reference, 'minres');
    assert.ok(rel(m.value!, exact) < 1e-3, `MINRES ${m.value} vs ${exact}`);
    assert.ok(rel(h.relErrorNeumann!, Math.abs(h.neumann! - exact) / Math.abs(exact)) < 1e-3);
  } else {
    assert.notEqual(h.reference, 'minres', 'an unconverged MINRES is never the reference');
  }

  const d = report.spectrum.density!;
  assert.equal(d.method, 'slq');
  assert.ok(d.probes >= 2 && d.hvps === d.probes * d.steps);
  assert.ok(Math.abs(trapezoid(d.grid, d.values) - 1) < 1e-12);
  const negatives = ref.eigenvalues.filter((l) => l < -report.spectrum.roundingAllowance!).length;
  const [lo, hi] = report.spectrum.negativeCountInterval!;
  assert.ok(lo <= negatives && negatives <= hi, `${negatives} negative eigenvalues in [${lo}, ${hi}]`);
  assert.ok(report.spectrum.negativeCountStdErr! > 0);
  assert.equal(report.spectrum.negativeCount, ref.n * d.negativeFraction);

  // Davis–Kahan: a Ritz vector with residual r is within r/gap of the eigenvector, so its shares are too.
  for (const [which, k, gap] of [['bottomEigenvector', 0, ref.eigenvalues[1] - ref.eigenvalues[0]], ['topEigenvector', ref.n - 1, ref.eigenvalues[ref.n - 1] - ref.eigenvalues[ref.n - 2]]] as const) {
    const e = report.spectrum[which]!;
    const want = shares(ref.vectors[k]);
    const tol = 4 * (e.residual / gap) + 1e-4;
    for (const [name] of LAYOUT) assert.ok(Math.abs(e.tensorShare[name] - want[name]) < tol, `${which} ${name}: ${e.tensorShare[name]} vs ${want[name]} (tol ${tol})`);
    assert.ok(Math.abs(Object.values(e.tensorShare).reduce((s, x) => s + x, 0) - 1) < 1e-12);
  }
});

test('analytic problems: no hypergradient to sweep, no state_dict names', async () => {
  const exp = validateExperiment({ name: 'cubic', problem: { kind: 'sum-of-cubes', point: [0.05, 0.05] }, neumann: { alpha: 1, terms: 50, vector: [1, 1] } }, null);
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  assert.deepEqual(report.hypergradient.damped, []);
  assert.equal(report.hypergradient.reference, 'none');
  assert.equal(report.hypergradient.minres, null);
  assert.deepEqual(report.spectrum.topEigenvector!.tensorShare, {});
  assert.equal(report.spectrum.density!.negativeFraction, 0);
});
