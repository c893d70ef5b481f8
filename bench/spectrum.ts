/**
 * Products needed for both ends of the Hessian spectrum (`npm run bench`): Lanczos vs power
 * iteration + shifted power iteration, on the seed model (trained as the motivating scenario) and
 * on 784-128-10 (500 random rows, at initialisation). Each method runs with its own stopping rule (tol 1e-3) — `hvps`, `converged` —
 * and its steps are also checked against a reference spectrum (dense eigendecomposition for the
 * seed model, a tight Lanczos run for 784-128-10): `hvpsTo1e3` is the first product count at which
 * both ends are within 1e-3 relative of the reference (null: never within the run).
 * `slq`: stochastic Lanczos quadrature per model (cost in HVPs = probes × steps, seconds, the
 * negative fraction with its standard error and Gauss-rule bracket; against the dense spectrum's
 * fraction for the seed model).
 * Also `seedDiagnosisSeconds`: the seed example through the CLI, process start to report.
 * power's `seconds` is its PyHessian-rule run only. Writes bench/results/spectrum.json.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
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

export interface SpectrumBenchRow {
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
  seconds: number;
}

const TOL = 1e-3;

export interface SlqBenchRow {
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
const slqRows: SlqBenchRow[] = [];

/** SLQ as the report would run it: 10 probes × 30 steps. */
async function measureSlq(model: string, op: LinearOperator, reference: number | null): Promise<void> {
  const t = Date.now();
  const r = await stochasticLanczosQuadrature(op, { probes: 10, steps: Math.min(30, op.size), seed: 1 });
  slqRows.push({
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
  });
}
/** Products per end allowed to power iteration without its early stop, by model name. */
const powerBudgets: Record<string, number> = {};
/** Products power iteration needed at least (the budget stands in for an end that never got there). */
const powerLowerBound: Record<string, number> = {};

/** Relative error of an end, measured against the spectrum's scale near zero (as Lanczos does). */
function relError(x: number, ref: number, scale: number): number {
  return Math.abs(x - ref) / Math.max(Math.abs(ref), 1e-3 * scale);
}

async function measure(
  model: string,
  op: LinearOperator,
  ref: { max: number; min: number },
  referenceRow: SpectrumBenchRow,
  powerBudget: number,
): Promise<SpectrumBenchRow[]> {
  const scale = Math.max(Math.abs(ref.max), Math.abs(ref.min));
  const accurate = (max: number, min: number) => relError(max, ref.max, scale) <= TOL && relError(min, ref.min, scale) <= TOL;
  const rows: SpectrumBenchRow[] = [referenceRow];
  powerBudgets[model] = powerBudget;

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
  const powerTo = first.max !== null && first.min !== null ? first.max + first.min : null;
  powerLowerBound[model] = (first.max ?? powerBudget) + (first.min ?? powerBudget);
  rows.push({
    model,
    params: op.size,
    method: 'power',
    hvps: p.hvps,
    lambdaMax: p.lambdaMax.value,
    lambdaMin: p.lambdaMin.value,
    converged: p.lambdaMax.converged && p.lambdaMin.converged,
    hvpsTo1e3: powerTo,
    relErrorMax: relError(p.lambdaMax.value, ref.max, scale),
    relErrorMin: relError(p.lambdaMin.value, ref.min, scale),
    seconds: powerSeconds,
  });
  return rows;
}

async function seedModel(): Promise<SpectrumBenchRow[]> {
  // The seed example exactly as a session prepares it (same data, init, shuffle and training).
  const exp = readExperimentFile(join(__dirname, '..', 'examples', 'seed-regression.neumann.json'));
  const ctx = { emit: () => {}, progress: new ProgressReporter(() => {}) };
  const target = await prepareTarget(exp, ctx);
  const trained = { w: target.w };
  const objective = target.objective;
  const op = await objective.hessianAt(trained.w);
  const t = Date.now();
  const dense = await assembleDense(op);
  const values = denseSymmetricEigen(dense.matrix, dense.size).values;
  const ref = { max: values[values.length - 1], min: values[0] };
  const model = '1-8-4-1 relu mse (seed, 1 epoch)';
  const referenceRow: SpectrumBenchRow = {
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
    seconds: (Date.now() - t) / 1000,
  };
  const rows = await measure(model, op, ref, referenceRow, 500);
  await measureSlq(model, op, values.filter((x) => x < 0).length / values.length);
  op.dispose();
  target.dispose();
  return rows;
}

