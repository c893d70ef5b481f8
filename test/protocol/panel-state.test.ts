import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeNonFinite, reviveNonFinite } from '../../src/protocol/non-finite';
import { appendDecimated, emptyPanelState, HISTORY_CAP, reducePanelState } from '../../src/protocol/panel-state';
import type { HostToPanel, PanelState } from '../../src/protocol/webview';

const fold = (msgs: HostToPanel[], s: PanelState = emptyPanelState()) => msgs.reduce(reducePanelState, s);
const started: HostToPanel = { type: 'sessionStarted', id: 7, name: 'seed', experimentFile: '/x/seed.neumann.json' };

test('sessionStarted resets the state and marks the session running', () => {
  const s = fold([started]);
  assert.deepEqual(s.session, {
    id: 7, name: 'seed', experimentFile: '/x/seed.neumann.json', status: 'running', phase: null, phaseLabel: null, fraction: 0,
  });
  assert.deepEqual(s.trainSteps, []);
});

test('events of another session id are ignored, and the input state is never mutated', () => {
  const s = fold([started]);
  const frozen = JSON.stringify(s);
  const t = reducePanelState(s, { type: 'event', id: 8, event: { type: 'phase', phase: 'train', label: 'Training', fraction: 0.5 } });
  assert.equal(t, s);
  const u = reducePanelState(s, { type: 'event', id: 7, event: { type: 'phase', phase: 'train', label: 'Training', fraction: 0.5 } });
  assert.equal(JSON.stringify(s), frozen);
  assert.equal(u.session?.phaseLabel, 'Training');
  assert.equal(u.session?.fraction, 0.5);
});

test('progress clamps the fraction; sessionEnded records outcome and error', () => {
  let s = fold([started, { type: 'event', id: 7, event: { type: 'progress', phase: 'spectrum', fraction: 1.7 } }]);
  assert.equal(s.session?.fraction, 1);
  assert.equal(s.session?.phase, 'spectrum');
  const error = { message: 'boom', code: 'input' as const, where: { kind: 'json' as const, path: 'neumann.alpha' } };
  s = reducePanelState(s, { type: 'sessionEnded', id: 7, outcome: 'failed', error });
  assert.equal(s.session?.status, 'failed');
  assert.deepEqual(s.error, error);
});

test('a snapshot replaces the state wholesale', () => {
  const snap = fold([started]);
  const s = reducePanelState(emptyPanelState(), { type: 'snapshot', state: snap });
  assert.deepEqual(s, snap);
});

test('train steps are decimated uniformly under the cap and keep the newest step', () => {
  const stepsPerEpoch = 32;
  const total = 3 * HISTORY_CAP + 17;
  let s = fold([started]);
  for (let g = 0; g < total; g++) {
    const ev = { type: 'trainStep' as const, epoch: Math.floor(g / stepsPerEpoch), step: g % stepsPerEpoch, stepsPerEpoch, loss: 1 / (g + 1) };
    s = reducePanelState(s, { type: 'event', id: 7, event: ev });
  }
  const gs = s.trainSteps.map((p) => p.epoch * p.stepsPerEpoch + p.step);
  assert.ok(gs.length <= HISTORY_CAP, `kept ${gs.length}`);
  assert.ok(gs.length >= HISTORY_CAP / 2, `kept ${gs.length}`);
  assert.equal(gs[gs.length - 1], total - 1);
  // Independent expectation: one point per 2^k steps, the smallest 2^k that leaves room for the newest step.
  let stride = 1;
  while (Math.ceil(total / stride) > HISTORY_CAP - 1) stride *= 2;
  const grid = gs.slice(0, -1);
  for (let i = 0; i < grid.length; i++) assert.equal(grid[i], i * stride);
  assert.equal(s.trainSteps[0].loss, 1);
});

test('appendDecimated falls back to dropping the oldest point when the index does not increase', () => {
  let list: number[] = [];
  for (let i = 0; i < 10; i++) list = appendDecimated(list, 5, (x) => x, 4);
  assert.equal(list.length, 4);
});

test('irregular (coalesced) indices stay under the cap, increasing, without holes wider than two buckets', () => {
  const cap = 100;
  let list: number[] = [];
  const input: number[] = [];
  let x = 0;
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    x += 1 + (seed % 7);
    input.push(x);
    list = appendDecimated(list, x, (v) => v, cap);
    assert.ok(list.length <= cap);
  }
  assert.equal(list[0], input[0]);
  assert.equal(list[list.length - 1], x);
  for (let i = 1; i < list.length; i++) assert.ok(list[i] > list[i - 1]);
  let w = 1;
  while (Math.ceil((x - input[0] + 1) / w) > cap - 1) w *= 2;
  for (let i = 1; i < list.length; i++) assert.ok(list[i] - list[i - 1] < 2 * w + 7, `gap ${list[i] - list[i - 1]} vs w ${w}`);
  assert.ok(list.length >= cap / 2 - 1, `kept ${list.length}`);
});

test('non-finite numbers survive a JSON round trip when tagged; other values are untouched', () => {
  const value = { a: [1, Infinity, -Infinity, NaN, null], b: { c: 'x', d: -0.5, e: undefined }, f: { $nonFinite: 'bogus' } };
  const back = reviveNonFinite(JSON.parse(JSON.stringify(encodeNonFinite(value))));
  assert.deepEqual(back, { a: [1, Infinity, -Infinity, NaN, null], b: { c: 'x', d: -0.5 }, f: { $nonFinite: 'bogus' } });
  assert.equal(JSON.stringify(encodeNonFinite([Infinity])), '[{"$nonFinite":"Infinity"}]');
});

test('sessionStarted may carry α, so 2/α can be marked before the report; the guard accepts it and rejects a non-number', async () => {
  const { problemIn } = await import('../../src/protocol/check');
  const { HostToPanel } = await import('../../src/protocol/webview');
  const msg = { type: 'sessionStarted', id: 1, name: 'x', experimentFile: null, alpha: 0.5 } as const;
  assert.equal(problemIn(HostToPanel, msg, 'message'), null);
  assert.equal(problemIn(HostToPanel, { ...msg, alpha: 'fast' }, 'message'), 'message.alpha: expected a number, got "fast"');
  const s = reducePanelState(emptyPanelState(), msg);
  assert.equal(s.session?.alpha, 0.5);
  assert.equal(reducePanelState(emptyPanelState(), { ...msg, alpha: undefined }).session?.alpha, undefined);
});
