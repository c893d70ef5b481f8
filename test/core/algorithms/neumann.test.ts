import { test } from 'node:test';
import assert from 'node:assert/strict';
import { neumannSeries, type NeumannTermInfo } from '../../../src/core/algorithms/neumann';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { denseMatvec, withSpectrum } from './matrices';

const l2 = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));

/** Reference: v_j = (I − αA)^j b by explicit dense products, x_K = α Σ v_j. */
function closedForm(a: Float64Array, n: number, b: Float64Array, alpha: number, k: number) {
  const vs: Float64Array[] = [Float64Array.from(b)];
  for (let j = 1; j <= k; j++) {
    const prev = vs[j - 1];
    const ap = denseMatvec(a, n, prev);
    vs.push(Float64Array.from(prev, (p, i) => p - alpha * ap[i]));
  }
  const xs: Float64Array[] = [];
  const x = new Float64Array(n);
  for (const v of vs) {
    for (let i = 0; i < n; i++) x[i] += alpha * v[i];
    xs.push(Float64Array.from(x));
  }
  return { vs, xs };
}

test('Neumann matches the closed form α Σ (I − αA)^j b term by term, with residuals ‖A x_j − b‖/‖b‖', async () => {
  const n = 6;
  const a = withSpectrum([0.2, 0.5, 1, 1.5, 1.8, 0.9], 51);
  const b = Float64Array.from([1, -2, 0.5, 3, 0, 1]);
  const alpha = 0.8;
  const terms = 12;
  const ref = closedForm(a, n, b, alpha, terms);
  const seen: NeumannTermInfo[] = [];
  const op = new DenseOperator(a, n);
  const r = await neumannSeries(op, b, { alpha, terms, onTerm: (t) => seen.push(t) });
  assert.equal(r.termNorms.length, terms + 1);
  assert.equal(r.lastTerm, terms);
  assert.equal(r.nonFiniteAtTerm, null);
  assert.equal(r.hvps, terms + 1, 'one product per term plus one for the last residual');
  assert.equal(seen.length, terms + 1);
  for (let j = 0; j <= terms; j++) {
    assert.ok(Math.abs(r.termNorms[j] - l2(ref.vs[j])) < 1e-12);
    const ax = denseMatvec(a, n, ref.xs[j]);
    const res = l2(Float64Array.from(ax, (v, i) => v - b[i])) / l2(b);
    assert.ok(Math.abs(r.residuals[j] - res) < 1e-12, `residual ${j}`);
    assert.deepEqual(r.termHeads[j].map((x) => x.toFixed(10)), Array.from(ref.vs[j].subarray(0, 5), (x) => x.toFixed(10)));
    assert.equal(seen[j].term, j);
  }
  r.x.forEach((x, i) => assert.ok(Math.abs(x - ref.xs[terms][i]) < 1e-12));
  assert.deepEqual(r.solutionHead, Array.from(r.x.subarray(0, 5)));
  assert.equal(r.growthRatios.length, terms);
  assert.equal(seen[0].growth, null);
  assert.equal(seen[3].growth, r.growthRatios[2]);
});

test('toy cubic: H = diag(0.3, 0.3), b = [1, 1], α = 1, 50 terms gives (3.333, 3.333)', async () => {
  const r = await neumannSeries(DenseOperator.fromRows([[0.3, 0], [0, 0.3]]), Float64Array.from([1, 1]), { alpha: 1, terms: 50 });
  assert.deepEqual(r.solutionHead.map((x) => x.toFixed(3)), ['3.333', '3.333']);
  // Closed form: (1 − 0.7^51)/0.3.
  assert.ok(Math.abs(r.x[0] - (1 - 0.7 ** 51) / 0.3) < 1e-12);
});

test('a diverging series grows at the predicted rate ρ = max|1 − αλ|', async () => {
  // The motivating case's extremes: λ_min = −1.75, λ_max = 2.12, α = 1 → ρ = 2.75.
  const a = withSpectrum([-1.75, -0.3, 0.4, 1.1, 2.12], 52);
  const r = await neumannSeries(new DenseOperator(a, 5), Float64Array.from([1, 1, 1, 1, 1]), { alpha: 1, terms: 30 });
  const last = r.growthRatios[r.growthRatios.length - 1];
  assert.ok(Math.abs(last - 2.75) < 1e-6 * 2.75, `growth ${last}`);
  assert.ok(r.residuals[30] > 1e10);
});

test('damping δ runs the series on H + δI', async () => {
  const a = withSpectrum([-1, 0.5, 2], 53);
  const b = Float64Array.from([1, 2, 3]);
  const damped = Float64Array.from(a);
  for (let i = 0; i < 3; i++) damped[i * 3 + i] += 1.5;
  const ref = closedForm(damped, 3, b, 0.25, 20);
  const r = await neumannSeries(new DenseOperator(a, 3), b, { alpha: 0.25, terms: 20, damping: 1.5 });
  r.x.forEach((x, i) => assert.ok(Math.abs(x - ref.xs[20][i]) < 1e-12));
  // ρ = max|1 − 0.25(λ + 1.5)| over λ ∈ {−1, 0.5, 2} = 0.875 < 1: the residual shrinks.
  assert.ok(r.residuals[20] < r.residuals[0]);
});

test('the series stops at the term where v overflows and says which', async () => {
  const r = await neumannSeries(DenseOperator.fromRows([[1e6]]), Float64Array.from([1]), { alpha: 1, terms: 200 });
  // Reference: v_j = (1 − 1e6)^j, and ‖v_j‖ = √(v_j²) overflows once v_j² > MAX_VALUE.
  let v = 1;
  let expected = -1;
  for (let j = 1; j <= 200; j++) {
    v *= 1 - 1e6;
    if (!Number.isFinite(v * v)) {
      expected = j;
      break;
    }
  }
  assert.equal(r.nonFiniteAtTerm, expected);
  assert.equal(r.lastTerm, expected - 1);
  assert.ok(r.termNorms.every(Number.isFinite) && r.x.every(Number.isFinite));
});

test('the series is cancellable', async () => {
  const ac = new AbortController();
  await assert.rejects(
    neumannSeries(DenseOperator.fromRows([[0.5]]), Float64Array.from([1]), { alpha: 1, terms: 10, signal: ac.signal, onTerm: (t) => t.term === 2 && ac.abort() }),
    CancelledError,
  );
});
