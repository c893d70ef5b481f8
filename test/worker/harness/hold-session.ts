/**
 * A stand-in for the extension host: starts a session through SessionClient, prints the
 * worker's pid, and keeps going until it is killed (the orphan test SIGKILLs it).
 *   node --import tsx hold-session.ts <worker.js> <experiment.json>
 */
import { readFileSync } from 'node:fs';
import { SessionClient } from '../../../src/session/client';

const [workerPath, experimentPath] = process.argv.slice(2);
const client = new SessionClient({ workerPath });
client.on('ready', ({ pid }) => process.stdout.write(`WORKER ${pid}\n`));
client.on('event', (e) => {
  if (e.type === 'phase') process.stdout.write(`PHASE ${e.phase}\n`);
});
void client.start(JSON.parse(readFileSync(experimentPath, 'utf8')), experimentPath, { backend: 'cpu' }).then((r) => {
  process.stdout.write(`END ${r.outcome}\n`);
});
setInterval(() => undefined, 1000);
