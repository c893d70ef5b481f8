/** Thrown when a session is cancelled through its AbortSignal. */
export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

/**
 * Yields to the event loop (so an IPC "cancel" can be delivered while numerics run synchronously)
 * and throws CancelledError when the signal has fired.
 */
export async function checkpoint(signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw new CancelledError();
  await new Promise<void>((resolve) => setImmediate(resolve));
  if (signal?.aborted) throw new CancelledError();
}
