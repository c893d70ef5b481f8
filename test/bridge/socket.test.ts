/**
 * Socket mode on loopback, the way a user starts a server on a cluster node:
 * `python -m neumann_lens serve --problem … --listen 127.0.0.1:0 --token-file FILE`. A wrong or
 * missing token, a message before hello and a client that says nothing are refused with a clear
 * error while the server keeps running; the right token is served; without --keep the server exits
 * when its client disconnects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BridgeClient } from '../../src/bridge/client';
import { BridgeConnection, BridgeError } from '../../src/bridge/connection';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { BRIDGE_PROTOCOL_VERSION } from '../../src/protocol/bridge';
import { fixture, isPidAlive, torchPython } from './helpers';

const TOKEN = 'b1f0c3e9-test-token';

interface Server {
  child: ChildProcess;
  host: string;
  port: number;
  stderr: string[];
  exited: Promise<number | null>;
}

async function startServer(python: string, extra: string[] = []): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-sock-'));
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 });
  const child = spawn(
    python,
    ['-m', 'neumann_lens', 'serve', '--problem', fixture('linreg.py'), '--dtype', 'float64', '--listen', '127.0.0.1:0', '--token-file', tokenFile, ...extra],
    { env: bridgeEnv(bridgePythonPath()), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${stderr.join('\n')}`)));
  });
  const address = (JSON.parse(first) as { listening: string }).listening;
  const [host, port] = address.split(':');
  return { child, host, port: Number(port), stderr, exited };
}

async function refusal(p: Promise<unknown>): Promise<BridgeError> {
  return p.then(
    () => assert.fail('was not refused'),
    (e: unknown) => {
      assert.ok(e instanceof BridgeError, String(e));
      return e;
    },
  );
}

test('socket: wrong and missing tokens are refused, the server keeps running, the right token is served; exit on disconnect', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const s = await startServer(python);
  try {
    const wrong = await refusal(BridgeClient.connect({ host: s.host, port: s.port, token: 'not-the-token' }));
    assert.equal(wrong.code, 'auth');
    assert.equal(wrong.message, `token rejected by ${s.host}:${s.port}`);
    assert.ok(isPidAlive(s.child.pid!), 'server died after a wrong token');

    const raw = await BridgeConnection.connect({ host: s.host, port: s.port });
    const missing = await refusal(raw.request({ type: 'hello', protocolVersion: BRIDGE_PROTOCOL_VERSION }));
    assert.equal(missing.code, 'auth');
    assert.match(missing.message, /a token is required/);
    await raw.whenEnded;

    const early = await BridgeConnection.connect({ host: s.host, port: s.port });
    const before = await refusal(early.request({ type: 'getParams' }));
    assert.equal(before.code, 'auth');
    assert.match(before.message, /hello with the token before any other message/);
    await early.whenEnded;

    const client = await BridgeClient.connect({ host: s.host, port: s.port, token: TOKEN });
    assert.equal(client.paramCount, 3);
    assert.equal(client.pid, null);
    assert.equal(client.info.pid, s.child.pid);
    const { loss, gradient } = await client.gradient('train');
    assert.ok(Number.isFinite(loss) && gradient.length === 3);
    await client.close();
    assert.equal(await s.exited, 0, 'without --keep the server exits when its client disconnects');
    const log = s.stderr.join('\n');
    assert.match(log, /refused 127\.0\.0\.1:\d+: wrong token/);
    assert.match(log, /refused 127\.0\.0\.1:\d+: no token/);
  } finally {
    s.child.kill('SIGKILL');
  }
});

test('socket --keep: serves one client after another, drops a silent client after --hello-timeout, ends on SIGTERM', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const s = await startServer(python, ['--keep', '--hello-timeout', '0.5']);
  try {
    const silent = connect({ host: s.host, port: s.port });
    await new Promise<void>((resolve) => silent.once('close', () => resolve()));

    for (let round = 0; round < 2; round++) {
      const c = await BridgeClient.connect({ host: s.host, port: s.port, token: TOKEN });
      await c.setParams(Float64Array.from([1, 2, 3]));
      assert.deepEqual([...(await c.getParams())], [1, 2, 3]);
      if (round === 0) await c.close();
      else await c.shutdown();
    }
    assert.ok(isPidAlive(s.child.pid!), 'with --keep the server outlives its clients');
    s.child.kill('SIGTERM');
    await s.exited;
    assert.equal(s.child.signalCode, 'SIGTERM');
    assert.match(s.stderr.join('\n'), /timed out/);
  } finally {
    s.child.kill('SIGKILL');
  }
});
