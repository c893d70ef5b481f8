import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extremesByPowerIteration, powerIteration } from '../../../src/core/algorithms/power-iteration';
import { CancelledError } from '../../../src/core/util/abort';
import { linspace, operatorWithSpectrum } from './matrices';

const within = (x: number, [lo, hi]: [number, number]) => x >= lo && x <= hi;

test('power iteration finds the dominant eigenvalue with a rigorous residual interval', async () => {
  // Gap ratio 5/10: converges fast.
  const values = [10, 5, ...linspace(-2, 4, 38)];
  const op = operatorWithSpectrum(values, 21);
  const r = await powerIteration(op, { seed: 3 });
  assert.ok(r.estimate.converged);
  assert.ok(Math.abs(r.estimate.value - 10) < 1e-3 * 10);
  assert.ok(values.some((x) => within(x, r.estimate.interval)));
  assert.equal(r.hvps, r.iterations);
  assert.ok(r.iterations <= 100);
});

test('power iteration stops at maxIter with converged = false when the rule is not met', async () => {
  const values = linspace(1, 10, 40);
  const r = await powerIteration(operatorWithSpectrum(values, 22), { seed: 3, maxIter: 4, tol: 1e-12 });
  assert.equal(r.iterations, 4);
  assert.equal(r.estimate.converged, false);
  // The interval is rigorous even before convergence.
  assert.ok(values.some((x) => within(x, r.estimate.interval)));
});

test('extremesByPowerIteration: positive dominant end, then the other end by shifting', async () => {
  const values = [-1, ...linspace(0.5, 3, 28), 9];
  const r = await extremesByPowerIteration(operatorWithSpectrum(values, 23), { seed: 5, tol: 1e-8, maxIter: 2000 });
  assert.ok(Math.abs(r.lambdaMax.value - 9) < 1e-6 * 9);
  assert.ok(Math.abs(r.lambdaMin.value + 1) < 1e-3);
  assert.ok(within(9, r.lambdaMax.interval) && within(-1, r.lambdaMin.interval));
  assert.equal(r.hvps, r.iterations.max + r.iterations.min);
});

test('extremesByPowerIteration: negative dominant end is reported as λ_min', async () => {
  const values = [-8, ...linspace(-1, 1, 28), 2];
  const steps: { end: string; value: number; hvps: number }[] = [];
  const r = await extremesByPowerIteration(operatorWithSpectrum(values, 24), { seed: 6, tol: 1e-8, maxIter: 2000, onStep: (s) => steps.push(s) });
  assert.ok(Math.abs(r.lambdaMin.value + 8) < 1e-5);
  // Steps report H's eigenvalue estimates per end, the shifted phase with the shift added back.
  assert.equal(steps.length, r.hvps);
  assert.deepEqual(steps.map((s) => s.hvps), Array.from({ length: r.hvps }, (_, i) => i + 1));
  assert.equal(steps[r.iterations.min - 1].end, 'min');
  assert.equal(steps[steps.length - 1].end, 'max');
  assert.equal(steps[steps.length - 1].value, r.lambdaMax.value);
  assert.ok(Math.abs(r.lambdaMax.value - 2) < 1e-3);
  assert.ok(values.some((x) => within(x, r.lambdaMax.interval)));
});

test('power iteration is cancellable', async () => {
  const ac = new AbortController();
  await assert.rejects(
    powerIteration(operatorWithSpectrum(linspace(1, 2, 10), 25), { seed: 1, tol: 0, signal: ac.signal, onStep: (s) => s.iteration === 2 && ac.abort() }),
    CancelledError,
  );
});

test('power iteration on a null vector: Hv = 0 is an exact eigenpair', async () => {
  const { DenseOperator } = await import('../../../src/core/operators/linear-operator');
  const r = await extremesByPowerIteration(DenseOperator.fromRows([[0, 0], [0, 0]]), { seed: 1 });
  assert.equal(r.lambdaMax.value, 0);
  assert.equal(r.lambdaMin.value, 0);
  assert.ok(r.lambdaMax.converged && r.lambdaMin.converged);
  assert.equal(r.hvps, 2);
});
