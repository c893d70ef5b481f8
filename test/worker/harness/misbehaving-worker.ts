/**
 * A worker that breaks the protocol, for the client's tests (the real worker never does). Forked
 * by SessionClient with NODE_OPTIONS=--import tsx: says `ready`, and on `start` sends what the
 * MISBEHAVE variable names; then it stays alive, so only the client can end the session.
 */
import { PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { sampleReport } from '../../fixtures/sample-report';

const send = (m: unknown): void => void process.send!(m);
const what = process.env.MISBEHAVE;

const badReport = (): unknown => {
  const r = sampleReport() as unknown as { neumann: { termNorms: unknown[] } };
  r.neumann.termNorms[1] = 'big';
  return r;
};

const messages: Record<string, unknown> = {
  'term-without-growth': { type: 'neumannTerm', term: 0, norm: 1, residual: 1, head: [] },
  'unknown-type': { type: 'telemetry', cpu: 0.5 },
  'bad-report': { type: 'report', report: badReport() },
  'bad-error': { type: 'error', error: { message: 'x', code: 'input', where: { kind: 'file', file: 'a.csv', line: '3' } } },
};

send({ type: 'ready', protocolVersion: what === 'old-protocol' ? 0 : PROTOCOL_VERSION, backend: 'cpu', pid: process.pid });
process.on('message', (m: { type?: string }) => {
  if (m.type === 'start' && what !== undefined && what in messages) send(messages[what]);
});
// Alive until killed, but never an orphan: gone with its host.
process.on('disconnect', () => process.exit(0));
setInterval(() => undefined, 1000);
