import { test } from 'node:test';
import assert from 'node:assert/strict';
import { conjugateGradient } from '../../../src/core/algorithms/cg';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { CancelledError } from '../../../src/core/util/abort';
import { denseMatvec, linspace, withSpectrum } from './matrices';

test('CG solves an SPD system to rtol (checked against H·x_true)', async () => {
  const n = 40;
  const a = withSpectrum(linspace(0.1, 20, n), 31);
  const xTrue = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
  const b = denseMatvec(a, n, xTrue);
  const r = await conjugateGradient(new DenseOperator(a, n), b, { rtol: 1e-10 });
  assert.equal(r.status, 'converged');
  assert.ok(r.iterations <= 10 * n);
  assert.equal(r.hvps, r.iterations);
  r.x.forEach((x, i) => assert.ok(Math.abs(x - xTrue[i]) < 1e-7, `x[${i}]`));
  // The reported residual is the recurrence's; the true one must agree.
  const hx = denseMatvec(a, n, r.x);
  let res = 0;
  let bn = 0;
  for (let i = 0; i < n; i++) {
    res += (hx[i] - b[i]) ** 2;
    bn += b[i] ** 2;
  }
  assert.ok(Math.sqrt(res / bn) < 1e-9);
  assert.ok(r.relativeResidual < 1e-10);
});

test('CG flags an indefinite matrix instead of returning garbage', async () => {
  const op = DenseOperator.fromRows([
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, -1],
  ]);
  const r = await conjugateGradient(op, Float64Array.from([1, 1, 1]));
  assert.equal(r.status, 'indefinite');
  assert.ok((r.negativeCurvature as number) <= 0);
  // A random indefinite spectrum too.
  const n = 30;
  const a = withSpectrum(linspace(-2, 5, n), 32);
  const r2 = await conjugateGradient(new DenseOperator(a, n), Float64Array.from({ length: n }, () => 1));
  assert.equal(r2.status, 'indefinite');
});

test('CG reports max-iterations and handles b = 0', async () => {
  const n = 50;
  const op = new DenseOperator(withSpectrum(linspace(1e-3, 1e3, n), 33), n);
  const r = await conjugateGradient(op, Float64Array.from({ length: n }, () => 1), { rtol: 1e-14, maxIter: 3 });
  assert.equal(r.status, 'max-iterations');
  assert.equal(r.iterations, 3);
  const z = await conjugateGradient(op, new Float64Array(n));
  assert.equal(z.status, 'converged');
  assert.equal(z.iterations, 0);
  assert.ok(z.x.every((x) => x === 0));
});

test('CG is cancellable', async () => {
  const ac = new AbortController();
  ac.abort();
  const op = DenseOperator.fromRows([[2]]);
  await assert.rejects(conjugateGradient(op, Float64Array.from([1]), { signal: ac.signal }), CancelledError);
});
