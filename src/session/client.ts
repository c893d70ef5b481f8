/**
 * Host-side handle on one worker process running one session (no `vscode` import: the extension
 * and the tests use it alike). It forks dist/worker.js, validates everything the worker sends
 * (a malformed message ends the session as failed with a protocol error naming the field), and
 * turns every way a session can end — report, error, cancel, crash, heap exhaustion, a broken
 * protocol — into a single SessionResult.
 */
import { fork, type ChildProcess } from 'node:child_process';
import type { BackendName } from '../core/config/experiment';
import type { DiagnosisReport } from '../core/diagnosis/report';
import { problemIn } from '../protocol/check';
import {
  PROTOCOL_VERSION,
  WorkerToHost,
  type ErrorInfo,
  type HostToWorker,
  type SessionEvent,
  type SessionOutcome,
  type StartOptions,
} from '../protocol/messages';
import { workerExitInfo } from '../process/faults';
import { PARENT_PID_ENV } from '../process/parent-pid';
import { TailBuffer } from '../process/tail-buffer';

export interface SessionClientOptions {
  /** Absolute path of dist/worker.js. */
  workerPath: string;
  /** Runtime to fork with; default process.execPath (node, or VS Code's Electron binary). */
  execPath?: string;
  /** Set ELECTRON_RUN_AS_NODE=1 so an Electron execPath behaves as node; default: when running under Electron. */
  runAsNode?: boolean;
  /** --max-old-space-size for the worker (the neumannLens.worker.maxMemoryMb setting); absent → V8's default. */
  maxMemoryMb?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long cancel/dispose wait for a clean exit before SIGKILL. */
  killAfterMs?: number;
}

export interface SessionResult {
  outcome: SessionOutcome;
  report: DiagnosisReport | null;
  error: ErrorInfo | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

export interface SessionClientEvents {
  ready: { pid: number; protocolVersion: number; backend: BackendName | null };
  event: SessionEvent;
  report: DiagnosisReport;
  error: ErrorInfo;
  /** Raw stderr text of the worker (for an output channel). */
  stderr: string;
  end: SessionResult;
}

type Listener<T> = (value: T) => void;

export class SessionClient {
  private child: ChildProcess | null = null;
  private readonly listeners = new Map<keyof SessionClientEvents, Set<Listener<never>>>();
  private readonly stderrTail = new TailBuffer();
  private report: DiagnosisReport | null = null;
  private error: ErrorInfo | null = null;
  private outcome: SessionOutcome | null = null;
  /** The worker broke the protocol: the session fails, whatever it sends afterwards. */
  private broken = false;
  private cancelRequested = false;
  private killTimer: NodeJS.Timeout | null = null;
  private result: SessionResult | null = null;
  private readonly done: Promise<SessionResult>;
  private resolveDone!: (r: SessionResult) => void;
  private disposing: Promise<void> | null = null;

  constructor(private readonly options: SessionClientOptions) {
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
  }

  /** Subscribes; returns the unsubscribe function. */
  on<K extends keyof SessionClientEvents>(event: K, listener: Listener<SessionClientEvents[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Resolves when the session has ended, whichever way (never rejects). */
  get finished(): Promise<SessionResult> {
    return this.done;
  }

  /** Forks the worker and starts the session; resolves with the result when it ends. */
  start(config: unknown, configPath: string | null, options: StartOptions): Promise<SessionResult> {
    if (this.child || this.result) throw new Error('SessionClient.start: a client runs one session');
    const o = this.options;
    const runAsNode = o.runAsNode ?? Boolean(process.versions.electron);
    const env: NodeJS.ProcessEnv = { ...process.env, ...o.env, [PARENT_PID_ENV]: String(process.pid) };
    if (runAsNode) env.ELECTRON_RUN_AS_NODE = '1';
    const child = fork(o.workerPath, ['--backend', options.backend], {
      execPath: o.execPath ?? process.execPath,
      execArgv: o.maxMemoryMb ? [`--max-old-space-size=${Math.round(o.maxMemoryMb)}`] : [],
      cwd: o.cwd,
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Structured clone keeps NaN/Infinity (a diverging series reports them) instead of JSON's null.
      serialization: 'advanced',
      // Its own process group, so dispose can kill anything the worker spawned too.
      detached: process.platform !== 'win32',
    });
    this.child = child;
    // Drain stdout (a full pipe would block the worker); keep stderr's tail for crash reports.
    child.stdout?.on('data', () => undefined);
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString();
      this.stderrTail.push(text);
      this.emit('stderr', text);
    });
    child.on('message', (m) => this.receive(m, { type: 'start', config, configPath, options }));
    child.on('error', (err) => {
      // Spawn failure (bad execPath/workerPath): no exit event follows for some of these.
      this.error ??= { message: `could not start the worker (${o.workerPath}): ${err.message}`, code: 'worker-exit' };
      this.finish(null, null);
    });
    let exited = false;
    child.on('exit', (code, signal) => {
      exited = true;
      // 'close' waits for stderr to drain; a grandchild holding the pipe must not delay the result.
      setTimeout(() => this.finish(code, signal), 250);
    });
    child.on('close', (code, signal) => exited && this.finish(code, signal));
    return this.done;
  }

