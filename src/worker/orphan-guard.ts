/**
 * No orphans: a worker whose host died must not keep computing. The IPC 'disconnect' event is the
 * primary signal; this poll catches the cases it misses (a parent SIGKILLed while the worker is
 * inside a long synchronous step sees 'disconnect' late, and a reparented process keeps running).
 */

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else — alive.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface OrphanGuardOptions {
  parentPid: number | null;
  onOrphaned: (why: string) => void;
  intervalMs?: number;
}

/** Polls until the parent is gone, then calls onOrphaned once. Returns a stop function. */
export function startOrphanGuard(opts: OrphanGuardOptions): () => void {
  const initialPpid = process.ppid;
  let fired = false;
  const timer = setInterval(() => {
    if (fired) return;
    let why: string | null = null;
    if (opts.parentPid !== null && !isProcessAlive(opts.parentPid)) why = `parent process ${opts.parentPid} is gone`;
    else if (process.ppid !== initialPpid) why = `reparented from ${initialPpid} to ${process.ppid}`;
    if (why) {
      fired = true;
      clearInterval(timer);
      opts.onOrphaned(why);
    }
  }, opts.intervalMs ?? 500);
  // The guard alone must not keep the worker alive.
  timer.unref();
  return () => clearInterval(timer);
}
