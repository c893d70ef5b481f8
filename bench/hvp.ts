/**
 * HVP vs gradient cost on each TF.js backend and in PyTorch (`npm run bench`), measured side by side:
 * every (model, engine) runs in its own process (so peak RSS belongs to it alone), the processes of
 * one round in rotated order, and each figure is the median over rounds of per-process medians
 * after warm-up. The PyTorch peer (bench/peer/torch_hvp.py) runs the same model, rows and loss:
 *   gradMs  one full gradient of L_T (upload w, forward, backward, download)
 *   hvpMs   one H·v at a fixed w with the tape (forward activations, backward δ's) cached:
 *           upload v, the R-passes, download; what every Lanczos/Neumann step pays
 *   tapeMs  the one-off cost of building that cache at a new w (paid once per analysis)
 *   torch   gradMs/hvpMs of the same L_T by autograd (HVP = reverse-over-reverse, forward included)
 * hvpOverGrad = hvpMs / gradMs. Writes bench/results/hvp.json.  Options: --rounds N (default 5).
 */
import { join } from 'node:path';
import { initBackend } from '../src/core/model/backend';
import type { BackendName } from '../src/core/config/experiment';
import type { Dataset } from '../src/core/data/dataset';
import { seedRegression } from '../src/core/data/synthetic';
import { initParams, type MlpSpec } from '../src/core/model/mlp';
import { MlpObjective } from '../src/core/model/mlp-objective';
import { Rng } from '../src/core/util/rng';
import { torchPython } from './lib/python';
import { randomClassification } from './lib/random-data';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

interface Case {
  model: string;
  spec: MlpSpec;
  rows: number;
  data: (rows: number) => Dataset;
  runs: number;
  backend: BackendName;
}

export interface HvpBenchResult {
  model: string;
  rows: number;
  params: number;
  backend: BackendName;
  gradMs: number;
  hvpMs: number;
  hvpOverGrad: number;
  tapeMs: number;
  peakRssMb: number;
  runs: number;
}

