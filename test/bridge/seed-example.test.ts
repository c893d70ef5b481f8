/**
 * examples/pytorch-seed/problem.py serves the motivating report's model (its exported weights and
 * data) through the bridge; with the experiment's weight decay added on this side, the float64
 * Hessian's spectrum and the report's Neumann loop must be PyTorch's own numbers, stored in
 * examples/pytorch-seed/torch-reference.json by scripts/make-pytorch-seed.py (λ_min = −1.749,
 * λ_max = 2.118; v[:5] after the first update 0.1156, −0.1112, −0.1701, 0.1533, 0.2598).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { BridgeClient } from '../../src/bridge/client';
import { maxAbsDiff, torchPython, unit } from './helpers';

const dir = join(__dirname, '../../examples/pytorch-seed');
const ref = JSON.parse(readFileSync(join(dir, 'torch-reference.json'), 'utf8')) as {
  params: number;
  eigenvalues: number[];
  lambdaMin: number;
  lambdaMax: number;
  gradValidationHead: number[];
  neumannTermHeads: number[][];
  trainLoss: number;
  validationLoss: number;
};
const weightDecay = (JSON.parse(readFileSync(join(dir, 'pytorch-seed.neumann.json'), 'utf8')) as { weightDecay: number }).weightDecay;

test('seed example through the bridge: PyTorch float64 spectrum of train_loss + ½·0.1·‖w‖², losses and the report’s Neumann terms', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const bridge = await BridgeClient.spawn({ python, problem: join(dir, 'problem.py'), dtype: 'float64' });
  try {
    const n = bridge.paramCount;
    assert.equal(n, ref.params);
    assert.deepEqual(bridge.info.params.tensors.map((p) => p.name), ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
    assert.equal(bridge.info.trainSize, 1000);
    const w = await bridge.getParams();
    const decay = 0.5 * weightDecay * w.reduce((s, x) => s + x * x, 0);
    assert.ok(Math.abs((await bridge.loss('train')) + decay - ref.trainLoss) < 1e-12 * ref.trainLoss);
    const { loss: lv, gradient: b } = await bridge.gradient('val');
    assert.ok(Math.abs(lv - ref.validationLoss) < 1e-12 * ref.validationLoss);
    assert.ok(maxAbsDiff(b.subarray(0, 5), ref.gradValidationHead) < 1e-12);

    // H of L_T = the bridge's data Hessian + λI, the decay added here only.
    const cols = await bridge.hvp(Array.from({ length: n }, (_, i) => unit(n, i)));
    const H = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) H.set(i, j, 0.5 * (cols[j][i] + cols[i][j]) + (i === j ? weightDecay : 0));
    const eig = new EigenvalueDecomposition(H, { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
    const scale = Math.max(Math.abs(ref.lambdaMin), Math.abs(ref.lambdaMax));
    assert.ok(maxAbsDiff(eig, ref.eigenvalues) < 1e-9 * scale, `eigenvalues differ by ${maxAbsDiff(eig, ref.eigenvalues)}`);
    assert.equal(eig[0].toFixed(3), '-1.749');
    assert.equal(eig[n - 1].toFixed(3), '2.118');

    // The report's loop v ← v − (H_data + λI)v, HVPs from the bridge.
    let v = b;
    for (let j = 1; j < ref.neumannTermHeads.length; j++) {
      const [hv] = await bridge.hvp([v]);
      v = v.map((x, i) => x - (hv[i] + weightDecay * x));
      const head = ref.neumannTermHeads[j];
      assert.ok(maxAbsDiff(v.subarray(0, 5), head) < 1e-9 * Math.max(1, ...head.map(Math.abs)), `term ${j}: ${[...v.subarray(0, 5)]} vs ${head}`);
    }
    assert.deepEqual([...ref.neumannTermHeads[1]].map((x) => x.toFixed(4)), ['0.1156', '-0.1112', '-0.1701', '0.1533', '0.2598']);
  } finally {
    await bridge.close();
  }
});
