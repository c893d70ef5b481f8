import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LuDecomposition, Matrix } from 'ml-matrix';
import { minres } from '../../../src/core/algorithms/minres';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { Rng } from '../../../src/core/util/rng';
import { denseMatvec, linspace, randomOrthogonal, withSpectrum } from './matrices';

const l2 = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0));
const frob = (a: Float64Array) => l2(a);

test('MINRES solves an indefinite system with a known solution; residuals, ‖A‖ and cond estimates are honest', async () => {
  const spectrum = [...linspace(-3, -0.2, 20), ...linspace(0.1, 5, 30)];
  const n = spectrum.length;
  const a = withSpectrum(spectrum, 81);
  const xTrue = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const b = denseMatvec(a, n, xTrue);
  const op = new DenseOperator(a, n);
  const steps: number[] = [];
  const r = await minres(op, b, { rtol: 1e-10, onStep: (s) => steps.push(s.relativeResidual) });
  assert.equal(r.status, 'converged');
  assert.equal(r.converged, true);
  assert.ok(r.trueRelativeResidual <= 1e-10 && r.relativeResidual <= 1e-10);
  r.x.forEach((x, i) => assert.ok(Math.abs(x - xTrue[i]) < 1e-8, `x[${i}]`));
  // One product per iteration, plus the true-residual check(s).
  assert.ok(r.hvps >= r.iterations + 1 && r.hvps <= r.iterations + 3);
  assert.equal(op.matvecCount, r.hvps);
  // MINRES minimises the residual over nested spaces: it never increases.
  for (let k = 1; k < steps.length; k++) assert.ok(steps[k] <= steps[k - 1] * (1 + 1e-12));
  // Estimates of the right size: ‖A‖₂ = 5 ≤ ‖T‖_F ≲ 2‖A‖_F (MINRES does not reorthogonalise, so the
  // tridiagonal is not an exact projection once orthogonality is lost); cond(A) = 50 from below.
  assert.ok(r.normEstimate >= 5 && r.normEstimate <= 2 * frob(a), `‖A‖ estimate ${r.normEstimate}`);
  const cond = 5 / 0.1;
  assert.ok(r.conditionEstimate <= cond * (1 + 1e-6) && r.conditionEstimate >= cond / 10, `cond estimate ${r.conditionEstimate}`);
});

test('MINRES with a shift solves (A + δI)x = b, as a dense LU solve does', async () => {
  const spectrum = linspace(-2, 4, 40);
  const n = spectrum.length;
  const a = withSpectrum(spectrum, 82);
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const delta = 0.37;
  const r = await minres(new DenseOperator(a, n), b, { rtol: 1e-11, shift: delta });
  assert.ok(r.converged);
  const rows = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => a[i * n + j] + (i === j ? delta : 0)));
  const ref = new LuDecomposition(new Matrix(rows)).solve(Matrix.columnVector(Array.from(b)));
  r.x.forEach((x, i) => assert.ok(Math.abs(x - ref.get(i, 0)) < 1e-8, `x[${i}]`));
});

/** Q diag(λ) Qᵀ with the columns of Q returned, to build null-space components. */
function withBasis(spectrum: number[], seed: number): { a: Float64Array; q: Float64Array[] } {
  return { a: withSpectrum(spectrum, seed), q: randomOrthogonal(spectrum.length, seed) };
}

test('singular consistent system: MINRES converges to the minimum-norm solution (no null-space component)', async () => {
  const spectrum = [0, 0, 0, ...linspace(-2, -0.5, 10), ...linspace(0.5, 3, 17)];
  const n = spectrum.length;
  const { a, q } = withBasis(spectrum, 83);
  const rng = new Rng(5);
  const xAny = rng.normalVector(n);
  const b = denseMatvec(a, n, xAny);
  const r = await minres(new DenseOperator(a, n), b, { rtol: 1e-10 });
  assert.equal(r.status, 'converged');
  assert.ok(r.converged && r.trueRelativeResidual <= 1e-10);
  // Minimum norm: x ⟂ null space, and x equals xAny minus its null-space part.
  const xMin = Float64Array.from(xAny);
  for (let k = 0; k < 3; k++) {
    const c = q[k].reduce((s, v, i) => s + v * xAny[i], 0);
    for (let i = 0; i < n; i++) xMin[i] -= c * q[k][i];
    assert.ok(Math.abs(q[k].reduce((s, v, i) => s + v * r.x[i], 0)) < 1e-9);
  }
  r.x.forEach((x, i) => assert.ok(Math.abs(x - xMin[i]) < 1e-8));
});

test('singular inconsistent system: a least-squares answer, flagged as such and not as converged', async () => {
  const spectrum = [0, 0, ...linspace(-2, -0.5, 10), ...linspace(0.5, 3, 18)];
  const n = spectrum.length;
  const { a, q } = withBasis(spectrum, 84);
  const b = Float64Array.from({ length: n }, (_, i) => Math.sin(2 * i) + 0.5);
  // The smallest attainable residual is b's null-space part.
  let nullPart = 0;
  for (let k = 0; k < 2; k++) nullPart += q[k].reduce((s, v, i) => s + v * b[i], 0) ** 2;
  const lsResidual = Math.sqrt(nullPart) / l2(b);
  assert.ok(lsResidual > 0.05, 'the test system really is inconsistent');
  const r = await minres(new DenseOperator(a, n), b, { rtol: 1e-8, maxIter: 500 });
  assert.equal(r.status, 'least-squares');
  assert.equal(r.converged, false);
  assert.ok(Math.abs(r.trueRelativeResidual - lsResidual) < 1e-8, `${r.trueRelativeResidual} vs ${lsResidual}`);
  // No blow-up along the null space (the step MINRES would take next has γ ≈ 0).
  assert.ok(l2(r.x) < 100, `‖x‖ = ${l2(r.x)}`);
  // Normal equations Aᵀ(Ax − b) = 0 hold.
  const ax = denseMatvec(a, n, r.x);
  const res = Float64Array.from(ax, (v, i) => v - b[i]);
  assert.ok(l2(denseMatvec(a, n, res)) <= 1e-8 * l2(b) * 3);
});

test('an ill-conditioned indefinite system does not claim convergence within a small budget', async () => {
  const spectrum = [...linspace(-1, -1e-8, 30), ...linspace(1e-8, 1, 30)].map((x, i) => (i % 7 === 0 ? x * 1e-6 : x));
  const n = spectrum.length;
  const a = withSpectrum(spectrum, 85);
  const b = Float64Array.from({ length: n }, () => 1);
  const r = await minres(new DenseOperator(a, n), b, { rtol: 1e-8, maxIter: 40 });
  assert.equal(r.status, 'max-iterations');
  assert.equal(r.converged, false);
  assert.equal(r.iterations, 40);
  assert.ok(r.trueRelativeResidual > 1e-8, `true residual ${r.trueRelativeResidual}`);
  assert.ok(Math.abs(r.trueRelativeResidual - r.relativeResidual) < 1e-6, 'recurrence and true residual agree');
});

test('MINRES: b = 0 gives x = 0 without products; cancellable; wrong sizes are a RangeError', async () => {
  const op = new DenseOperator(withSpectrum([1, -2, 3], 86), 3);
  const z = await minres(op, new Float64Array(3));
  assert.equal(z.converged, true);
  assert.equal(z.hvps, 0);
  const ac = new AbortController();
  ac.abort();
  await assert.rejects(minres(op, Float64Array.from([1, 2, 3]), { signal: ac.signal }), CancelledError);
  await assert.rejects(minres(op, Float64Array.from([1, 2])), RangeError);
});
