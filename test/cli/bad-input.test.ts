/**
 * The bad-input table (bad-input-cases.ts), each case a real child process of dist/cli.js: exit
 * 2, stderr names the place and the expected form, no report on stdout, and the case's folder,
 * which holds an output of an earlier run, is byte-identical afterwards (no file lost, truncated
 * or left behind).
 */
import { before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, tempDir } from '../worker/helpers';
import { CASES, OLD } from './bad-input-cases';
import { cli, snapshot } from './helpers';

before(ensureBuilt);

// Root writes into read-only folders, so those cases run as `nobody` when the tests run as root.
const unprivileged = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

test('the table is large and its names are unique', () => {
  assert.ok(CASES.length >= 60, `${CASES.length} cases`);
  assert.equal(new Set(CASES.map((c) => c.name)).size, CASES.length);
});

// A few children at a time: each is a Node process that loads the bundle (≈0.2 s of CPU).
describe('bad input exits 2 with its place, and nothing is lost', { concurrency: 4 }, () => {
  for (const c of CASES) {
    it(c.name, async () => {
      const dir = tempDir();
      writeFileSync(join(dir, OLD), '{"previous": "report", "bytes": [1, 2, 3]}\n');
      const args = c.args(dir);
      if (c.unprivileged) {
        chmodSync(dir, 0o777);
        chmodSync(join(dir, OLD), 0o666);
      }
      const old = snapshot(dir);
      const r = await cli(args, c.unprivileged ? unprivileged : {});
      assert.equal(r.code, 2, `exit ${r.code} (${r.signal ?? 'no signal'})\n${r.stderr}`);
      for (const re of c.expect(dir)) assert.match(r.stderr, re);
      assert.match(r.stderr, /^neumann-lens: /, 'one message, from the CLI, not a stack trace');
      assert.doesNotMatch(r.stderr, /internal error|\n\s+at /);
      assert.equal(r.stdout, '', 'no report');
      assert.deepEqual(snapshot(dir), old, 'every file as it was, and no temporary file left');
    });
  }
});
