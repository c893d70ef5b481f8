/** No tensor leaks: the number of live tensors is flat in the number of HVPs, gradients and evaluations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/model/backend';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { FiniteDifferenceHessianOperator } from '../../../src/core/model/finite-difference';
import { hvpSelfCheck } from '../../../src/core/model/self-check';
import { Rng } from '../../../src/core/util/rng';
import { BACKENDS, randomDataset } from './helpers';

for (const backend of BACKENDS) {
  for (const [activation, loss, out] of [
    ['relu', 'mse', 1],
    ['tanh', 'cross-entropy', 3],
  ] as const) {
    test(`${backend}: ${activation}/${loss}: tensors after 1000 HVPs = after 10, and all freed on dispose`, async () => {
      await initBackend(backend);
      const before = tf.memory().numTensors;
      const spec: MlpSpec = { layers: [2, 8, 4, out], activation, loss, weightDecay: 0.1 };
      const objective = new MlpObjective(spec, randomDataset(64, 2, loss, out, 1));
      const w = initParams(spec.layers, 2);
      const op = await objective.hessianAt(w);
      const rng = new Rng(3);
      const v = rng.normalVector(objective.size);
      for (let i = 0; i < 10; i++) await op.apply(v);
      const after10 = tf.memory().numTensors;
      for (let i = 0; i < 990; i++) await op.apply(v);
      await op.applyMany([v, v, v]);
      assert.equal(tf.memory().numTensors, after10, 'HVPs leak tensors');
      assert.equal(op.matvecCount, 1003);

      // everything else an analysis calls, repeatedly
      const afterOps = tf.memory().numTensors;
      for (let i = 0; i < 20; i++) {
        await objective.loss(w);
        await objective.gradient(w);
        await objective.batchGradient(w, Int32Array.from([0, 5, 9]));
      }
      await hvpSelfCheck(objective, w, 4, 1e-3);
      const fd = await FiniteDifferenceHessianOperator.at(objective, w);
      await fd.apply(v);
      fd.dispose();
      assert.equal(tf.memory().numTensors, afterOps, 'gradients/self-check leak tensors');

      op.dispose();
      objective.dispose();
      assert.equal(tf.memory().numTensors, before, 'dispose() leaves tensors behind');
      await assert.rejects(() => op.apply(v), /after dispose/);
    });
  }
}
