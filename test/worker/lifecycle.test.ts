/** Cancellation and orphans: no session outlives the one who asked for it. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SessionClient } from '../../src/session/client';
import type { Phase } from '../../src/protocol/messages';
import { ROOT, WORKER, ensureBuilt, longMlp, tempDir, waitGone, writeJson } from './helpers';

before(ensureBuilt);

async function cancelDuring(phase: Phase, config: Record<string, unknown>): Promise<void> {
  const dir = tempDir();
  const path = writeJson(dir, 'long.neumann.json', config);
  const client = new SessionClient({ workerPath: WORKER });
  let pid = -1;
  let cancelledAt: number | null = null;
  client.on('ready', (r) => (pid = r.pid));
  client.on('event', (e) => {
    if (cancelledAt === null && e.type === 'phase' && e.phase === phase) {
      cancelledAt = Date.now();
      client.cancel();
    }
  });
  const result = await client.start(config, path, { backend: 'cpu' });
  assert.notEqual(cancelledAt, null, `the session reached the ${phase} phase`);
  assert.equal(result.outcome, 'cancelled', JSON.stringify(result.error));
  assert.equal(result.report, null, 'no partial report');
  assert.ok(await waitGone(pid, 2000), 'the worker is gone within 2 s');
  await client.dispose();
}

test('cancel during training → outcome cancelled, process gone', () => cancelDuring('train', longMlp()));

test('cancel during the spectrum phase → outcome cancelled, process gone', () =>
  cancelDuring(
    'spectrum',
    // One training step, then an exact spectrum of ~4.4k parameters: thousands of HVPs.
    longMlp({ data: { synthetic: { kind: 'seed-regression', n: 300 } }, training: { epochs: 1, batchSize: 300, learningRate: 0.01 } }),
  ));

test('dispose is idempotent and ends a running session', async () => {
  const dir = tempDir();
  const config = longMlp();
  const client = new SessionClient({ workerPath: WORKER });
  let pid = -1;
  const ready = new Promise<void>((resolve) => client.on('ready', (r) => ((pid = r.pid), resolve())));
  const finished = client.start(config, writeJson(dir, 'd.neumann.json', config), { backend: 'cpu' });
  await ready;
  await Promise.all([client.dispose(), client.dispose()]);
  await client.dispose();
  assert.equal((await finished).outcome, 'cancelled');
  assert.ok(await waitGone(pid, 2000));
});

test('a host that is SIGKILLed takes its worker with it within a few seconds', async () => {
  const dir = tempDir();
  const config = longMlp();
  const path = writeJson(dir, 'orphan.neumann.json', config);
  const harness = spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'harness', 'hold-session.ts'), WORKER, path], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const workerPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    harness.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /PHASE train/.test(out) && /WORKER (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    harness.on('exit', () => reject(new Error(`harness exited early: ${out}`)));
  });
  harness.kill('SIGKILL');
  assert.ok(await waitGone(workerPid, 5000), `worker ${workerPid} outlived its host`);
});
