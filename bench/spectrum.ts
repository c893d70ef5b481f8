/**
 * Products needed for both ends of the Hessian spectrum (`node --import tsx bench/spectrum.ts
 * [--rounds N] [--cpu]`): Lanczos vs power iteration + shifted power iteration, on the seed model
 * (trained as the motivating scenario) and on 784-128-10 (500 random rows, at initialisation). Each
 * method runs with its own stopping rule (tol 1e-3) — `hvps`, `converged` — and its steps are also
 * checked against a reference spectrum (dense eigendecomposition for the seed model, a tight Lanczos
 * run for 784-128-10): `hvpsTo1e3` is the first product count at which both ends are within 1e-3
 * relative of the reference (null: never within the run). For power iteration that count comes from a
 * second run without its early stop, each end stopped by an oracle (`oracle`: the budget per end and
 * the first iteration of each end within 1e-3, null: never within the budget).
 * `slq`: stochastic Lanczos quadrature per model (cost in HVPs = probes × steps, seconds, the
 * negative fraction with its standard error and Gauss-rule bracket; against the dense spectrum's
 * fraction for the seed model). `cli`: the seed example through the built CLI, process start to report.
 * Each round runs the seed model, 784-128-10 and the CLI once, each its own process, in rotated order
 * (bench/lib/results.ts interleave); seconds are medians over rounds, the counts and values are those
 * of the first round and `identicalAcrossRounds` says whether every round gave the same ones.
 * Writes bench/results/spectrum.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { assembleDense, denseSymmetricEigen } from '../src/core/algorithms/dense-eigen';
import { lanczos } from '../src/core/algorithms/lanczos';
import { stochasticLanczosQuadrature } from '../src/core/algorithms/slq';
import { extremesByPowerIteration } from '../src/core/algorithms/power-iteration';
import { initBackend } from '../src/core/model/backend';
import { readExperimentFile } from '../src/core/config/load';
import { prepareTarget } from '../src/session/prepare';
import { ProgressReporter } from '../src/session/progress';
import { initParams, type MlpSpec } from '../src/core/model/mlp';
import { MlpObjective } from '../src/core/model/mlp-objective';
import type { LinearOperator } from '../src/core/operators/linear-operator';
import { randomClassification } from './lib/random-data';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

const TOL = 1e-3;
const ROOT = join(__dirname, '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const SEED_EXAMPLE = join(ROOT, 'examples', 'seed-regression.neumann.json');

export interface ExtremesRow {
  model: string;
  params: number;
  method: 'lanczos' | 'power' | 'reference';
  hvps: number;
  lambdaMax: number;
  lambdaMin: number;
  converged: boolean;
  hvpsTo1e3: number | null;
  relErrorMax: number | null;
  relErrorMin: number | null;
  /** Power iteration only: products per end allowed without the early stop, and the first iteration of each end within 1e-3. */
  oracle: { budgetPerEnd: number; max: number | null; min: number | null } | null;
  seconds: number;
}

export interface SlqRow {
  model: string;
  params: number;
  probes: number;
  steps: number;
  hvps: number;
  seconds: number;
  negativeFraction: number;
  negativeFractionStdErr: number | null;
  negativeFractionBounds: [number, number];
  /** Exact fraction from the dense eigenvalues (null without a dense reference). */
  referenceNegativeFraction: number | null;
}

/** What one contestant process prints for one model. */
interface ModelSample {
  backend: string;
  extremes: ExtremesRow[];
  slq: SlqRow;
}

/** The same with seconds as medians over rounds. */
interface Summarised {
  secondsPerRound: number[];
  identicalAcrossRounds: boolean;
  backend: string;
}
export type SpectrumBenchRow =
  | ({ kind: 'extremes' } & ExtremesRow & Summarised)
  | ({ kind: 'slq' } & SlqRow & Summarised)
  | { kind: 'cli'; example: string; seconds: number; secondsPerRound: number[]; exitCodes: number[] };

/** SLQ as the report would run it: 10 probes × 30 steps. */
async function measureSlq(model: string, op: LinearOperator, reference: number | null): Promise<SlqRow> {
  const t = Date.now();
  const r = await stochasticLanczosQuadrature(op, { probes: 10, steps: Math.min(30, op.size), seed: 1 });
  return {
    model,
    params: op.size,
    probes: r.probes,
    steps: r.steps,
    hvps: r.hvps,
    seconds: (Date.now() - t) / 1000,
    negativeFraction: r.negativeFraction,
    negativeFractionStdErr: r.negativeFractionStdErr,
    negativeFractionBounds: r.negativeFractionBounds,
    referenceNegativeFraction: reference,
  };
}

