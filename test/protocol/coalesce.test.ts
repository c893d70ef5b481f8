import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventCoalescer, type CoalescerClock } from '../../src/protocol/coalesce';
import type { SessionEvent } from '../../src/protocol/messages';

/** A manual clock: time moves only when the test says so, timers fire when their time is reached. */
class ManualClock implements CoalescerClock {
  t = 0;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  now(): number {
    return this.t;
  }
  setTimer(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  }
  clearTimer(h: unknown): void {
    this.timers = this.timers.filter((x) => x.id !== h);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.t = next.at;
      next.fn();
    }
    this.t = end;
  }
}

const step = (i: number): SessionEvent => ({ type: 'trainStep', epoch: 0, step: i, stepsPerEpoch: 1000, loss: 1 / (i + 1) });

test('a burst of train steps is cut to at most one per 50 ms window, keeping the latest', () => {
  const clock = new ManualClock();
  const out: SessionEvent[] = [];
  const c = new EventCoalescer((e) => out.push(e), 50, clock);
  // 1000 steps, one every 0.5 ms → 500 ms of session time.
  for (let i = 0; i < 1000; i++) {
    c.push(step(i));
    clock.advance(0.5);
  }
  c.close();
  // 500 ms at ≤ 20/s gives at most 10 windows, plus the first immediate one and the final flush.
  assert.ok(out.length <= 12, `emitted ${out.length}`);
  assert.ok(out.length >= 9, `emitted ${out.length}`);
  assert.deepEqual((out[0] as { step: number }).step, 0);
  assert.equal((out.at(-1) as { step: number }).step, 999, 'the last step is never lost');
  const steps = out.map((e) => (e as { step: number }).step);
  assert.deepEqual(steps, [...steps].sort((a, b) => a - b), 'order preserved');
});

test('no two step-level emissions of one kind are closer than the window', () => {
  const clock = new ManualClock();
  const times: number[] = [];
  const c = new EventCoalescer(() => times.push(clock.t), 50, clock);
  for (let i = 0; i < 400; i++) {
    c.push(step(i));
    clock.advance(i % 7 === 0 ? 13 : 1);
  }
  clock.advance(100);
  for (let i = 1; i < times.length; i++) assert.ok(times[i] - times[i - 1] >= 50 - 1e-9, `gap ${times[i] - times[i - 1]}`);
});

test('no more than 20 step-level messages a second in total, whatever the number of kinds', () => {
  const clock = new ManualClock();
  const out: { t: number; e: SessionEvent }[] = [];
  const c = new EventCoalescer((e) => out.push({ t: clock.t, e }), 50, clock);
  // One second of a busy session: a train step, a progress update and a spectrum step every ms.
  for (let i = 0; i < 1000; i++) {
    c.push(step(i));
    c.push({ type: 'progress', phase: 'train', fraction: i / 1000 });
    c.push({ type: 'spectrumStep', method: 'lanczos', step: i, hvps: i });
    clock.advance(1);
  }
  const inFirstSecond = out.filter((x) => x.t < 1000);
  assert.ok(inFirstSecond.length <= 20, `${inFirstSecond.length} messages`);
  assert.ok(inFirstSecond.length >= 18, `${inFirstSecond.length} messages`);
  // Every kind got its turn, and what arrives is the latest of its kind at that moment.
  for (const type of ['trainStep', 'progress', 'spectrumStep']) {
    assert.ok(inFirstSecond.filter((x) => x.e.type === type).length >= 5, type);
  }
  // (Timers fire before that millisecond's push, so the latest is from t − 1 or t.)
  for (const x of inFirstSecond.filter((x) => x.e.type === 'trainStep')) {
    const s = (x.e as { step: number }).step;
    assert.ok(s === x.t || s === x.t - 1, `step ${s} at ${x.t}`);
  }
});

test('phase, epoch, neumannTerm and log are never dropped; a phase change flushes the previous phase first', () => {
  const clock = new ManualClock();
  const out: SessionEvent[] = [];
  const c = new EventCoalescer((e) => out.push(e), 50, clock);
  c.push({ type: 'phase', phase: 'train', label: 'Training', fraction: 0 });
  c.push(step(0));
  c.push(step(1));
  c.push(step(2));
  c.push({ type: 'epoch', epoch: 0, trainLoss: 1, validationLoss: 2 });
  c.push({ type: 'progress', phase: 'train', fraction: 0.4 });
  c.push({ type: 'phase', phase: 'neumann', label: 'Neumann', fraction: 0.5 });
  for (let t = 0; t < 30; t++) c.push({ type: 'neumannTerm', term: t, norm: t, residual: 1, growth: null, head: [t] });
  c.push({ type: 'log', level: 'info', text: 'x' });
  c.close();
  const types = out.map((e) => e.type);
  assert.deepEqual(types.slice(0, 6), ['phase', 'trainStep', 'epoch', 'trainStep', 'progress', 'phase']);
  assert.equal((out[1] as { step: number }).step, 0);
  assert.equal((out[3] as { step: number }).step, 2, 'the latest pending step, before the next phase');
  assert.equal(types.filter((t) => t === 'neumannTerm').length, 30);
  assert.equal(types.at(-1), 'log');
});

test('kinds waiting at once take turns, oldest first, each the latest of its kind', () => {
  const clock = new ManualClock();
  const out: SessionEvent[] = [];
  const c = new EventCoalescer((e) => out.push(e), 50, clock);
  c.push({ type: 'progress', phase: 'spectrum', fraction: 0 });
  c.push({ type: 'spectrumStep', method: 'power-max', step: 1, hvps: 1 });
  c.push({ type: 'spectrumStep', method: 'power-max', step: 2, hvps: 2 });
  c.push({ type: 'spectrumStep', method: 'power-min', step: 1, hvps: 3 });
  c.push({ type: 'progress', phase: 'spectrum', fraction: 0.5 });
  clock.advance(60);
  assert.equal(out.length, 2, 'one message per window');
  clock.advance(200);
  assert.deepEqual(
    out.map((e) => [e.type, (e as { method?: string }).method, (e as { step?: number }).step, (e as { fraction?: number }).fraction]),
    [
      ['progress', undefined, undefined, 0],
      ['spectrumStep', 'power-max', 2, undefined],
      ['spectrumStep', 'power-min', 1, undefined],
      ['progress', undefined, undefined, 0.5],
    ],
  );
});

test('after close nothing more is emitted', () => {
  const clock = new ManualClock();
  const out: SessionEvent[] = [];
  const c = new EventCoalescer((e) => out.push(e), 50, clock);
  c.push(step(0));
  c.close();
  c.close();
  c.push(step(1));
  clock.advance(200);
  assert.equal(out.length, 1);
});
