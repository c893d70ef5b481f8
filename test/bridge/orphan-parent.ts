/**
 * A parent for test/bridge/lifecycle.test.ts and distributed-faults.test.ts to kill: starts a bridge
 * server (or WORLD_SIZE local ranks, the optional third argument) on the problem file given, asks
 * it for the (slow) validation loss, prints the server's pids (space-separated) and waits. Not a test.
 */
import { BridgeClient } from '../../src/bridge/client';

const [python, problem, worldSize] = process.argv.slice(2);
void (async () => {
  // The server's stderr lines go to this process's stderr, where the test watches for SLEEPING.
  const client = await BridgeClient.spawn({
    python,
    problem,
    onStderrLine: (l) => process.stderr.write(l + '\n'),
    ...(worldSize ? { distributed: { worldSize: Number(worldSize) } } : {}),
  });
  client.loss('val').catch(() => {});
  process.stdout.write(`${client.pids!.join(' ')}\n`);
  setInterval(() => {}, 1000);
})();
