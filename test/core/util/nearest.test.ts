/** "Did you mean …?": the nearest candidate within two edits, case ignored; none beyond that. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closest, editDistance } from '../../../src/core/util/nearest';

test('edit distance counts insertions, deletions and substitutions', () => {
  assert.equal(editDistance('', ''), 0);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('alpah', 'alpha'), 2);
  assert.equal(editDistance('epoch', 'epochs'), 1);
  assert.equal(editDistance('abc', 'abc'), 0);
});

test('the nearest candidate within two edits wins, ignoring case; farther ones are no suggestion', () => {
  assert.equal(closest('learningrate', ['epochs', 'batchSize', 'learningRate']), 'learningRate');
  assert.equal(closest('flie', ['file', 'dtype', 'device']), 'file');
  assert.equal(closest('epoch', ['epochs', 'batchSize']), 'epochs');
  assert.equal(closest('colour', ['name', 'seed', 'data']), null);
  assert.equal(closest('x', []), null);
  // Ties keep the first candidate; a closer one later still wins.
  assert.equal(closest('ab', ['abcd', 'xb', 'a']), 'xb');
});
