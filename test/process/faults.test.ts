/** How faults are worded, without processes: V8's OOM text, exits, and thrown errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidExperimentError } from '../../src/core/config/load';
import { DivergedTrainingError, InputError } from '../../src/core/errors';
import { OutOfMemoryError, errorToInfo, stderrSaysOutOfMemory, workerExitInfo } from '../../src/process/faults';
import { TailBuffer } from '../../src/process/tail-buffer';

// What V8 prints when --max-old-space-size is exhausted (Node 20), abridged.
const V8_OOM = `<--- Last few GCs --->
[123:0x5a]   961 ms: Mark-Compact 23.1 (25.3) -> 22.9 (25.5) MB, 40.6 / 0.0 ms  (average mu = 0.1) allocation failure; scavenge might not succeed
FATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory
 1: 0xb7c2d0 node::Abort() [node]`;

test('V8 heap exhaustion on stderr is recognised; other crashes are not', () => {
  assert.ok(stderrSaysOutOfMemory(V8_OOM));
  assert.ok(stderrSaysOutOfMemory('FATAL ERROR: Ineffective mark-compacts near heap limit Allocation failed'));
  assert.ok(!stderrSaysOutOfMemory('TypeError: cannot read properties of undefined'));
});

test('a worker exit becomes oom with the limit and the setting, or worker-exit with code/signal and stderr tail', () => {
  const oom = workerExitInfo(null, 'SIGABRT', V8_OOM, 64);
  assert.equal(oom.code, 'oom');
  assert.match(oom.message, /ran out of memory \(heap limit 64 MB\)/);
  assert.match(oom.message, /neumannLens\.worker\.maxMemoryMb/);
  const crash = workerExitInfo(7, null, 'line 1\nboom: something broke\n', null);
  assert.equal(crash.code, 'worker-exit');
  assert.match(crash.message, /exited with code 7 without a report/);
  assert.match(crash.message, /boom: something broke/);
  const killed = workerExitInfo(null, 'SIGKILL', '', null);
  assert.match(killed.message, /was killed by SIGKILL without a report\. It wrote nothing to stderr\./);
});

test('thrown errors map to codes: input keeps its location, diverged training names epoch and step', () => {
  const input = errorToInfo(new InputError('must be > 0 (got -1)', { kind: 'json', file: '/e.json', path: 'neumann.alpha' }));
  // The place as data, the message without it, no stack (bad input is not a bug).
  assert.deepEqual(input, { message: 'must be > 0 (got -1)', where: { kind: 'json', file: '/e.json', path: 'neumann.alpha' }, code: 'input' });
  assert.deepEqual(errorToInfo(new InputError('no place')), { message: 'no place', code: 'input' });
  const nan = errorToInfo(new DivergedTrainingError(2, 17, NaN));
  assert.equal(nan.code, 'input');
  assert.match(nan.message, /epoch 2, step 17/);
  assert.equal(errorToInfo(new OutOfMemoryError('out')).code, 'oom');
  assert.equal(errorToInfo(new RangeError('Array buffer allocation failed')).code, 'oom');
  const bug = errorToInfo(new TypeError('x is undefined'));
  assert.equal(bug.code, 'internal');
  assert.ok(bug.stack?.includes('TypeError'));
  assert.equal(errorToInfo('a string').code, 'internal');
});

test('an error standing for several problems keeps each with its place: the first, then `more`', () => {
  const problems = [
    new InputError('must be > 0 (got -1)', { kind: 'json', file: '/e.json', path: 'neumann.alpha' }),
    new InputError("'x' is not a number", { kind: 'file', file: '/d.csv', line: 4, column: 2 }),
    new InputError('no place'),
  ];
  const info = errorToInfo(new InvalidExperimentError(problems));
  assert.deepEqual(info, {
    message: 'must be > 0 (got -1)',
    where: { kind: 'json', file: '/e.json', path: 'neumann.alpha' },
    code: 'input',
    more: [{ message: "'x' is not a number", where: { kind: 'file', file: '/d.csv', line: 4, column: 2 } }, { message: 'no place' }],
  });
});

test('TailBuffer keeps the last characters only', () => {
  const t = new TailBuffer(10);
  for (let i = 0; i < 100; i++) t.push(String(i % 10));
  assert.equal(t.value, '0123456789');
  assert.equal(t.value.length, 10);
});
