import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import { assembleDense, denseSolve, denseSymmetricEigen, factorSymmetric, summariseSpectrum } from '../../../src/core/algorithms/dense-eigen';
import { tridiagonalize } from '../../../src/core/algorithms/householder';
import { Rng } from '../../../src/core/util/rng';
import { CountingOperator, DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { denseMatvec, linspace, operatorWithSpectrum, withSpectrum } from './matrices';

test('denseSymmetricEigen recovers a known spectrum and orthonormal eigenvectors', () => {
  const values = [4, -2, 0.5, 7, -2.5, 1];
  const n = values.length;
  const a = withSpectrum(values, 11);
  const { values: got, vectors } = denseSymmetricEigen(a, n, { vectors: true });
  const expected = [...values].sort((x, y) => x - y);
  got.forEach((x, i) => assert.ok(Math.abs(x - expected[i]) < 1e-12, `λ_${i}: ${x} vs ${expected[i]}`));
  const v = vectors as Float64Array;
  for (let k = 0; k < n; k++) {
    const col = Float64Array.from({ length: n }, (_, i) => v[i * n + k]);
    const av = denseMatvec(a, n, col);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(av[i] - got[k] * col[i]) < 1e-12);
    let nn = 0;
    for (const x of col) nn += x * x;
    assert.ok(Math.abs(nn - 1) < 1e-12);
  }
  assert.equal(denseSymmetricEigen(a, n).vectors, null);
});

test('summariseSpectrum counts negatives beyond rounding noise and gives the condition number', () => {
  const s = summariseSpectrum(Float64Array.from([-3, -1e-18, 0.5, 6]));
  assert.equal(s.negativeCount, 1);
  assert.equal(s.lambdaMin, -3);
  assert.equal(s.lambdaMax, 6);
  assert.equal(s.conditionNumber, 6 / 1e-18);
  assert.equal(summariseSpectrum(Float64Array.from([0, 1])).conditionNumber, Infinity);
  assert.equal(summariseSpectrum(Float64Array.from([-0.01, 1]), 0.1).negativeCount, 0);
});

test('assembleDense rebuilds the matrix in batches through applyMany and counts every column', async () => {
  const a = withSpectrum([1, 2, 3, -4, 5, 6, 7], 3);
  const op = new DenseOperator(a, 7);
  let matmats = 0;
  const original = op.applyMany.bind(op);
  op.applyMany = (vs) => {
    matmats++;
    return original(vs);
  };
  const progress: number[] = [];
  const res = await assembleDense(op, { batch: 3, onProgress: (p) => progress.push(p.columns) });
  assert.equal(matmats, 3);
  assert.deepEqual(progress, [3, 6, 7]);
  assert.equal(res.hvps, 7);
  assert.ok(res.asymmetry < 1e-15);
  res.matrix.forEach((x, i) => assert.ok(Math.abs(x - a[i]) < 1e-15));
});

test('assembleDense symmetrises and reports ‖H − Hᵀ‖_F/‖H‖_F of an asymmetric operator', async () => {
  const m = [
    [2, 1.1],
    [0.9, 3],
  ];
  class Asym extends CountingOperator {
    readonly size = 2;
    protected product(v: Float64Array) {
      return Float64Array.from(m.map((r) => r[0] * v[0] + r[1] * v[1]));
    }
  }
  const res = await assembleDense(new Asym(), {});
  // ‖M − Mᵀ‖_F = √(0.2² + 0.2²), ‖M‖_F = √(4 + 1.21 + 0.81 + 9)
  assert.ok(Math.abs(res.asymmetry - Math.sqrt(0.08) / Math.sqrt(15.02)) < 1e-15);
  assert.deepEqual(Array.from(res.matrix), [2, 1, 1, 3]);
});

test('assembleDense is cancellable', async () => {
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(assembleDense(operatorWithSpectrum([1, 2], 1), { signal: ac.signal }), CancelledError);
});

test('denseSolve returns H⁻¹b and says when H is singular', () => {
  const n = 5;
  const a = withSpectrum([-2, 0.3, 1, 4, 9], 5);
  const xTrue = Float64Array.from([1, -2, 3, 0.5, -1]);
  const b = denseMatvec(a, n, xTrue);
  const r = denseSolve(a, n, b);
  assert.equal(r.singular, false);
  (r.x as Float64Array).forEach((x, i) => assert.ok(Math.abs(x - xTrue[i]) < 1e-12));
  assert.ok((r.relativeResidual as number) < 1e-14);

  const singular = withSpectrum([0, 1, 2, 3, 4], 5);
  const s = denseSolve(singular, n, b);
  assert.equal(s.singular, true);
  assert.equal(s.x, null);
});

