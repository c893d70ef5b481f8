/**
 * Notices the heap approaching its limit while the session still can say so. V8 aborts the
 * process at the limit (the client then recognises the "heap out of memory" stderr), but a
 * worker that sees it coming can send a proper `oom` error first.
 */
import { getHeapStatistics } from 'node:v8';

export interface HeapWatchOptions {
  /** Fraction of heap_size_limit counted as "about to run out". */
  threshold?: number;
  intervalMs?: number;
  onNearLimit: (usedMb: number, limitMb: number) => void;
}

export function heapLimitMb(): number {
  return getHeapStatistics().heap_size_limit / 2 ** 20;
}

/** Returns a stop function. Fires once, after two consecutive readings above the threshold (one may be pre-GC). */
export function startHeapWatch(opts: HeapWatchOptions): () => void {
  const threshold = opts.threshold ?? 0.92;
  let strikes = 0;
  const timer = setInterval(() => {
    const s = getHeapStatistics();
    if (s.used_heap_size > threshold * s.heap_size_limit) strikes++;
    else strikes = 0;
    if (strikes >= 2) {
      clearInterval(timer);
      opts.onNearLimit(s.used_heap_size / 2 ** 20, s.heap_size_limit / 2 ** 20);
    }
  }, opts.intervalMs ?? 100);
  timer.unref();
  return () => clearInterval(timer);
}