/** Relative error of an end, measured against the spectrum's scale near zero (as Lanczos does). */
function relError(x: number, ref: number, scale: number): number {
  return Math.abs(x - ref) / Math.max(Math.abs(ref), 1e-3 * scale);
}

async function measure(
  model: string,
  op: LinearOperator,
  ref: { max: number; min: number },
  referenceRow: ExtremesRow,
  powerBudget: number,
): Promise<ExtremesRow[]> {
  const scale = Math.max(Math.abs(ref.max), Math.abs(ref.min));
  const accurate = (max: number, min: number) => relError(max, ref.max, scale) <= TOL && relError(min, ref.min, scale) <= TOL;
  const rows: ExtremesRow[] = [referenceRow];

  let t = Date.now();
  let lanczosTo: number | null = null;
  const l = await lanczos(op, {
    maxSteps: Math.min(op.size, 150),
    tol: TOL,
    seed: 1,
    onStep: (s) => {
      if (lanczosTo === null && accurate(s.lambdaMax.value, s.lambdaMin.value)) lanczosTo = s.hvps;
    },
  });
  rows.push({
    model,
    params: op.size,
    method: 'lanczos',
    hvps: l.hvps,
    lambdaMax: l.lambdaMax.value,
    lambdaMin: l.lambdaMin.value,
    converged: l.lambdaMax.converged && l.lambdaMin.converged,
    hvpsTo1e3: lanczosTo,
    relErrorMax: relError(l.lambdaMax.value, ref.max, scale),
    relErrorMin: relError(l.lambdaMin.value, ref.min, scale),
    oracle: null,
    seconds: (Date.now() - t) / 1000,
  });

  // PyHessian's rule (Rayleigh change < 1e-3, ≤ 100 iterations per end): what users get.
  t = Date.now();
  const p = await extremesByPowerIteration(op, { seed: 1, tol: TOL, maxIter: 100 });
  const powerSeconds = (Date.now() - t) / 1000;
  // The same iteration without its early stop, each end stopped by an oracle the moment it is within
  // 1e-3 of the reference: the fewest products power iteration could possibly get away with.
  const first: Record<'max' | 'min', number | null> = { max: null, min: null };
  await extremesByPowerIteration(op, {
    seed: 1,
    tol: 0,
    maxIter: powerBudget,
    onStep: (s) => {
      if (first[s.end] === null && relError(s.value, s.end === 'max' ? ref.max : ref.min, scale) <= TOL) first[s.end] = s.iteration;
    },
  });
  rows.push({
    model,
    params: op.size,
    method: 'power',
    hvps: p.hvps,
    lambdaMax: p.lambdaMax.value,
    lambdaMin: p.lambdaMin.value,
    converged: p.lambdaMax.converged && p.lambdaMin.converged,
    hvpsTo1e3: first.max !== null && first.min !== null ? first.max + first.min : null,
    relErrorMax: relError(p.lambdaMax.value, ref.max, scale),
    relErrorMin: relError(p.lambdaMin.value, ref.min, scale),
    oracle: { budgetPerEnd: powerBudget, max: first.max, min: first.min },
    seconds: powerSeconds,
  });
  return rows;
}

async function seedModel(backend: string): Promise<ModelSample> {
  // The seed example exactly as a session prepares it (same data, init, shuffle and training).
  const exp = readExperimentFile(SEED_EXAMPLE);
  const ctx = { emit: () => {}, progress: new ProgressReporter(() => {}) };
  const target = await prepareTarget(exp, ctx);
  const op = await target.objective.hessianAt(target.w);
  const t = Date.now();
  const dense = await assembleDense(op);
  const values = denseSymmetricEigen(dense.matrix, dense.size).values;
  const ref = { max: values[values.length - 1], min: values[0] };
  const model = '1-8-4-1 relu mse (seed, 1 epoch)';
  const referenceRow: ExtremesRow = {
    model,
    params: op.size,
    method: 'reference',
    hvps: dense.hvps,
    lambdaMax: ref.max,
    lambdaMin: ref.min,
    converged: true,
    hvpsTo1e3: null,
    relErrorMax: 0,
    relErrorMin: 0,
    oracle: null,
    seconds: (Date.now() - t) / 1000,
  };
  const extremes = await measure(model, op, ref, referenceRow, 500);
  const slq = await measureSlq(model, op, values.filter((x) => x < 0).length / values.length);
  op.dispose();
  target.dispose();
  return { backend, extremes, slq };
}

