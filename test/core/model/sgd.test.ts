/**
 * The SGD stepper: its batch order continues across calls (3 + 5 steps = 8 steps, and a resumed
 * order replays the same batches), train() is that stepper epoch by epoch, a step with a per-call
 * decay vector is w − lr·(∇data(batch) + λ∘w) of the float64 reference, full batch when
 * batchSize ≥ rows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/core/model/backend';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { BatchOrder, SgdStepper } from '../../../src/core/model/sgd';
import { train } from '../../../src/core/model/train';
import { referenceObjective } from '../../../src/core/reference/mlp64';
import { randomDataset, relativeError } from './helpers';

const spec: MlpSpec = { layers: [1, 6, 1], activation: 'tanh', loss: 'mse', weightDecay: 0.05 };

test('a batch order: a fresh permutation per epoch, the last batch short, resumable from its state', () => {
  const order = BatchOrder.start(9, 10, 4);
  const batches = Array.from({ length: 7 }, () => order.next());
  assert.deepEqual(batches.map((b) => [b.epoch, b.step, b.rows.length]), [[1, 1, 4], [1, 2, 4], [1, 3, 2], [2, 1, 4], [2, 2, 4], [2, 3, 2], [3, 1, 4]]);
  for (const epoch of [1, 2]) {
    const seen = batches.filter((b) => b.epoch === epoch).flatMap((b) => Array.from(b.rows));
    assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  }
  assert.notDeepEqual(Array.from(batches[0].rows), Array.from(batches[3].rows));
  assert.deepEqual(order.state, { seed: 9, rows: 10, batchSize: 4, stepsTaken: 7 });
  const resumed = BatchOrder.resume({ seed: 9, rows: 10, batchSize: 4, stepsTaken: 4 });
  assert.deepEqual(Array.from(resumed.next().rows), Array.from(batches[4].rows));
  const full = BatchOrder.start(1, 10, 50);
  assert.equal(full.stepsPerEpoch, 1);
  assert.equal(full.next().rows.length, 10);
});

test('steps continue across calls, and train() is the same SGD run epoch by epoch', async () => {
  await initBackend('cpu');
  const objective = new MlpObjective(spec, randomDataset(45, 1, 'mse', 1, 3));
  const w0 = initParams(spec.layers, 4);
  const once = Float64Array.from(w0);
  const sgdOnce = new SgdStepper(objective.base, BatchOrder.start(11, 45, 10), 0.1);
  for (let i = 0; i < 15; i++) await sgdOnce.step(once, 0.05);

  const split = Float64Array.from(w0);
  const sgdSplit = new SgdStepper(objective.base, BatchOrder.start(11, 45, 10), 0.1);
  for (let i = 0; i < 6; i++) await sgdSplit.step(split, 0.05);
  // a resumed order on a new stepper continues the same stream
  const sgdResumed = new SgdStepper(objective.base, BatchOrder.resume(sgdSplit.order.state), 0.1);
  for (let i = 0; i < 9; i++) await sgdResumed.step(split, 0.05);
  assert.deepEqual(Array.from(split), Array.from(once));

  const trained = await train(objective, w0, { epochs: 3, batchSize: 10, learningRate: 0.1 }, 11);
  assert.deepEqual(Array.from(trained.w), Array.from(once), 'train() = 3 epochs × 5 steps of the stepper');
  assert.deepEqual(trained.order, { seed: 11, rows: 45, batchSize: 10, stepsTaken: 15 });
  objective.dispose();
});

test('a step with a per-call decay vector is w − lr·(∇data(batch) + λ∘w) of the float64 reference', async () => {
  await initBackend('cpu');
  const data = randomDataset(12, 1, 'mse', 1, 5);
  const objective = new MlpObjective(spec, data);
  const w = initParams(spec.layers, 6);
  const w0 = Float64Array.from(w);
  const lambda = Float64Array.from(w, (_, i) => 0.01 * (i + 1));
  const order = BatchOrder.start(2, 12, 100); // full batch
  const info = await new SgdStepper(objective.base, order, 0.2).step(w, lambda);
  const ref = referenceObjective({ ...spec, weightDecay: 0 }, data, w0);
  const want = w0.map((x, i) => x - 0.2 * (ref.grad[i] + lambda[i] * x));
  assert.ok(relativeError(w, want) < 1e-6, `error ${relativeError(w, want)}`);
  let penalty = 0;
  w0.forEach((x, i) => (penalty += 0.5 * lambda[i] * x * x));
  assert.ok(Math.abs(info.loss - (ref.loss + penalty)) < 1e-6 * info.loss);
  assert.deepEqual([info.epoch, info.step, info.stepsPerEpoch], [1, 1, 1]);
  objective.dispose();
});