/** Closed-form spectra the dense path must get right (each with a known answer). */
const hardSpectra: Record<string, number[]> = {
  clustered: [0.5, ...linspace(1, 1 + 1e-9, 40), 3],
  repeated: [...Array(20).fill(-2), ...Array(15).fill(1), ...Array(10).fill(4)],
  indefinite: linspace(-3, 5, 47),
  nearSingular: [...linspace(-1, -0.1, 10), 1e-13, -1e-13, ...linspace(0.1, 2, 30)],
  graded: Array.from({ length: 33 }, (_, i) => (i % 2 ? -1 : 1) * 10 ** (-i / 4)),
};

function rowsOf(a: Float64Array, n: number): number[][] {
  return Array.from({ length: n }, (_, i) => Array.from(a.subarray(i * n, (i + 1) * n)));
}

for (const [name, spectrum] of Object.entries(hardSpectra)) {
  test(`dense eigen on a ${name} spectrum: eigenvalues to ε‖A‖, ‖AV − VΛ‖ and ‖VᵀV − I‖ at rounding level, as ml-matrix`, () => {
    const n = spectrum.length;
    const a = withSpectrum(spectrum, 71);
    const scale = Math.max(...spectrum.map(Math.abs));
    const expected = [...spectrum].sort((x, y) => x - y);
    const { values, vectors } = denseSymmetricEigen(a, n, { vectors: true });
    const ml = [...new EigenvalueDecomposition(new Matrix(rowsOf(a, n)), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
    values.forEach((x, i) => {
      assert.ok(Math.abs(x - expected[i]) <= 50 * n * Number.EPSILON * scale, `λ_${i}: ${x} vs ${expected[i]}`);
      assert.ok(Math.abs(x - ml[i]) <= 50 * n * Number.EPSILON * scale, `λ_${i} vs ml-matrix`);
    });
    const v = vectors as Float64Array;
    let res = 0;
    let orth = 0;
    for (let k = 0; k < n; k++) {
      const col = Float64Array.from({ length: n }, (_, i) => v[i * n + k]);
      const av = denseMatvec(a, n, col);
      for (let i = 0; i < n; i++) res = Math.max(res, Math.abs(av[i] - values[k] * col[i]));
      for (let l = 0; l <= k; l++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += col[i] * v[i * n + l];
        orth = Math.max(orth, Math.abs(d - (k === l ? 1 : 0)));
      }
    }
    assert.ok(res <= 50 * n * Number.EPSILON * scale, `‖AV − VΛ‖_max = ${res}`);
    assert.ok(orth <= 50 * n * Number.EPSILON, `‖VᵀV − I‖_max = ${orth}`);
    // The factorisation gives the same spectrum and honest residuals for single eigenvectors.
    const f = factorSymmetric(a, n);
    f.values.forEach((x, i) => assert.equal(x, values[i]));
    for (const k of [0, n - 1]) {
      const e = f.eigenvector(k);
      assert.ok(e.residual <= 100 * n * Number.EPSILON * scale, `eigenvector ${k}: residual ${e.residual}`);
      const col = e.vector;
      const av = denseMatvec(a, n, col);
      let r = 0;
      for (let i = 0; i < n; i++) r += (av[i] - e.value * col[i]) ** 2;
      // Both are rounding-level numbers: they agree to the rounding of computing them.
      assert.ok(Math.abs(Math.sqrt(r) - e.residual) <= 10 * n * Number.EPSILON * scale, 'reported residual is the true one');
    }
  });
}

test('Householder reduction: Q T Qᵀ rebuilds A and Q is orthogonal', () => {
  const n = 37;
  const rng = new Rng(72);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  const tri = tridiagonalize(a, n);
  for (let j = 0; j < n; j++) {
    // Column j of A = Q T Qᵀ e_j.
    const x = new Float64Array(n);
    x[j] = 1;
    tri.applyQt(x);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = tri.diagonal[i] * x[i] + (i > 0 ? tri.offDiagonal[i - 1] * x[i - 1] : 0) + (i + 1 < n ? tri.offDiagonal[i] * x[i + 1] : 0);
    }
    tri.applyQ(y);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(y[i] - a[i * n + j]) < 1e-13 * n, `A[${i}][${j}]`);
    const q = new Float64Array(n);
    q[j] = 1;
    tri.applyQ(q);
    assert.ok(Math.abs(q.reduce((s, v) => s + v * v, 0) - 1) < 1e-14);
  }
  // Sizes 0, 1, 2 and an already tridiagonal (τ = 0) matrix.
  assert.equal(tridiagonalize(new Float64Array(0), 0).diagonal.length, 0);
  assert.deepEqual(Array.from(denseSymmetricEigen(Float64Array.from([3]), 1).values), [3]);
  assert.deepEqual(Array.from(denseSymmetricEigen(Float64Array.from([2, 1, 1, 2]), 2).values).map((x) => Math.round(x * 1e12) / 1e12), [1, 3]);
  const diag = withSpectrum([1, 2, 3], 1).fill(0);
  diag[0] = 1;
  diag[4] = 2;
  diag[8] = 3;
  assert.deepEqual(Array.from(denseSymmetricEigen(diag, 3).values), [1, 2, 3]);
});

