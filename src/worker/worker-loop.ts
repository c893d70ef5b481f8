/**
 * The worker's protocol logic, independent of how messages travel (process IPC in main.ts): one
 * worker runs one session. `ready` first; on `start`: validate the config → run the session with
 * an AbortController wired to `cancel` → forward its events (coalesced) → `report` → `exit`.
 * Every inbound message is validated. One the worker cannot act on (malformed, of an unknown
 * type, a second `start`) ends the session as failed with a `protocol` error that names the
 * field: the host and this worker disagree, and a host waiting for an answer must get one.
 */
import type { BackendChoice, BackendName, Experiment } from '../core/config/experiment';
import type { DiagnosisReport } from '../core/diagnosis/report';
import { EventCoalescer } from '../protocol/coalesce';
import { problemIn } from '../protocol/check';
import { HostToWorker, PROTOCOL_VERSION, type SessionEvent, type SessionOutcome, type StartOptions, type WorkerToHost } from '../protocol/messages';
import { ProtocolError, errorToInfo, isCancelled } from '../process/faults';

export interface WorkerDeps {
  /** Makes the backend chosen at fork time active before `ready`, so `ready` can name it. */
  initBackend(choice: BackendChoice): Promise<BackendName>;
  validateExperiment(raw: unknown, file: string | null): Experiment;
  runSession(
    experiment: Experiment,
    options: StartOptions,
    hooks: { onEvent: (e: SessionEvent) => void; signal?: AbortSignal },
  ): Promise<DiagnosisReport>;
}

export interface WorkerPort {
  send(msg: WorkerToHost): void;
  /** Called once the session is over and everything has been sent. */
  finish(outcome: SessionOutcome): void;
}

export class WorkerLoop {
  private state: 'idle' | 'running' | 'done' = 'idle';
  private readonly abort = new AbortController();

  constructor(
    private readonly port: WorkerPort,
    private readonly deps: WorkerDeps,
  ) {}

  /** `backend`: the TF.js backend initialised at startup (null when it could not be; the session reports why). */
  announce(backend: BackendName | null): void {
    this.port.send({ type: 'ready', protocolVersion: PROTOCOL_VERSION, backend, pid: process.pid });
  }

  receive(raw: unknown): void {
    const problem = problemIn(HostToWorker, raw, 'message');
    if (problem) return this.reject(`malformed message from the host: ${problem}`);
    const msg = raw as HostToWorker;
    if (msg.type === 'cancel') return this.cancel('cancel requested');
    if (this.state !== 'idle') return this.reject(`a second "start": a worker runs one session, and this one is ${this.state}`);
    this.state = 'running';
    void this.run(msg.config, msg.configPath, msg.options);
  }

  /** Cancel (from the host, or because the host is gone). Before a start: end right away. */
  cancel(why: string): void {
    if (this.state === 'idle') {
      this.state = 'done';
      this.end('cancelled');
      return;
    }
    if (this.state === 'running' && !this.abort.signal.aborted) {
      this.log('info', `cancelling: ${why}`);
      this.abort.abort();
    }
  }

  /** A fault outside the session's promise chain (uncaught exception, heap watch, a rejected message). */
  fail(err: unknown): void {
    if (this.state === 'done') return;
    if (this.state === 'running') this.abort.abort();
    this.state = 'done';
    this.sendError(err);
    this.end('failed');
  }

  private reject(why: string): void {
    // Once the session is over its `exit` has been sent and nobody waits: the log says it still.
    if (this.state === 'done') return this.log('warn', `after the session ended: ${why}`);
    this.fail(new ProtocolError(why));
  }

  private async run(config: unknown, configPath: string | null, options: StartOptions): Promise<void> {
    const coalescer = new EventCoalescer((e) => this.state === 'running' && this.port.send(e));
    try {
      const experiment = this.deps.validateExperiment(config, configPath);
      const report = await this.deps.runSession(experiment, options, {
        onEvent: (e) => coalescer.push(e),
        signal: this.abort.signal,
      });
      coalescer.close();
      if (this.state !== 'running') return;
      if (this.abort.signal.aborted) {
        // Finished between the cancel and the next checkpoint: still a cancelled session.
        this.state = 'done';
        return this.end('cancelled');
      }
      this.state = 'done';
      this.port.send({ type: 'report', report });
      this.end('completed');
    } catch (err) {
      coalescer.close();
      if (this.state !== 'running') return;
      this.state = 'done';
      if (isCancelled(err)) return this.end('cancelled');
      this.sendError(err);
      this.end('failed');
    }
  }

  private sendError(err: unknown): void {
    const info = errorToInfo(err);
    if (info.stack) this.log('error', info.stack);
    // The stack travels in the log; the error message stays readable.
    const { stack: _stack, ...error } = info;
    this.port.send({ type: 'error', error });
  }

  private end(outcome: SessionOutcome): void {
    this.port.send({ type: 'exit', outcome });
    this.port.finish(outcome);
  }

  private log(level: 'debug' | 'info' | 'warn' | 'error', text: string): void {
    this.port.send({ type: 'log', level, text });
  }
}
