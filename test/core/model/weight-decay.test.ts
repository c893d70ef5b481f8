/**
 * Weight decay added in one place: a per-parameter λ on the MLP's data objective gives L_T's loss,
 * gradient, minibatch gradient, Hessian and frozen gradient of the float64 reference (data part
 * with λ = 0, plus ½Σλᵢwᵢ², λ∘w and diag(λ) written out here); a constant vector is the scalar.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/core/model/backend';
import type { Dataset } from '../../../src/core/data/dataset';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpDataObjective, MlpObjective } from '../../../src/core/model/mlp-objective';
import { MinibatchWeightDecayObjective, decayPenalty } from '../../../src/core/model/weight-decay';
import { referenceHessian, referenceObjective } from '../../../src/core/reference/mlp64';
import { Rng } from '../../../src/core/util/rng';
import { assemble, randomDataset, relativeError } from './helpers';

const spec: MlpSpec = { layers: [2, 5, 3], activation: 'tanh', loss: 'cross-entropy', weightDecay: 0 };

function rows(data: Dataset, idx: Int32Array): Dataset {
  const d = data.features;
  const x = new Float32Array(idx.length * d);
  idx.forEach((r, k) => x.set(data.x.subarray(r * d, (r + 1) * d), k * d));
  return { ...data, rows: idx.length, x, y: Float32Array.from(idx, (r) => data.y[r]) };
}

test('per-parameter decay: loss, gradient, batch gradient, Hessian and frozen gradient match the float64 reference', async () => {
  await initBackend('cpu');
  const data = randomDataset(30, 2, 'cross-entropy', 3, 21);
  const w = initParams(spec.layers, 4).map((v) => 2 * v);
  const n = w.length;
  const lambda = Float64Array.from(new Rng(5).normalVector(n), (z) => Math.exp(z - 2));
  const objective = new MinibatchWeightDecayObjective(new MlpDataObjective(spec, data), lambda);
  try {
    const ref = referenceObjective(spec, data, w);
    const refGrad = ref.grad.map((g, i) => g + lambda[i] * w[i]);
    let penalty = 0;
    for (let i = 0; i < n; i++) penalty += 0.5 * lambda[i] * w[i] * w[i];
    assert.ok(Math.abs(penalty - decayPenalty(w, lambda)) <= 1e-15 * penalty);

    const g = await objective.gradient(w);
    assert.ok(Math.abs(g.loss - (ref.loss + penalty)) < 1e-6 * (ref.loss + penalty), `loss ${g.loss}`);
    assert.ok(relativeError(g.grad, refGrad) < 1e-5, `gradient error ${relativeError(g.grad, refGrad)}`);
    assert.ok(Math.abs((await objective.loss(w)) - (ref.loss + penalty)) < 1e-6 * (ref.loss + penalty));

    const idx = Int32Array.from([3, 17, 0, 9, 25]);
    const refBatch = referenceObjective(spec, rows(data, idx), w).grad.map((x, i) => x + lambda[i] * w[i]);
    assert.ok(relativeError((await objective.batchGradient(w, idx)).grad, refBatch) < 1e-5);

    const op = await objective.hessianAt(w);
    const h = await assemble(op);
    op.dispose();
    const refH = referenceHessian(spec, data, w);
    for (let i = 0; i < n; i++) refH[i * n + i] += lambda[i];
    assert.ok(relativeError(h, refH) < 1e-4, `Hessian error ${relativeError(h, refH)}`);

    const frozen = await objective.frozenGradientNear(w);
    assert.ok(relativeError(await frozen.gradient(w), refGrad) < 1e-5);
    frozen.dispose();
  } finally {
    objective.dispose();
  }
});

test('a constant decay vector is the scalar, bit for bit; withDecay shares the data and owns nothing', async () => {
  await initBackend('cpu');
  const before = tf.memory().numTensors;
  const data = randomDataset(20, 2, 'cross-entropy', 3, 22);
  const w = initParams(spec.layers, 6);
  const scalar = new MlpObjective({ ...spec, weightDecay: 0.3 }, data);
  const vector = scalar.withDecay(new Float64Array(w.length).fill(0.3));
  const v = new Rng(7).normalVector(w.length);
  assert.deepEqual(Array.from((await vector.gradient(w)).grad), Array.from((await scalar.gradient(w)).grad));
  assert.equal(await vector.loss(w), await scalar.loss(w));
  const [a, b] = [await scalar.hessianAt(w), await vector.hessianAt(w)];
  assert.deepEqual(Array.from(await b.apply(v)), Array.from(await a.apply(v)));
  a.dispose();
  b.dispose();
  vector.dispose(); // a view: the data stay
  assert.ok(Number.isFinite(await scalar.loss(w)));
  scalar.dispose();
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => scalar.withDecay(new Float64Array(3)), /weight-decay vector has 3 entries/);
});
