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
import type { BridgeError } from '../../src/bridge/errors';
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

test('trainStream: rewind replays the batches taken since mark with the epoch counters of the mark, then the stream continues live; a rewind without a mark is refused', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const bridge = await BridgeClient.spawn({ python, problem: fixture('linreg.py'), dtype: 'float64' });
  try {
    await assert.rejects(bridge.trainStream('rewind'), (e: BridgeError) => e.code === 'protocol' && /rewind needs a trainStream mark first/.test(e.message));
    const lr = 0.1;
    const lambda = [0.02, 0.3, 0.1];
    const w = [0.2, -0.1, 0.05];
    await bridge.train({ steps: 2, learningRate: lr, weightDecay: 0 });
    [0, 1].forEach((k) => sgdStep(w, BATCHES[k], lr, [0, 0, 0]));
    await bridge.trainStream('mark');
    const atMark = [...w];
    // Each run from the mark: its batches (0, 1, 2 in order, the epoch restarting after 2) and counters.
    const runs = [
      { steps: 3, batches: [2, 0, 1], epochs: 1, inEpoch: 2 },
      { steps: 5, batches: [2, 0, 1, 2, 0], epochs: 2, inEpoch: 1 }, // 3 replayed, then live
      { steps: 2, batches: [2, 0], epochs: 1, inEpoch: 1 }, // replayed only
      { steps: 6, batches: [2, 0, 1, 2, 0, 1], epochs: 2, inEpoch: 2 }, // 5 replayed, then live
    ];
    for (const [i, run] of runs.entries()) {
      if (i > 0) await bridge.trainStream('rewind');
      await bridge.setParams(Float64Array.from(atMark));
      const mine = [...atMark];
      const expected = run.batches.map((k) => sgdStep(mine, BATCHES[k], lr, lambda).loss);
      const r = await bridge.train({ steps: run.steps, learningRate: lr, weightDecay: Float64Array.from(lambda) });
      assert.ok(maxAbsDiff(r.losses, expected) < 1e-13, `run ${i}: losses ${[...r.losses]} vs ${expected}`);
      assert.deepEqual([r.epochsCompleted, r.stepInEpoch], [run.epochs, run.inEpoch], `run ${i}: counters`);
      assert.ok(maxAbsDiff(await bridge.getParams(), mine) < 1e-13, `run ${i}: parameters`);
    }
    // Without a rewind the stream goes on after the last live batch (1): batch 2 ends epoch 3.
    const mine = Array.from(await bridge.getParams());
    const r = await bridge.train({ steps: 2, learningRate: lr, weightDecay: 0 });
    assert.ok(maxAbsDiff(r.losses, [2, 0].map((k) => sgdStep(mine, BATCHES[k], lr, [0, 0, 0]).loss)) < 1e-13);
    assert.deepEqual([r.epochsCompleted, r.stepInEpoch], [3, 1]);
  } finally {
    await bridge.close();
  }
});

test('trainStream on full-batch descent: a rewind restores the epoch counters; a step that was not applied leaves its batch to the next step', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const [full, batches] = await Promise.all([
    BridgeClient.spawn({ python, problem: fixture('conv_net.py'), dtype: 'float64' }),
    BridgeClient.spawn({ python, problem: fixture('linreg.py'), dtype: 'float64' }),
  ]);
  try {
    const w0 = await full.getParams();
    await full.trainStream('mark');
    const a = await full.train({ steps: 3, learningRate: 0.3, weightDecay: 0.01 });
    const wa = await full.getParams();
    await full.trainStream('rewind');
    await full.setParams(w0);
    const b = await full.train({ steps: 3, learningRate: 0.3, weightDecay: 0.01 });
    assert.deepEqual([...b.losses], [...a.losses]);
    assert.deepEqual([b.epochsCompleted, a.epochsCompleted], [3, 3]);
    assert.deepEqual([...(await full.getParams())], [...wa]);

    // At huge weights the batch loss overflows to Infinity: that step is not applied.
    await batches.train({ steps: 1, learningRate: 0.1, weightDecay: 0 }); // batch 0
    const w = Array.from(await batches.getParams());
    await batches.setParams(Float64Array.from([1e300, 1e300, 0]));
    const stopped = await batches.train({ steps: 1, learningRate: 0.1, weightDecay: 0 });
    assert.equal(stopped.stopped, 'non-finite-loss');
    assert.deepEqual([stopped.epochsCompleted, stopped.stepInEpoch], [0, 1]);
    await batches.setParams(Float64Array.from(w));
    const next = await batches.train({ steps: 1, learningRate: 0.1, weightDecay: 0 });
    assert.ok(maxAbsDiff(next.losses, [sgdStep(w, BATCHES[1], 0.1, [0, 0, 0]).loss]) < 1e-13, 'batch 1 again, the one whose step was not applied');
  } finally {
    await Promise.all([full.close(), batches.close()]);
  }
});