const MODELS: (Omit<Case, 'backend'> & { backends: BackendName[] })[] = [
  { model: '1-8-4-1 relu mse (seed)', spec: { layers: [1, 8, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0.1 }, rows: 1000, data: (n: number) => seedRegression(n, 123), runs: 30, backends: ['wasm', 'cpu'] },
  { model: '784-128-10 relu cross-entropy', spec: { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.1 }, rows: 2000, data: (n: number) => randomClassification(n, 784, 10), runs: 10, backends: ['wasm', 'cpu'] },
  // The plain-JS cpu backend takes seconds per product at this size: wasm only.
  { model: '784-256-256-10 relu cross-entropy', spec: { layers: [784, 256, 256, 10], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.1 }, rows: 2000, data: (n: number) => randomClassification(n, 784, 10), runs: 5, backends: ['wasm'] },
];
const CASES: Case[] = MODELS.flatMap((m) => m.backends.map((backend) => ({ ...m, backend })));

async function time(f: () => unknown): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

async function runCase(c: Case): Promise<HvpBenchResult> {
  const backend = await initBackend(c.backend);
  const objective = new MlpObjective(c.spec, c.data(c.rows));
  const w = initParams(c.spec.layers, 1);
  const v = new Rng(2).normalVector(objective.size);
  const warm = c.runs >= 30 ? 5 : 1;
  const op = await objective.hessianAt(w);
  const grad: number[] = [];
  const hvp: number[] = [];
  // interleaved, so load from other processes hits both alike
  for (let i = 0; i < warm + c.runs; i++) {
    const g = await time(() => objective.gradient(w));
    const h = await time(() => op.apply(v));
    if (i >= warm) {
      grad.push(g);
      hvp.push(h);
    }
  }
  op.dispose();
  const tape: number[] = [];
  for (let i = 0; i < 3; i++) {
    let fresh = op;
    tape.push(await time(async () => (fresh = await objective.hessianAt(w))));
    fresh.dispose();
  }
  objective.dispose();
  const gradMs = median(grad);
  const hvpMs = median(hvp);
  const r3 = (x: number) => Math.round(x * 1000) / 1000;
  return {
    model: c.model,
    rows: c.rows,
    params: objective.size,
    backend,
    gradMs: r3(gradMs),
    hvpMs: r3(hvpMs),
    hvpOverGrad: Math.round((hvpMs / gradMs) * 100) / 100,
    tapeMs: r3(median(tape)),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    runs: c.runs,
  };
}

/** The same model and loss in PyTorch (bench/peer/torch_hvp.py), as the peer contestant. */
function peerArgs(m: Omit<Case, 'backend'>): string[] {
  return [join(__dirname, 'peer', 'torch_hvp.py'), '--sizes', m.spec.layers.join(','), '--rows', String(m.rows), '--loss', m.spec.loss, '--reps', String(m.runs), '--weight-decay', String(m.spec.weightDecay)];
}

export interface HvpBenchRow {
  model: string;
  rows: number;
  params: number;
  /** `tfjs-wasm`, `tfjs-cpu` or `torch` (the PyTorch peer, reverse-over-reverse autograd). */
  engine: string;
  gradMs: number;
  hvpMs: number;
  hvpOverGrad: number;
  /** TF.js only: building the R-operator tape once per w (torch's HVP includes its forward pass). */
  tapeMs: number | null;
  peakRssMb: number | null;
  /** Per-round medians of hvpMs (the spread across rounds shows the machine's noise). */
  hvpMsPerRound: number[];
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    console.log(JSON.stringify(await runCase(CASES[Number(process.argv[at + 1])])));
    return;
  }
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 5;
  const python = torchPython();
  if (!python) console.log('torch peer: no Python with torch found (apt-get install -y python3-torch, or set NEUMANN_LENS_PYTHON); measuring TF.js only');
  const loadBefore = startLoad();
  const contestants = [
    ...CASES.map((c, i) => ({ key: `${c.model}|tfjs-${c.backend}`, command: process.execPath, args: [...process.execArgv, __filename, '--case', String(i)] })),
    ...(python ? MODELS.map((m) => ({ key: `${m.model}|torch`, command: python, args: peerArgs(m) })) : []),
  ];
  const samples = interleave(rounds, contestants, (key, r, s) => console.log(`round ${r}: ${key.replace('|', ' / ')}: hvp ${s.hvpMs} ms, grad ${s.gradMs} ms`));
  const rows: HvpBenchRow[] = [];
  for (const m of MODELS) {
    for (const [key, runs] of samples) {
      const [model, engine] = key.split('|');
      if (model !== m.model) continue;
      const pick = (k: string) => median(runs.map((x) => Number(x[k])));
      const hvpMs = pick('hvpMs');
      const gradMs = pick('gradMs');
      rows.push({
        model,
        rows: m.rows,
        params: Number(runs[0].params),
        engine,
        gradMs: round(gradMs),
        hvpMs: round(hvpMs),
        hvpOverGrad: round(hvpMs / gradMs, 2),
        tapeMs: runs[0].tapeMs === undefined ? null : round(pick('tapeMs')),
        peakRssMb: runs[0].peakRssMb === undefined ? null : Math.max(...runs.map((x) => Number(x.peakRssMb))),
        hvpMsPerRound: runs.map((x) => round(Number(x.hvpMs))),
      });
    }
  }
  const head = ['model', 'params', 'engine', 'gradMs', 'hvpMs', 'hvpOverGrad', 'tapeMs', 'peakRssMb'] as const;
  const table = [head.map(String), ...rows.map((r) => head.map((k) => String(r[k] ?? '')))];
  const widths = head.map((_, j) => Math.max(...table.map((row) => row[j].length)));
  for (const row of table) console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  const file = writeResults(
    'hvp',
    {
      rounds,
      method:
        'Each round runs every (model, engine) once as its own process, in rotated order; a process reports the median of its repetitions after warm-up, and a figure here is the median over rounds. ' +
        'TF.js hvpMs is one H·v with the R-operator tape cached at w (tapeMs builds it once per w); torch hvpMs is a whole reverse-over-reverse HVP including its forward pass.',
      results: rows,
    },
    loadBefore,
  );
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
