/**
 * A parent for test/bridge/lifecycle.test.ts to kill: starts a bridge server on the problem file
 * given, asks it for the (slow) validation loss, prints the server's pid and waits. Not a test.
 */
import { BridgeClient } from '../../src/bridge/client';

const [python, problem] = process.argv.slice(2);
void (async () => {
  // The server's stderr lines go to this process's stderr, where the test watches for SLEEPING.
  const client = await BridgeClient.spawn({ python, problem, onStderrLine: (l) => process.stderr.write(l + '\n') });
  client.loss('val').catch(() => {});
  process.stdout.write(`${client.pid}\n`);
  setInterval(() => {}, 1000);
})();
