/**
 * The PyTorch bridge's cost (`node --import tsx bench/bridge.ts [--rounds N]`):
 *  1. one H·v through the bridge (BridgeClient in this Node process, the server a Python child,
 *     float32) against the same H·v called in-process in Python (bench/peer/inprocess_hvp.py: the
 *     bridge's own engine, no transport), on 784-128-10 and 784-256-256-10 ReLU MLPs with
 *     cross-entropy over 2000 rows (bench/peer/mlp_problem.py), and next to them an echo of the
 *     same vector through the bridge's frames (bench/peer/echo_frames.py: what moving the bytes
 *     costs). All three run at once and take turns, so load from other processes falls on each
 *     alike; bridge / in-process is the transport's overhead, and the echo says how much of it a
 *     pipe alone costs;
 *  2. both ends of the spectrum to relative tolerance 1e-3 by Lanczos (src/core/algorithms/lanczos)
 *     on a ≥ 1,000,000-parameter MLP (784-1280-10, 2000 rows), through the bridge and through the
 *     TF.js Hessian operator (src/core/model, wasm backend), on the same rows and weights: total
 *     time, HVPs, peak memory, and how far the two engines' eigenvalues are apart.
 * Each round runs every contestant once as its own process, in rotated order; a figure is the
 * median over rounds. Writes bench/results/bridge.json.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BridgeClient } from '../src/bridge/client';
import { bridgeEnv, bridgePythonPath } from '../src/bridge/python-env';
import { lanczos } from '../src/core/algorithms/lanczos';
import { initBackend } from '../src/core/model/backend';
import { initParams } from '../src/core/model/mlp';
import { MlpObjective } from '../src/core/model/mlp-objective';
import type { HessianOperator } from '../src/core/model/objective';
import { BridgeObjective } from '../src/session/bridge-objective';
import { torchPython } from './lib/python';
import { startEcho } from './lib/echo';
import { randomClassification } from './lib/random-data';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

const PROBLEM = join(__dirname, 'peer', 'mlp_problem.py');
const ROWS = 2000;
/** Turns per round (an H·v through the bridge, one in-process, one echo), after one that builds the double-backward graphs. */
const TURNS = 25;
const HVP_MODELS = ['784,128,10', '784,256,256,10'];
const SPECTRUM_LAYERS = [784, 1280, 10];
const SPECTRUM_ENGINES = ['bridge', 'tfjs-wasm'] as const;
type SpectrumEngine = (typeof SPECTRUM_ENGINES)[number];
const TOL = 1e-3;
const MAX_STEPS = 200;

export type BridgeBenchRow =
  | {
      kind: 'hvp';
      model: string;
      rows: number;
      params: number;
      bridgeMs: number;
      inProcessMs: number;
      /** Median over rounds of each round's bridge median / in-process median. */
      ratio: number;
      /** Median over rounds of bridge − in-process: what the transport adds to one H·v. */
      overheadMs: number;
      /** The same vector's bytes there and back through an echo of the bridge's frames (bench/peer/echo_frames.py): what moving them costs. */
      echoMs: number;
      bridgeMsPerRound: number[];
      inProcessMsPerRound: number[];
    }
  | {
      kind: 'spectrum';
      engine: SpectrumEngine;
      model: string;
      rows: number;
      params: number;
      tolerance: number;
      totalMs: number;
      hvps: number;
      lanczosSteps: number;
      lambdaMax: number;
      lambdaMin: number;
      converged: { max: boolean; min: boolean };
      /** Peak resident memory of the Node process (the Lanczos basis; with TF.js also the model and its tape). */
      clientPeakRssMb: number | null;
      /** Peak resident memory of the Python server (model, data, double-backward graph); null for TF.js. */
      serverPeakRssMb: number | null;
      totalMsPerRound: number[];
    }
  | { kind: 'spectrum-failed'; engine: SpectrumEngine; model: string; rows: number; params: number; reason: string }
  | { kind: 'agreement'; model: string; lambdaMaxRelDiff: number; lambdaMinRelDiff: number };

