/**
 * Processes: close() ends the server and what the user's code started; the server exits on stdin
 * EOF, on SIGTERM even mid-computation, and when its parent dies while it is busy; a server that
 * dies rejects every pending request with its exit status and stderr; an interpreter without torch
 * or one that does not exist is named.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BridgeClient } from '../../src/bridge/client';
import { BridgeError } from '../../src/bridge/connection';
import { encodeFrame, FrameDecoder } from '../../src/bridge/framing';
import { bridgeEnv, bridgePythonPath, probePython } from '../../src/bridge/python-env';
import { BRIDGE_EXIT_CODES, BRIDGE_PROTOCOL_VERSION } from '../../src/protocol/bridge';
import { fixture, isPidAlive, torchPython, waitGone } from './helpers';

async function rejection(p: Promise<unknown>): Promise<BridgeError> {
  return p.then(
    () => assert.fail('did not reject'),
    (e: unknown) => {
      assert.ok(e instanceof BridgeError, String(e));
      return e;
    },
  );
}

test('close() leaves no process behind: the server and a subprocess its user code started are gone', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const pidFile = join(mkdtempSync(join(tmpdir(), 'nl-life-')), 'child.pid');
  const bridge = await BridgeClient.spawn({ python, problem: fixture('spawns_child.py'), env: { ...process.env, CHILD_PID_FILE: pidFile } });
  const server = bridge.pid!;
  const grandchild = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(isPidAlive(server) && isPidAlive(grandchild));
  await bridge.close();
  assert.ok(!isPidAlive(server), 'server still running');
  await waitGone(grandchild);
  await assert.rejects(bridge.loss('train'), (e: BridgeError) => e.code === 'closed');
});

test('close() escalates to SIGKILL when the busy server ignores SIGTERM; after a shutdown the server exits 0 by itself', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  let busy!: () => void;
  const sleeping = new Promise<void>((resolve) => (busy = resolve));
  const stubborn = await BridgeClient.spawn({ python, problem: fixture('ignores_sigterm.py'), onStderrLine: (l) => l.includes('SLEEPING') && busy() });
  const pending = rejection(stubborn.loss('val'));
  await sleeping;
  await stubborn.close(300);
  assert.deepEqual(stubborn.exitStatus, { code: null, signal: 'SIGKILL' });
  assert.equal((await pending).code, 'closed');
  assert.ok(!isPidAlive(stubborn.pid!));

  const polite = await BridgeClient.spawn({ python, problem: fixture('linreg.py') });
  await polite.shutdown();
  assert.deepEqual(polite.exitStatus, { code: 0, signal: null });
});

test('the server exits with 0 when its stdin reaches EOF; a problem that cannot load exits 2 after telling the client', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  for (const [problem, code] of [
    [fixture('linreg.py'), BRIDGE_EXIT_CODES.ok],
    [fixture('bad/not_a_dict.py'), BRIDGE_EXIT_CODES.input],
  ] as const) {
    const child = spawn(python, ['-m', 'neumann_lens', 'serve', '--problem', problem], { env: bridgeEnv(bridgePythonPath()), stdio: ['pipe', 'pipe', 'ignore'] });
    const decoder = new FrameDecoder();
    const reply = new Promise<Record<string, any>>((resolve) => child.stdout!.on('data', (c: Buffer) => decoder.push(c).forEach((f) => resolve(f.header as Record<string, any>))));
    child.stdin!.write(encodeFrame({ type: 'hello', id: 1, protocolVersion: BRIDGE_PROTOCOL_VERSION }));
    const r = await reply;
    assert.equal(r.type, code === 0 ? 'ready' : 'error');
    child.stdin!.end();
    const exit = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
    assert.equal(exit, code);
  }
});

test('a server killed mid-request rejects the pending request with its signal and stderr; SIGTERM ends a busy server', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    let busy!: () => void;
    const sleeping = new Promise<void>((resolve) => (busy = resolve));
    const bridge = await BridgeClient.spawn({ python, problem: fixture('slow_val.py'), onStderrLine: (l) => l.includes('SLEEPING') && busy() });
    try {
      const pending = bridge.loss('val');
      const other = bridge.loss('train');
      // Once the val call sleeps inside the user's code (the train request waits behind it):
      await sleeping;
      process.kill(bridge.pid!, signal);
      for (const p of [pending, other]) {
        const err = await rejection(p);
        assert.equal(err.code, 'exited');
        assert.equal(err.exit?.signal, signal);
        assert.match(err.message, new RegExp(`killed by ${signal}`));
        assert.match(err.stderrTail ?? '', /serving .*slow_val\.py/);
      }
    } finally {
      await bridge.close();
    }
  }
});

// The user's code sleeps for an hour, so only the watch can end the server; the timeout turns a
// broken watch into a failure instead of a hang.
test('a busy server whose parent dies exits (parent-pid watch)', { timeout: 120_000 }, async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const parent = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'orphan-parent.ts'), python, fixture('slow_val.py')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const sleeping = new Promise<void>((resolve) => createInterface({ input: parent.stderr! }).on('line', (l) => l.includes('SLEEPING') && resolve()));
  const serverPid = Number(await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve)));
  assert.ok(isPidAlive(serverPid));
  await sleeping;
  parent.kill('SIGKILL');
  await waitGone(serverPid);
});

test('an interpreter without torch is named (probe and spawn); a missing interpreter is python-missing', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  // Stand-in for an interpreter without torch: a torch module that fails to import, first on PYTHONPATH.
  const shadow = mkdtempSync(join(tmpdir(), 'nl-notorch-'));
  mkdirSync(join(shadow, 'torch'));
  writeFileSync(join(shadow, 'torch', '__init__.py'), 'raise ImportError("No module named torch (simulated)")\n');
  const env = { ...process.env, PYTHONPATH: shadow };
  const probe = await probePython(python, bridgePythonPath(), env);
  assert.equal(probe.torch, null);
  assert.match(probe.error ?? '', /torch is not usable from .*python.*simulated/);

  const err = await rejection(BridgeClient.spawn({ python, problem: fixture('linreg.py'), env }));
  assert.equal(err.code, 'no-torch');
  assert.equal(err.exit?.code, BRIDGE_EXIT_CODES.noTorch);
  assert.match(err.message, /torch is not importable from \/.*python.* Choose an interpreter that has torch >= 1\.13/);

  const missing = await rejection(BridgeClient.spawn({ python: '/nonexistent/bin/python3', problem: fixture('linreg.py') }));
  assert.equal(missing.code, 'python-missing');
  assert.match(missing.message, /\/nonexistent\/bin\/python3: not found/);
  const probeMissing = await probePython('/nonexistent/bin/python3');
  assert.match(probeMissing.error ?? '', /was not found/);
});
