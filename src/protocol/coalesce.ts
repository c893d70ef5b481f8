/**
 * Coalesces step-level session events so a fast session cannot flood the IPC channel or the
 * panel: at most one emission of step-level events per window (50 ms → ≤ 20 messages/s), keeping
 * only the latest of each kind. Events a consumer needs every one of (phase, epoch, neumannTerm,
 * log, and the worker's report/error/exit, which never pass through here) are forwarded at once,
 * after whatever step-level events are pending so the order of the stream is preserved.
 */
import type { SessionEvent } from './messages';

export interface CoalescerClock {
  now(): number;
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
}

const realClock: CoalescerClock = {
  now: () => performance.now(),
  setTimer: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending flush must not keep a finished process alive; flush() is called at the end anyway.
    t.unref?.();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export const COALESCE_WINDOW_MS = 50;

/** Step-level events may be dropped in favour of a later one of the same key. */
export function coalesceKey(e: SessionEvent): string | null {
  switch (e.type) {
    case 'trainStep':
      return 'trainStep';
    case 'progress':
      return `progress:${e.phase}`;
    case 'spectrumStep':
      return `spectrumStep:${e.method}`;
    default:
      return null;
  }
}

export class EventCoalescer {
  /** Insertion-ordered: a flush emits kinds in the order they first arrived in the window. */
  private pending = new Map<string, SessionEvent>();
  private lastEmit = -Infinity;
  private timer: unknown = null;
  private closed = false;

  constructor(
    private readonly emit: (e: SessionEvent) => void,
    private readonly windowMs = COALESCE_WINDOW_MS,
    private readonly clock: CoalescerClock = realClock,
  ) {}

  push(e: SessionEvent): void {
    if (this.closed) return;
    const key = coalesceKey(e);
    if (key === null) {
      this.flush();
      this.emit(e);
      return;
    }
    const now = this.clock.now();
    if (this.pending.size === 0 && now - this.lastEmit >= this.windowMs) {
      this.lastEmit = now;
      this.emit(e);
      return;
    }
    // Re-inserting keeps the first-arrival position, which is what we want for ordering.
    this.pending.set(key, e);
    if (this.timer === null) {
      const wait = Math.max(0, this.lastEmit + this.windowMs - now);
      this.timer = this.clock.setTimer(() => {
        this.timer = null;
        this.flush();
      }, wait);
    }
  }

  /** Emits everything pending now (before a must-keep event, and at the end of a session). */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimer(this.timer);
      this.timer = null;
    }
    if (this.pending.size === 0) return;
    const events = [...this.pending.values()];
    this.pending.clear();
    this.lastEmit = this.clock.now();
    for (const e of events) this.emit(e);
  }

  /** Flushes and stops forwarding (later pushes are ignored). Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
  }
}