  /** Asks the worker to stop; kills it if it has not exited after killAfterMs. */
  cancel(): void {
    if (!this.child || this.result) return;
    this.cancelRequested = true;
    this.sendToWorker({ type: 'cancel' });
    this.killTimer ??= setTimeout(() => this.kill(), this.options.killAfterMs ?? 2000);
  }

  /** Idempotent: cancel, wait ≤ killAfterMs, then SIGKILL the worker's process group. */
  dispose(): Promise<void> {
    this.disposing ??= (async () => {
      if (!this.child) {
        this.cancelRequested = true;
        this.finish(null, null);
        return;
      }
      this.cancel();
      await this.done;
      this.listeners.clear();
    })();
    return this.disposing;
  }

  private receive(raw: unknown, start: HostToWorker): void {
    if (this.broken) return;
    const problem = problemIn(WorkerToHost, raw, 'message');
    if (problem) return this.protocolFailure(`malformed message from the worker: ${problem}`);
    const msg = raw as WorkerToHost;
    switch (msg.type) {
      case 'ready':
        if (msg.protocolVersion !== PROTOCOL_VERSION) {
          return this.protocolFailure(`worker speaks protocol ${msg.protocolVersion}, this host ${PROTOCOL_VERSION}: rebuild the extension`);
        }
        this.emit('ready', { pid: msg.pid, protocolVersion: msg.protocolVersion, backend: msg.backend });
        if (this.cancelRequested) this.sendToWorker({ type: 'cancel' });
        else this.sendToWorker(start);
        return;
      case 'report':
        this.report = msg.report;
        this.emit('report', msg.report);
        return;
      case 'error':
        this.error = msg.error;
        this.emit('error', msg.error);
        return;
      case 'exit':
        this.outcome = msg.outcome;
        return;
      default:
        this.emit('event', msg);
    }
  }

  /** The worker cannot be trusted any more: the session ends as failed with a protocol error, the worker is killed. */
  private protocolFailure(message: string): void {
    this.broken = true;
    this.error = { message, code: 'protocol' };
    this.emit('error', this.error);
    this.kill();
  }

  private sendToWorker(msg: HostToWorker): void {
    const child = this.child;
    if (child?.connected) child.send(msg, (err) => err && undefined);
  }

  private kill(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    try {
      if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      child.kill('SIGKILL');
    }
  }

  private finish(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.result) return;
    if (this.killTimer) clearTimeout(this.killTimer);
    let outcome: SessionOutcome;
    let error = this.error;
    if (this.broken) outcome = 'failed';
    else if (this.outcome === 'completed' && this.report) outcome = 'completed';
    else if (this.outcome === 'cancelled' || (this.cancelRequested && !error)) outcome = 'cancelled';
    else {
      outcome = 'failed';
      if (!error) {
        error = workerExitInfo(code, signal, this.stderrTail.value, this.options.maxMemoryMb ?? null);
        this.emit('error', error);
      }
    }
    // Anything the worker started (same process group) must not outlive the session.
    const pid = this.child?.pid;
    if (pid && process.platform !== 'win32') {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is already empty.
      }
    }
    this.result = { outcome, report: outcome === 'completed' ? this.report : null, error, exitCode: code, signal };
    this.emit('end', this.result);
    this.resolveDone(this.result);
  }

  private emit<K extends keyof SessionClientEvents>(event: K, value: SessionClientEvents[K]): void {
    for (const l of this.listeners.get(event) ?? []) {
      try {
        (l as Listener<SessionClientEvents[K]>)(value);
      } catch {
        // A throwing listener must not break the session bookkeeping.
      }
    }
  }
}
