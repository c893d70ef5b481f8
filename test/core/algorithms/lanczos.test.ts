import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix, EigenvalueDecomposition } from 'ml-matrix';
import { lanczos, type LanczosStepInfo } from '../../../src/core/algorithms/lanczos';
import { powerIteration } from '../../../src/core/algorithms/power-iteration';
import { DenseOperator, ShiftedOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { Rng } from '../../../src/core/util/rng';
import { linspace, operatorWithSpectrum, spectra } from './matrices';

const within = (x: number, [lo, hi]: [number, number]) => x >= lo && x <= hi;

for (const [name, make] of Object.entries(spectra)) {
  test(`Lanczos on a ${name} spectrum: both ends converge and their intervals contain the true extremes`, async () => {
    const values = make(80);
    const lo = Math.min(...values);
    const hi = Math.max(...values);
    const op = operatorWithSpectrum(values, 42);
    const steps: LanczosStepInfo[] = [];
    const r = await lanczos(op, { maxSteps: 80, tol: 1e-3, seed: 1, onStep: (s) => steps.push(s) });
    assert.ok(r.lambdaMax.converged && r.lambdaMin.converged, `${name}: converged flags`);
    assert.ok(within(hi, r.lambdaMax.interval), `${name}: λ_max ${hi} ∉ [${r.lambdaMax.interval}]`);
    assert.ok(within(lo, r.lambdaMin.interval), `${name}: λ_min ${lo} ∉ [${r.lambdaMin.interval}]`);
    assert.ok(Math.abs(r.lambdaMax.value - hi) <= 1e-3 * Math.abs(hi));
    assert.ok(Math.abs(r.lambdaMin.value - lo) <= 1e-3 * Math.max(Math.abs(lo), 1e-3 * Math.abs(hi)));
    assert.equal(r.hvps, r.steps);
    assert.equal(op.matvecCount, r.steps);
    assert.equal(steps.length, r.steps);
    assert.ok(r.steps < 80, `${name}: needed all ${r.steps} steps`);
    // Interlacing: Ritz values never leave the spectrum's hull.
    for (const s of steps) assert.ok(s.lambdaMax.value <= hi + 1e-12 && s.lambdaMin.value >= lo - 1e-12);
    assert.deepEqual(steps.map((s) => s.step), Array.from({ length: r.steps }, (_, i) => i + 1));
  });
}

test('Lanczos on a random (GOE) symmetric matrix matches ml-matrix and its intervals hold at every step', async () => {
  const n = 60;
  const rng = new Rng(9);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  const rows = Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
  const ev = new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues;
  const lo = Math.min(...ev);
  const hi = Math.max(...ev);
  const r = await lanczos(new DenseOperator(a, n), {
    maxSteps: 60,
    seed: 3,
    onStep: (s) => {
      // Every interval contains some eigenvalue (not necessarily the extreme one yet).
      assert.ok(ev.some((x) => within(x, s.lambdaMax.interval)));
      assert.ok(ev.some((x) => within(x, s.lambdaMin.interval)));
    },
  });
  assert.ok(within(hi, r.lambdaMax.interval) && within(lo, r.lambdaMin.interval));
  assert.ok(Math.abs(r.lambdaMax.value - hi) < 1e-3 * hi);
});

test('Lanczos stops when the Krylov space is exhausted and the ends are then exact', async () => {
  // Three distinct eigenvalues: a Krylov space of dimension 3 is invariant.
  const values = [...Array(10).fill(-1), ...Array(10).fill(2), ...Array(10).fill(5)];
  const r = await lanczos(operatorWithSpectrum(values, 5), { maxSteps: 30, tol: 1e-14, seed: 2 });
  assert.equal(r.exhausted, true);
  assert.equal(r.steps, 3);
  assert.ok(Math.abs(r.lambdaMin.value + 1) < 1e-12 && Math.abs(r.lambdaMax.value - 5) < 1e-12);
  assert.ok(r.lambdaMin.converged && r.lambdaMax.converged);
  assert.deepEqual(r.ritzValues.map((x) => Math.round(x * 1e9) / 1e9), [-1, 2, 5]);
});

test('Lanczos at maxSteps reports unconverged ends whose intervals still contain eigenvalues', async () => {
  const values = linspace(0.1, 10, 200);
  const r = await lanczos(operatorWithSpectrum(values, 8), { maxSteps: 5, tol: 1e-10, seed: 4 });
  assert.equal(r.steps, 5);
  assert.equal(r.exhausted, false);
  assert.equal(r.lambdaMax.converged, false);
  assert.ok(values.some((x) => within(x, r.lambdaMax.interval)));
  assert.ok(values.some((x) => within(x, r.lambdaMin.interval)));
});

/** Products until both ends are within 1e-3 (relative) of the truth. */
async function powerProductsToAccuracy(op: DenseOperator, lo: number, hi: number): Promise<number> {
  const accurate = (x: number, t: number) => Math.abs(x - t) <= 1e-3 * Math.abs(t);
  const dominant = Math.abs(hi) >= Math.abs(lo) ? hi : lo;
  const other = dominant === hi ? lo : hi;
  let first = -1;
  await powerIteration(op, { maxIter: 3000, tol: 0, seed: 1, onStep: (s) => (first < 0 && accurate(s.rayleigh, dominant) ? (first = s.iteration) : 0) });
  // Shift by the exact dominant eigenvalue: the most favourable case for power iteration.
  let second = -1;
  await powerIteration(new ShiftedOperator(op, -dominant), {
    maxIter: 3000,
    tol: 0,
    seed: 2,
    onStep: (s) => (second < 0 && accurate(s.rayleigh + dominant, other) ? (second = s.iteration) : 0),
  });
  assert.ok(first > 0 && second > 0, 'power iteration never reached 1e-3');
  return first + second;
}

test('Lanczos needs far fewer products than (shifted) power iteration for both ends to 1e-3', async () => {
  const values = linspace(-1, 10, 150);
  const op = operatorWithSpectrum(values, 12);
  let lanczosProducts = -1;
  await lanczos(op, {
    maxSteps: 150,
    tol: 1e-12,
    seed: 1,
    onStep: (s) => {
      const ok = Math.abs(s.lambdaMax.value - 10) <= 1e-2 && Math.abs(s.lambdaMin.value + 1) <= 1e-3;
      if (ok && lanczosProducts < 0) lanczosProducts = s.hvps;
    },
  });
  const power = await powerProductsToAccuracy(op, -1, 10);
  assert.ok(lanczosProducts > 0);
  assert.ok(3 * lanczosProducts <= power, `Lanczos ${lanczosProducts} vs power ${power}`);
});

test('Lanczos throws CancelledError when the signal is aborted mid-run', async () => {
  const ac = new AbortController();
  await assert.rejects(
    lanczos(operatorWithSpectrum(linspace(1, 5, 30), 77), { maxSteps: 30, tol: 1e-14, seed: 1, signal: ac.signal, onStep: (s) => s.step === 3 && ac.abort() }),
    CancelledError,
  );
});

/** Eigenvalues of the leading m×m block of a tridiagonal, by ml-matrix (independent of tridiagonal.ts). */
function leadingEigenvalues(alpha: number[], beta: number[], m: number): number[] {
  const rows = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? alpha[i] : Math.abs(i - j) === 1 ? beta[Math.min(i, j)] : 0)));
  return [...new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
}

