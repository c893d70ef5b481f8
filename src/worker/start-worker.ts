/**
 * Wires the worker's protocol loop to process IPC and guards against outliving the host. Only
 * one session runs per process, so that cancel-then-kill always releases everything.
 */
import { OutOfMemoryError, outOfMemoryMessage } from '../process/faults';
import { parentPidFromEnv } from '../process/parent-pid';
import { startHeapWatch } from './heap-watch';
import { startOrphanGuard } from './orphan-guard';
import { WorkerLoop, type WorkerDeps, type WorkerPort } from './worker-loop';
import type { BackendChoice } from '../core/config/experiment';
import { BackendChoice as BackendChoices } from '../core/config/experiment-schema';
import type { SessionOutcome, WorkerToHost } from '../protocol/messages';

export function startWorker(deps: WorkerDeps): void {
  if (!process.send) {
    process.stderr.write('dist/worker.js is started by the Neumann Lens extension or SessionClient (it needs an IPC channel).\n');
    process.exit(2);
  }
  const stopGuards: (() => void)[] = [];

  let lastSent: Promise<void> = Promise.resolve();
  let finishing = false;
  const port: WorkerPort = {
    send(msg: WorkerToHost) {
      if (!process.connected) return;
      lastSent = new Promise<void>((resolve) => process.send!(msg, undefined, undefined, () => resolve()));
    },
    finish(outcome: SessionOutcome) {
      finishing = true;
      for (const stop of stopGuards) stop();
      // Exit once the last message (the `exit`) has been written to the channel.
      const code = outcome === 'failed' ? 1 : 0;
      void lastSent.then(() => process.exit(code));
      setTimeout(() => process.exit(code), 2000).unref();
    },
  };
  const loop = new WorkerLoop(port, deps);

  const exitNow = (why: string): void => {
    if (finishing) return;
    loop.cancel(why);
    // The host is gone: nobody is listening, so do not wait for the session to unwind.
    process.exit(0);
  };
  process.on('disconnect', () => exitNow('the host disconnected'));
  stopGuards.push(startOrphanGuard({ parentPid: parentPidFromEnv() ?? process.ppid, onOrphaned: exitNow }));
  stopGuards.push(
    startHeapWatch({
      onNearLimit: (used, limit) => {
        loop.fail(new OutOfMemoryError(outOfMemoryMessage(limit, `${used.toFixed(0)} MB in use`)));
      },
    }),
  );
  process.on('message', (m) => loop.receive(m));
  process.on('uncaughtException', (err) => loop.fail(err));
  process.on('unhandledRejection', (err) => loop.fail(err));
  // Initialise the backend chosen at fork time before `ready`; a failure is not fatal here: the
  // session's own initBackend reports it as an error on `start`.
  const choice = backendFromArgv(process.argv);
  deps.initBackend(choice).then(
    (backend) => loop.announce(backend),
    () => loop.announce(null),
  );
}


/** `--backend NAME` as SessionClient passes it; anything else means auto. */
export function backendFromArgv(argv: readonly string[]): BackendChoice {
  const i = argv.indexOf('--backend');
  const v = i >= 0 ? argv[i + 1] : undefined;
  return BackendChoices.enum.find((c) => c === v) ?? 'auto';
}

