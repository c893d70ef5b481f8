import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildGroups, decayVector, groupHypergradient } from '../../../src/core/hyper/groups';
import { parameterTensors, tensorsInOrder } from '../../../src/core/model/state-dict';

const tensors = parameterTensors([2, 3, 1]); // 0.weight [3,2], 0.bias [3], 2.weight [1,3], 2.bias [1]

test('groups: global, per-tensor (state_dict names) and per-parameter (PyTorch indices)', () => {
  assert.deepEqual(buildGroups('global', tensors, 13).names, ['all']);
  const perTensor = buildGroups('per-tensor', tensors, 13);
  assert.deepEqual(perTensor.names, ['0.weight', '0.bias', '2.weight', '2.bias']);
  assert.deepEqual(perTensor.sizes, [6, 3, 3, 1]);
  assert.deepEqual(Array.from(perTensor.groupOf), [0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3]);
  const perParameter = buildGroups('per-parameter', tensors, 13);
  assert.deepEqual(perParameter.names.slice(0, 7), ['0.weight[0,0]', '0.weight[0,1]', '0.weight[1,0]', '0.weight[1,1]', '0.weight[2,0]', '0.weight[2,1]', '0.bias[0]']);
  assert.equal(perParameter.names[12], '2.bias[0]');
  assert.throws(() => buildGroups('global', tensors, 14), /cover 13 entries, the vector has 14/);
});

test('λ_i = exp(φ_group(i)) and g_group = −Σ x_i λ_i w_i', () => {
  const groups = buildGroups('per-tensor', tensors, 13);
  const phi = Float64Array.from([0, Math.log(2), Math.log(0.5), -1]);
  const lambda = decayVector(groups, phi);
  assert.deepEqual(Array.from(lambda.subarray(5, 8)), [1, 2, 2]);
  assert.equal(lambda[12], Math.exp(-1));
  const x = Float64Array.from({ length: 13 }, (_, i) => i + 1);
  const w = Float64Array.from({ length: 13 }, () => 0.5);
  const g = groupHypergradient(groups, x, lambda, w);
  assert.deepEqual(Array.from(g), [-(1 + 2 + 3 + 4 + 5 + 6) * 0.5, -(7 + 8 + 9) * 2 * 0.5, -(10 + 11 + 12) * 0.5 * 0.5, -13 * Math.exp(-1) * 0.5]);
});

test('groups of a PyTorch model: its named_parameters() with their shapes, a 0-d tensor named as it is', () => {
  const named = tensorsInOrder([{ name: 'conv.weight', shape: [2, 1, 2, 2] }, { name: 'scale', shape: [] }, { name: 'fc.bias', shape: [3] }]);
  assert.deepEqual(named.map((t) => [t.name, t.offset, t.size]), [['conv.weight', 0, 8], ['scale', 8, 1], ['fc.bias', 9, 3]]);
  assert.deepEqual(buildGroups('per-tensor', named, 12).names, ['conv.weight', 'scale', 'fc.bias']);
  const perParameter = buildGroups('per-parameter', named, 12).names;
  assert.deepEqual([perParameter[0], perParameter[1], perParameter[7], perParameter[8], perParameter[11]], ['conv.weight[0,0,0,0]', 'conv.weight[0,0,0,1]', 'conv.weight[1,0,1,1]', 'scale', 'fc.bias[2]']);
});