const envFor = (sizes: string, extra: Record<string, string> = {}) => ({ ...process.env, BENCH_SIZES: sizes, BENCH_ROWS: String(ROWS), ...extra });

async function time(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** The in-process peer, started and answering one H·v per line (bench/peer/inprocess_hvp.py). */
async function startPeer(python: string, sizes: string): Promise<{ params: number; hvp: (k: number) => Promise<number>; close: () => void }> {
  const child = spawn(python, [join(__dirname, 'peer', 'inprocess_hvp.py'), '--problem', PROBLEM], {
    env: bridgeEnv(bridgePythonPath(), envFor(sizes)),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const r = await lines.next();
    if (r.done) throw new Error('the in-process peer exited');
    return JSON.parse(r.value) as Record<string, number>;
  };
  const { params } = await next();
  return {
    params,
    hvp: async (k) => {
      child.stdin.write(`${k}\n`);
      return (await next()).ms;
    },
    close: () => child.stdin.end(),
  };
}

async function hvpChild(python: string, sizes: string): Promise<void> {
  const [client, peer, echo] = await Promise.all([
    BridgeClient.spawn({ python, problem: PROBLEM, dtype: 'float32', env: envFor(sizes) }),
    startPeer(python, sizes),
    startEcho(python, 'float32'),
  ]);
  try {
    const n = client.paramCount;
    if (peer.params !== n) throw new Error(`the bridge serves ${n} parameters, the in-process peer ${peer.params}`);
    const vector = (k: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
    const times = { bridge: [] as number[], inProcess: [] as number[], echo: [] as number[] };
    for (let k = 0; k <= TURNS; k++) {
      const v = vector(k);
      const turns: [keyof typeof times, () => Promise<number>][] = [
        ['bridge', () => time(() => client.hvp([v]))],
        ['inProcess', () => peer.hvp(k)],
        ['echo', () => time(() => echo.roundTrip(v))],
      ];
      for (let j = 0; j < turns.length; j++) {
        const [who, run] = turns[(j + k) % turns.length];
        const ms = await run();
        if (k > 0) times[who].push(ms); // turn 0 builds each side's double-backward graph at w
      }
    }
    console.log(JSON.stringify({ params: n, bridgeMs: median(times.bridge), inProcessMs: median(times.inProcess), echoMs: median(times.echo), ...times }));
  } finally {
    peer.close();
    await Promise.all([client.close(), echo.close()]);
  }
}

/** Peak resident memory of a live process, from /proc (null where there is none). */
function peakRssMb(pid: number | null): number | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid ?? 'self'}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : null;
  } catch {
    return null;
  }
}

/** Lanczos for both ends on `op`, timed from the operator's creation (the tape / graph at w is part of the cost). */
async function spectrumOf(makeOp: () => Promise<HessianOperator>): Promise<Record<string, unknown>> {
  const t = performance.now();
  const op = await makeOp();
  const r = await lanczos(op, { maxSteps: MAX_STEPS, tol: TOL, seed: 1 });
  const totalMs = performance.now() - t;
  const out = {
    totalMs, hvps: op.matvecCount, steps: r.steps, lambdaMax: r.lambdaMax.value, lambdaMin: r.lambdaMin.value,
    convergedMax: r.lambdaMax.converged, convergedMin: r.lambdaMin.converged,
  };
  op.dispose();
  return out;
}

