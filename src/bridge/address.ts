/**
 * What an experiment's `"pytorch": { "connect": "HOST:PORT", "tokenFile": "FILE" }` names, read the
 * way the server reads its own (python/neumann_lens/transport.py parse_address, cli.py _read_token):
 * the address of rank 0 of cluster ranks and the shared token. Mistakes are BridgeErrors with code
 * input, saying what was expected.
 */
import { readFileSync } from 'node:fs';
import { BridgeError } from './errors';

/** HOST:PORT or [IPv6]:PORT. */
export function parseBridgeAddress(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(text) ?? /^([^:[\]\s]+):(\d+)$/.exec(text);
  const port = m ? Number(m[2]) : NaN;
  if (!m || !(port >= 1 && port <= 65535)) {
    throw new BridgeError('input', `expected HOST:PORT (e.g. node0:7777, 127.0.0.1:7777 or [::1]:7777), got ${JSON.stringify(text)}`);
  }
  return { host: m[1], port };
}

/** The token in a token file (surrounding whitespace dropped, as the server does). */
export function readBridgeToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new BridgeError('input', `cannot read the token file ${file}: ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  const token = text.trim();
  if (!token) throw new BridgeError('input', `the token file ${file} is empty; it must hold the token the server's --token-file holds`);
  return token;
}
