/**
 * Where one H·v through the bridge spends its time (a profiling script, not a benchmark: it is not
 * in bench/*.ts, so `npm run bench` does not run it):
 *   node --import tsx bench/profile/bridge-hvp.ts [--sizes 784,256,256,10] [--dtype float32] [--reps 15]
 * Runs the server under bench/profile/timed_serve.py, which stamps each stage on the server with
 * the clock Node's hrtime reads (CLOCK_MONOTONIC), and stamps the client's stages here, so one
 * request is split end to end: client encode → request in flight → server read → decode →
 * engine.hvp → encode → write → reply in flight → client frame decode → vector decode. An `echo`
 * server (the same transport and frames, payload straight back) gives what moving the bytes costs.
 * Prints the median of each stage over --reps requests after two warm-ups.
 */
import { join } from 'node:path';
import { BRIDGE_PROTOCOL_VERSION, type VectorsBlock } from '../../src/protocol/bridge';
import { BridgeConnection } from '../../src/bridge/connection';
import { decodeVectors, encodeVectors } from '../../src/bridge/framing';
import { ServerProcess } from '../../src/bridge/processes';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import { torchPython } from '../lib/python';
import { median } from '../lib/results';

const arg = (name: string, fallback: string) => {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : fallback;
};
const sizes = arg('--sizes', '784,256,256,10');
const dtype = arg('--dtype', 'float32') as 'float32' | 'float64';
const reps = Number(arg('--reps', '15'));
const now = () => Number(process.hrtime.bigint()) / 1e6;

interface ServerStamp {
  marks: Record<string, number>;
  reads: number[];
  writes: number[];
}

async function profile(mode: 'serve' | 'echo', params: number | null): Promise<{ params: number; rows: Record<string, number>[] }> {
  const python = torchPython();
  if (!python) throw new Error('no Python with torch');
  const script = join(__dirname, 'timed_serve.py');
  const args = mode === 'echo' ? [script, 'echo'] : [script, 'serve', '--problem', join(__dirname, '..', 'peer', 'mlp_problem.py'), '--dtype', dtype];
  const stamps: ServerStamp[] = [];
  const processes = await ServerProcess.start({
    python,
    args,
    env: bridgeEnv(bridgePythonPath(), { ...process.env, BENCH_SIZES: sizes, BENCH_ROWS: '2000' }),
    onStderrLine: (line) => {
      if (line.startsWith('PROFILE ')) stamps.push(JSON.parse(line.slice(8)) as ServerStamp);
      else if (mode === 'echo' || !line.startsWith('neumann_lens')) console.error(line);
    },
  });
  // Registered before the connection's own listener, so it sees each chunk as it arrives.
  let chunks: { at: number; bytes: number }[] = [];
  processes.stdout.on('data', (c: Buffer) => chunks.push({ at: now(), bytes: c.length }));
  const conn = BridgeConnection.over(processes);
  try {
    const ready = await conn.request({ type: 'hello', protocolVersion: BRIDGE_PROTOCOL_VERSION });
    const n = params ?? (ready.header as { params: { count: number } }).params.count;
    const rows: Record<string, number>[] = [];
    for (let k = 0; k < reps + 2; k++) {
      const v = Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
      chunks = [];
      const t0 = now();
      const { vectors, payload } = encodeVectors([v], dtype);
      const t1 = now();
      const pending = conn.request({ type: 'hvp', vectors }, payload);
      const t2 = now();
      const reply = await pending;
      const t3 = now();
      decodeVectors((reply.header as { vectors: VectorsBlock }).vectors, reply.payload);
      const t4 = now();
      while (stamps.length <= k) await new Promise((r) => setTimeout(r, 5));
      const s = stamps[k];
      const m = Object.fromEntries(Object.entries(s.marks).map(([key, ns]) => [key, ns / 1e6]));
      const last = chunks[chunks.length - 1].at;
      const row: Record<string, number> = {
        'client encodeVectors': t1 - t0,
        'client encodeFrame + write()': t2 - t1,
        'request in flight (write() → payload read on server)': m.payloadIn - t2,
        'server header decode + validate': (m.decodeStart ?? m.writeStart) - m.payloadIn,
        'server from_payload': m.decodeEnd - m.decodeStart || 0,
        'server engine.hvp': m.hvpEnd - m.hvpStart || 0,
        'server to_payload': m.encodeEnd - m.encodeStart || 0,
        'server between stages': m.writeStart - m.payloadIn - ((m.decodeEnd - m.decodeStart || 0) + (m.hvpEnd - m.hvpStart || 0) + (m.encodeEnd - m.encodeStart || 0) + ((m.decodeStart ?? m.writeStart) - m.payloadIn)),
        'server write_frame': m.writeEnd - m.writeStart,
        'reply in flight (write start → last chunk here)': last - m.writeStart,
        'client frame decode + validate (last chunk → resolved)': t3 - last,
        'client decodeVectors': t4 - t3,
        total: t4 - t0,
        'total − engine.hvp': t4 - t0 - (m.hvpEnd - m.hvpStart || 0),
        'server reads (count)': s.reads.length,
        'server writes (count)': s.writes.length,
        'client chunks (count)': chunks.length,
      };
      if (k >= 2) rows.push(row);
    }
    return { params: n, rows };
  } finally {
    await conn.close();
  }
}

function show(title: string, rows: Record<string, number>[]): void {
  console.log(`\n${title}`);
  for (const key of Object.keys(rows[0])) {
    const xs = rows.map((r) => r[key]);
    console.log(`  ${key.padEnd(58)} ${median(xs).toFixed(3).padStart(9)}   (min ${Math.min(...xs).toFixed(3)})`);
  }
}

async function main(): Promise<void> {
  const served = await profile('serve', null);
  show(`H·v through the bridge, ${sizes} (${served.params} parameters), ${dtype}: median ms over ${reps}`, served.rows);
  const echo = await profile('echo', served.params);
  show(`echo of the same frames (transport only)`, echo.rows);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