async function spectrumChild(python: string, engine: SpectrumEngine): Promise<void> {
  // The same rows and weights for both engines: the TF.js benchmarks' random rows, the MLP's seeded initialisation.
  const data = randomClassification(ROWS, SPECTRUM_LAYERS[0], SPECTRUM_LAYERS[SPECTRUM_LAYERS.length - 1]);
  const w = initParams(SPECTRUM_LAYERS, 1);
  const params = w.length;
  try {
    if (engine === 'tfjs-wasm') {
      const backend = await initBackend('wasm');
      const objective = new MlpObjective({ layers: SPECTRUM_LAYERS, activation: 'relu', loss: 'cross-entropy', weightDecay: 0 }, data);
      const r = await spectrumOf(() => objective.hessianAt(w));
      objective.dispose();
      console.log(JSON.stringify({ params, backend, ...r, clientPeakRssMb: peakRssMb(null), serverPeakRssMb: null }));
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'bridge-bench-'));
    const file = join(dir, 'rows.f32');
    writeFileSync(file, Buffer.concat([Buffer.from(data.x.buffer, data.x.byteOffset, data.x.byteLength), Buffer.from(data.y.buffer, data.y.byteOffset, data.y.byteLength)]));
    const client = await BridgeClient.spawn({ python, problem: PROBLEM, dtype: 'float32', env: envFor(SPECTRUM_LAYERS.join(','), { BENCH_DATA: file }) });
    try {
      if (client.paramCount !== params) throw new Error(`the bridge serves ${client.paramCount} parameters, the MLP has ${params}`);
      const objective = new BridgeObjective(client, 0);
      await objective.moveTo(w);
      const r = await spectrumOf(() => objective.hessianAt(w));
      console.log(JSON.stringify({ params, ...r, clientPeakRssMb: peakRssMb(null), serverPeakRssMb: peakRssMb(client.pid) }));
    } finally {
      await client.close();
      rmSync(dir, { recursive: true, force: true });
    }
  } catch (e) {
    // TF.js at this size may run out of memory (wasm) or time: recorded, not dropped; the bridge must run.
    if (engine !== 'tfjs-wasm') throw e;
    console.log(JSON.stringify({ params, failed: `${(e as Error).name}: ${(e as Error).message.split('\n')[0]}` }));
  }
}

const label = (sizes: string) => `${sizes.replace(/,/g, '-')} relu cross-entropy`;

function hvpRow(m: string, samples: Record<string, unknown>[]): BridgeBenchRow {
  const b = samples.map((s) => Number(s.bridgeMs));
  const p = samples.map((s) => Number(s.inProcessMs));
  return {
    kind: 'hvp',
    model: label(m),
    rows: ROWS,
    params: Number(samples[0].params),
    bridgeMs: round(median(b)),
    inProcessMs: round(median(p)),
    ratio: round(median(b.map((x, i) => x / p[i])), 3),
    overheadMs: round(median(b.map((x, i) => x - p[i]))),
    echoMs: round(median(samples.map((s) => Number(s.echoMs)))),
    bridgeMsPerRound: b.map((x) => round(x)),
    inProcessMsPerRound: p.map((x) => round(x)),
  };
}

function spectrumRow(engine: SpectrumEngine, samples: Record<string, unknown>[]): BridgeBenchRow {
  const model = label(SPECTRUM_LAYERS.join(','));
  const params = Number(samples[0].params);
  const ran = samples.filter((s) => s.failed === undefined);
  if (ran.length < samples.length) {
    const reason = String(samples.find((s) => s.failed !== undefined)!.failed);
    return { kind: 'spectrum-failed', engine, model, rows: ROWS, params, reason: `${samples.length - ran.length} of ${samples.length} rounds failed: ${reason}` };
  }
  const pick = (field: string) => median(ran.map((s) => Number(s[field])));
  const last = ran[ran.length - 1];
  const peak = (field: string) => {
    const xs = ran.map((s) => s[field]).filter((x): x is number => typeof x === 'number');
    return xs.length ? Math.max(...xs) : null;
  };
  return {
    kind: 'spectrum',
    engine,
    model,
    rows: ROWS,
    params,
    tolerance: TOL,
    totalMs: round(pick('totalMs')),
    hvps: Math.round(pick('hvps')),
    lanczosSteps: Math.round(pick('steps')),
    lambdaMax: Number(last.lambdaMax),
    lambdaMin: Number(last.lambdaMin),
    converged: { max: ran.every((s) => s.convergedMax === true), min: ran.every((s) => s.convergedMin === true) },
    clientPeakRssMb: peak('clientPeakRssMb'),
    serverPeakRssMb: peak('serverPeakRssMb'),
    totalMsPerRound: ran.map((s) => round(Number(s.totalMs))),
  };
}

