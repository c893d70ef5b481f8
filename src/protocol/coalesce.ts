/**
 * Coalesces step-level session events so a fast session cannot flood the IPC channel or the
 * panel: at most one step-level message per 50 ms window in total (≤ 20 messages/s), keeping only
 * the latest event of each kind; kinds waiting at once take turns, oldest first. Events a consumer
 * needs every one of (phase, epoch, neumannTerm, log — and the worker's report/error/exit, which
 * never pass through here) are forwarded at once. A phase change first flushes what is pending,
 * so no step of a finished phase arrives after the next phase has begun.
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
  /** Latest pending event per key, in order of first arrival (Map keeps insertion order). */
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
      if (e.type === 'phase') this.flush();
      this.emit(e);
      return;
    }
    this.pending.set(key, e);
    if (this.timer === null) this.schedule();
  }

  /** Emits everything pending now (at a phase change and at the end of a session). */
  flush(): void {
    this.cancelTimer();
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

  private schedule(): void {
    const wait = this.lastEmit + this.windowMs - this.clock.now();
    if (wait <= 0) return this.emitOldest();
    this.timer = this.clock.setTimer(() => {
      this.timer = null;
      this.emitOldest();
    }, wait);
  }

  private emitOldest(): void {
    const first = this.pending.entries().next();
    if (first.done) return;
    const [key, e] = first.value;
    this.pending.delete(key);
    this.lastEmit = this.clock.now();
    this.emit(e);
    if (this.pending.size > 0) this.schedule();
  }

  private cancelTimer(): void {
    if (this.timer === null) return;
    this.clock.clearTimer(this.timer);
    this.timer = null;
  }
}
