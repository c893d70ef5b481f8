/**
 * The PyTorch bridge's cost (`node --import tsx bench/bridge.ts [--rounds N]`):
 *  1. one H·v through the bridge (BridgeClient in this Node process, the server a Python child,
 *     float32) against the same H·v called in-process in Python (bench/peer/inprocess_hvp.py: the
 *     bridge's own engine, no transport), on 784-128-10 and 784-256-256-10 ReLU MLPs with
 *     cross-entropy over 2000 rows (bench/peer/mlp_problem.py); the ratio is the transport's overhead;
 *  2. both ends of the spectrum to relative tolerance 1e-3 by Lanczos (src/core/algorithms/lanczos)
 *     through the bridge on a ≥ 1,000,000-parameter MLP (784-1280-10, 2000 rows): total time and HVPs.
 * Each round runs every contestant once as its own process, in rotated order. Writes
 * bench/results/bridge.json.
 */
import { join } from 'node:path';
import { BridgeClient } from '../src/bridge/client';
import { bridgeEnv, bridgePythonPath } from '../src/bridge/python-env';
import { lanczos } from '../src/core/algorithms/lanczos';
import { BridgeObjective } from '../src/session/bridge-objective';
import { torchPython } from './lib/python';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

const PROBLEM = join(__dirname, 'peer', 'mlp_problem.py');
const ROWS = 2000;
const REPS = 5;
const HVP_MODELS = ['784,128,10', '784,256,256,10'];
const SPECTRUM_MODEL = '784,1280,10';
const TOL = 1e-3;
const MAX_STEPS = 200;

export type BridgeBenchRow =
  | { kind: 'hvp'; model: string; rows: number; params: number; bridgeMs: number; inProcessMs: number; ratio: number; bridgeMsPerRound: number[]; inProcessMsPerRound: number[] }
  | {
      kind: 'spectrum';
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
      startMs: number;
    };

const envFor = (sizes: string) => ({ ...process.env, BENCH_SIZES: sizes, BENCH_ROWS: String(ROWS) });

async function time(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function hvpChild(python: string, sizes: string): Promise<void> {
  const client = await BridgeClient.spawn({ python, problem: PROBLEM, dtype: 'float32', env: envFor(sizes) });
  try {
    const n = client.paramCount;
    const vector = (k: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
    const firstHvpMs = await time(() => client.hvp([vector(0)]));
    const hvps: number[] = [];
    for (let k = 1; k <= REPS; k++) {
      const v = vector(k);
      hvps.push(await time(() => client.hvp([v])));
    }
    console.log(JSON.stringify({ params: n, firstHvpMs, hvpMs: median(hvps), hvps }));
  } finally {
    await client.close();
  }
}

async function spectrumChild(python: string): Promise<void> {
  const t0 = performance.now();
  const client = await BridgeClient.spawn({ python, problem: PROBLEM, dtype: 'float32', env: envFor(SPECTRUM_MODEL) });
  const startMs = performance.now() - t0;
  try {
    const objective = new BridgeObjective(client, 0);
    const w = await client.getParams();
    const t = performance.now();
    const op = await objective.hessianAt(w);
    const r = await lanczos(op, { maxSteps: MAX_STEPS, tol: TOL, seed: 1 });
    const totalMs = performance.now() - t;
    console.log(
      JSON.stringify({
        params: client.paramCount, startMs, totalMs, hvps: op.matvecCount, steps: r.steps,
        lambdaMax: r.lambdaMax.value, lambdaMin: r.lambdaMin.value, convergedMax: r.lambdaMax.converged, convergedMin: r.lambdaMin.converged,
      }),
    );
  } finally {
    await client.close();
  }
}

const label = (sizes: string) => `${sizes.replace(/,/g, '-')} relu cross-entropy`;

async function main(): Promise<void> {
  const python = torchPython();
  if (!python) throw new Error('no Python with torch found (apt-get install -y python3-torch, or set NEUMANN_LENS_PYTHON)');
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    const what = process.argv[at + 1];
    return what === 'spectrum' ? spectrumChild(python) : hvpChild(python, what);
  }
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
  const loadBefore = startLoad();
  const self = (what: string) => ({ command: process.execPath, args: [...process.execArgv, __filename, '--child', what] });
  const inProcess = (sizes: string) => ({
    command: 'env',
    args: Object.entries({ ...bridgeEnv(bridgePythonPath()), BENCH_SIZES: sizes, BENCH_ROWS: String(ROWS) })
      .filter(([k]) => /^(PYTHONPATH|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|BENCH_\w+|PATH|HOME)$/.test(k))
      .map(([k, v]) => `${k}=${v}`)
      .concat([python, join(__dirname, 'peer', 'inprocess_hvp.py'), '--problem', PROBLEM, '--reps', String(REPS)]),
  });
  const samples = interleave(
    rounds,
    [
      ...HVP_MODELS.flatMap((m) => [
        { key: `bridge ${m}`, ...self(m) },
        { key: `in-process ${m}`, ...inProcess(m) },
      ]),
      { key: 'spectrum', ...self('spectrum') },
    ],
    (key, r, s) => console.log(`round ${r}: ${key}: ${s.hvpMs !== undefined ? `hvp ${round(Number(s.hvpMs))} ms` : `${round(Number(s.totalMs))} ms, ${s.hvps} HVPs`}`),
  );
  const pick = (key: string, field: string) => median(samples.get(key)!.map((s) => Number(s[field])));
  const results: BridgeBenchRow[] = HVP_MODELS.map((m) => ({
    kind: 'hvp',
    model: label(m),
    rows: ROWS,
    params: Number(samples.get(`bridge ${m}`)![0].params),
    bridgeMs: round(pick(`bridge ${m}`, 'hvpMs')),
    inProcessMs: round(pick(`in-process ${m}`, 'hvpMs')),
    ratio: round(pick(`bridge ${m}`, 'hvpMs') / pick(`in-process ${m}`, 'hvpMs'), 3),
    bridgeMsPerRound: samples.get(`bridge ${m}`)!.map((s) => round(Number(s.hvpMs))),
    inProcessMsPerRound: samples.get(`in-process ${m}`)!.map((s) => round(Number(s.hvpMs))),
  }));
  const spec = samples.get('spectrum')!;
  const last = spec[spec.length - 1];
  results.push({
    kind: 'spectrum',
    model: label(SPECTRUM_MODEL),
    rows: ROWS,
    params: Number(last.params),
    tolerance: TOL,
    totalMs: round(pick('spectrum', 'totalMs')),
    hvps: Math.round(pick('spectrum', 'hvps')),
    lanczosSteps: Math.round(pick('spectrum', 'steps')),
    lambdaMax: Number(last.lambdaMax),
    lambdaMin: Number(last.lambdaMin),
    converged: { max: spec.every((s) => s.convergedMax === true), min: spec.every((s) => s.convergedMin === true) },
    startMs: round(pick('spectrum', 'startMs')),
  });
  for (const r of results) console.log(JSON.stringify(r));
  const file = writeResults(
    'bridge',
    {
      rounds,
      method:
        `Each round runs every contestant once as its own process, in rotated order; an HVP contestant reports the median of ${REPS} H·v at one w after a first one that builds the double-backward graph (float32, the server on the default torch threads), and a figure is the median over rounds. ` +
        `In-process is the bridge's own engine called in Python (no transport). The spectrum row is Lanczos with full reorthogonalisation through the bridge from one w (both ends to relative residual ${TOL}, at most ${MAX_STEPS} steps), time from the first H·v to the result, without the server's start.`,
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
