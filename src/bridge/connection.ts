/**
 * Request/response with ids over one byte stream to a bridge server: a child process's stdio, or a
 * TCP socket. Every reply is validated against the protocol declaration before it resolves its
 * request; everything that ends the stream (child exit, socket close, a broken frame) rejects every
 * pending request with a BridgeError that says what happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { connect as netConnect, type Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { BRIDGE_EXIT_CODES, checkBridgeReply, type BridgeReply, type BridgeErrorInfo } from '../protocol/bridge';
import { encodeFrame, FrameDecoder, FramingError } from './framing';

/** Server-side codes (BridgeErrorInfo) plus what the client itself can observe. */
export type BridgeErrorCode =
  | BridgeErrorInfo['code']
  /** The interpreter cannot run the bridge (no torch, torch < 1.13, Python < 3.9). */
  | 'no-torch'
  /** The interpreter does not exist or cannot be executed. */
  | 'python-missing'
  /** The socket server could not be reached (refused, unknown host). */
  | 'unreachable'
  /** The server process ended (killed, crashed) or the socket closed while requests were pending. */
  | 'exited'
  /** close() was called. */
  | 'closed';

export interface BridgeExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  readonly where?: BridgeErrorInfo['where'];
  readonly field?: string;
  readonly detail?: string;
  readonly exit?: BridgeExit;
  readonly stderrTail?: string;

  constructor(
    code: BridgeErrorCode,
    message: string,
    extra: { where?: BridgeErrorInfo['where']; field?: string; detail?: string; exit?: BridgeExit; stderrTail?: string } = {},
  ) {
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

/** The last lines of a text stream. */
class LineTail {
  private lines: string[] = [];
  private partial = '';
  constructor(
    private readonly onLine: ((line: string) => void) | undefined,
    private readonly keep = 40,
  ) {}
  push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    for (const line of parts) this.add(line);
  }
  flush(): void {
    if (this.partial) this.add(this.partial);
    this.partial = '';
  }
  get text(): string {
    return this.lines.join('\n');
  }
  private add(line: string): void {
    this.onLine?.(line);
    this.lines.push(line);
    if (this.lines.length > this.keep) this.lines.shift();
  }
}

export class BridgeConnection {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly decoder = new FrameDecoder();
  private failure: BridgeError | null = null;
  private exit: BridgeExit | null = null;
  private readonly ended: Promise<void>;
  private markEnded!: () => void;

  private constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    /** The child process (stdio mode) or null (socket mode). */
    readonly child: ChildProcess | null,
    private readonly socket: Socket | null,
    private readonly stderr: LineTail,
    private readonly describe: string,
  ) {
    this.ended = new Promise((resolve) => (this.markEnded = resolve));
    input.on('data', (chunk: Buffer) => this.onData(chunk));
    output.on('error', () => {
      /* EPIPE after the server died: the exit or close handler reports it */
    });
  }

  /** Starts `python -m neumann_lens serve …` with its stdio as the stream, in its own process group. */
  static spawn(
    opts: { python: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string } & ConnectionEvents,
  ): Promise<BridgeConnection> {
    return new Promise((resolve, reject) => {
      const child = spawn(opts.python, opts.args, {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        stdio: ['pipe', 'pipe', 'pipe'],
        // Its own process group, so close() also ends whatever the user's code started (DataLoader workers).
        detached: true,
      });
      const tail = new LineTail(opts.onStderrLine);
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (t: string) => tail.push(t));
      child.once('error', (e: NodeJS.ErrnoException) => {
        const err =
          e.code === 'ENOENT' || e.code === 'EACCES'
            ? new BridgeError('python-missing', `cannot run the Python interpreter ${opts.python}: ${e.code === 'ENOENT' ? 'not found' : 'permission denied'}`)
            : new BridgeError('exited', `cannot start ${opts.python}: ${e.message}`);
        reject(err);
      });
      child.once('spawn', () => {
        const c = new BridgeConnection(child.stdout!, child.stdin!, child, null, tail, `the bridge process ${child.pid}`);
        // The last reply (say, the error that made the server exit) may still sit in the pipe at
        // 'exit'; 'close' would wait for every grandchild holding stderr. So: exit, then stdout's
        // end, or a short while if a forked grandchild keeps stdout open.
        let stdoutEnded = false;
        child.stdout!.once('end', () => (stdoutEnded = true));
        child.once('exit', (code, signal) => {
          c.exit = { code, signal };
          const finish = () => {
            tail.flush();
            c.fail(c.exitError({ code, signal }));
            c.markEnded();
          };
          if (stdoutEnded) return finish();
          const timer = setTimeout(finish, 500);
          child.stdout!.once('end', () => {
            clearTimeout(timer);
            finish();
          });
        });
        resolve(c);
      });
    });
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

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  get stderrTail(): string {
    return this.stderr.text;
  }

  /** How the server process ended, once it has (stdio mode). */
  get exitStatus(): BridgeExit | null {
    return this.exit;
  }

  /** Sends one request and resolves with its reply; an `error` reply rejects with its BridgeError. */
  request(header: Record<string, unknown> & { type: string }, payload?: Uint8Array): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.output.write(encodeFrame({ ...header, id }, payload));
    });
  }

  /**
   * Ends the connection. A child gets stdin EOF and SIGTERM on its process group, then SIGKILL
   * after `graceMs`; resolves once it has exited (socket: once closed).
   */
  async close(graceMs = 1000): Promise<void> {
    this.fail(new BridgeError('closed', `${this.describe} was closed`));
    if (this.socket) {
      this.socket.destroy();
      await this.ended;
      return;
    }
    const child = this.child!;
    if (child.exitCode === null && child.signalCode === null) {
      child.stdin?.end();
      this.killGroup('SIGTERM');
      const timer = setTimeout(() => this.killGroup('SIGKILL'), graceMs);
      await this.ended;
      clearTimeout(timer);
    }
    // Anything the user's code left in the group (it ignored SIGTERM, or outlived its parent).
    this.killGroup('SIGKILL');
  }

  /** Resolves when the stream has ended (child exited or socket closed). */
  get whenEnded(): Promise<void> {
    return this.ended;
  }

  private killGroup(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      /* ESRCH: the group is gone */
    }
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

  private exitError(exit: BridgeExit): BridgeError {
    const tail = this.stderr.text.trim();
    const tailText = tail ? `\nLast output on stderr:\n${tail.split('\n').slice(-12).join('\n')}` : '';
    if (exit.code === BRIDGE_EXIT_CODES.noTorch) {
      const line = tail.split('\n').filter((l) => l.startsWith('neumann_lens:')).pop();
      return new BridgeError('no-torch', line ? line.replace(/^neumann_lens:\s*/, '') : `the interpreter cannot run the PyTorch bridge${tailText}`, {
        exit,
        stderrTail: tail,
      });
    }
    const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
    return new BridgeError('exited', `${this.describe} ${how}${tailText}`, { exit, stderrTail: tail });
  }

  /** Rejects every pending request (and all later ones) with err; the first failure wins. */
  private fail(err: BridgeError): void {
    if (!this.failure) this.failure = err;
    for (const p of this.pending.values()) p.reject(this.failure);
    this.pending.clear();
  }
}
