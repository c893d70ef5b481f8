import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assembleDense, denseSolve, denseSymmetricEigen, summariseSpectrum } from '../../../src/core/algorithms/dense-eigen';
import { CountingOperator, DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { denseMatvec, operatorWithSpectrum, withSpectrum } from './matrices';

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
