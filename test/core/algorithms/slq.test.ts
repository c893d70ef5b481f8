import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stochasticLanczosQuadrature } from '../../../src/core/algorithms/slq';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { Rng } from '../../../src/core/util/rng';
import { denseMatvec, linspace, randomOrthogonal, withSpectrum } from './matrices';

/** The probes SLQ draws (same seed, same order), and per probe the exact μ_z((−∞, 0)) from A's eigenvectors. */
function exactProbeMasses(spectrum: number[], seed: number, basisSeed: number, probes: number, below = 0): number[] {
  const n = spectrum.length;
  const q = randomOrthogonal(n, basisSeed);
  const rng = new Rng(seed);
  return Array.from({ length: probes }, () => {
    const z = rng.rademacherVector(n);
    let mass = 0;
    spectrum.forEach((lam, i) => {
      if (lam < below) mass += q[i].reduce((s, v, j) => s + v * z[j], 0) ** 2 / n;
    });
    return mass;
  });
}

const spectrum = [...linspace(-2, -0.4, 60), ...linspace(0.3, 5, 240)];
const n = spectrum.length;
const a = withSpectrum(spectrum, 101);

test('SLQ: negative fraction within its stated error of the true 20 %, the Gauss-rule bracket exact, density integrates to 1', async () => {
  const op = new DenseOperator(a, n);
  let calls = 0;
  const original = op.applyMany.bind(op);
  op.applyMany = (vs) => {
    calls++;
    return original(vs);
  };
  const r = await stochasticLanczosQuadrature(op, { probes: 24, steps: 30, seed: 5, batch: 8 });
  assert.equal(r.hvps, 24 * 30);
  assert.equal(calls, 30 * 3, 'one applyMany per step per batch of 8 probes');
  assert.equal(r.quadrature.length, 24);
  for (const rule of r.quadrature) assert.ok(Math.abs(rule.weights.reduce((s, w) => s + w, 0) - 1) < 1e-12);
  const se = r.negativeFractionStdErr as number;
  assert.ok(se > 0);
  const [lo, hi] = r.negativeFractionBounds;
  assert.ok(lo <= r.negativeFraction && r.negativeFraction <= hi);
  assert.ok(Math.abs(r.negativeFraction - 0.2) <= 4 * se + (hi - lo), `${r.negativeFraction} ± ${se} [${lo}, ${hi}]`);
  // Deterministic check of the bracket: the mean over these very probes of μ_z((−∞, 0)) lies in it.
  const exact = exactProbeMasses(spectrum, 5, 101, 24);
  const exactMean = exact.reduce((s, x) => s + x, 0) / exact.length;
  assert.ok(lo - 1e-12 <= exactMean && exactMean <= hi + 1e-12, `${exactMean} ∉ [${lo}, ${hi}]`);
  // 30 nodes leave the step function's quadrature error at a few percent, and the bracket says so.
  assert.ok(hi - lo < 0.05 && hi - lo > 0, `bracket width ${hi - lo}`);
  const [ilo, ihi] = r.negativeFractionInterval;
  assert.ok(Math.abs(ilo - Math.max(0, lo - 2 * se)) < 1e-15 && Math.abs(ihi - Math.min(1, hi + 2 * se)) < 1e-15);
  assert.ok(ilo <= 0.2 && 0.2 <= ihi, 'the true fraction is inside the combined interval');
  assert.equal(r.quadratureLimited, hi - lo > 4 * se);
  assert.equal(r.negativeCount.estimate, n * r.negativeFraction);
  assert.equal(r.negativeCount.stdErr, n * se);
  // Trapezoid integral over the grid is 1.
  const h = r.grid[1] - r.grid[0];
  let integral = 0;
  for (let i = 0; i + 1 < r.grid.length; i++) integral += 0.5 * h * (r.values[i] + r.values[i + 1]);
  assert.ok(Math.abs(integral - 1) < 1e-12);
  assert.ok(r.values.every((v) => v >= 0));
  // The density's mass below 0 is the negative fraction (the gap at 0 is much wider than σ).
  let below = 0;
  for (let i = 0; i + 1 < r.grid.length; i++) if (r.grid[i + 1] <= 0) below += 0.5 * h * (r.values[i] + r.values[i + 1]);
  assert.ok(Math.abs(below - r.negativeFraction) < 0.01, `mass below 0: ${below}`);
});

