/**
 * train(): minibatch SGD over the user's train_batches()/batch_loss with the iterator carried
 * across calls and restarted at each epoch's end, full-batch descent on train_loss otherwise, the
 * weight decay as one λ or one per parameter, and a non-finite loss stopping before its step.
 * References: linear regression SGD in closed form here, and the bridge's own gradient composed
 * with w ← w − lr(g + λw) in TypeScript.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeClient } from '../../src/bridge/client';
import { fixture, maxAbsDiff, torchPython } from './helpers';

// test/fixtures/pytorch/linreg.py's data, batches of 4 rows in order.
const X = [[0.5, -1.0], [1.5, 0.25], [-0.75, 2.0], [0.1, 0.2], [1.0, 1.0], [-1.25, 0.5], [2.0, -0.5], [0.3, -0.7], [-0.2, 1.1], [0.9, 0.4]];
const Y = [1.0, 2.5, -0.5, 0.3, 1.9, -1.0, 2.2, 0.1, 0.4, 1.3];
const BATCHES = [[0, 4], [4, 8], [8, 10]];

/** One SGD step on batch rows [a, b): returns the batch MSE before the step and ½Σλw² there; updates w = [w0, w1, b]. */
function sgdStep(w: number[], [a, b]: number[], lr: number, lambda: number[]): { loss: number; decay: number } {
  const m = b - a;
  let loss = 0;
  const g = [0, 0, 0];
  for (let i = a; i < b; i++) {
    const r = w[0] * X[i][0] + w[1] * X[i][1] + w[2] - Y[i];
    loss += (r * r) / m;
    g[0] += (2 * r * X[i][0]) / m;
    g[1] += (2 * r * X[i][1]) / m;
    g[2] += (2 * r) / m;
  }
  const decay = 0.5 * w.reduce((s, x, j) => s + lambda[j] * x * x, 0);
  for (let j = 0; j < 3; j++) w[j] -= lr * (g[j] + lambda[j] * w[j]);
  return { loss, decay };
}

test('minibatch SGD: the batch iterator continues across calls and restarts at the end of an epoch; scalar and per-parameter decay', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const bridge = await BridgeClient.spawn({ python, problem: fixture('linreg.py'), dtype: 'float64' });
  try {
    assert.equal(bridge.info.minibatch, true);
    const w = [0.2, -0.1, 0.05];
    assert.ok(maxAbsDiff(await bridge.getParams(), w) < 1e-15);
    const calls: { opts: Parameters<BridgeClient['train']>[0]; batches: number[]; epochs: number; inEpoch: number }[] = [
      { opts: { steps: 2, learningRate: 0.1, weightDecay: 0.05 }, batches: [0, 1], epochs: 0, inEpoch: 2 },
      { opts: { steps: 2, learningRate: 0.1, weightDecay: 0.05 }, batches: [2, 0], epochs: 1, inEpoch: 1 },
      { opts: { epochs: 1, learningRate: 0.2, weightDecay: Float64Array.from([0.1, 0, 0.3]) }, batches: [1, 2], epochs: 2, inEpoch: 0 },
      { opts: { epochs: 1, learningRate: 0.2, weightDecay: 0 }, batches: [0, 1, 2], epochs: 3, inEpoch: 0 },
    ];
    for (const c of calls) {
      const r = await bridge.train(c.opts);
      const lambda = typeof c.opts.weightDecay === 'number' ? [c.opts.weightDecay, c.opts.weightDecay, c.opts.weightDecay] : [...c.opts.weightDecay];
      const expected = c.batches.map((k) => sgdStep(w, BATCHES[k], c.opts.learningRate, lambda));
      assert.ok(maxAbsDiff(r.losses, expected.map((e) => e.loss)) < 1e-13, `losses ${[...r.losses]} vs ${expected.map((e) => e.loss)}`);
      assert.ok(maxAbsDiff(r.decayTerms, expected.map((e) => e.decay)) < 1e-13);
      assert.equal(r.epochsCompleted, c.epochs);
      assert.equal(r.stepInEpoch, c.inEpoch);
      assert.equal(r.stopped, null);
      assert.ok(maxAbsDiff(await bridge.getParams(), w) < 1e-13);
    }
  } finally {
    await bridge.close();
  }
});

test('full-batch descent without train_batches: each step is one epoch and equals the bridge gradient composed with the decay step', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const a = await BridgeClient.spawn({ python, problem: fixture('conv_net.py'), dtype: 'float64' });
  const b = await BridgeClient.spawn({ python, problem: fixture('conv_net.py'), dtype: 'float64' });
  try {
    assert.equal(a.info.minibatch, false);
    const w0 = await a.getParams();
    await b.setParams(w0);
    const lr = 0.3;
    const lambda = 0.01;
    const r = await a.train({ steps: 3, learningRate: lr, weightDecay: lambda });
    assert.equal(r.epochsCompleted, 3);
    let w = w0;
    for (let s = 0; s < 3; s++) {
      const { loss, gradient } = await b.gradient('train');
      assert.ok(Math.abs(r.losses[s] - loss) < 1e-13, `step ${s} loss`);
      assert.ok(Math.abs(r.decayTerms[s] - 0.5 * lambda * w.reduce((acc, x) => acc + x * x, 0)) < 1e-13);
      w = w.map((x, i) => x - lr * (gradient[i] + lambda * x));
      await b.setParams(w);
    }
    assert.ok(maxAbsDiff(await a.getParams(), w) < 1e-13);
    assert.ok(r.losses[2] < r.losses[0], 'descent lowers the loss');
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
});

test('a non-finite loss stops training before its step is applied, and says so', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const bridge = await BridgeClient.spawn({ python, problem: fixture('diverging.py'), dtype: 'float64' });
  try {
    const r = await bridge.train({ steps: 10, learningRate: 1, weightDecay: 0 });
    assert.equal(r.stopped, 'non-finite-loss');
    assert.deepEqual([...r.losses], [-1, -2, -3, Infinity]);
    assert.deepEqual([...(await bridge.getParams())], [4]);
    assert.equal(await bridge.loss('train'), Infinity);
  } finally {
    await bridge.close();
  }
});
