/** The one wording for a user's file that cannot be read: missing, a folder, or unreadable. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../../src/core/errors';
import { readInputFile } from '../../../src/core/config/input-file';

const dir = mkdtempSync(join(tmpdir(), 'nl-input-file-'));

function failure(f: () => unknown): InputError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof InputError, String(e));
    return e;
  }
  assert.fail('expected an InputError');
}

test('a readable file is its text', () => {
  writeFileSync(join(dir, 'a.csv'), 'x,y\n1,2\n');
  assert.equal(readInputFile(join(dir, 'a.csv'), 'CSV file'), 'x,y\n1,2\n');
});

test('missing, a folder, unreadable: an InputError at the file that names what it should be', () => {
  const missing = failure(() => readInputFile(join(dir, 'none.json'), 'experiment file'));
  assert.equal(missing.detail, 'experiment file not found');
  assert.deepEqual(missing.where, { kind: 'file', file: join(dir, 'none.json') });
  mkdirSync(join(dir, 'sub.neumann.json'));
  assert.equal(failure(() => readInputFile(join(dir, 'sub.neumann.json'), 'experiment file', 'a *.neumann.json file')).detail, 'is a folder, not an experiment file (expected a *.neumann.json file)');
  assert.equal(failure(() => readInputFile(join(dir, 'sub.neumann.json'), 'state_dict file')).detail, 'is a folder, not a state_dict file');
  // Any other failure names its code (a link to itself: ELOOP, which root gets too).
  symlinkSync('loop.csv', join(dir, 'loop.csv'));
  assert.equal(failure(() => readInputFile(join(dir, 'loop.csv'), 'CSV file')).detail, 'cannot read CSV file (ELOOP)');
});
