/**
 * `neumann-lens python-path`: the built CLI prints the shipped Python folder, the one the bridge
 * itself runs from, and that folder serves `python -m neumann_lens` (probe, with a real interpreter).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError, parseArgs } from '../../src/cli/args';
import { commandUsage, topUsage } from '../../src/cli/usage';
import { bridgePythonPath } from '../../src/bridge/python-env';
import { ROOT, ensureBuilt } from '../worker/helpers';
import { cli } from './helpers';

before(ensureBuilt);

test('python-path parses alone; --help shows its help; arguments or other options are usage errors', () => {
  assert.deepEqual(parseArgs(['python-path']), { command: 'python-path' });
  assert.deepEqual(parseArgs(['python-path', '--help']), { command: 'help', topic: 'python-path' });
  assert.deepEqual(parseArgs(['help', 'python-path']), { command: 'help', topic: 'python-path' });
  assert.throws(() => parseArgs(['python-path', 'x']), (e) => e instanceof UsageError && /^"python-path" takes no arguments, got x$/.test(e.message));
  assert.throws(() => parseArgs(['python-path', '--json', 'r.json']), (e) => e instanceof UsageError && /^unknown option --json for "python-path"/.test(e.message));
  assert.match(topUsage(), /\n {2}python-path +print the folder of the shipped Python package/);
  assert.match(commandUsage('python-path'), /^Usage: neumann-lens python-path\n/);
  assert.doesNotMatch(commandUsage('python-path'), /Arguments:/);
});

test('the built CLI prints the folder the bridge runs from, and Python finds neumann_lens there', async () => {
  const r = await cli(['python-path']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const folder = r.stdout.replace(/\n$/, '');
  assert.equal(folder, join(ROOT, 'python'));
  assert.equal(folder, bridgePythonPath());
  assert.ok(existsSync(join(folder, 'neumann_lens', '__main__.py')));
  // Any interpreter will do for probe (it reports a missing torch rather than failing to start).
  const probe = JSON.parse(
    execFileSync('python3', ['-m', 'neumann_lens', 'probe'], { cwd: '/', env: { ...process.env, PYTHONPATH: folder }, encoding: 'utf8' })
      .trim()
      .split('\n')
      .pop()!,
  ) as { python: { executable: string }; torch: string | null };
  assert.equal(probe.python.executable.length > 0, true, JSON.stringify(probe));
  assert.ok('torch' in probe, JSON.stringify(probe));
});
