/**
 * The worker through SessionClient, as the extension uses it: real child processes running the
 * built dist/worker.js, compared against the CLI (the same session code path, in-process).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionClient, type SessionResult } from '../../src/session/client';
import { WorkerToHost, type SessionEvent } from '../../src/protocol/messages';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { CLI, WORKER, comparable, ensureBuilt, tempDir, tinyMlp, waitGone, writeJson } from './helpers';

before(ensureBuilt);

async function runClient(config: unknown, configPath: string | null): Promise<{ result: SessionResult; events: SessionEvent[]; pid: number; readyBackend: string | null }> {
  const client = new SessionClient({ workerPath: WORKER });
  const events: SessionEvent[] = [];
  let pid = -1;
  let readyBackend: string | null = null;
  client.on('ready', (r) => ((pid = r.pid), (readyBackend = r.backend)));
  client.on('event', (e) => events.push(e));
  const result = await client.start(config, configPath, { backend: 'cpu' });
  await client.dispose();
  return { result, events, pid, readyBackend };
}

function cliReport(configPath: string, dir: string): unknown {
  const out = join(dir, `cli-${Date.now()}.json`);
  const r = spawnSync(process.execPath, [CLI, 'diagnose', configPath, '--json', out, '--backend', 'cpu', '--quiet'], { encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 3, `cli exit ${r.status}: ${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8'));
}

test('start → the full event stream → a report equal to what the CLI produces for the same config', async () => {
  const dir = tempDir();
  const config = tinyMlp();
  const path = writeJson(dir, 'tiny.neumann.json', config);
  const { result, events, pid, readyBackend } = await runClient(config, path);
  assert.equal(result.outcome, 'completed', JSON.stringify(result.error));
  assert.equal(readyBackend, 'cpu', '`ready` names the backend chosen at fork time');
  assert.equal(result.report?.backend, 'cpu');
  assert.equal(problemIn(DiagnosisReport, result.report, 'report'), null);
  assert.equal(result.exitCode, 0);
  assert.ok(await waitGone(pid, 2000), 'the worker exits after its session');

  const phases = events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
  for (const p of ['train', 'spectrum', 'neumann']) assert.ok(phases.includes(p), `phase ${p} in ${phases}`);
  const terms = events.filter((e) => e.type === 'neumannTerm') as Extract<SessionEvent, { type: 'neumannTerm' }>[];
  // Every term arrives (never coalesced away), with the numbers the report ends up with.
  assert.deepEqual(
    terms.map((t) => t.norm),
    result.report.neumann.termNorms,
  );
  assert.ok(events.some((e) => e.type === 'trainStep'));
  assert.ok(events.some((e) => e.type === 'epoch'));

  assert.deepEqual(comparable(result.report), comparable(cliReport(path, dir)));
});

test('two sessions side by side do not interfere', async () => {
  const dir = tempDir();
  const a = tinyMlp({ name: 'A', seed: 11 });
  const b = tinyMlp({ name: 'B', seed: 12, model: { layers: [1, 3, 1], activation: 'tanh' } });
  const pa = writeJson(dir, 'a.neumann.json', a);
  const pb = writeJson(dir, 'b.neumann.json', b);
  const [ra, rb] = await Promise.all([runClient(a, pa), runClient(b, pb)]);
  assert.equal(ra.result.outcome, 'completed');
  assert.equal(rb.result.outcome, 'completed');
  assert.notEqual(ra.pid, rb.pid);
  assert.equal(ra.result.report!.name, 'A');
  assert.equal(rb.result.report!.name, 'B');
  assert.equal(ra.result.report!.params, 1 * 4 + 4 + 4 + 1);
  assert.equal(rb.result.report!.params, 1 * 3 + 3 + 3 + 1);
  // Each equals the same session run alone.
  const alone = await runClient(a, pa);
  assert.deepEqual(comparable(ra.result.report), comparable(alone.result.report));
});

test('malformed inbound messages are logged and ignored; the worker keeps working', async () => {
  const dir = tempDir();
  const config = tinyMlp({ name: 'after garbage' });
  const path = writeJson(dir, 'g.neumann.json', config);
  const child = fork(WORKER, [], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const received: WorkerToHost[] = [];
  const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  child.on('message', (m) => {
    assert.equal(problemIn(WorkerToHost, m, 'message'), null, `worker sent a valid message: ${JSON.stringify(m)}`);
    received.push(m as WorkerToHost);
    if ((m as WorkerToHost).type === 'ready') {
      for (const junk of [42, 'start', null, { type: 'bogus' }, { type: 'start' }, { type: 'start', config, configPath: 7, options: { backend: 'cpu' } }]) {
        child.send(junk as never);
      }
      child.send({ type: 'start', config, configPath: path, options: { backend: 'cpu' } });
    }
  });
  await done;
  const warnings = received.filter((m) => m.type === 'log' && m.level === 'warn');
  assert.ok(warnings.length >= 5, `warned about the junk: ${JSON.stringify(warnings)}`);
  assert.ok(warnings.every((w) => /malformed message/.test((w as { text: string }).text)));
  const report = received.find((m) => m.type === 'report');
  assert.ok(report && report.type === 'report' && report.report.name === 'after garbage');
  assert.deepEqual(received.at(-1), { type: 'exit', outcome: 'completed' });
});
