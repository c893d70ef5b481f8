/**
 * Request/response with ids over one byte stream to a bridge server: a child process's stdio, or a
 * TCP socket. Every reply is validated against the protocol declaration before it resolves its
 * request; everything that ends the stream (child exit, socket close, a broken frame) rejects every
 * pending request with a BridgeError that says what happened.
 */
import { connect as netConnect, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { checkBridgeReply, type BridgeReply } from '../protocol/bridge';
import { BridgeError, type BridgeExit } from './errors';
import { encodeFrameHead, FrameDecoder, FramingError } from './framing';
import { LineTail, ServerProcess, type ServerProcesses } from './processes';

export { BridgeError, type BridgeErrorCode, type BridgeExit } from './errors';

export interface Reply {
  header: BridgeReply;
  payload: Buffer;
}

export interface ConnectionEvents {
  /** Each complete line the server wrote to stderr (user prints, warnings, the server's log). */
  onStderrLine?: (line: string) => void;
}

interface Pending {
  resolve: (r: Reply) => void;
  reject: (e: BridgeError) => void;
}

export class BridgeConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private failure: BridgeError | null = null;
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  private constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    /** The server process(es) (stdio mode) or null (socket mode). */
    private readonly processes: ServerProcesses | null,
    private readonly socket: Socket | null,
    private readonly stderr: LineTail | null,
    private readonly describe: string,
  ) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    input.on('data', (chunk: Buffer) => this.onData(chunk));
    output.on('error', () => {
      /* EPIPE after the server died: the exit or close handler reports it */
    });
    if (processes) {
      void processes.failure.then((err) => this.fail(err));
      void processes.gone.then(() => this.markEnded());
    }
  }

  /** Starts `python -m neumann_lens serve …` with its stdio as the stream, in its own process group. */
  static async spawn(
    opts: { python: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string } & ConnectionEvents,
  ): Promise<BridgeConnection> {
    return BridgeConnection.over(await ServerProcess.start(opts));
  }

  /** A connection over processes already started (rank 0's stdio is the stream). */
  static over(processes: ServerProcesses): BridgeConnection {
    return new BridgeConnection(processes.stdout, processes.stdin, processes, null, null, processes.describe);
  }

  /** Connects to a server started with `serve --listen HOST:PORT`. */
  static connect(opts: { host: string; port: number } & ConnectionEvents): Promise<BridgeConnection> {
    return new Promise((resolve, reject) => {
      const socket = netConnect({ host: opts.host, port: opts.port });
      const where = `${opts.host}:${opts.port}`;
      const onError = (e: Error) => reject(new BridgeError('unreachable', `cannot connect to the bridge at ${where}: ${e.message}`));
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        socket.setNoDelay(true);
        const c = new BridgeConnection(socket, socket, null, socket, new LineTail(opts.onStderrLine), `the bridge at ${where}`);
        socket.on('error', () => {
          /* reported by 'close' */
        });
        socket.once('close', () => {
          c.fail(new BridgeError('exited', `${c.describe} closed the connection`));
          c.markEnded();
        });
        resolve(c);
      });
    });
  }

  /** The protocol process's pid (stdio mode), else null. */
  get pid(): number | null {
    return this.processes?.pid ?? null;
  }

  /** Every local process's pid, rank order (stdio mode), else null. */
  get pids(): readonly number[] | null {
    return this.processes?.pids ?? null;
  }

  get stderrTail(): string {
    return this.processes?.stderrTail ?? this.stderr?.text ?? '';
  }

  /** How the server process ended, once it has (stdio mode). */
  get exitStatus(): BridgeExit | null {
    return this.processes?.exitStatus ?? null;
  }

  /** Sends one request and resolves with its reply; an `error` reply rejects with its BridgeError. */
  request(header: Record<string, unknown> & { type: string }, payload?: Uint8Array): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      const head = encodeFrameHead({ ...header, id }, payload?.length ?? 0);
      this.pending.set(id, { resolve, reject });
      // Corked: header and payload leave in one gathered write, the payload not copied to join them.
      this.output.cork();
      this.output.write(head);
      if (payload && payload.length > 0) this.output.write(payload);
      this.output.uncork();
    });
  }

  /**
   * Ends the connection. Processes get stdin EOF and SIGTERM on their process group, then SIGKILL
   * after `graceMs`; resolves once all have exited (socket: once closed).
   */
  async close(graceMs = 1000): Promise<void> {
    this.fail(new BridgeError('closed', `${this.describe} was closed`));
    if (this.socket) {
      this.socket.destroy();
      await this.ended;
      return;
    }
    await this.processes!.terminate(graceMs);
  }

  /** Resolves when the stream has ended (every process exited, or the socket closed). */
  get whenEnded(): Promise<void> {
    return this.ended;
  }

  private onData(chunk: Buffer): void {
    let frames;
    try {
      frames = this.decoder.push(chunk);
    } catch (e) {
      this.fail(new BridgeError('protocol', `${this.describe} sent bytes that are not a frame: ${(e as FramingError).message}`));
      void this.close();
      return;
    }
    for (const f of frames) this.onFrame(f.header, f.payload);
  }

  private onFrame(header: unknown, payload: Buffer): void {
    const bad = checkBridgeReply(header);
    const id = (header as { id?: unknown } | null)?.id;
    const p = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (bad) {
      const err = new BridgeError('protocol', `${this.describe} sent a malformed reply (${bad.field}: ${bad.message})`, { field: bad.field });
      if (p) {
        this.pending.delete(id as number);
        p.reject(err);
      } else this.fail(err);
      return;
    }
    const reply = header as BridgeReply;
    if (reply.type === 'error' && reply.id === null) {
      // The server could not tell which request this was about: the stream is suspect.
      this.fail(BridgeError.fromReply(reply.error));
      return;
    }
    if (!p) {
      this.fail(new BridgeError('protocol', `${this.describe} answered request ${String(id)}, which is not pending`));
      return;
    }
    this.pending.delete(reply.id as number);
    if (reply.type === 'error') p.reject(BridgeError.fromReply(reply.error));
    else p.resolve({ header: reply, payload });
  }

  /** Rejects every pending request (and all later ones) with err; the first failure wins. */
  private fail(err: BridgeError): void {
    if (!this.failure) this.failure = err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
