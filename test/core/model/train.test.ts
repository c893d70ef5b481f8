/** SGD training: one step against the float64 reference, reproducibility, divergence, cancellation, bad settings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/core/model/backend';
import { CancelledError } from '../../../src/core/util/abort';
import { DivergedTrainingError, InputError } from '../../../src/core/errors';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { train, type TrainStepInfo } from '../../../src/core/model/train';
import { referenceObjective } from '../../../src/core/reference/mlp64';
import { randomDataset, relativeError } from './helpers';

const spec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0.1 };

test('one full-batch step is w − lr·∇L_T of the float64 reference; epochs: 0 returns w0', async () => {
  await initBackend('cpu');
  const data = randomDataset(50, 1, 'mse', 1, 1);
  const objective = new MlpObjective(spec, data);
  const w0 = initParams(spec.layers, 1);
  const r = await train(objective, w0, { epochs: 1, batchSize: 50, learningRate: 0.05 }, 1);
  const ref = referenceObjective(spec, data, w0);
  const want = w0.map((w, i) => w - 0.05 * ref.grad[i]);
  assert.ok(relativeError(r.w, want) < 1e-6);
  assert.equal(r.steps, 1);
  assert.ok(Math.abs(r.lossCurve[0] - ref.loss) < 1e-5 * ref.loss);

  const none = await train(objective, w0, { epochs: 0, batchSize: 8, learningRate: 0.05 }, 1);
  assert.deepEqual(Array.from(none.w), Array.from(w0));
  assert.deepEqual(none.lossCurve, []);
  assert.equal(none.steps, 0);
  objective.dispose();
});

test('training is reproducible from the seed, reduces the loss, and reports steps from 1', async () => {
  await initBackend('wasm');
  const objective = new MlpObjective(spec, randomDataset(100, 1, 'mse', 1, 2));
  const w0 = initParams(spec.layers, 3);
  const steps: TrainStepInfo[] = [];
  const epochs: number[] = [];
  const settings = { epochs: 3, batchSize: 32, learningRate: 0.05 };
  const a = await train(objective, w0, settings, 42, { onStep: (s) => steps.push(s), onEpoch: (e) => void epochs.push(e.epoch) });
  const b = await train(objective, w0, settings, 42);
  const c = await train(objective, w0, settings, 43);
  assert.deepEqual(Array.from(a.w), Array.from(b.w));
  assert.notDeepEqual(Array.from(a.w), Array.from(c.w));
  assert.equal(a.steps, 12); // ⌈100/32⌉ = 4 per epoch, the last batch short
  assert.deepEqual(epochs, [1, 2, 3]);
  assert.deepEqual(steps.slice(0, 5).map((s) => [s.epoch, s.step, s.stepsPerEpoch]), [[1, 1, 4], [1, 2, 4], [1, 3, 4], [1, 4, 4], [2, 1, 4]]);
  assert.ok(a.lossCurve[2] < a.lossCurve[0], `loss curve ${a.lossCurve}`);
  objective.dispose();
});

test('a huge learning rate throws DivergedTrainingError naming epoch and step', async () => {
  await initBackend('cpu');
  const objective = new MlpObjective(spec, randomDataset(100, 1, 'mse', 1, 4));
  await assert.rejects(
    train(objective, initParams(spec.layers, 5), { epochs: 5, batchSize: 10, learningRate: 1e6 }, 1),
    (e: unknown) =>
      e instanceof DivergedTrainingError && e.epoch >= 1 && e.step >= 1 && new RegExp(`epoch ${e.epoch}, step ${e.step}`).test(e.message),
  );
  objective.dispose();
});

test('cancellation between steps, and bad settings rejected with their JSON path', async () => {
  await initBackend('cpu');
  const objective = new MlpObjective(spec, randomDataset(100, 1, 'mse', 1, 6));
  const w0 = initParams(spec.layers, 7);
  const controller = new AbortController();
  await assert.rejects(
    train(objective, w0, { epochs: 10, batchSize: 10, learningRate: 0.01 }, 1, { signal: controller.signal, onStep: (s) => s.step === 3 && controller.abort() }),
    CancelledError,
  );
  const bad = (settings: { epochs: number; batchSize: number; learningRate: number }, path: string) =>
    assert.rejects(train(objective, w0, settings, 1), (e: unknown) => e instanceof InputError && e.where?.kind === 'json' && e.where.path === path);
  await bad({ epochs: 1, batchSize: 10, learningRate: 0 }, 'training.learningRate');
  await bad({ epochs: 1, batchSize: 10, learningRate: -1 }, 'training.learningRate');
  await bad({ epochs: 1, batchSize: 0, learningRate: 0.1 }, 'training.batchSize');
  await bad({ epochs: -1, batchSize: 10, learningRate: 0.1 }, 'training.epochs');
  objective.dispose();
});