test('shifted solves through one factorisation match ml-matrix LU for every δ, with the exact condition number', () => {
  const spectrum = [-0.8, -0.05, ...linspace(0.01, 6, 38)];
  const n = spectrum.length;
  const a = withSpectrum(spectrum, 73);
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const solver = factorSymmetric(a, n).shiftedSolver(b);
  for (const delta of [0, 0.3, 1, 10]) {
    const r = solver(delta);
    const shifted = rowsOf(a, n).map((row, i) => row.map((v, j) => v + (i === j ? delta : 0)));
    const ref = new LuDecomposition(new Matrix(shifted)).solve(Matrix.columnVector(Array.from(b)));
    const x = r.x as Float64Array;
    const cond = Math.max(...spectrum.map((l) => Math.abs(l + delta))) / Math.min(...spectrum.map((l) => Math.abs(l + delta)));
    assert.equal(r.singular, false);
    assert.ok(Math.abs(r.conditionNumber - cond) <= 1e-10 * cond, `δ=${delta}: cond ${r.conditionNumber} vs ${cond}`);
    x.forEach((v, i) => assert.ok(Math.abs(v - ref.get(i, 0)) <= 1e-12 * cond * Math.max(1, Math.abs(ref.get(i, 0))), `δ=${delta}, x[${i}]`));
    assert.ok((r.relativeResidual as number) < 1e-13 * Math.max(1, cond / 100));
  }
  // δ = 0.8 makes A + δI singular (the eigenvalue −0.8): said so, not solved.
  const s = solver(0.8);
  assert.equal(s.singular, true);
  assert.equal(s.x, null);
  assert.ok(s.minAbsEigenvalue < 1e-13);
});

test('near-singular but solvable: the solve is exact to cond·ε and says how ill-conditioned it is', () => {
  const spectrum = [1e-9, ...linspace(0.5, 2, 20)];
  const n = spectrum.length;
  const a = withSpectrum(spectrum, 74);
  const xTrue = Float64Array.from({ length: n }, (_, i) => 1 + i / n);
  const b = denseMatvec(a, n, xTrue);
  const r = denseSolve(a, n, b);
  assert.equal(r.singular, false);
  assert.ok(Math.abs(r.conditionNumber - 2e9) < 1e-3 * 2e9);
  (r.x as Float64Array).forEach((x, i) => assert.ok(Math.abs(x - xTrue[i]) < 2e9 * 1e-14 * 10, `x[${i}] = ${x}`));
});

test('two threads (rows split with a partner worker thread) give the same reduction as one, to rounding', () => {
  const n = 700;
  const rng = new Rng(75);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal();
  const one = tridiagonalize(a, n, { threads: 1 });
  const two = tridiagonalize(a, n, { threads: 2 });
  const scale = Math.sqrt(n) * 2;
  for (let i = 0; i < n; i++) assert.ok(Math.abs(one.diagonal[i] - two.diagonal[i]) < 1e-11 * scale, `d[${i}]`);
  for (let i = 0; i < n - 1; i++) assert.ok(Math.abs(Math.abs(one.offDiagonal[i]) - Math.abs(two.offDiagonal[i])) < 1e-11 * scale, `e[${i}]`);
  // And the two-thread Q is the same orthogonal map: Q T Qᵀ e_j = A e_j for a few columns.
  for (const j of [0, 350, 699]) {
    const x = new Float64Array(n);
    x[j] = 1;
    two.applyQt(x);
    const y = Float64Array.from(x, (v, i) => two.diagonal[i] * v + (i > 0 ? two.offDiagonal[i - 1] * x[i - 1] : 0) + (i + 1 < n ? two.offDiagonal[i] * x[i + 1] : 0));
    two.applyQ(y);
    for (let i = 0; i < n; i++) assert.ok(Math.abs(y[i] - a[i * n + j]) < 1e-11 * scale, `A[${i}][${j}]`);
  }
});