async function mnistSized(): Promise<SpectrumBenchRow[]> {
  const spec: MlpSpec = { layers: [784, 128, 10], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.1 };
  const objective = new MlpObjective(spec, randomClassification(500, 784, 10));
  const op = await objective.hessianAt(initParams(spec.layers, 1));
  const model = '784-128-10 relu cross-entropy (init)';
  const t = Date.now();
  // No dense reference at 10⁵ parameters: a Lanczos run to a much tighter tolerance stands in.
  const r = await lanczos(op, { maxSteps: 200, tol: 1e-7, seed: 99 });
  const referenceRow: SpectrumBenchRow = {
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
    seconds: (Date.now() - t) / 1000,
  };
  // Power iteration needs hundreds of products here; 150 per end keeps the benchmark to minutes.
  const rows = await measure(model, op, { max: r.lambdaMax.value, min: r.lambdaMin.value }, referenceRow, 150);
  await measureSlq(model, op, null);
  op.dispose();
  objective.dispose();
  return rows;
}

/** The seed example through the built CLI (null when the CLI or the example is not there yet). */
function seedDiagnosisSeconds(): number | null {
  const root = join(__dirname, '..');
  const cli = join(root, 'dist', 'cli.js');
  const example = join(root, 'examples', 'seed-regression.neumann.json');
  if (!existsSync(cli) || !existsSync(example)) return null;
  const t = Date.now();
  const r = spawnSync(process.execPath, [cli, 'diagnose', example, '--quiet'], { cwd: root, encoding: 'utf8' });
  // Exit 3 is the expected verdict (diverges); anything else but 0 means the run did not finish.
  if (r.status !== 0 && r.status !== 3) return null;
  return (Date.now() - t) / 1000;
}

async function main(): Promise<void> {
  const backend = await initBackend(process.argv.includes('--cpu') ? 'cpu' : 'auto');
  const rows = [...(await seedModel()), ...(await mnistSized())];
  const seconds = seedDiagnosisSeconds();
  const fmt = (x: number | null | boolean | string) => (typeof x === 'number' ? (Number.isInteger(x) ? String(x) : x.toPrecision(5)) : String(x));
  const head = ['model', 'method', 'hvps', 'hvpsTo1e3', 'lambdaMax', 'lambdaMin', 'relErrorMax', 'relErrorMin', 'converged', 'seconds'] as const;
  const table = [head.map(String), ...rows.map((r) => head.map((k) => fmt(r[k])))];
  const widths = head.map((_, j) => Math.max(...table.map((row) => row[j].length)));
  for (const row of table) console.log(row.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]) : cell.padStart(widths[j]))).join('  '));
  for (const model of new Set(rows.map((r) => r.model))) {
    const l = rows.find((r) => r.model === model && r.method === 'lanczos');
    const p = rows.find((r) => r.model === model && r.method === 'power');
    if (l?.hvpsTo1e3 && p?.hvpsTo1e3) console.log(`${model}: power/Lanczos products to 1e-3 = ${(p.hvpsTo1e3 / l.hvpsTo1e3).toFixed(1)}×`);
    else if (l?.hvpsTo1e3) console.log(`${model}: power iteration did not reach 1e-3 on both ends within its budget (${powerBudgets[model]} per end): ratio > ${(powerLowerBound[model] / l.hvpsTo1e3).toFixed(1)}× (Lanczos: ${l.hvpsTo1e3} products)`);
  }
  for (const r of slqRows) {
    const se = r.negativeFractionStdErr === null ? 'n/a' : r.negativeFractionStdErr.toFixed(4);
    const ref = r.referenceNegativeFraction === null ? 'no dense reference' : `dense ${r.referenceNegativeFraction.toFixed(4)}`;
    console.log(`${r.model}: SLQ ${r.probes} probes × ${r.steps} steps = ${r.hvps} HVPs, ${r.seconds} s; negative fraction ${r.negativeFraction.toFixed(4)} ± ${se} [${r.negativeFractionBounds.map((x) => x.toFixed(4)).join(', ')}] (${ref})`);
  }
  console.log(`seedDiagnosisSeconds: ${seconds ?? 'n/a (dist/cli.js or the seed example missing)'}; backend ${backend}`);
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'spectrum.json'), JSON.stringify({ backend, rows, slq: slqRows, seedDiagnosisSeconds: seconds }, null, 2) + '\n');
  console.log(`wrote ${join('bench', 'results', 'spectrum.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
