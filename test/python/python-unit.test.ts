/**
 * The Python package's own unit tests (python/tests: schema validator, frames, payload tensors,
 * user-code locations), run with unittest under the interpreter with torch that the bridge tests use.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { torchPython } from '../bridge/helpers';

test('python/tests pass (python -m unittest)', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const root = bridgePythonPath();
  const r = spawnSync(python, ['-W', 'error::ResourceWarning', '-m', 'unittest', 'discover', '-s', 'tests', '-t', '.', '-v'], {
    cwd: root,
    env: bridgeEnv(root),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  const ran = /Ran (\d+) tests?/.exec(r.stderr);
  assert.ok(ran && Number(ran[1]) >= 15, `unittest ran ${ran?.[1] ?? 'no'} tests:\n${r.stderr}`);
});
