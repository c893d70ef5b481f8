/** `neumann-lens` entry (dist/cli.js). The session runs in this process, on the worker's code path. */
import { version } from '../../package.json';
import { runSession } from '../session/run-session';
import { runCli } from './run-cli';

const interrupt = new AbortController();
process.on('SIGINT', () => {
  // First Ctrl+C cancels at the next checkpoint; a second one does not wait.
  if (interrupt.signal.aborted) process.exit(130);
  interrupt.abort();
});

runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, version, interrupt: interrupt.signal }, runSession).then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`neumann-lens: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
