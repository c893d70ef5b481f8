import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { gershgorin, inverseIteration, kthEigenvalue, solveTridiagonal, sturmCount, tridiagonalEigen, tridiagonalResidual } from '../../../src/core/algorithms/tridiagonal';
import { Rng } from '../../../src/core/util/rng';

function dense(d: number[], e: number[]): number[][] {
  const m = d.length;
  return Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? d[i] : j === i + 1 ? e[i] : j === i - 1 ? e[j] : 0)));
}
function reference(d: number[], e: number[]): number[] {
  return [...new EigenvalueDecomposition(new Matrix(dense(d, e)), { assumeSymmetric: true }).realEigenvalues].sort((x, y) => x - y);
}
function random(m: number, seed: number): { d: number[]; e: number[] } {
  const rng = new Rng(seed);
  return { d: Array.from({ length: m }, () => rng.normal()), e: Array.from({ length: m - 1 }, () => rng.normal()) };
}

test('QL eigenvalues match ml-matrix; the (1,2,1) matrix matches its closed form 2 − 2cos(kπ/(m+1))', () => {
  for (const [m, seed] of [[1, 1], [2, 2], [7, 3], [60, 4]]) {
    const { d, e } = random(m, seed);
    const got = tridiagonalEigen(d, e).values;
    reference(d, e).forEach((x, i) => assert.ok(Math.abs(got[i] - x) < 1e-12 * 10, `m=${m} λ_${i}`));
  }
  const m = 50;
  const got = tridiagonalEigen(Array(m).fill(2), Array(m - 1).fill(-1)).values;
  for (let k = 1; k <= m; k++) assert.ok(Math.abs(got[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (m + 1)))) < 1e-13);
});

test('QL rotates rows along: identity gives orthonormal eigenvectors, (1,0,…) their first components', () => {
  const m = 25;
  const { d, e } = random(m, 5);
  const identity = new Float64Array(m * m);
  for (let i = 0; i < m; i++) identity[i * m + i] = 1;
  const full = tridiagonalEigen(d, e, { rows: identity, components: m });
  const s = full.rows as Float64Array;
  const first = tridiagonalEigen(d, e, { rows: Float64Array.from({ length: m }, (_, i) => (i === 0 ? 1 : 0)), components: 1 });
  for (let k = 0; k < m; k++) {
    const v = s.subarray(k * m, (k + 1) * m);
    assert.ok(tridiagonalResidual(d, e, full.values[k], v) < 1e-13 * 10);
    for (let l = 0; l < m; l++) {
      let dotp = 0;
      for (let i = 0; i < m; i++) dotp += v[i] * s[l * m + i];
      assert.ok(Math.abs(dotp - (k === l ? 1 : 0)) < 1e-13);
    }
    assert.ok(Math.abs((first.rows as Float64Array)[k] - v[0]) < 1e-13);
  }
});

test('Sturm counts and bisection: the k-th eigenvalue to a few ulps, for clustered and repeated spectra too', () => {
  const cases = [random(40, 6), { d: Array(30).fill(1), e: Array(29).fill(1e-9) }, { d: [3, 3, 3, -1, -1], e: [0, 0, 1e-300, 0] }];
  for (const { d, e } of cases) {
    const ref = reference(d, e);
    const [lo, hi] = gershgorin(d, e);
    assert.ok(lo <= ref[0] && ref[ref.length - 1] <= hi);
    ref.forEach((x, k) => {
      assert.ok(Math.abs(kthEigenvalue(d, e, k) - x) <= 1e-13 * Math.max(1, Math.abs(x)), `λ_${k}`);
      // Eigenvalues strictly below a point between two distinct ones.
      if (k + 1 < ref.length && ref[k + 1] - x > 1e-6) assert.equal(sturmCount(d, e, (x + ref[k + 1]) / 2), k + 1);
    });
  }
  assert.throws(() => kthEigenvalue([1, 2], [0], 2), RangeError);
});

test('shifted pivoted solve matches a dense solve, also for indefinite T and a zero leading pivot', () => {
  const rng = new Rng(7);
  for (const { d, e, shift } of [{ ...random(30, 8), shift: 0.3 }, { d: [0, 0, 1], e: [1, 2], shift: 0 }]) {
    const b = Array.from({ length: d.length }, () => rng.normal());
    const x = solveTridiagonal(d, e, shift, b) as Float64Array;
    const t = dense(d.map((v) => v + shift), e);
    t.forEach((row, i) => assert.ok(Math.abs(row.reduce((s, v, j) => s + v * x[j], 0) - b[i]) < 1e-12, `row ${i}`));
  }
  // [[0, 1], [1, 0]] needs the row swap; [[1, 1], [1, 1]] is singular.
  assert.deepEqual(Array.from(solveTridiagonal([1, 1], [1], -1, [2, 3]) as Float64Array), [3, 2]);
  assert.equal(solveTridiagonal([1, 1], [1], 0, [1, 1]), null);
});

test('inverse iteration gives the eigenvector of an extreme eigenvalue with a tiny residual', () => {
  const { d, e } = random(80, 9);
  const ref = reference(d, e);
  for (const theta of [ref[0], ref[79]]) {
    const { vector, residual } = inverseIteration(d, e, kthEigenvalue(d, e, theta === ref[0] ? 0 : 79));
    assert.ok(residual < 1e-12, `residual ${residual}`);
    assert.ok(Math.abs(vector.reduce((s, v) => s + v * v, 0) - 1) < 1e-14);
  }
});