test('SLQ moments: Σ w θ^k is zᵀA^k z/n exactly (k < 2m), so the mean matches tr(A^k)/n within the probes’ error', async () => {
  const probes = 20;
  const r = await stochasticLanczosQuadrature(new DenseOperator(a, n), { probes, steps: 12, seed: 6 });
  for (const k of [1, 2, 3, 4]) {
    const trace = spectrum.reduce((s, l) => s + l ** k, 0) / n;
    const perProbe = r.quadrature.map((rule) => rule.nodes.reduce((s, x, i) => s + rule.weights[i] * x ** k, 0));
    // Exactness of the 12-point Gauss rule against the probe's own quadratic form.
    if (k === 1 || k === 2) {
      const z = new Rng(6);
      perProbe.forEach((m) => {
        const v = z.rademacherVector(n);
        let y: Float64Array = Float64Array.from(v);
        for (let p = 0; p < k; p++) y = denseMatvec(a, n, y);
        const form = v.reduce((s, x, i) => s + x * y[i], 0) / n;
        assert.ok(Math.abs(m - form) < 1e-10 * Math.max(1, Math.abs(form)), `k=${k}: ${m} vs ${form}`);
      });
    }
    const mean = perProbe.reduce((s, x) => s + x, 0) / probes;
    const se = Math.sqrt(perProbe.reduce((s, x) => s + (x - mean) ** 2, 0) / (probes - 1) / probes);
    assert.ok(Math.abs(mean - trace) <= 4 * se + 1e-12, `k=${k}: ${mean} vs ${trace} ± ${se}`);
    // The broadened density has the same first moment and the second plus σ².
    if (k <= 2) {
      const h = r.grid[1] - r.grid[0];
      const gridMoment = r.grid.reduce((s, x, i) => s + x ** k * r.values[i] * h, 0);
      const expected = mean + (k === 2 ? r.sigma ** 2 : 0);
      assert.ok(Math.abs(gridMoment - expected) < 1e-3 * Math.max(1, Math.abs(expected)), `grid moment ${k}: ${gridMoment} vs ${expected}`);
    }
  }
});

test('SLQ on three distinct eigenvalues: each probe’s space is exhausted after 3 steps and its rule is exact', async () => {
  const values = [...Array(30).fill(-1), ...Array(50).fill(0.5), ...Array(20).fill(3)];
  const r = await stochasticLanczosQuadrature(new DenseOperator(withSpectrum(values, 102), 100), { probes: 5, steps: 20, seed: 7 });
  assert.equal(r.steps, 3);
  assert.equal(r.hvps, 15);
  const exact = exactProbeMasses(values, 7, 102, 5);
  r.quadrature.forEach((rule, p) => {
    assert.deepEqual(rule.nodes.map((x) => Math.round(x * 1e9) / 1e9), [-1, 0.5, 3]);
    assert.ok(Math.abs(rule.weights[0] - exact[p]) < 1e-10);
  });
  // A threshold moves what counts as negative: below −(−0.6) = 0.6 includes the 0.5 cluster.
  const shifted = await stochasticLanczosQuadrature(new DenseOperator(withSpectrum(values, 102), 100), { probes: 5, steps: 20, seed: 7, threshold: -0.6 });
  const exact2 = exactProbeMasses(values, 7, 102, 5, 0.6);
  assert.ok(Math.abs(shifted.negativeFraction - exact2.reduce((s, x) => s + x, 0) / 5) < 1e-10);
});

test('SLQ with tiny negative eigenvalues next to a large λ_max: quadrature-limited, and the interval says so', async () => {
  // 10 % of the eigenvalues in [−1e-3, −1e-4], the rest up to 10: 20 nodes cannot resolve them.
  const values = [...linspace(-1e-3, -1e-4, 20), ...linspace(1e-4, 10, 180)];
  const r = await stochasticLanczosQuadrature(new DenseOperator(withSpectrum(values, 104), 200), { probes: 12, steps: 20, seed: 8 });
  assert.equal(r.quadratureLimited, true);
  const [lo, hi] = r.negativeFractionInterval;
  assert.ok(lo <= 0.1 && 0.1 <= hi, `0.1 ∉ [${lo}, ${hi}]`);
});

test('SLQ: bad arguments are RangeErrors; cancellable', async () => {
  const op = new DenseOperator(withSpectrum([1, 2, 3], 103), 3);
  await assert.rejects(stochasticLanczosQuadrature(op, { probes: 0, steps: 3, seed: 1 }), RangeError);
  await assert.rejects(stochasticLanczosQuadrature(op, { probes: 2, steps: 3, seed: 1, sigma: -1 }), RangeError);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(stochasticLanczosQuadrature(op, { probes: 2, steps: 3, seed: 1, signal: ac.signal }), CancelledError);
});
