/**
 * The worker through SessionClient, as the extension uses it: real child processes running the
 * built dist/worker.js, compared against the CLI (the same session code path, in-process).
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SessionClient, type SessionResult } from '../../src/session/client';
import type { SessionEvent } from '../../src/protocol/messages';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { CLI, ROOT, WORKER, comparable, ensureBuilt, tempDir, tinyMlp, waitGone, writeJson } from '../worker/helpers';

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

/** The CLI's report for the same experiment, which must exit with `exitCode`. */
function cliReport(configPath: string, dir: string, exitCode: number): unknown {
  const out = join(dir, `cli-${Date.now()}.json`);
  const r = spawnSync(process.execPath, [CLI, 'diagnose', configPath, '--json', out, '--backend', 'cpu', '--quiet'], { encoding: 'utf8' });
  assert.equal(r.status, exitCode, `cli exit ${r.status}: ${r.stderr}`);
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

  // This seeded net has λ_max ≈ 6.2 > 2/α = 4 (ρ ≈ 2.1): it diverges, so the CLI exits 3.
  assert.equal(result.report.advice.verdict, 'diverges-step-too-large');
  assert.deepEqual(comparable(result.report), comparable(cliReport(path, dir, 3)));
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

/**
 * The real worker only sends well-formed messages, so a misbehaving one is simulated by a small
 * script (test/worker/harness/misbehaving-worker.ts, a real child process): it says `ready`, then on `start`
 * sends what MISBEHAVE names and stays alive, so only the client can end the session.
 */
const MISBEHAVING = join(__dirname, '..', 'worker', 'harness', 'misbehaving-worker.ts');

async function misbehaving(what: string): Promise<{ result: SessionResult; pid: number; errors: unknown[] }> {
  const client = new SessionClient({ workerPath: MISBEHAVING, env: { MISBEHAVE: what, NODE_OPTIONS: '--import tsx' }, cwd: ROOT, killAfterMs: 60_000 });
  let pid = -1;
  const errors: unknown[] = [];
  client.on('ready', (r) => (pid = r.pid));
  client.on('error', (e) => errors.push(e));
  const result = await client.start(tinyMlp(), null, { backend: 'cpu' });
  await client.dispose();
  return { result, pid, errors };
}

for (const [what, field] of [
  ['term-without-growth', /^malformed message from the worker: message\.growth: missing \(expected a number or null\)$/],
  ['unknown-type', /^malformed message from the worker: message\.type: unknown type "telemetry" \(expected one of "ready", "phase", /],
  ['bad-report', /^malformed message from the worker: message\.report\.neumann\.termNorms\[1\]: expected a number, got "big"$/],
  ['bad-error', /^malformed message from the worker: message\.error\.where\.line: expected an integer, got "3"$/],
] as const) {
  test(`a malformed message from the worker (${what}) ends the session as failed, naming the field`, { timeout: 30_000 }, async () => {
    const { result, pid, errors } = await misbehaving(what);
    assert.equal(result.outcome, 'failed');
    assert.equal(result.error?.code, 'protocol');
    assert.match(result.error!.message, field);
    assert.equal(result.report, null);
    assert.deepEqual(errors, [result.error], 'the error event fired once, with the same error');
    // The script would have waited forever: the client killed it.
    assert.equal(result.signal, 'SIGKILL');
    assert.ok(await waitGone(pid, 2000));
  });
}

test('a worker of another protocol version ends the session as failed before `start`', { timeout: 30_000 }, async () => {
  const { result } = await misbehaving('old-protocol');
  assert.equal(result.outcome, 'failed');
  assert.deepEqual(result.error, { message: 'worker speaks protocol 0, this host 1: rebuild the extension', code: 'protocol' });
});
