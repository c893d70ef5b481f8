/** Faults become messages: each ends a real worker session with a located, explained error. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionClient, type SessionResult } from '../../src/session/client';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORKER, ensureBuilt, tempDir, tinyMlp, writeJson } from './helpers';

before(ensureBuilt);

async function run(config: unknown, configPath: string | null, maxMemoryMb?: number): Promise<SessionResult> {
  const client = new SessionClient({ workerPath: WORKER, maxMemoryMb });
  const result = await client.start(config, configPath, { backend: 'cpu' });
  await client.dispose();
  return result;
}

test('a malformed config → an input error at its JSON path', async () => {
  const dir = tempDir();
  const config = tinyMlp({ neumann: { alpha: -1, terms: 10 } });
  const path = writeJson(dir, 'bad.neumann.json', config);
  const r = await run(config, path);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'input');
  assert.deepEqual(r.error?.where, { kind: 'json', file: path, path: 'neumann.alpha' });
  // The place travels as data, not inside the text (which a receiver would have to parse back).
  assert.equal(r.error!.message, 'expected a number > 0 or "auto" (got -1)');
  assert.equal(r.error!.more, undefined);
});

test('a config with several problems → each one with its own place, as data', async () => {
  const dir = tempDir();
  const config = tinyMlp({ neumann: { alpha: -1, terms: 10 }, training: { epochs: 2, batchSize: 0, learningRate: 0.05 }, bogus: true });
  const path = writeJson(dir, 'bad3.neumann.json', config);
  const r = await run(config, path);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'input');
  const problems = [{ message: r.error!.message, where: r.error!.where }, ...(r.error!.more ?? [])];
  const at = (p: string) => problems.filter((q) => q.where?.kind === 'json' && q.where.path === p);
  assert.equal(at('neumann.alpha').length, 1, JSON.stringify(problems));
  assert.equal(at('training.batchSize').length, 1, JSON.stringify(problems));
  assert.match(at('bogus')[0]?.message ?? '', /^unknown key 'bogus'/);
  for (const p of problems) {
    assert.deepEqual(p.where && p.where.kind === 'json' && p.where.file, path);
    assert.ok(!p.message.includes(path) && !p.message.includes('more problem'), p.message);
  }
});

test('a missing data file → an input error naming the path', async () => {
  const dir = tempDir();
  const config = tinyMlp({
    data: { train: { csv: 'nope.csv', target: 'y' }, validation: { csv: 'nope-either.csv', target: 'y' } },
    model: { layers: [1, 2, 1], activation: 'tanh' },
  });
  const path = writeJson(dir, 'missing.neumann.json', config);
  const r = await run(config, path);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'input');
  assert.match(r.error!.message, /nope\.csv/);
});

test('a huge learning rate → an error naming the epoch and the step', async () => {
  const dir = tempDir();
  const config = tinyMlp({ training: { epochs: 3, batchSize: 8, learningRate: 1e6 }, model: { layers: [1, 8, 1], activation: 'relu' } });
  const path = writeJson(dir, 'lr.neumann.json', config);
  const r = await run(config, path);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'input');
  assert.match(r.error!.message, /epoch \d+, step \d+/);
  assert.deepEqual(r.error?.where, { kind: 'json', path: 'training.learningRate' });
});

test('a tiny heap limit with a big model → an error that says memory ran out', async () => {
  // A 1-1000-1000-1 net imported from a PyTorch state_dict (1M weights, ~7 MB of JSON): parsing
  // it needs far more than a 24 MB heap, which is still enough for the worker to start and report.
  const dir = tempDir();
  const w = 1000;
  const row = (k: number): number[] => Array.from({ length: k }, (_, i) => ((i * 7919) % 1000) / 1e4 - 0.05);
  const stateDict = {
    '0.weight': Array.from({ length: w }, () => [0.01]),
    '0.bias': row(w),
    '2.weight': Array.from({ length: w }, () => row(w)),
    '2.bias': row(w),
    '4.weight': [row(w)],
    '4.bias': [0],
  };
  writeFileSync(join(dir, 'big.weights.json'), JSON.stringify(stateDict));
  const config = tinyMlp({
    name: 'too big',
    model: { layers: [1, w, w, 1], activation: 'tanh', init: { stateDict: 'big.weights.json' } },
  });
  const path = writeJson(dir, 'oom.neumann.json', config);
  const r = await run(config, path, 24);
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'oom', JSON.stringify(r.error));
  assert.match(r.error!.message, /ran out of memory \(heap limit 24 MB\)/);
  assert.match(r.error!.message, /neumannLens\.worker\.maxMemoryMb/);
});

test('a worker that cannot start → an error with its exit code and stderr, not a hang', async () => {
  const client = new SessionClient({ workerPath: '/nonexistent/worker.js' });
  const r = await client.start({}, null, { backend: 'cpu' });
  assert.equal(r.outcome, 'failed');
  assert.equal(r.error?.code, 'worker-exit');
  assert.match(r.error!.message, /exited with code 1/);
  assert.match(r.error!.message, /Cannot find module/);
});
