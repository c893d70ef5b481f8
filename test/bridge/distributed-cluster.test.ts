/**
 * Cluster ranks on loopback, started by hand through the variables a launcher (torchrun, srun) sets:
 * every rank runs `python -m neumann_lens serve --problem … --listen 127.0.0.1:0 --token-file FILE`
 * with MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK and WORLD_SIZE; rank 0 listens, the others wait on
 * the process group. A wrong token is refused and logged while the ranks keep running; the right one
 * gets one process's numbers; the ranks exit when the client disconnects, keep serving with --keep,
 * and all go on SIGTERM to rank 0 or when a rank is killed (the client is told which rank).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BridgeClient } from '../../src/bridge/client';
import { BridgeError, type BridgeExit } from '../../src/bridge/connection';
import { freeLoopbackPort } from '../../src/bridge/local-ranks';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { BRIDGE_EXIT_CODES } from '../../src/protocol/bridge';
import { fixture, isPidAlive, maxAbs, maxAbsDiff, torchPython, unit } from './helpers';

const TOKEN = '7d0c9a4e-cluster-test-token';

interface Ranks {
  children: ChildProcess[];
  host: string;
  port: number;
  stderr: string[][];
  exits: Promise<BridgeExit>[];
  tokenFile: string;
}

async function startRanks(python: string, problem: string, extra: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<Ranks> {
  const tokenFile = join(mkdtempSync(join(tmpdir(), 'nl-cluster-')), 'token');
  writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 });
  const masterPort = await freeLoopbackPort();
  const args = ['-m', 'neumann_lens', 'serve', '--problem', problem, '--dtype', 'float64', '--listen', '127.0.0.1:0', '--token-file', tokenFile, ...extra];
  const launcher = { MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(masterPort), WORLD_SIZE: '2' };
  const stderr: string[][] = [[], []];
  const children = [0, 1].map((rank) => {
    const child = spawn(python, args, {
      env: { ...bridgeEnv(bridgePythonPath()), ...launcher, RANK: String(rank), LOCAL_RANK: String(rank), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    createInterface({ input: child.stderr! }).on('line', (l) => stderr[rank].push(l));
    return child;
  });
  const exits = children.map((c) => new Promise<BridgeExit>((resolve) => c.once('exit', (code, signal) => resolve({ code, signal }))));
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: children[0].stdout! }).once('line', resolve);
    children[0].once('exit', (code) => reject(new Error(`rank 0 exited ${code}:\n${stderr[0].join('\n')}\n${stderr[1].join('\n')}`)));
  });
  const [host, port] = (JSON.parse(first) as { listening: string }).listening.split(':');
  return { children, host, port: Number(port), stderr, exits, tokenFile };
}

function kill(r: Ranks): void {
  for (const c of r.children) c.kill('SIGKILL');
}

test('cluster ranks started by hand: a wrong token is refused and logged, the right one gets one process’s numbers, the ranks exit when the client leaves', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const problem = fixture('sharded_cnn.py');
  const r = await startRanks(python, problem);
  const one = await BridgeClient.spawn({ python, problem, dtype: 'float64' });
  try {
    const wrong = await BridgeClient.connect({ host: r.host, port: r.port, token: 'not-the-token' }).then(
      () => assert.fail('a wrong token was served'),
      (e: unknown) => e as BridgeError,
    );
    assert.equal(wrong.code, 'auth');
    assert.equal(wrong.message, `token rejected by ${r.host}:${r.port}`);
    assert.ok(r.children.every((c) => isPidAlive(c.pid!)), 'a rank died after a wrong token');
    assert.ok(r.stderr[0].some((l) => /refused 127\.0\.0\.1:\d+: wrong token/.test(l)));

    const client = await BridgeClient.connectTo({ address: `${r.host}:${r.port}`, tokenFile: r.tokenFile });
    const d = client.info.distributed!;
    assert.deepEqual(d.ranks.map((x) => x.pid), r.children.map((c) => c.pid));
    assert.equal(client.info.trainSize, one.info.trainSize);
    const n = client.paramCount;
    await client.setParams(await one.getParams());
    const units = Array.from({ length: n }, (_, i) => unit(n, i));
    const [ha, hb] = [await one.hvp(units), await client.hvp(units)];
    const scale = Math.max(1, ...ha.map(maxAbs));
    assert.ok(Math.max(...ha.map((c, i) => maxAbsDiff(hb[i], c))) <= 1e-10 * scale, 'Hessian columns differ');
    const [ga, gb] = [await one.gradient('val'), await client.gradient('val')];
    assert.ok(maxAbsDiff(gb.gradient, ga.gradient) <= 1e-10 * Math.max(1, maxAbs(ga.gradient)));
    assert.ok(Math.abs(ga.loss - gb.loss) <= 1e-10 * Math.max(1, ga.loss));
    await client.close();
    assert.deepEqual(await Promise.all(r.exits), [{ code: 0, signal: null }, { code: 0, signal: null }], 'without --keep every rank exits with its client');
  } finally {
    kill(r);
    await one.close();
  }
});

test('cluster --keep: client after client; SIGTERM to rank 0 takes the other rank with it', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const r = await startRanks(python, fixture('sharded_mlp.py'), ['--keep']);
  try {
    const w = Float64Array.from({ length: 51 }, (_, i) => Math.cos(i) / 4);
    for (let round = 0; round < 2; round++) {
      const c = await BridgeClient.connect({ host: r.host, port: r.port, token: TOKEN });
      if (round === 0) await c.setParams(w);
      else assert.deepEqual([...(await c.getParams())], [...w], 'the ranks keep their parameters between clients');
      await c.close();
    }
    assert.ok(r.children.every((c) => isPidAlive(c.pid!)), 'with --keep the ranks outlive their clients');
    r.children[0].kill('SIGTERM');
    const [zero, other] = await Promise.all(r.exits);
    assert.deepEqual(zero, { code: null, signal: 'SIGTERM' });
    assert.deepEqual(other, { code: BRIDGE_EXIT_CODES.rankLost, signal: null });
    assert.ok(r.stderr[1].some((l) => /rank 1: rank 0 is gone/.test(l)));
  } finally {
    kill(r);
  }
});

test('cluster: a rank killed mid-request — the client gets code exited naming the rank, and every rank exits', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const r = await startRanks(python, fixture('sharded_faults.py'), ['--keep'], { FAULT: 'sleep', FAULT_RANK: '1' });
  try {
    const client = await BridgeClient.connect({ host: r.host, port: r.port, token: TOKEN });
    const pending = client.loss('val').then(
      () => assert.fail('did not reject'),
      (e: unknown) => e as BridgeError,
    );
    while (!r.stderr[1].some((l) => l.includes('SLEEPING'))) await new Promise((ok) => setTimeout(ok, 20));
    const pid = r.children[1].pid!;
    r.children[1].kill('SIGKILL');
    const err = await pending;
    assert.ok(err instanceof BridgeError);
    assert.equal(err.code, 'exited');
    assert.equal(err.rank, 1);
    assert.match(err.message, new RegExp(`^rank 1 \\(pid ${pid} on .+\\) is gone: its process ended \\(killed, crashed or out of memory\\)`));
    const [zero, one] = await Promise.all(r.exits);
    assert.deepEqual(zero, { code: BRIDGE_EXIT_CODES.rankLost, signal: null });
    assert.deepEqual(one, { code: null, signal: 'SIGKILL' });
    await client.close();
  } finally {
    kill(r);
  }
});
