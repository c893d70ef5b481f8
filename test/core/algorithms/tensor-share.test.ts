import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mlpParameterLayout, tensorShare } from '../../../src/core/algorithms/tensor-share';
import { layerSlots } from '../../../src/core/model/mlp';
import { importStateDict } from '../../../src/core/model/state-dict';

test('MLP layout: PyTorch nn.Sequential names and sizes in flattening order', () => {
  assert.deepEqual(mlpParameterLayout([64, 16, 10]), [
    { name: '0.weight', size: 1024 },
    { name: '0.bias', size: 16 },
    { name: '2.weight', size: 160 },
    { name: '2.bias', size: 10 },
  ]);
  // Offsets agree with the model's own slots.
  const layout = mlpParameterLayout([3, 5, 4, 2]);
  const slots = layerSlots([3, 5, 4, 2]);
  let offset = 0;
  layout.forEach((t, k) => {
    const slot = slots[k >> 1];
    assert.equal(offset, k % 2 === 0 ? slot.weightOffset : slot.biasOffset);
    offset += t.size;
  });
});

test('tensor shares: fractions of ‖v‖² per tensor, summing to 1, checked on a state_dict-built vector', () => {
  const layers = [2, 3, 1];
  // 0.weight all 1 (6 entries), 0.bias all 0, 2.weight = [2, 0, 0], 2.bias = [1].
  const v = importStateDict({ '0.weight': [[1, 1], [1, 1], [1, 1]], '0.bias': [0, 0, 0], '2.weight': [[2, 0, 0]], '2.bias': [1] }, layers, 'test');
  const share = tensorShare(v, mlpParameterLayout(layers));
  assert.deepEqual(Object.keys(share), ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.ok(Math.abs(share['0.weight'] - 6 / 11) < 1e-15);
  assert.equal(share['0.bias'], 0);
  assert.ok(Math.abs(share['2.weight'] - 4 / 11) < 1e-15);
  assert.ok(Math.abs(share['2.bias'] - 1 / 11) < 1e-15);
  assert.ok(Math.abs(Object.values(share).reduce((s, x) => s + x, 0) - 1) < 1e-15);
});

test('tensor shares: a layout that does not fit the vector, duplicate names and a zero vector are RangeErrors', () => {
  assert.throws(() => tensorShare(new Float64Array(3), [{ name: 'a', size: 2 }]), RangeError);
  assert.throws(() => tensorShare(Float64Array.from([1, 1]), [{ name: 'a', size: 1 }, { name: 'a', size: 1 }]), RangeError);
  assert.throws(() => tensorShare(new Float64Array(2), [{ name: 'a', size: 2 }]), RangeError);
  assert.throws(() => tensorShare(Float64Array.from([1]), [{ name: 'a', size: 1.5 }]), RangeError);
});
