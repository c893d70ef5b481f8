/** Parameter layout and init (PyTorch's), and every bad model/data combination as a clear InputError. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/core/errors';
import { initParams, layerSlots, paramCount, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { initBackend } from '../../../src/core/model/backend';
import type { Dataset } from '../../../src/core/data/dataset';
import { randomDataset, relativeError } from './helpers';
import { referenceObjective } from '../../../src/core/reference/mlp64';

test('flat layout is PyTorch order: weight [out, in] row-major, then bias, layer by layer', () => {
  assert.deepEqual(layerSlots([2, 3, 1]), [
    { inputs: 2, outputs: 3, weightOffset: 0, biasOffset: 6 },
    { inputs: 3, outputs: 1, weightOffset: 9, biasOffset: 12 },
  ]);
  assert.equal(paramCount([1, 8, 4, 1]), 57); // 8+8 + 32+4 + 4+1
  assert.equal(paramCount([784, 128, 10]), 101770);
});

test('init is U(−1/√fan_in, 1/√fan_in) for weights and biases, reproducible from the seed', () => {
  const w = initParams([16, 4, 1], 5);
  assert.deepEqual(Array.from(w), Array.from(initParams([16, 4, 1], 5)));
  assert.notDeepEqual(Array.from(w), Array.from(initParams([16, 4, 1], 6)));
  const first = w.subarray(0, 68); // layer 1: fan_in 16 → bound 0.25
  const second = w.subarray(68); // layer 2: fan_in 4 → bound 0.5
  assert.ok(first.every((v) => Math.abs(v) <= 0.25) && first.some((v) => Math.abs(v) > 0.2));
  assert.ok(second.every((v) => Math.abs(v) <= 0.5) && second.some((v) => Math.abs(v) > 0.25));
});

function rejects(spec: MlpSpec, data: Dataset, path: string, message: RegExp): void {
  assert.throws(
    () => new MlpObjective(spec, data),
    (e: unknown) => {
      assert.ok(e instanceof InputError, String(e));
      assert.equal(e.where?.kind === 'json' ? e.where.path : null, path);
      assert.match(e.message, message);
      return true;
    },
  );
}

test('bad model specs and data that do not fit the model are InputErrors', async () => {
  await initBackend('cpu');
  const base: MlpSpec = { layers: [2, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0 };
  const reg = randomDataset(10, 2, 'mse', 1, 1);
  rejects({ ...base, weightDecay: -0.1 }, reg, 'weightDecay', /≥ 0, got -0.1/);
  rejects({ ...base, layers: [2] }, reg, 'model.layers', /at least 2 widths/);
  rejects({ ...base, layers: [2, 0, 1] }, reg, 'model.layers[1]', /positive integer/);
  rejects({ ...base, activation: 'gelu' as never }, reg, 'model.activation', /unknown activation "gelu"/);
  rejects({ ...base, layers: [2, 4, 2] }, reg, 'model.layers[2]', /"mse" needs exactly 1 output/);
  rejects({ ...base, loss: 'binary-cross-entropy', layers: [2, 4, 3] }, reg, 'model.layers[2]', /exactly 1 output/);
  rejects({ ...base, loss: 'cross-entropy', layers: [2, 4, 1] }, reg, 'model.layers[2]', /at least 2 outputs/);
  rejects({ ...base, layers: [3, 4, 1] }, reg, 'model.layers[0]', /2 feature column\(s\) \(x0, x1\) but model.layers\[0\] is 3/);

  const labels = (ys: number[]): Dataset => ({ ...randomDataset(ys.length, 2, 'mse', 1, 2), y: Float32Array.from(ys) });
  const ce: MlpSpec = { ...base, loss: 'cross-entropy', layers: [2, 4, 3] };
  rejects(ce, labels([0, 1, 3]), 'data.train', /row 3 is 3, which is not a class index in 0\.\.2/);
  rejects(ce, labels([0, 1.5]), 'data.train', /row 2 is 1\.5/);
  rejects(ce, labels([-1]), 'data.train', /row 1 is -1/);
  rejects({ ...base, loss: 'binary-cross-entropy' }, labels([0, 1, 0.5]), 'data.train', /row 3 is 0\.5, which is not 0 or 1/);
  rejects(base, labels([0, NaN]), 'data.train', /not a finite number/);
  rejects(base, { ...labels([]), rows: 0 }, 'data.train', /no rows/);
  assert.throws(() => MlpObjective.validation(ce, labels([0, 7])), /validation data.*row 2 is 7/);
});

test('a parameter vector of the wrong length is refused before it reaches the backend', async () => {
  await initBackend('cpu');
  const objective = new MlpObjective({ layers: [2, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0 }, randomDataset(10, 2, 'mse', 1, 1));
  await assert.rejects(() => objective.gradient(new Float64Array(3)), /3 entries, the model \[2, 4, 1\] has 17/);
  objective.dispose();
});

test('the validation objective L_V is the data loss alone (no weight decay), as the float64 reference', async () => {
  await initBackend('cpu');
  const spec: MlpSpec = { layers: [2, 5, 1], activation: 'tanh', loss: 'mse', weightDecay: 0.3 };
  const data = randomDataset(30, 2, 'mse', 1, 3);
  const w = initParams(spec.layers, 4);
  const lv = MlpObjective.validation(spec, data);
  const ref = referenceObjective({ ...spec, weightDecay: 0 }, data, w);
  const g = await lv.gradient(w);
  assert.ok(Math.abs(g.loss - ref.loss) < 1e-5 * ref.loss);
  assert.ok(relativeError(g.grad, ref.grad) < 1e-5);
  lv.dispose();
});
