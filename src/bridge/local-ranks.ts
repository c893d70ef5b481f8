/**
 * Local torch.distributed ranks started by the bridge itself (no torchrun: Debian's torch 1.13 under
 * Python 3.11 cannot run its elastic agent). Every rank is `python -m neumann_lens serve` with the
 * launcher's standard environment (MASTER_ADDR=127.0.0.1, MASTER_PORT on a free loopback port, RANK,
 * LOCAL_RANK, WORLD_SIZE); rank 0 speaks the protocol over its stdio, the others are its siblings
 * (children of this process) in rank 0's process group, so one signal reaches every rank and what
 * their code started. Their stderr lines are prefixed with the rank.
 *
 * This supervisor names the rank that ended a run: a rank > 0 that dies on its own (a signal, or an
 * exit code that is not one a rank uses when following another's end) fails the stream at once,
 * with its rank, pid and signal, and the others are stopped; rank 0 exiting rankLost (another rank
 * is gone) is explained by waiting briefly for the sibling that caused it.
 */
import { createServer } from 'node:net';
import { networkInterfaces } from 'node:os';
import type { ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { BRIDGE_EXIT_CODES } from '../protocol/bridge';
import { BridgeError, type BridgeExit } from './errors';
import { exitedAndDrained, exitError, killGroup, killPid, LineTail, startChild, type ServerProcesses } from './processes';

export interface DistributedOptions {
  /** Number of ranks; 1 is the ordinary single-process server. */
  worldSize: number;
  /** gloo (default, CPU) or nccl (CUDA, one device per rank: cuda:LOCAL_RANK). */
  backend?: 'gloo' | 'nccl';
  /** How long a rank waits for the others in a collective or at start-up (the server's default: 1800 s). */
  timeoutSeconds?: number;
}

/** What a rank > 0 exits with when it follows another rank's end instead of causing it. */
const FOLLOWING: ReadonlySet<number> = new Set([BRIDGE_EXIT_CODES.ok, BRIDGE_EXIT_CODES.orphaned, BRIDGE_EXIT_CODES.rankLost]);
/** How long rank 0's rankLost exit waits for the exit status of the rank that caused it. */
const EXPLAIN_MS = 2000;
/** How long the other ranks get to follow rank 0's orderly exit before they are killed. */
const FOLLOW_MS = 1000;

/** A TCP port nobody listens on at 127.0.0.1 right now (for the ranks' rendezvous). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** The loopback interface's name (lo, lo0), so gloo's connections stay on it. */
function loopbackInterface(): string | null {
  for (const [name, addresses] of Object.entries(networkInterfaces())) {
    if (addresses?.some((a) => a.internal && a.family === 'IPv4' && a.address === '127.0.0.1')) return name;
  }
  return null;
}

/** The server's last own log line ("neumann_lens: …") in a stderr tail, without the prefix. */
function lastLogLine(tail: string): string | undefined {
  return tail.split('\n').filter((l) => l.startsWith('neumann_lens:')).pop()?.replace(/^neumann_lens:\s*/, '');
}

interface Rank {
  rank: number;
  child: ChildProcess;
  tail: LineTail;
  exit: BridgeExit | null;
  /** Order in which exits were seen (the first cause wins). */
  exitSeq: number;
}

export interface LocalRanksOptions {
  python: string;
  /** `-m neumann_lens serve …` for every rank (the process-group argument is added here). */
  args: string[];
  env: NodeJS.ProcessEnv;
  cwd?: string;
  onStderrLine?: (line: string) => void;
  distributed: DistributedOptions;
}

export class LocalRanks implements ServerProcesses {
  readonly failure: Promise<BridgeError>;
  readonly gone: Promise<void>;
  readonly describe: string;
  private readonly allExited: Promise<void>;
  private settle!: (e: BridgeError) => void;
  private settled = false;
  /** Set once this side ends the ranks: their exits are then its own doing. */
  private stopping = false;
  private exits = 0;

  private constructor(private readonly ranks: Rank[]) {
    this.describe = `the bridge's rank 0 (pid ${ranks[0].child.pid})`;
    this.failure = new Promise((resolve) => (this.settle = resolve));
    const [first, ...others] = ranks;
    void exitedAndDrained(first.child, (exit) => this.record(first, exit)).then((exit) => this.rank0Ended(exit));
    for (const r of others) r.child.once('exit', (code, signal) => this.siblingExited(r, { code, signal }));
    this.allExited = Promise.all(ranks.map((r) => new Promise<void>((ok) => r.child.once('exit', () => ok())))).then(() => undefined);
    this.gone = Promise.all([this.allExited, this.failure]).then(() => undefined);
  }

  static async start(opts: LocalRanksOptions): Promise<LocalRanks> {
    const { worldSize, backend, timeoutSeconds } = opts.distributed;
    const port = await freeLoopbackPort();
    const lo = loopbackInterface();
    const base: NodeJS.ProcessEnv = { ...opts.env, MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), WORLD_SIZE: String(worldSize) };
    if (lo && !base.GLOO_SOCKET_IFNAME) base.GLOO_SOCKET_IFNAME = lo;
    const args = [...opts.args, '--backend', backend ?? 'gloo', ...(timeoutSeconds !== undefined ? ['--timeout', String(timeoutSeconds)] : [])];
    const envOf = (rank: number) => ({ ...base, RANK: String(rank), LOCAL_RANK: String(rank) });
    const ranks: Rank[] = [];
    const track = (rank: number, child: ChildProcess) => {
      const tail = new LineTail(opts.onStderrLine && ((line) => opts.onStderrLine!(`[rank ${rank}] ${line}`)));
      child.stderr!.setEncoding('utf8');
      child.stderr!.on('data', (t: string) => tail.push(t));
      ranks.push({ rank, child, tail, exit: null, exitSeq: 0 });
    };
    // Not detached: rank 0 makes a new process group in the same session (setpgid), which its
    // siblings can join; a new session (setsid) could not be joined.
    const spec = { python: opts.python, cwd: opts.cwd, detached: false };
    const zero = await startChild({ ...spec, args: [...args, '--process-group', 'new'], env: envOf(0), stdio: ['pipe', 'pipe', 'pipe'] });
    track(0, zero);
    try {
      for (let rank = 1; rank < worldSize; rank++) {
        const child = await startChild({ ...spec, args: [...args, '--process-group', String(zero.pid)], env: envOf(rank), stdio: ['ignore', 'ignore', 'pipe'] });
        track(rank, child);
      }
    } catch (e) {
      for (const r of ranks) killPid(r.child.pid, 'SIGKILL');
      throw e;
    }
    return new LocalRanks(ranks);
  }

  get stdin(): Writable {
    return this.ranks[0].child.stdin!;
  }
  get stdout(): Readable {
    return this.ranks[0].child.stdout!;
  }
  get pid(): number {
    return this.ranks[0].child.pid!;
  }
  get pids(): readonly number[] {
    return this.ranks.map((r) => r.child.pid!);
  }
  get exitStatus(): BridgeExit | null {
    return this.ranks[0].exit;
  }
  /** Rank 0's last lines, then each other rank's, prefixed with the rank. */
  get stderrTail(): string {
    return this.ranks
      .flatMap((r) => (r.tail.text ? r.tail.text.split('\n').map((l) => (r.rank === 0 ? l : `[rank ${r.rank}] ${l}`)) : []))
      .join('\n');
  }

  async terminate(graceMs: number): Promise<void> {
    this.stopping = true;
    this.ranks[0].child.stdin?.end();
    this.signalAll('SIGTERM');
    const timer = setTimeout(() => this.signalAll('SIGKILL'), graceMs);
    await this.gone;
    clearTimeout(timer);
    // Anything the user's code left in the group (it ignored SIGTERM, or outlived its rank).
    killGroup(this.pid, 'SIGKILL');
  }

  private signalAll(signal: NodeJS.Signals): void {
    killGroup(this.pid, signal);
    // A rank that has not joined the group yet gets it too.
    for (const r of this.ranks) if (!r.exit) killPid(r.child.pid, signal);
  }

  private record(r: Rank, exit: BridgeExit): void {
    r.exit = exit;
    r.exitSeq = ++this.exits;
    r.tail.flush();
  }

  private fail(err: BridgeError): void {
    if (this.settled) return;
    this.settled = true;
    this.settle(err);
  }

  private causedItself(r: Rank): boolean {
    return !!r.exit && (r.exit.signal !== null || !FOLLOWING.has(r.exit.code ?? -1));
  }

  private rankError(r: Rank): BridgeError {
    // Exit 2 from a rank > 0: its own input error before the group formed (rank 0 reports the others).
    const said = lastLogLine(r.tail.text);
    if (r.exit?.code === BRIDGE_EXIT_CODES.input && said) {
      return new BridgeError('input', said.startsWith(`rank ${r.rank}:`) ? said : `rank ${r.rank}: ${said}`, { exit: r.exit, stderrTail: r.tail.text, rank: r.rank });
    }
    return exitError(`rank ${r.rank} (pid ${r.child.pid})`, r.exit!, r.tail.text, { rank: r.rank });
  }

  private siblingExited(r: Rank, exit: BridgeExit): void {
    this.record(r, exit);
    if (this.stopping || this.settled || !this.causedItself(r)) return;
    this.fail(this.rankError(r));
    void this.terminate(FOLLOW_MS);
  }

  private async rank0Ended(exit: BridgeExit): Promise<void> {
    const zero = this.ranks[0];
    if (!this.settled && !this.stopping && exit.signal === null && exit.code === BRIDGE_EXIT_CODES.rankLost) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.allExited, new Promise<void>((ok) => (timer = setTimeout(ok, EXPLAIN_MS)))]);
      clearTimeout(timer);
      const cause = this.ranks
        .slice(1)
        .filter((r) => this.causedItself(r))
        .sort((a, b) => a.exitSeq - b.exitSeq)[0];
      if (cause) this.fail(this.rankError(cause));
      // No rank died: a collective failed (--timeout, the network); rank 0's log line says which.
      const reason = lastLogLine(zero.tail.text);
      if (reason) this.fail(new BridgeError('exited', `the ranks stopped: ${reason}`, { exit, stderrTail: this.stderrTail }));
    }
    this.fail(exitError(`rank 0 (pid ${zero.child.pid})`, exit, zero.tail.text, { rank: 0 }));
    // The others follow rank 0's end by themselves (it told them, or its connection closed).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.allExited, new Promise<void>((ok) => (timer = setTimeout(ok, FOLLOW_MS)))]);
    clearTimeout(timer);
    if (!this.stopping) await this.terminate(0);
  }
}