async function mnistSized(backend: string): Promise<ModelSample> {
  const spec: MlpSpec = { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.1 };
  const objective = new MlpObjective(spec, randomClassification(500, 784, 10));
  const op = await objective.hessianAt(initParams(spec.layers, 1));
  const model = '784-128-10 relu cross-entropy (init)';
  const t = Date.now();
  // No dense reference at 10⁵ parameters: a Lanczos run to a much tighter tolerance stands in.
  const r = await lanczos(op, { maxSteps: 200, tol: 1e-7, seed: 99 });
  const referenceRow: ExtremesRow = {
    model,
    params: op.size,
    method: 'reference',
    hvps: r.hvps,
    lambdaMax: r.lambdaMax.value,
    lambdaMin: r.lambdaMin.value,
    converged: r.lambdaMax.converged && r.lambdaMin.converged,
    hvpsTo1e3: null,
    relErrorMax: 0,
    relErrorMin: 0,
    oracle: null,
    seconds: (Date.now() - t) / 1000,
  };
  // Power iteration needs hundreds of products here; 150 per end keeps the benchmark to minutes.
  const extremes = await measure(model, op, { max: r.lambdaMax.value, min: r.lambdaMin.value }, referenceRow, 150);
  const slq = await measureSlq(model, op, null);
  op.dispose();
  objective.dispose();
  return { backend, extremes, slq };
}

/** The seed example through the built CLI, process start to report (exit 3 is its expected verdict: diverges). */
function cliSample(): { seconds: number; exitCode: number } {
  const t = Date.now();
  const r = spawnSync(process.execPath, [CLI, 'diagnose', SEED_EXAMPLE, '--quiet'], { cwd: ROOT, encoding: 'utf8' });
  const seconds = (Date.now() - t) / 1000;
  if (r.status !== 0 && r.status !== 3) throw new Error(`the CLI did not finish the seed example (${r.status ?? r.signal}):\n${r.stderr.slice(-2000)}`);
  return { seconds, exitCode: r.status };
}

/** Round 1's rows with seconds replaced by the median over rounds. */
function summarise(samples: ModelSample[]): SpectrumBenchRow[] {
  const withoutSeconds = (s: ModelSample) => JSON.stringify([s.extremes, s.slq], (k, v: unknown) => (k === 'seconds' ? undefined : v));
  const identicalAcrossRounds = samples.every((s) => withoutSeconds(s) === withoutSeconds(samples[0]));
  const [first] = samples;
  const common = (perRound: number[]) => ({ seconds: round(median(perRound)), secondsPerRound: perRound.map((x) => round(x)), identicalAcrossRounds, backend: first.backend });
  return [
    ...first.extremes.map((row, i) => ({ kind: 'extremes' as const, ...row, ...common(samples.map((s) => s.extremes[i].seconds)) })),
    { kind: 'slq', ...first.slq, ...common(samples.map((s) => s.slq.seconds)) },
  ];
}

const MODELS = { seed: seedModel, mnist: mnistSized };

async function main(): Promise<void> {
  const at = process.argv.indexOf('--case');
  if (at >= 0) {
    const which = process.argv[at + 1];
    if (which === 'cli') return void console.log(JSON.stringify(cliSample()));
    const backend = await initBackend(process.argv.includes('--cpu') ? 'cpu' : 'auto');
    return void console.log(JSON.stringify(await MODELS[which as keyof typeof MODELS](backend)));
  }
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build first (the seed example is timed through the built CLI)`);
  const loadBefore = startLoad();
  const self = (which: string) => ({ key: which, command: process.execPath, args: [...process.execArgv, __filename, '--case', which, ...process.argv.filter((a) => a === '--cpu')] });
  const samples = interleave(rounds, [self('seed'), self('mnist'), self('cli')], (key, r, s) =>
    console.log(`round ${r}: ${key}: ${key === 'cli' ? `${s.seconds} s` : (s as unknown as ModelSample).extremes.map((e) => `${e.method} ${e.hvps} HVPs ${e.seconds} s`).join(', ')}`),
  );
  const cli = samples.get('cli')!.map((s) => s as unknown as ReturnType<typeof cliSample>);
  const results: SpectrumBenchRow[] = [
    ...summarise(samples.get('seed')! as unknown as ModelSample[]),
    ...summarise(samples.get('mnist')! as unknown as ModelSample[]),
    { kind: 'cli', example: 'examples/seed-regression.neumann.json', seconds: round(median(cli.map((c) => c.seconds))), secondsPerRound: cli.map((c) => c.seconds), exitCodes: cli.map((c) => c.exitCode) },
  ];
  for (const r of results) console.log(JSON.stringify(r));
  const file = writeResults(
    'spectrum',
    {
      rounds,
      method:
        'Each round runs the seed model, 784-128-10 and the CLI on the seed example once, each as its own process, in rotated order; a time is the median over rounds, ' +
        'the product counts and eigenvalues are those of the first round (the runs are seeded; identicalAcrossRounds says whether every round gave the same). ' +
        'Reference: dense eigendecomposition of the seed model; Lanczos to relative residual 1e-7 (seed 99) for 784-128-10.',
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
