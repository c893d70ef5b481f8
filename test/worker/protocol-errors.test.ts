/**
 * No silent ignores: every message the worker cannot act on gets an `error` reply naming the
 * field, and the session ends (`exit` failed, the process gone), so a caller never waits for an
 * answer that will not come. Each case runs the built dist/worker.js as a real child process.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fork } from 'node:child_process';
import { problemIn } from '../../src/protocol/check';
import { WorkerToHost } from '../../src/protocol/messages';
import { WORKER, ensureBuilt, longMlp, tempDir, tinyMlp, waitGone, writeJson } from './helpers';

before(ensureBuilt);

interface Conversation {
  received: WorkerToHost[];
  exitCode: number | null;
  pid: number;
}

/**
 * Forks the worker, and once it is `ready` sends `first`; `then` may send more once a message
 * arrives. Resolves when the worker process has exited.
 */
function converse(first: unknown, then?: (m: WorkerToHost, send: (msg: unknown) => void) => void): Promise<Conversation> {
  const child = fork(WORKER, ['--backend', 'cpu'], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
  const received: WorkerToHost[] = [];
  const send = (msg: unknown): void => void child.send(msg as never);
  child.on('message', (m) => {
    assert.equal(problemIn(WorkerToHost, m, 'message'), null, `the worker sent a valid message: ${JSON.stringify(m)}`);
    const msg = m as WorkerToHost;
    received.push(msg);
    if (msg.type === 'ready') send(first);
    else then?.(msg, send);
  });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ received, exitCode: code, pid: child.pid! })));
}

// Without an answer the worker would wait for ever: the timeouts turn that into a failure.

/** The conversation ended with one protocol error naming `field`, then `exit` failed. */
function assertRejected(c: Conversation, field: RegExp): void {
  const errors = c.received.filter((m) => m.type === 'error');
  assert.equal(errors.length, 1, JSON.stringify(c.received));
  const error = errors[0].type === 'error' ? errors[0].error : null;
  assert.equal(error?.code, 'protocol');
  assert.match(error!.message, field);
  assert.deepEqual(c.received.at(-1), { type: 'exit', outcome: 'failed' });
  assert.equal(c.received.some((m) => m.type === 'report'), false, 'no report');
  assert.equal(c.exitCode, 1);
}

const config = tinyMlp({ name: 'protocol' });

const cases: [string, unknown, RegExp][] = [
  ['a `start` without `options`', { type: 'start', config, configPath: null }, /^malformed message from the host: message\.options: missing \(expected an object\)$/],
  [
    'a `start` whose configPath is a number',
    { type: 'start', config, configPath: 7, options: { backend: 'cpu' } },
    /^malformed message from the host: message\.configPath: expected a string or null, got 7$/,
  ],
  [
    'a `start` with an unknown backend',
    { type: 'start', config, configPath: null, options: { backend: 'gpu' } },
    /message\.options\.backend: expected one of "auto", "tensorflow", "wasm", "cpu", got "gpu"$/,
  ],
  [
    'a `start` with a misspelt option',
    { type: 'start', config, configPath: null, options: { backend: 'cpu', exactMaxParam: 10 } },
    /^malformed message from the host: message\.options\.exactMaxParam: unknown field \(expected one of "backend", "exactMaxParams", "python"\)$/,
  ],
  [
    'a `start` with a key of no message',
    { type: 'start', config, configPath: null, options: { backend: 'cpu' }, priority: 'high' },
    /^malformed message from the host: message\.priority: unknown field \(expected one of "type", "config", "configPath", "options"\)$/,
  ],
  [
    'a `start` whose interpreter has no path',
    { type: 'start', config, configPath: null, options: { backend: 'cpu', python: { override: { source: '--python' } } } },
    /^malformed message from the host: message\.options\.python\.override\.path: missing \(expected a string\)$/,
  ],
  ['a `cancel` with a field it does not have', { type: 'cancel', reason: 'bored' }, /^malformed message from the host: message\.reason: unknown field \(expected one of "type"\)$/],
  ['an unknown message type', { type: 'bogus' }, /^malformed message from the host: message\.type: unknown type "bogus" \(expected one of "start", "cancel"\)$/],
  ['a message without a type', { config }, /message\.type: missing/],
  ['a number instead of a message', 42, /^malformed message from the host: message: expected an object with "type" one of "start", "cancel", got 42$/],
  ['null', null, /message: expected an object .*got null$/],
];

for (const [what, message, field] of cases) {
  test(`${what} → an error naming the field, and the session ends`, { timeout: 30_000 }, async () => {
    const c = await converse(message);
    assertRejected(c, field);
    assert.ok(await waitGone(c.pid, 2000));
  });
}

test('a second `start` while the first runs → an error, and the session ends as failed', { timeout: 60_000 }, async () => {
  const dir = tempDir();
  const long = longMlp();
  const path = writeJson(dir, 'long.neumann.json', long);
  const start = { type: 'start', config: long, configPath: path, options: { backend: 'cpu' } };
  let sentSecond = false;
  const c = await converse(start, (m, send) => {
    // Once the first session is visibly running, start again.
    if (!sentSecond && m.type === 'phase' && m.phase === 'train') {
      sentSecond = true;
      send(start);
    }
  });
  assert.ok(sentSecond, 'the first session reached training');
  assertRejected(c, /^a second "start": a worker runs one session, and this one is running$/);
});

test('a `start` whose config is not an experiment → an input error at its JSON path, and the session ends', { timeout: 30_000 }, async () => {
  const c = await converse({ type: 'start', config: { ...config, neumann: { alpha: 0.5, terms: 'ten' } }, configPath: null, options: { backend: 'cpu' } });
  const errors = c.received.filter((m) => m.type === 'error');
  assert.equal(errors.length, 1, JSON.stringify(c.received));
  const error = errors[0].type === 'error' ? errors[0].error : null;
  assert.equal(error?.code, 'input');
  assert.equal(error?.where?.kind, 'json', JSON.stringify(error));
  assert.equal(error.where.kind === 'json' ? error.where.path : null, 'neumann.terms');
  assert.match(error!.message, /must be an integer \(got "ten"\)/);
  assert.deepEqual(c.received.at(-1), { type: 'exit', outcome: 'failed' });
  assert.equal(c.exitCode, 1);
});

test('a well-formed session still completes (the rejection is not a false alarm)', async () => {
  const dir = tempDir();
  const path = writeJson(dir, 'ok.neumann.json', config);
  const c = await converse({ type: 'start', config, configPath: path, options: { backend: 'cpu' } });
  assert.equal(c.received.filter((m) => m.type === 'error').length, 0, JSON.stringify(c.received.filter((m) => m.type === 'error')));
  assert.ok(c.received.some((m) => m.type === 'report' && m.report.name === 'protocol'));
  assert.deepEqual(c.received.at(-1), { type: 'exit', outcome: 'completed' });
  assert.equal(c.exitCode, 0);
});
