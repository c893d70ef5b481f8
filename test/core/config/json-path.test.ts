import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatJsonPath, parseJsonPath, parseJsonPathPrefix, pointerToJsonPath } from '../../../src/core/config/json-path';

test('keys join with dots, indices go in brackets, odd keys are quoted', () => {
  assert.equal(formatJsonPath([]), '');
  assert.equal(formatJsonPath(['neumann', 'alpha']), 'neumann.alpha');
  assert.equal(formatJsonPath(['model', 'layers', 2]), 'model.layers[2]');
  assert.equal(formatJsonPath(['problem', 'matrix', 0, 1]), 'problem.matrix[0][1]');
  assert.equal(formatJsonPath([3]), '[3]');
  assert.equal(formatJsonPath(['$schema', 'cross-entropy', '_x']), '$schema.cross-entropy._x');
  // Keys a dot path would misread: dots, digits, spaces, brackets, quotes, the empty key.
  assert.equal(formatJsonPath(['0.weight']), '["0.weight"]');
  assert.equal(formatJsonPath(['data', '2']), 'data["2"]');
  assert.equal(formatJsonPath(['my key', 'a[0]', 'say "hi"', '']), '["my key"]["a[0]"]["say \\"hi\\""][""]');
});

test('parsing gives the segments back, for every form', () => {
  const paths = [[], ['neumann', 'alpha'], ['model', 'layers', 2], ['problem', 'matrix', 10, 0], ['0.weight'], ['data', '2', 'x'], ['my key: x', 0, 'a'], ['é', '\\', '']];
  for (const p of paths) assert.deepEqual(parseJsonPath(formatJsonPath(p)), p, formatJsonPath(p));
});

test('malformed paths are rejected whole, and their well-formed start is kept as a prefix', () => {
  for (const bad of ['model.layers.2', 'a.', '.a', 'a[', 'a[01]', 'a[-1]', 'a b', '["unterminated]', 'a..b', '2']) {
    assert.equal(parseJsonPath(bad), null, bad);
  }
  assert.deepEqual(parseJsonPathPrefix('model.layers.2'), { path: ['model', 'layers'], length: 12 });
  assert.deepEqual(parseJsonPathPrefix('neumann.alpha: must be > 0'), { path: ['neumann', 'alpha'], length: 13 });
  assert.deepEqual(parseJsonPathPrefix('["a b"][1]: x'), { path: ['a b', 1], length: 10 });
  assert.deepEqual(parseJsonPathPrefix('(root)'), { path: [], length: 0 });
});

test('JSON Pointers (ajv) become paths; the document decides what is an index', () => {
  const doc = { model: { layers: [1, 2, 3] }, data: { '2': { 'a/b': 1, 'c~d': 2 } } };
  assert.deepEqual(pointerToJsonPath('', doc), []);
  assert.deepEqual(pointerToJsonPath('/model/layers/2', doc), ['model', 'layers', 2]);
  assert.deepEqual(pointerToJsonPath('/data/2', doc), ['data', '2']);
  assert.deepEqual(pointerToJsonPath('/data/2/a~1b', doc), ['data', '2', 'a/b']);
  assert.deepEqual(pointerToJsonPath('/data/2/c~0d', doc), ['data', '2', 'c~d']);
  assert.deepEqual(pointerToJsonPath('/missing/0', doc), ['missing', '0']);
});