async function main(): Promise<void> {
  const python = torchPython();
  if (!python) throw new Error('no Python with torch found (apt-get install -y python3-torch, or set NEUMANN_LENS_PYTHON)');
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    const what = process.argv[at + 1];
    const engine = SPECTRUM_ENGINES.find((e) => what === `spectrum-${e}`);
    return engine ? spectrumChild(python, engine) : hvpChild(python, what);
  }
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
  const loadBefore = startLoad();
  const self = (what: string) => ({ command: process.execPath, args: [...process.execArgv, __filename, '--child', what] });
  const samples = interleave(
    rounds,
    [...HVP_MODELS.map((m) => ({ key: m, ...self(m) })), ...SPECTRUM_ENGINES.map((e) => ({ key: `spectrum-${e}`, ...self(`spectrum-${e}`) }))],
    (key, r, s) =>
      console.log(
        `round ${r}: ${key}: ${
          s.bridgeMs !== undefined
            ? `bridge ${round(Number(s.bridgeMs))} ms, in-process ${round(Number(s.inProcessMs))} ms, echo ${round(Number(s.echoMs))} ms`
            : s.failed !== undefined
              ? `failed: ${String(s.failed)}`
              : `${round(Number(s.totalMs))} ms, ${s.hvps} HVPs, λ ${Number(s.lambdaMin).toPrecision(5)} … ${Number(s.lambdaMax).toPrecision(5)}`
        }`,
      ),
  );
  const results: BridgeBenchRow[] = HVP_MODELS.map((m) => hvpRow(m, samples.get(m)!));
  const spectra = SPECTRUM_ENGINES.map((e) => spectrumRow(e, samples.get(`spectrum-${e}`)!));
  results.push(...spectra);
  const [bridge, tfjs] = spectra;
  if (bridge.kind === 'spectrum' && tfjs.kind === 'spectrum') {
    // Three significant digits: the two engines agree far below any fixed number of decimals.
    const rel = (a: number, b: number) => Number((Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b))).toPrecision(3));
    results.push({ kind: 'agreement', model: bridge.model, lambdaMaxRelDiff: rel(bridge.lambdaMax, tfjs.lambdaMax), lambdaMinRelDiff: rel(bridge.lambdaMin, tfjs.lambdaMin) });
  }
  for (const r of results) console.log(JSON.stringify(r));
  const file = writeResults(
    'bridge',
    {
      rounds,
      method:
        `Each round runs every contestant once as its own process, in rotated order, and a figure is the median over rounds. ` +
        `An H·v contestant holds a bridge server (float32, torch's default threads), the in-process peer (the bridge's own engine called in Python, no transport) over the same problem and an echo of the bridge's frames at once, and times ${TURNS} turns of one H·v through the bridge (the client's call to its result in Node), one in-process (engine.hvp alone) and one echo of the same vector (encode, there and back, decode), in rotating order, after a turn that builds the double-backward graphs; a round's figure is the median of its ${TURNS}. ` +
        `Spectrum: Lanczos with full reorthogonalisation for both ends to relative residual ${TOL} (at most ${MAX_STEPS} steps), from the same rows and weights on both engines, timed from building the operator at w (graph or tape) to the result, without the server's or backend's start; peak memory is the largest resident set over rounds (/proc VmHWM) of the Node process and of the Python server.`,
      results,
    },
    loadBefore,
  );
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
