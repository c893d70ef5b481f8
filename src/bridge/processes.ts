/**
 * The process(es) behind a stdio bridge connection: one server process here, or local
 * torch.distributed ranks (./local-ranks.ts) of which rank 0 speaks the protocol. The connection
 * reads and writes rank 0's stdio and learns from a ServerProcesses why the stream ended (a process
 * exited; its exit status explained) and when every process is gone.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BRIDGE_EXIT_CODES } from '../protocol/bridge';
import { BridgeError, type BridgeExit } from './errors';

export interface ServerProcesses {
  readonly stdin: Writable;
  readonly stdout: Readable;
  /** The pid of the process speaking the protocol (rank 0). */
  readonly pid: number;
  /** Every process's pid, in rank order. */
  readonly pids: readonly number[];
  /** How the protocol process ended, once it has. */
  readonly exitStatus: BridgeExit | null;
  readonly stderrTail: string;
  /** "the bridge process N", for messages. */
  readonly describe: string;
  /** Resolves once with the error that ends the stream: which process ended, and how. */
  readonly failure: Promise<BridgeError>;
  /** Resolves when every process has exited. */
  readonly gone: Promise<void>;
  /** stdin EOF and SIGTERM to every process and its process group, SIGKILL after graceMs; resolves when all are gone. */
  terminate(graceMs: number): Promise<void>;
}

/** The last lines of a text stream, each also handed to onLine. */
export class LineTail {
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

export interface ChildSpec {
  python: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  stdio: StdioOptions;
  /** Its own session and process group (setsid). */
  detached: boolean;
}

/** Spawns and resolves once the process runs; a missing interpreter is python-missing. */
export function startChild(spec: ChildSpec): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(spec.python, spec.args, { cwd: spec.cwd, env: spec.env ?? process.env, stdio: spec.stdio, detached: spec.detached });
    child.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT' || e.code === 'EACCES'
          ? new BridgeError('python-missing', `cannot run the Python interpreter ${spec.python}: ${e.code === 'ENOENT' ? 'not found' : 'permission denied'}`)
          : new BridgeError('exited', `cannot start ${spec.python}: ${e.message}`),
      );
    });
    child.once('spawn', () => resolve(child));
  });
}

/**
 * Resolves with the exit status once the process has exited and its stdout has ended: the last reply
 * (say, the error that made the server exit) may still sit in the pipe at 'exit', while 'close'
 * would wait for every grandchild holding stderr; so exit, then stdout's end, or a short while if a
 * forked grandchild keeps stdout open.
 */
export function exitedAndDrained(child: ChildProcess, onExit: (exit: BridgeExit) => void): Promise<BridgeExit> {
  let stdoutEnded = child.stdout === null;
  child.stdout?.once('end', () => (stdoutEnded = true));
  return new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      const exit = { code, signal };
      onExit(exit);
      if (stdoutEnded) return resolve(exit);
      const timer = setTimeout(() => resolve(exit), 500);
      child.stdout!.once('end', () => {
        clearTimeout(timer);
        resolve(exit);
      });
    });
  });
}

/** Why a server process ended, as the error pending requests are rejected with. */
export function exitError(describe: string, exit: BridgeExit, tail: string, extra: { rank?: number } = {}): BridgeError {
  tail = tail.trim();
  const tailText = tail ? `\nLast output on stderr:\n${tail.split('\n').slice(-12).join('\n')}` : '';
  if (exit.code === BRIDGE_EXIT_CODES.noTorch) {
    const line = tail.split('\n').filter((l) => l.startsWith('neumann_lens:')).pop();
    return new BridgeError('no-torch', line ? line.replace(/^neumann_lens:\s*/, '') : `the interpreter cannot run the PyTorch bridge${tailText}`, {
      exit,
      stderrTail: tail,
      ...extra,
    });
  }
  const how = !exit.signal
    ? `exited with code ${exit.code}`
    : `was killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (by another process, or by the kernel when out of memory)' : ''}`;
  return new BridgeError('exited', `${describe} ${how}${tailText}`, { exit, stderrTail: tail, ...extra });
}

/** Sends a signal to a process group; false when there is none (ESRCH). */
export function killGroup(pgid: number | undefined, signal: NodeJS.Signals): boolean {
  if (pgid === undefined) return false;
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function killPid(pid: number | undefined, signal: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, signal);
  } catch {
    /* ESRCH: gone */
  }
}

/** One server process in its own process group, so terminate() also ends what the user's code started. */
export class ServerProcess implements ServerProcesses {
  private exit: BridgeExit | null = null;
  readonly failure: Promise<BridgeError>;
  readonly gone: Promise<void>;
  readonly describe: string;

  private constructor(
    private readonly child: ChildProcess,
    private readonly tail: LineTail,
  ) {
    this.describe = `the bridge process ${child.pid}`;
    const drained = exitedAndDrained(child, (exit) => (this.exit = exit));
    this.failure = drained.then((exit) => {
      tail.flush();
      return exitError(this.describe, exit, tail.text);
    });
    this.gone = this.failure.then(() => undefined);
  }

  static async start(
    opts: { python: string; args: string[]; env?: NodeJS.ProcessEnv; cwd?: string; onStderrLine?: (line: string) => void },
  ): Promise<ServerProcess> {
    // Its own process group (detached), so terminate() also ends whatever the user's code started.
    const child = await startChild({ ...opts, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    const tail = new LineTail(opts.onStderrLine);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (t: string) => tail.push(t));
    return new ServerProcess(child, tail);
  }

  get stdin(): Writable {
    return this.child.stdin!;
  }
  get stdout(): Readable {
    return this.child.stdout!;
  }
  get pid(): number {
    return this.child.pid!;
  }
  get pids(): readonly number[] {
    return [this.pid];
  }
  get exitStatus(): BridgeExit | null {
    return this.exit;
  }
  get stderrTail(): string {
    return this.tail.text;
  }

  async terminate(graceMs: number): Promise<void> {
    if (this.exit === null) {
      this.child.stdin?.end();
      killGroup(this.pid, 'SIGTERM');
      const timer = setTimeout(() => killGroup(this.pid, 'SIGKILL'), graceMs);
      await this.gone;
      clearTimeout(timer);
    }
    // Anything the user's code left in the group (it ignored SIGTERM, or outlived its parent).
    killGroup(this.pid, 'SIGKILL');
  }
}
