/**
 * What a fault in a session means to the user: errors become ErrorInfo messages (never a hang or
 * a silent exit). Shared by the worker (exceptions it catches), the host-side client (a worker
 * process that died without a report, e.g. V8 aborting at the heap limit) and the extension (its
 * own parse errors), which is why it lives here and not in either process's folder.
 */
import { InputError, inputProblems } from '../core/errors';
import { CancelledError } from '../core/util/abort';
import type { ErrorInfo } from '../protocol/messages';

/** The name of the editor setting that sets the worker's heap limit (package.json contributes it). */
export const MEMORY_SETTING = 'neumannLens.worker.maxMemoryMb';

export function isCancelled(err: unknown): boolean {
  return err instanceof CancelledError || (err instanceof Error && err.name === 'CancelledError');
}

/** The heap is (nearly) exhausted; the message already says what to do. */
export class OutOfMemoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutOfMemoryError';
  }
}

/** The two ends of the protocol disagree (a malformed or unexpected message): a bug, never the user's input. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/**
 * The error as the protocol carries it. Bad input keeps its places as data: the first problem's
 * message (without its location) and `where`, the others in `more`, so every consumer (panel,
 * Problems, log) places and words them itself instead of parsing a message. It has no stack: bad
 * input is the user's to fix, not a bug, and its stack would only be noise.
 */
export function errorToInfo(err: unknown): ErrorInfo {
  if (err instanceof OutOfMemoryError) return { message: err.message, code: 'oom', stack: err.stack };
  if (err instanceof ProtocolError) return { message: err.message, code: 'protocol' };
  if (err instanceof InputError) {
    const [first, ...more] = inputProblems(err);
    return { ...first, code: 'input', ...(more.length > 0 ? { more } : {}) };
  }
  if (err instanceof RangeError && /allocation failed|array buffer allocation|invalid array length/i.test(err.message)) {
    return { message: outOfMemoryMessage(null, err.message), code: 'oom', stack: err.stack };
  }
  if (err instanceof Error) return { message: err.message || err.name, code: 'internal', stack: err.stack };
  return { message: `non-Error thrown: ${String(err)}`, code: 'internal' };
}

/** V8's fatal messages when the old space is exhausted (it aborts the process after printing them). */
export function stderrSaysOutOfMemory(stderr: string): boolean {
  return /heap out of memory|Reached heap limit|Allocation failed - JavaScript heap|Ineffective mark-compacts near heap limit/i.test(
    stderr,
  );
}

export function outOfMemoryMessage(limitMb: number | null, detail?: string): string {
  const limit = limitMb !== null ? ` (heap limit ${Math.round(limitMb)} MB)` : '';
  return (
    `The session ran out of memory${limit}. Use a smaller model (fewer or narrower layers) or fewer rows, ` +
    `or raise the ${MEMORY_SETTING} setting.` +
    (detail ? ` (${detail})` : '')
  );
}

/** The ErrorInfo for a worker process that exited without sending a report or an error. */
export function workerExitInfo(
  code: number | null,
  signal: NodeJS.Signals | null,
  stderrTail: string,
  maxMemoryMb: number | null,
): ErrorInfo {
  if (stderrSaysOutOfMemory(stderrTail)) {
    return { message: outOfMemoryMessage(maxMemoryMb), code: 'oom', stack: stderrTail.trim() || undefined };
  }
  const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
  const tail = stderrTail.trim().split('\n').slice(-12).join('\n');
  return {
    message: `The worker process ${how} without a report.` + (tail ? `\nLast output on stderr:\n${tail}` : ' It wrote nothing to stderr.'),
    code: 'worker-exit',
  };
}