test('per-step ends (bisection on T_m) are the extreme eigenvalues of T_m, the final Ritz values all of them', async () => {
  const values = linspace(-2, 7, 90);
  const steps: LanczosStepInfo[] = [];
  const r = await lanczos(operatorWithSpectrum(values, 61), { maxSteps: 40, tol: 1e-9, seed: 5, onStep: (s) => steps.push(s) });
  const { alpha, beta } = r.tridiagonal;
  assert.equal(alpha.length, r.steps);
  assert.equal(beta.length, r.steps - 1);
  for (const s of steps) {
    const ev = leadingEigenvalues(alpha, beta, s.step);
    assert.ok(Math.abs(s.lambdaMin.value - ev[0]) <= 1e-12 * 7, `step ${s.step}: ${s.lambdaMin.value} vs ${ev[0]}`);
    assert.ok(Math.abs(s.lambdaMax.value - ev[ev.length - 1]) <= 1e-12 * 7);
  }
  const all = leadingEigenvalues(alpha, beta, r.steps);
  r.ritzValues.forEach((x, i) => assert.ok(Math.abs(x - all[i]) <= 1e-12 * 7));
});

test('Ritz vectors of both ends: ‖Hy − θy‖ within the reported residual, aligned with the true eigenvectors', async () => {
  const values = [-3, ...linspace(-1, 4, 58), 9];
  const op = operatorWithSpectrum(values, 62);
  const n = values.length;
  const r = await lanczos(op, { maxSteps: n, tol: 1e-8, seed: 6 });
  assert.ok(r.lambdaMin.converged && r.lambdaMax.converged);
  const ref = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(op.data.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true });
  const vecs = ref.eigenvectorMatrix;
  const order = [...ref.realEigenvalues.keys()].sort((i, j) => ref.realEigenvalues[i] - ref.realEigenvalues[j]);
  for (const [end, y, idx] of [
    [r.lambdaMin, r.ritzVectors.min, order[0]],
    [r.lambdaMax, r.ritzVectors.max, order[n - 1]],
  ] as const) {
    const hy = await op.apply(y);
    let res = 0;
    let nn = 0;
    let cos = 0;
    for (let i = 0; i < n; i++) {
      res += (hy[i] - end.value * y[i]) ** 2;
      nn += y[i] ** 2;
      cos += y[i] * vecs.get(i, idx);
    }
    assert.ok(Math.abs(nn - 1) < 1e-12, 'unit Ritz vector');
    assert.ok(Math.sqrt(res) <= end.residual * (1 + 1e-6) + 1e-13, `true residual ${Math.sqrt(res)} vs reported ${end.residual}`);
    assert.ok(Math.abs(cos) > 1 - 1e-6, `|cos| = ${Math.abs(cos)}`);
  }
});

