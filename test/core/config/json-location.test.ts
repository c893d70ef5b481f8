import { test } from 'node:test';
import assert from 'node:assert/strict';
import { locateJsonPath, offsetToPosition } from '../../../src/core/config/json-location';

const text = [
  '{', //                                     line 0
  '  "model": {', //                          line 1
  '    "layers": [1, 8, 4, 1],', //           line 2
  '    "activation": "relu"', //              line 3
  '  },', //                                  line 4
  '  "neumann": { "alpha": -1, "terms": 10 }', // line 5
  '}',
].join('\n');

test('a scalar property covers "key": value (0-based positions)', () => {
  assert.deepEqual(locateJsonPath(text, 'model.activation'), { line: 3, column: 4, endLine: 3, endColumn: 24 });
  const alpha = locateJsonPath(text, 'neumann.alpha')!;
  assert.equal(text.split('\n')[5].slice(alpha.column, alpha.endColumn), '"alpha": -1');
});

test('array elements by index; objects and arrays by their key only', () => {
  const el = locateJsonPath(text, 'model.layers[2]')!;
  assert.deepEqual(el, { line: 2, column: 21, endLine: 2, endColumn: 22 });
  assert.equal(text.split('\n')[2][el.column], '4');
  assert.deepEqual(locateJsonPath(text, 'model'), { line: 1, column: 2, endLine: 1, endColumn: 9 });
  assert.deepEqual(locateJsonPath(text, 'model.layers'), { line: 2, column: 4, endLine: 2, endColumn: 12 });
});

test('a missing key points at the deepest existing parent key; the root at its brace', () => {
  assert.deepEqual(locateJsonPath(text, 'neumann.damping'), locateJsonPath(text, 'neumann'));
  assert.deepEqual(locateJsonPath(text, 'model.layers[9]'), locateJsonPath(text, 'model.layers'));
  assert.deepEqual(locateJsonPath(text, 'training.epochs'), { line: 0, column: 0, endLine: 0, endColumn: 1 });
  assert.deepEqual(locateJsonPath(text, ''), { line: 0, column: 0, endLine: 0, endColumn: 1 });
  assert.equal(locateJsonPath('', 'a'), null);
});

test('CRLF text and offsets', () => {
  const crlf = '{\r\n  "a": {\r\n    "b": true\r\n  }\r\n}';
  assert.deepEqual(locateJsonPath(crlf, 'a.b'), { line: 2, column: 4, endLine: 2, endColumn: 13 });
  assert.deepEqual(offsetToPosition('ab\ncd', 4), { line: 1, column: 1 });
});

test('bracket paths: nested indices, quoted keys, and paths that go past what exists', () => {
  const t = ['{', '  "problem": { "matrix": [[1, 2], [3, 4]] },', '  "0.weight": [5],', '  "my key": { "a b": true }', '}'].join('\n');
  const slice = (path: string) => {
    const r = locateJsonPath(t, path)!;
    assert.equal(r.line, r.endLine, path);
    return t.split('\n')[r.line].slice(r.column, r.endColumn);
  };
  assert.equal(slice('problem.matrix[1][0]'), '3');
  assert.equal(slice('problem.matrix[0]'), '[');
  assert.equal(slice('["0.weight"][0]'), '5');
  assert.equal(slice('["my key"]["a b"]'), '"a b": true');
  // Nearest existing parent: an index past the end, a key inside a number, an index on an object,
  // the old dot form of an index (not a path any more), and a malformed tail.
  assert.equal(slice('problem.matrix[1][7]'), '[');
  assert.deepEqual(locateJsonPath(t, 'problem.matrix[0][1].x'), locateJsonPath(t, 'problem.matrix[0][1]'));
  assert.deepEqual(locateJsonPath(t, 'problem[0]'), locateJsonPath(t, 'problem'));
  assert.deepEqual(locateJsonPath(t, 'problem.matrix.1'), locateJsonPath(t, 'problem.matrix'));
  assert.deepEqual(locateJsonPath(t, 'problem.matrix[1'), locateJsonPath(t, 'problem.matrix'));
  assert.deepEqual(locateJsonPath(t, '0.weight'), locateJsonPath(t, ''));
  // Segments work as well as text.
  assert.deepEqual(locateJsonPath(t, ['problem', 'matrix', 1, 0]), locateJsonPath(t, 'problem.matrix[1][0]'));
});

test('of two equal keys the last is located, the one JSON.parse keeps', () => {
  const t = '{"a": 1, "a": 2}';
  const r = locateJsonPath(t, 'a')!;
  assert.equal(t.slice(r.column, r.endColumn), '"a": 2');
});
