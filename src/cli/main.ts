/** `neumann-lens` entry (dist/cli.js). The session runs in this process, on the worker's code path. */
import { version } from '../../package.json';
import { runSession } from '../session/run-session';
import { discardPendingOutputs } from './outputs';
import { exitForSignal, runCli } from './run-cli';

const interrupt = new AbortController();
// The first SIGINT/SIGTERM stops the session at its next checkpoint; a second one does not wait.
// Either way the exit hook below removes the temporary output files, so no old output is lost.
for (const name of ['SIGINT', 'SIGTERM'] as const) {
  process.on(name, () => {
    if (interrupt.signal.aborted) process.exit(exitForSignal(name));
    interrupt.abort(name);
  });
}
process.on('exit', discardPendingOutputs);

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, version, interrupt: interrupt.signal }, runSession).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`neumann-lens: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