test('warm start from the previous λ_max Ritz vector: λ_max converges in a few steps after the matrix drifts', async () => {
  const n = 120;
  const values = linspace(-1, 5, n);
  values[n - 1] = 5.3;
  const before = operatorWithSpectrum(values, 63);
  const first = await lanczos(before, { maxSteps: n, tol: 1e-8, seed: 7, ends: 'max' });
  assert.ok(first.lambdaMax.converged);
  // The next hyper-step's Hessian: a small symmetric perturbation of the last one.
  const rng = new Rng(64);
  const drift = Float64Array.from(before.data);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) {
    const d = 1e-4 * rng.normal();
    drift[i * n + j] += d;
    if (i !== j) drift[j * n + i] += d;
  }
  const after = new DenseOperator(drift, n);
  const reference = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(drift.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true }).realEigenvalues;
  const top = Math.max(...reference);
  const warm = await lanczos(after, { maxSteps: n, tol: 1e-5, seed: 8, ends: 'max', start: first.ritzVectors.max });
  const cold = await lanczos(after, { maxSteps: n, tol: 1e-5, seed: 8, ends: 'max' });
  assert.ok(warm.lambdaMax.converged && within(top, warm.lambdaMax.interval));
  assert.ok(cold.lambdaMax.converged && within(top, cold.lambdaMax.interval));
  assert.ok(2 * warm.steps <= cold.steps, `warm ${warm.steps} vs cold ${cold.steps} steps`);
  // ends: 'max' stops on λ_max alone; λ_min is reported with its own (unconverged) flag.
  assert.equal(warm.lambdaMin.converged, false);
  assert.ok(reference.some((x) => within(x, warm.lambdaMin.interval)));
});

test('a warm start that is an exact eigenvector does not fake an exhausted Krylov space', async () => {
  const values = linspace(1, 4, 30);
  const op = operatorWithSpectrum(values, 65);
  const n = 30;
  const ref = new EigenvalueDecomposition(new Matrix(Array.from({ length: n }, (_, i) => Array.from(op.data.subarray(i * n, (i + 1) * n)))), { assumeSymmetric: true });
  const k = [...ref.realEigenvalues.keys()].find((i) => Math.abs(ref.realEigenvalues[i] - 4) < 1e-9) as number;
  const start = Float64Array.from({ length: n }, (_, i) => ref.eigenvectorMatrix.get(i, k));
  const r = await lanczos(op, { maxSteps: n, tol: 1e-6, seed: 9, start });
  assert.equal(r.exhausted, r.steps === n);
  assert.ok(within(1, r.lambdaMin.interval), `λ_min 1 ∉ [${r.lambdaMin.interval}]`);
  assert.ok(within(4, r.lambdaMax.interval));
  await assert.rejects(lanczos(op, { maxSteps: 5, seed: 1, start: new Float64Array(n) }), RangeError);
  await assert.rejects(lanczos(op, { maxSteps: 5, seed: 1, start: new Float64Array(3) }), RangeError);
});
