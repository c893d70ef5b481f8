/**
 * Faults with local ranks (2 CPU ranks, gloo), through real processes: a rank whose code raises is
 * code input with that rank, its file:line and message, and the ranks keep serving; a problem that
 * cannot be sharded says what to add; a rank killed mid-request or while idle is code exited naming
 * the rank and its signal, and every rank is gone; a rank that stalls past --timeout stops them all
 * with the reason; close() and a dying parent leave no rank behind. Fixtures are copied to a fresh
 * folder per test, so "no process left" can look for processes running that very file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import { BridgeClient } from '../../src/bridge/client';
import { BridgeError } from '../../src/bridge/connection';
import { fixture, isPidAlive, lineOf, pgidOf, processesWith, torchPython, waitGone, waitNoProcessWith } from './helpers';

const TWO = { worldSize: 2, backend: 'gloo' } as const;

function copyFixture(name: string): string {
  const to = join(mkdtempSync(join(tmpdir(), 'nl-ranks-')), basename(name));
  copyFileSync(fixture(name), to);
  return to;
}

async function rejection(p: Promise<unknown>): Promise<BridgeError> {
  return p.then(
    () => assert.fail('did not reject'),
    (e: unknown) => {
      assert.ok(e instanceof BridgeError, String(e));
      return e;
    },
  );
}

function faulty(python: string, file: string, fault: string, faultRank: number, extra: Partial<Parameters<typeof BridgeClient.spawn>[0]> = {}) {
  return BridgeClient.spawn({ python, problem: file, dtype: 'float64', distributed: TWO, env: { ...process.env, FAULT: fault, FAULT_RANK: String(faultRank) }, ...extra });
}

test('a rank whose code raises: code input with that rank, the user’s file:line and message; the ranks keep serving', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  const client = await faulty(python, file, 'raise', 1);
  try {
    for (const call of [() => client.loss('val'), () => client.gradient('val')]) {
      const err = await rejection(call());
      assert.equal(err.code, 'input');
      assert.equal(err.rank, 1);
      assert.match(err.message, /^rank 1: val_loss\(model\) raised: ValueError: rank 1 cannot read its validation shard$/);
      assert.deepEqual(err.where, { kind: 'file', file, line: lineOf(file) });
      assert.match(err.detail ?? '', /raise ValueError/);
    }
    assert.ok(Number.isFinite(await client.loss('train')), 'the ranks are still in step after the error');
    const pids = [...client.pids!];
    await client.shutdown();
    assert.deepEqual(client.exitStatus, { code: 0, signal: null });
    assert.deepEqual(pids.filter(isPidAlive), [], 'after a shutdown every rank has exited');
  } finally {
    await client.close();
  }
  await waitNoProcessWith(file);
});

test('a problem that cannot be sharded: code input saying what to add, at the user’s line; no rank left', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const cases: [string, RegExp, number | null][] = [
    ['bad/no_rank_keywords.py', /^rank 0: neumann_problem\(\) takes no 'rank' or 'world_size' keyword, but 2 ranks serve it: define it as neumann_problem\(rank=0, world_size=1, \.\.\.\)/, 1],
    ['bad/shard_without_sizes.py', /^rank 0: neumann_problem\(\) returned no 'train_size', but 2 ranks serve it: return "train_size" and "val_size"/, 1],
    ['bad/shard_other_model.py', /^rank 1’s model has the parameters .*0\.weight\[4, 2\].* rank 0’s .*0\.weight\[3, 2\].*every rank must build the same model/, null],
  ];
  for (const [name, message, markLine] of cases) {
    const file = copyFixture(name);
    const err = await rejection(BridgeClient.spawn({ python, problem: file, dtype: 'float64', distributed: TWO }));
    assert.equal(err.code, 'input', err.message);
    assert.match(err.message, message);
    if (markLine !== null) assert.deepEqual(err.where, { kind: 'file', file, line: lineOf(file) });
    await waitNoProcessWith(file);
  }
});

test('a rank with its own input error before the group forms (exit 2): code input naming it; rank 0 does not wait for it', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  // Mock: sitecustomize.py makes rank 1 fail as a missing device would (no CUDA here); the rest is real.
  const env = { ...process.env, PYTHONPATH: fixture('rank1_input_error') };
  const err = await rejection(BridgeClient.spawn({ python, problem: file, dtype: 'float64', distributed: TWO, env }));
  assert.equal(err.code, 'input');
  assert.equal(err.rank, 1);
  assert.equal(err.message, "rank 1: device 'cuda:1' asked for, but only 1 CUDA device(s) are visible");
  await waitNoProcessWith(file);
});

for (const killed of [1, 0]) {
  test(`rank ${killed} killed (SIGKILL) mid-request: code exited naming rank ${killed} and the signal; every rank gone`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const file = copyFixture('sharded_faults.py');
    let busy!: () => void;
    const sleeping = new Promise<void>((resolve) => (busy = resolve));
    const client = await faulty(python, file, 'sleep', killed, { onStderrLine: (l) => l.startsWith(`[rank ${killed}] SLEEPING`) && busy() });
    const pids = [...client.pids!];
    try {
      const pending = rejection(client.loss('val'));
      await sleeping;
      process.kill(pids[killed], 'SIGKILL');
      const err = await pending;
      assert.equal(err.code, 'exited');
      assert.equal(err.rank, killed);
      assert.deepEqual(err.exit, { code: null, signal: 'SIGKILL' });
      assert.match(err.message, new RegExp(`^rank ${killed} \\(pid ${pids[killed]}\\) was killed by SIGKILL`));
      for (const pid of pids) await waitGone(pid);
      assert.equal((await rejection(client.loss('train'))).message, err.message, 'later requests get the same error');
    } finally {
      await client.close();
    }
    await waitNoProcessWith(file);
  });
}

test('a rank killed while the ranks are idle: the next request names it; every rank gone', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  const client = await BridgeClient.spawn({ python, problem: file, dtype: 'float64', distributed: TWO });
  const pids = [...client.pids!];
  try {
    process.kill(pids[1], 'SIGKILL');
    for (const pid of pids) await waitGone(pid); // rank 0 saw its control connection close
    const err = await rejection(client.loss('train'));
    assert.equal(err.code, 'exited');
    assert.equal(err.rank, 1);
    assert.match(err.message, new RegExp(`^rank 1 \\(pid ${pids[1]}\\) was killed by SIGKILL`));
  } finally {
    await client.close();
  }
});

test('a rank that stalls past --timeout: the others stop waiting, every rank exits, the error says why', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  const client = await faulty(python, file, 'sleep', 1, { distributed: { ...TWO, timeoutSeconds: 5 } });
  const pids = [...client.pids!];
  try {
    const err = await rejection(client.loss('val'));
    assert.equal(err.code, 'exited');
    assert.match(err.message, /^the ranks stopped: all_reduce over 2 ranks failed: .*Timed out.* took longer than --timeout 5 s\)/);
    for (const pid of pids) await waitGone(pid);
  } finally {
    await client.close();
  }
});

test('close() while a rank computes ends every rank; the ranks share rank 0’s process group and their stderr lines carry the rank', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  const lines: string[] = [];
  let busy!: () => void;
  const sleeping = new Promise<void>((resolve) => (busy = resolve));
  const client = await faulty(python, file, 'sleep', 1, {
    onStderrLine: (l) => {
      lines.push(l);
      if (l.startsWith('[rank 1] SLEEPING')) busy();
    },
  });
  const pids = [...client.pids!];
  assert.deepEqual(pids.map(pgidOf), [pids[0], pids[0]]);
  const pending = rejection(client.loss('val'));
  await sleeping;
  await client.close();
  assert.deepEqual(pids.filter(isPidAlive), []);
  assert.equal((await pending).code, 'closed');
  assert.ok(lines.some((l) => /^\[rank 0\] neumann_lens: serving .*2 ranks, gloo/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /^\[rank 1\] neumann_lens: rank 1 of 2: serving its shard/.test(l)), lines.join('\n'));
  assert.deepEqual(processesWith(file), []);
});

// Every rank watches the parent pid, so none outlives the extension host or the CLI.
test('local ranks whose parent dies exit, even while one computes', { timeout: 120_000 }, async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = copyFixture('sharded_faults.py');
  const parent = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'orphan-parent.ts'), python, file, '2'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FAULT: 'sleep', FAULT_RANK: '1' },
  });
  const sleeping = new Promise<void>((resolve) => createInterface({ input: parent.stderr! }).on('line', (l) => l.includes('SLEEPING') && resolve()));
  const pids = (await new Promise<string>((resolve) => createInterface({ input: parent.stdout! }).once('line', resolve))).split(' ').map(Number);
  assert.equal(pids.length, 2);
  await sleeping;
  parent.kill('SIGKILL');
  for (const pid of pids) await waitGone(pid);
  await waitNoProcessWith(file);
});
