/**
 * Local ranks give one process's numbers. For a sharded MLP and a sharded CNN
 * (test/fixtures/pytorch/sharded_*.py: every rank builds the same data and keeps its tensor_split
 * slice, of unequal sizes, so the size weighting matters), 2 CPU ranks with gloo in float64 equal one
 * process on the whole data to 1e-10: losses, gradients, the Hessian assembled from HVPs, λ_max and
 * λ_min by Lanczos on the bridge operator, the Neumann terms, the hypergradient −∇L_Vᵀ H⁻¹ w, and the
 * parameters after SGD (minibatch or full batch, scalar and per-parameter decay; also steps replayed
 * after a trainStream rewind). The one-process side is anchored to PyTorch's own Hessian computed in a
 * separate process (reference.py).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeClient } from '../../src/bridge/client';
import { assembleDense, denseSolve, denseSymmetricEigen } from '../../src/core/algorithms/dense-eigen';
import { lanczos } from '../../src/core/algorithms/lanczos';
import { neumannSeries } from '../../src/core/algorithms/neumann';
import { weightDecayHypergradient } from '../../src/core/diagnosis/hypergradient';
import { BridgeHessian, fixture, maxAbs, maxAbsDiff, runPython, torchPython } from './helpers';

const TOL = 1e-10;
const LAMBDA = 0.05;

/** max |a − b| relative to b's scale (at least 1). */
function rel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  return maxAbsDiff(a, b) / Math.max(1, maxAbs(b));
}

function plusDiagonal(h: Float64Array, n: number, lambda: number): Float64Array {
  const out = Float64Array.from(h);
  for (let i = 0; i < n; i++) out[i * n + i] += lambda;
  return out;
}

/** What the diagnosis computes from a bridge, with the weight decay λ added on this side. */
async function diagnose(client: BridgeClient) {
  const n = client.paramCount;
  const w = await client.getParams();
  const gradVal = (await client.gradient('val')).gradient;
  const hessian = (await assembleDense(new BridgeHessian(client, 0), { batch: 16 })).matrix;
  const spectrum = await lanczos(new BridgeHessian(client, LAMBDA), { maxSteps: n, seed: 1, tol: 1e-12 });
  const alpha = 1 / Math.abs(spectrum.lambdaMax.value);
  const series = await neumannSeries(new BridgeHessian(client, LAMBDA), gradVal, { alpha, terms: 20 });
  const solve = denseSolve(plusDiagonal(hessian, n, LAMBDA), n, gradVal);
  assert.ok(solve.x, 'H + λI is singular');
  return { n, w, gradVal, hessian, spectrum, series, hypergradient: weightDecayHypergradient(solve.x, w)! };
}

