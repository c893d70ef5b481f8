/**
 * What goes wrong with a bridge, and whose fault it is: a BridgeError's `code` is the server's (an
 * `error` reply) or one the client observed itself. One place, so the connection and the process
 * supervisors (./processes.ts, ./local-ranks.ts) build the same errors.
 */
import type { BridgeErrorInfo } from '../protocol/bridge';

/** Server-side codes (BridgeErrorInfo) plus what the client itself can observe. */
export type BridgeErrorCode =
  | BridgeErrorInfo['code']
  /** The interpreter cannot run the bridge (no torch, torch < 1.13, Python < 3.9). */
  | 'no-torch'
  /** The interpreter does not exist or cannot be executed. */
  | 'python-missing'
  /** The socket server could not be reached (refused, unknown host). */
  | 'unreachable'
  /**
   * The server process (or a rank of a collective server) ended — killed, crashed, out of memory —
   * or the socket closed while requests were pending.
   */
  | 'exited'
  /** close() was called. */
  | 'closed';

export interface BridgeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface BridgeErrorExtra {
  where?: BridgeErrorInfo['where'];
  field?: string;
  detail?: string;
  exit?: BridgeExit;
  stderrTail?: string;
  /** Collective server: the rank whose code raised, or that ended. */
  rank?: number;
}

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly where?: BridgeErrorInfo['where'];
  readonly field?: string;
  readonly detail?: string;
  readonly exit?: BridgeExit;
  readonly stderrTail?: string;
  readonly rank?: number;

  constructor(code: BridgeErrorCode, message: string, extra: BridgeErrorExtra = {}) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
    Object.assign(this, extra);
  }

  static fromReply(info: BridgeErrorInfo): BridgeError {
    const { code, message, ...extra } = info;
    return new BridgeError(code, message, extra);
  }
}
