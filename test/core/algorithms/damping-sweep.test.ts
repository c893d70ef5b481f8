import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { dampingGrid, dampingSweep, denseDampingSweep } from '../../../src/core/algorithms/damping-sweep';
import { factorSymmetric } from '../../../src/core/algorithms/dense-eigen';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { linspace, withSpectrum } from './matrices';

/** (A + δI)⁻¹b by ml-matrix LU: the independent reference. */
function luSolve(a: Float64Array, n: number, delta: number, b: Float64Array): number[] {
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j] + (i === j ? delta : 0)));
  const x = new LuDecomposition(new Matrix(rows)).solve(Matrix.columnVector(Array.from(b)));
  return Array.from({ length: n }, (_, i) => x.get(i, 0));
}

test('damping grid: ≥ 6 log-spaced points above −λ_min,lower, plus the recommended δ and 0', () => {
  const grid = dampingGrid({ lambdaMinLower: -0.07, lambdaMaxUpper: 8, recommended: 0.123, includeZero: true });
  assert.equal(grid.length, 10);
  assert.equal(grid[0], 0);
  assert.ok(grid.includes(0.123));
  assert.deepEqual(grid, [...grid].sort((a, b) => a - b));
  const log = grid.filter((d) => d !== 0 && d !== 0.123).map((d) => d - 0.07);
  assert.equal(log.length, 8);
  assert.ok(Math.abs(log[0] - 8e-3) < 1e-15 && Math.abs(log[7] - 8) < 1e-12);
  for (let k = 1; k < 8; k++) assert.ok(Math.abs(log[k] / log[k - 1] - 10 ** (3 / 7)) < 1e-12, 'constant ratio');
  // Positive-definite H: the grid starts above 0; duplicates are dropped; bad input is an error.
  const pd = dampingGrid({ lambdaMinLower: 0.5, lambdaMaxUpper: 2, points: 6, recommended: 2 });
  assert.equal(pd.length, 6);
  assert.ok(pd[0] > 0 && Math.abs(pd[0] - 2e-3) < 1e-15);
  assert.throws(() => dampingGrid({ lambdaMinLower: -1, lambdaMaxUpper: 1, points: 5 }), RangeError);
  assert.throws(() => dampingGrid({ lambdaMinLower: NaN, lambdaMaxUpper: 1 }), RangeError);
  assert.throws(() => dampingGrid({ lambdaMinLower: -1, lambdaMaxUpper: 1, recommended: -2 }), RangeError);
});

const spectrum = [-0.7, -0.2, ...linspace(0.05, 6, 38)];
const n = spectrum.length;
const a = withSpectrum(spectrum, 91);
const b = Float64Array.from({ length: n }, (_, i) => 1 + Math.sin(i));
const w = Float64Array.from({ length: n }, (_, i) => Math.cos(3 * i));
const functional = (x: Float64Array) => -x.reduce((s, v, i) => s + v * w[i], 0);

test('CG sweep: per δ the functional of (H + δI)⁻¹b matches a dense LU solve; δ where H + δI is indefinite says so', async () => {
  const dampings = dampingGrid({ lambdaMinLower: -0.7, lambdaMaxUpper: 6, recommended: 1, includeZero: true });
  const op = new DenseOperator(a, n);
  const seen: number[] = [];
  const points = await dampingSweep(op, b, { dampings, functional, rtol: 1e-10, keepSolutions: true, onPoint: (p) => seen.push(p.damping) });
  assert.deepEqual(points.map((p) => p.damping), dampings);
  assert.deepEqual(seen, [...dampings].reverse(), 'largest δ first');
  let total = 0;
  for (const p of points) {
    total += p.hvps;
    if (p.damping < 0.7) {
      assert.equal(p.status, 'indefinite');
      assert.equal(p.converged, false);
      assert.equal(p.value, null);
      continue;
    }
    const ref = luSolve(a, n, p.damping, b);
    assert.equal(p.converged, true, `δ=${p.damping}`);
    assert.equal(p.method, 'cg');
    assert.ok((p.residual as number) <= 1e-10);
    assert.equal(p.hvps, p.iterations + 1, 'CG products plus one true residual');
    const refValue = functional(Float64Array.from(ref));
    assert.ok(Math.abs((p.value as number) - refValue) <= 1e-8 * Math.max(1, Math.abs(refValue)), `δ=${p.damping}: ${p.value} vs ${refValue}`);
    (p.x as Float64Array).forEach((x, i) => assert.ok(Math.abs(x - ref[i]) < 1e-7));
  }
  assert.equal(op.matvecCount, total);
});

test('CG sweep within a tight budget reports unconverged points as such', async () => {
  const points = await dampingSweep(new DenseOperator(a, n), b, { dampings: [0.7 + 1e-4], functional, rtol: 1e-12, maxIter: 5 });
  assert.equal(points[0].status, 'max-iterations');
  assert.equal(points[0].converged, false);
  assert.ok((points[0].residual as number) > 1e-12);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(dampingSweep(new DenseOperator(a, n), b, { dampings: [1], signal: ac.signal }), CancelledError);
});

test('dense sweep: one factorisation solves every δ, including δ = 0 on the indefinite H, and flags the singular one', () => {
  const dampings = [0, 0.2, 0.5, 1, 3];
  const points = denseDampingSweep(factorSymmetric(a, n), b, { dampings, functional });
  for (const p of points) {
    if (p.damping === 0.2) {
      assert.equal(p.status, 'singular', 'H + 0.2 I has the eigenvalue 0');
      assert.equal(p.converged, false);
      assert.equal(p.value, null);
      continue;
    }
    const refValue = functional(Float64Array.from(luSolve(a, n, p.damping, b)));
    const cond = Math.max(...spectrum.map((l) => Math.abs(l + p.damping))) / Math.min(...spectrum.map((l) => Math.abs(l + p.damping)));
    assert.equal(p.converged, true);
    assert.equal(p.hvps, 0);
    assert.ok(Math.abs((p.conditionNumber as number) - cond) <= 1e-9 * cond);
    assert.ok(Math.abs((p.value as number) - refValue) <= 1e-10 * cond * Math.max(1, Math.abs(refValue)), `δ=${p.damping}`);
    assert.ok((p.residual as number) < 1e-12);
  }
});
