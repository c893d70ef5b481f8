/**
 * HVP vs gradient cost on each backend (`npm run bench`). Every case runs in its own process so
 * that peak RSS belongs to that case alone. Figures are medians after warm-up:
 *   gradMs  one full gradient of L_T (upload w, forward, backward, download)
 *   hvpMs   one H·v at a fixed w with the tape (forward activations, backward δ's) cached:
 *           upload v, the R-passes, download; what every Lanczos/Neumann step pays
 *   tapeMs  the one-off cost of building that cache at a new w (paid once per analysis)
 * hvpOverGrad = hvpMs / gradMs. Writes bench/results/hvp.json.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../src/core/backend';
import type { BackendName } from '../src/core/config/experiment';
import type { Dataset } from '../src/core/data/dataset';
import { seedRegression } from '../src/core/data/synthetic';
import { initParams, type MlpSpec } from '../src/core/model/mlp';
import { MlpObjective } from '../src/core/model/mlp-objective';
import { Rng } from '../src/core/util/rng';
import { randomClassification } from './lib/random-data';

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

const MODELS: Omit<Case, 'backend'>[] = [
  { model: '1-8-4-1 relu mse (seed)', spec: { layers: [1, 8, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0.1 }, rows: 1000, data: (n: number) => seedRegression(n, 123), runs: 30 },
  { model: '784-128-10 relu cross-entropy', spec: { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.1 }, rows: 2000, data: (n: number) => randomClassification(n, 784, 10), runs: 10 },
];
const BACKENDS: BackendName[] = ['wasm', 'cpu'];
const CASES: Case[] = MODELS.flatMap((m) => BACKENDS.map((backend) => ({ ...m, backend })));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

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

async function main(): Promise<void> {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    console.log(JSON.stringify(await runCase(CASES[Number(process.argv[at + 1])])));
    return;
  }
  const results: HvpBenchResult[] = [];
  for (let i = 0; i < CASES.length; i++) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, '--case', String(i)], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`case ${CASES[i].model} on ${CASES[i].backend} failed:\n${r.stderr}`);
    results.push(JSON.parse(r.stdout.trim().split('\n').pop()!));
  }
  const head = ['model', 'rows', 'params', 'backend', 'gradMs', 'hvpMs', 'hvpOverGrad', 'tapeMs', 'peakRssMb'] as const;
  const table = [head.map(String), ...results.map((r) => head.map((k) => String(r[k])))];
  const widths = head.map((_, j) => Math.max(...table.map((row) => row[j].length)));
  for (const row of table) console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  console.log('hvpMs: one H·v at a fixed w with the forward/backward tape cached; tapeMs: building that cache once per w.');
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'hvp.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`wrote ${join('bench', 'results', 'hvp.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
