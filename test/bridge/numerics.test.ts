/**
 * The bridge's numbers on models the JSON MLP cannot express (Conv2d + tanh + pooling;
 * Linear + LayerNorm + GELU + cross-entropy), in float64, through the TypeScript client and a real
 * Python child process, against references made without the bridge: a separate plain Python process
 * (test/fixtures/pytorch/reference.py: torch.autograd.functional.hessian over functional_call) and
 * central differences of the bridge's own float64 gradient.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { BridgeClient } from '../../src/bridge/client';
import { fixture, maxAbs, maxAbsDiff, runPython, torchPython, unit } from './helpers';

interface Reference {
  n: number;
  w: number[];
  trainLoss: number;
  valLoss: number;
  gradTrain: number[];
  gradVal: number[];
  hessian: number[][];
}

const TOL = 1e-6;

for (const [file, params] of [
  ['conv_net.py', 29],
  ['layernorm_gelu.py', 63],
] as const) {
  test(`${file}: float64 loss, gradient and Hessian from HVP columns match PyTorch's own in a separate process to ${TOL}`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const ref = JSON.parse(await runPython(python, [fixture('reference.py'), fixture(file)])) as Reference;
    const bridge = await BridgeClient.spawn({ python, problem: fixture(file), dtype: 'float64' });
    try {
      assert.equal(bridge.info.dtype, 'float64');
      assert.equal(bridge.paramCount, params);
      assert.equal(ref.n, params);
      await bridge.setParams(Float64Array.from(ref.w));
      assert.deepEqual([...(await bridge.getParams())], ref.w);

      assert.ok(Math.abs((await bridge.loss('train')) - ref.trainLoss) <= TOL * Math.max(1, Math.abs(ref.trainLoss)));
      assert.ok(Math.abs((await bridge.loss('val')) - ref.valLoss) <= TOL * Math.max(1, Math.abs(ref.valLoss)));
      for (const split of ['train', 'val'] as const) {
        const { gradient } = await bridge.gradient(split);
        const g = split === 'train' ? ref.gradTrain : ref.gradVal;
        assert.ok(maxAbsDiff(gradient, g) <= TOL * Math.max(1, maxAbs(g)), `${split} gradient differs`);
      }

      const n = bridge.paramCount;
      const columns = await bridge.hvp(Array.from({ length: n }, (_, i) => unit(n, i)));
      const scale = Math.max(1, ...ref.hessian.map(maxAbs));
      let worst = 0;
      let asym = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          worst = Math.max(worst, Math.abs(columns[j][i] - ref.hessian[i][j]));
          asym = Math.max(asym, Math.abs(columns[j][i] - columns[i][j]));
        }
      }
      assert.ok(worst <= TOL * scale, `Hessian entries differ by ${worst} (scale ${scale})`);
      assert.ok(asym <= TOL * scale, `assembled Hessian is not symmetric: ${asym}`);
      assert.ok(maxAbs(columns.flatMap((c) => [...c])) > 1e-3, 'the Hessian is not trivially zero');
    } finally {
      await bridge.close();
    }
  });

  test(`${file}: HVPs are linear in v and equal central differences of the float64 gradient`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const bridge = await BridgeClient.spawn({ python, problem: fixture(file), dtype: 'float64' });
    try {
      const n = bridge.paramCount;
      const u = Float64Array.from({ length: n }, (_, i) => Math.sin(1 + 3 * i));
      const v = Float64Array.from({ length: n }, (_, i) => Math.cos(2 + 5 * i));
      const comb = u.map((x, i) => 2.5 * x - 0.75 * v[i]);
      const [hu, hv, hc] = await bridge.hvp([u, v, comb]);
      const expected = hu.map((x, i) => 2.5 * x - 0.75 * hv[i]);
      assert.ok(maxAbsDiff(hc, expected) <= 1e-12 * Math.max(1, maxAbs(expected)), 'H(au + bv) ≠ aHu + bHv');

      const w = await bridge.getParams();
      const h = 1e-5;
      await bridge.setParams(w.map((x, i) => x + h * u[i]));
      const plus = (await bridge.gradient('train')).gradient;
      await bridge.setParams(w.map((x, i) => x - h * u[i]));
      const minus = (await bridge.gradient('train')).gradient;
      const fd = plus.map((x, i) => (x - minus[i]) / (2 * h));
      assert.ok(maxAbsDiff(fd, hu) <= TOL * Math.max(1, maxAbs(hu)), `HVP vs finite differences: ${maxAbsDiff(fd, hu)}`);

      // The HVP cache follows the parameters: back at w, the same product again.
      await bridge.setParams(w);
      const [again] = await bridge.hvp([u]);
      assert.deepEqual([...again], [...hu]);
    } finally {
      await bridge.close();
    }
  });
}

// The seed example's data and weights are float32 values, so both modes serve the same problem.
test('float32 mode sends float32 and agrees with float64 to float32 precision', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const problem = join(__dirname, '../../examples/pytorch-seed/problem.py');
  const f64 = await BridgeClient.spawn({ python, problem, dtype: 'float64' });
  const f32 = await BridgeClient.spawn({ python, problem, dtype: 'float32' });
  try {
    assert.equal(f32.info.dtype, 'float32');
    const w = (await f64.getParams()).map((x) => Math.fround(x));
    await f64.setParams(w);
    await f32.setParams(w);
    const v = Float64Array.from({ length: w.length }, (_, i) => Math.fround(Math.sin(i)));
    const [a] = await f64.hvp([v]);
    const [b] = await f32.hvp([v]);
    assert.ok(b.every((x) => Math.fround(x) === x), 'float32 results are float32 values');
    assert.ok(maxAbsDiff(a, b) <= 1e-4 * maxAbs(a), `float32 vs float64: ${maxAbsDiff(a, b)}`);
  } finally {
    await Promise.all([f64.close(), f32.close()]);
  }
});