for (const [file, sizes] of [
  ['sharded_mlp.py', { train: [7, 6], val: [5, 4] }],
  ['sharded_cnn.py', { train: [6, 5], val: [4, 3] }],
] as const) {
  test(`${file}: 2 gloo ranks equal 1 process to ${TOL} in float64 (losses, gradients, Hessian, λ_max, λ_min, Neumann terms, hypergradient, SGD)`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const problem = fixture(file);
    const reference = runPython(python, [fixture('reference.py'), problem]);
    const [one, two] = await Promise.all([
      BridgeClient.spawn({ python, problem, dtype: 'float64' }),
      BridgeClient.spawn({ python, problem, dtype: 'float64', distributed: { worldSize: 2, backend: 'gloo' } }),
    ]);
    try {
      assert.equal(one.info.distributed, undefined);
      const d = two.info.distributed!;
      assert.equal(d.worldSize, 2);
      assert.deepEqual(d.ranks.map((r) => [r.rank, r.trainSize, r.valSize]), [[0, sizes.train[0], sizes.val[0]], [1, sizes.train[1], sizes.val[1]]]);
      assert.deepEqual([two.info.trainSize, two.info.valSize], [one.info.trainSize, one.info.valSize]);
      assert.deepEqual(two.pids, d.ranks.map((r) => r.pid));
      assert.equal(two.paramCount, one.paramCount);

      for (const split of ['train', 'val'] as const) {
        const [a, b] = [await one.loss(split), await two.loss(split)];
        assert.ok(Math.abs(a - b) <= TOL * Math.max(1, Math.abs(a)), `${split} loss: ${a} vs ${b}`);
        const [ga, gb] = [await one.gradient(split), await two.gradient(split)];
        assert.ok(Math.abs(ga.loss - gb.loss) <= TOL * Math.max(1, Math.abs(ga.loss)));
        assert.ok(rel(gb.gradient, ga.gradient) <= TOL, `${split} gradient: ${rel(gb.gradient, ga.gradient)}`);
      }

      const a = await diagnose(one);
      const b = await diagnose(two);
      const n = a.n;
      assert.deepEqual([...b.w], [...a.w], 'the ranks start from the same parameters');
      assert.ok(rel(b.hessian, a.hessian) <= TOL, `Hessian: ${rel(b.hessian, a.hessian)}`);
      assert.ok(maxAbs(a.hessian) > 1e-3, 'the Hessian is not trivially zero');

      // The one-process Hessian is PyTorch's own (torch.autograd.functional.hessian, another process).
      const ref = JSON.parse(await reference) as { hessian: number[][] };
      assert.ok(rel(a.hessian, ref.hessian.flat()) <= 1e-8, `1 process vs reference.py: ${rel(a.hessian, ref.hessian.flat())}`);

      const eig = denseSymmetricEigen(plusDiagonal(a.hessian, n, LAMBDA), n).values;
      const scale = Math.max(Math.abs(eig[0]), Math.abs(eig[n - 1]));
      for (const end of ['lambdaMax', 'lambdaMin'] as const) {
        const [x, y] = [a.spectrum[end], b.spectrum[end]];
        assert.ok(x.converged && y.converged, `${end} did not converge`);
        assert.ok(Math.abs(x.value - y.value) <= TOL * scale, `${end}: ${x.value} vs ${y.value}`);
      }
      assert.ok(Math.abs(a.spectrum.lambdaMax.value - eig[n - 1]) <= 1e-8 * scale);
      assert.ok(Math.abs(a.spectrum.lambdaMin.value - eig[0]) <= 1e-8 * scale);

      assert.equal(b.series.termNorms.length, 21);
      assert.ok(rel(b.series.termNorms, a.series.termNorms) <= TOL, `Neumann term norms: ${rel(b.series.termNorms, a.series.termNorms)}`);
      assert.ok(rel(b.series.x, a.series.x) <= TOL);
      assert.ok(Math.abs(a.hypergradient - b.hypergradient) <= TOL * Math.max(1, Math.abs(a.hypergradient)), `hypergradient: ${a.hypergradient} vs ${b.hypergradient}`);

      // SGD: the data-parallel step is the global mean gradient (minibatches of equal size per rank for the MLP).
      for (const opts of [
        { steps: 3, learningRate: 0.2, weightDecay: 0.01 },
        { steps: 2, learningRate: 0.1, weightDecay: Float64Array.from({ length: n }, (_, i) => (i % 3) * 0.02) },
      ]) {
        const [ra, rb] = [await one.train(opts), await two.train(opts)];
        assert.ok(rel(rb.losses, ra.losses) <= TOL, `train losses ${[...rb.losses]} vs ${[...ra.losses]}`);
        assert.ok(rel(rb.decayTerms, ra.decayTerms) <= TOL);
        assert.deepEqual([rb.epochsCompleted, rb.stepInEpoch, rb.stopped], [ra.epochsCompleted, ra.stepInEpoch, ra.stopped]);
        assert.ok(rel(await two.getParams(), await one.getParams()) <= TOL, 'parameters after training');
      }

      // trainStream: after a rewind every rank replays its own shard's batches, epoch ends included.
      const wMark = await one.getParams();
      const sgd = { steps: 5, learningRate: 0.1, weightDecay: 0.02 };
      for (const c of [one, two]) await c.trainStream('mark');
      const live = [await one.train(sgd), await two.train(sgd)];
      for (const c of [one, two]) {
        await c.trainStream('rewind');
        await c.setParams(wMark);
      }
      const replayed = [await one.train(sgd), await two.train(sgd)];
      for (const r of [...live.slice(1), ...replayed]) {
        assert.ok(rel(r.losses, live[0].losses) <= TOL, `losses after a rewind ${[...r.losses]} vs ${[...live[0].losses]}`);
        assert.deepEqual([r.epochsCompleted, r.stepInEpoch], [live[0].epochsCompleted, live[0].stepInEpoch]);
      }
      assert.ok(rel(await two.getParams(), await one.getParams()) <= TOL, 'parameters after the replayed steps');
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
}
