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
