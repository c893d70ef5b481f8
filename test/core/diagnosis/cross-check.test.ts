import { test } from 'node:test';
import assert from 'node:assert/strict';
import { crossCheckFlags } from '../../../src/core/diagnosis/cross-check';
import type { ExtremeEstimate, SpectrumReport } from '../../../src/core/diagnosis/report';
import { extremesByPowerIteration } from '../../../src/core/algorithms/power-iteration';
import { denseSymmetricEigen } from '../../../src/core/algorithms/dense-eigen';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { Rng } from '../../../src/core/util/rng';
import { sampleReport } from '../../fixtures/sample-report';

const est = (value: number, half: number, converged = true): ExtremeEstimate => ({ value, interval: [value - half, value + half], residual: half, converged });

/** The issue's run: Lanczos λ_min = −0.004997, power iteration's +0.004843, both tight. */
function issueSpectrum(powerMin: ExtremeEstimate): SpectrumReport {
  const s = sampleReport().spectrum;
  return {
    ...s,
    method: 'lanczos',
    lambdaMin: -0.004997,
    lambdaMinInterval: [-0.005003, -0.004991],
    lambdaMax: 2.01,
    lambdaMaxInterval: [2.0099, 2.0101],
    lanczos: { lambdaMax: est(2.01, 1e-4), lambdaMin: est(-0.004997, 6e-6), steps: 40, hvps: 40 },
    power: { lambdaMax: est(2.01, 2e-4), lambdaMin: powerMin, iterations: { max: 30, min: 100 }, hvps: 130 },
  };
}

test('a power-iteration λ_min above the Lanczos interval is flagged: it stopped short, and the sign rests on Lanczos', () => {
  const flags = crossCheckFlags(issueSpectrum(est(0.004843, 2e-5, false)));
  assert.equal(flags.length, 1);
  const [f] = flags;
  assert.equal(f.end, 'min');
  assert.equal(f.check, 'power iteration');
  assert.equal(f.kind, 'short');
  assert.equal(f.signDiffers, true);
  assert.match(f.text, /0\.004843/);
  assert.match(f.text, /−0\.004997/);
  assert.match(f.text, /not converged, 100 iterations/);
  assert.match(f.text, /stopped short/);
  assert.match(f.text, /negative curvature/);
});

test('a cross-check beyond the chosen end says the chosen method missed it', () => {
  const s = issueSpectrum(est(-0.3, 1e-3));
  const [f] = crossCheckFlags(s);
  assert.equal(f.kind, 'beyond');
  assert.equal(f.signDiffers, false);
  assert.match(f.text, /eigenvalue ≤ −0\.299/);
  assert.match(f.text, /Lanczos missed that end/);
  // The top end, the other way round.
  const top = { ...s, power: { ...s.power!, lambdaMin: est(-0.004997, 1e-5), lambdaMax: est(2.5, 1e-3) } };
  const [g] = crossCheckFlags(top);
  assert.equal(g.end, 'max');
  assert.equal(g.kind, 'beyond');
  assert.match(g.text, /eigenvalue ≥ 2\.499/);
});

test('overlapping intervals, an exact chosen spectrum with its Lanczos cross-check, and non-finite estimates', () => {
  assert.deepEqual(crossCheckFlags(issueSpectrum(est(-0.00499, 1e-5))), [], 'they overlap: no flag');
  const exact = { ...sampleReport().spectrum };
  assert.deepEqual(crossCheckFlags(exact), [], 'the sample’s Lanczos agrees with its exact values');
  const off = { ...exact, lanczos: { ...exact.lanczos!, lambdaMax: est(3.9, 1e-3, false) } };
  const [f] = crossCheckFlags(off);
  assert.equal(f.check, 'Lanczos');
  assert.equal(f.kind, 'short');
  assert.match(f.text, /the dense eigendecomposition's value is the nearer one; λ_max rests on/);
  assert.deepEqual(crossCheckFlags(issueSpectrum(est(NaN, Infinity, false))), []);
});

test('real power iteration against exact eigenvalues: a disagreement is never "beyond" (Rayleigh quotients lie inside)', async () => {
  const rng = new Rng(7);
  let short = 0;
  for (let trial = 0; trial < 30; trial++) {
    const n = 12;
    // A symmetric matrix with a cluster near 0 at the bottom, so shifted power iteration often stops short.
    const a = new Float64Array(n * n);
    const q = rng.normalVector(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = 0.3 * q[i * n + j];
    for (let i = 0; i < n; i++) a[i * n + i] += i < 3 ? 0.001 * (i - 1) : 1 + i;
    const { values } = denseSymmetricEigen(a, n);
    const lo = values[0];
    const hi = values[n - 1];
    const pw = await extremesByPowerIteration(new DenseOperator(a, n), { seed: trial, maxIter: 8, tol: 1e-2 });
    const s: SpectrumReport = {
      ...sampleReport().spectrum,
      method: 'exact',
      lambdaMin: lo,
      lambdaMax: hi,
      lambdaMinInterval: [lo - 1e-12, lo + 1e-12],
      lambdaMaxInterval: [hi - 1e-12, hi + 1e-12],
      lanczos: null,
      power: { lambdaMax: pw.lambdaMax, lambdaMin: pw.lambdaMin, iterations: pw.iterations, hvps: pw.hvps },
    };
    for (const f of crossCheckFlags(s)) {
      assert.equal(f.kind, 'short', `trial ${trial}: ${f.text}`);
      short++;
    }
  }
  assert.ok(short > 0, 'some trials disagree, so the direction was checked');
});
