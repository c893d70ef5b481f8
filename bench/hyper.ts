/**
 * Seconds per hyper-step of the hyperparameter loop (`node --import tsx bench/hyper.ts [--rounds N]`)
 * for every bundled example with a `hyper` block, as shipped, and for the "Hyperparameter loop"
 * template also with one weight decay per parameter (granularity per-parameter). Each contestant
 * runs the whole session (runSession, the CLI's and the worker's path, backend auto) in its own
 * process per round, in rotated order; the figure per run of the loop (its inverse and each
 * compared one) is the median over rounds of that process's median step time, a step's time being
 * the engine's own wall time of the hyper-step: the inner SGD steps, the spectrum, the inverse
 * and the reference. Writes bench/results/hyper.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExperimentText } from '../src/core/config/load';
import { runSession } from '../src/session/run-session';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

const EXAMPLES = join(__dirname, '..', 'examples');
const TEMPLATE = 'hyper-logistic-regression.neumann.json';

export interface HyperBenchRow {
  example: string;
  /** 'as shipped', or the granularity the bench set. */
  variant: string;
  granularity: string;
  groups: number;
  params: number;
  /** The run: the loop's own inverse, or a compared one. */
  inverse: string;
  compared: boolean;
  steps: number;
  innerSteps: number;
  /** Median HVPs per hyper-step (spectrum, inverse and reference). */
  hvpsPerStep: number;
  /** Median over rounds of the process's median seconds per hyper-step. */
  secondsPerStep: number;
  secondsPerStepPerRound: number[];
  backend: string;
}

interface Contestant {
  key: string;
  file: string;
  variant: string;
  granularity?: 'per-parameter';
}

/** Every bundled experiment with a hyper block, plus the template's per-parameter variant. */
function contestants(): Contestant[] {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.neumann.json') && 'hyper' in JSON.parse(readFileSync(join(EXAMPLES, f), 'utf8')));
  if (!files.includes(TEMPLATE)) throw new Error(`${TEMPLATE} has no hyper block any more`);
  return [
    ...files.map((f) => ({ key: f, file: f, variant: 'as shipped' })),
    { key: `${TEMPLATE} per-parameter`, file: TEMPLATE, variant: 'per-parameter', granularity: 'per-parameter' as const },
  ];
}

/** One contestant in this process: the session, then one JSON line with each run's step times. */
async function child(c: Contestant): Promise<void> {
  const file = join(EXAMPLES, c.file);
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  if (c.granularity) raw.hyper.granularity = c.granularity;
  const experiment = parseExperimentText(JSON.stringify(raw), file);
  const report = await runSession(experiment, { backend: 'auto' }, { onEvent: () => {} });
  const h = report.hyper;
  if (!h) throw new Error(`${c.key}: the report has no hyper block`);
  const runs = [{ inverse: h.inverse, trajectory: h.trajectory }, ...h.compare].map((r, i) => ({
    inverse: r.inverse,
    compared: i > 0,
    steps: r.trajectory.length,
    seconds: median(r.trajectory.map((s) => s.seconds)),
    hvps: median(r.trajectory.map((s) => s.hvps)),
  }));
  console.log(JSON.stringify({ params: report.params, groups: h.groups.length, granularity: h.granularity, innerSteps: raw.hyper.innerSteps, backend: report.backend, runs }));
}

type Sample = { params: number; groups: number; granularity: string; innerSteps: number; backend: string; runs: { inverse: string; compared: boolean; steps: number; seconds: number; hvps: number }[] };

function summarise(all: Contestant[], samples: Map<string, Record<string, unknown>[]>): HyperBenchRow[] {
  return all.flatMap((c) => {
    const got = samples.get(c.key)! as unknown as Sample[];
    const first = got[0];
    return first.runs.map((run, i) => ({
      example: c.file,
      variant: c.variant,
      granularity: first.granularity,
      groups: first.groups,
      params: first.params,
      inverse: run.inverse,
      compared: run.compared,
      steps: run.steps,
      innerSteps: first.innerSteps,
      hvpsPerStep: median(got.map((s) => s.runs[i].hvps)),
      secondsPerStep: round(median(got.map((s) => s.runs[i].seconds)), 5),
      secondsPerStepPerRound: got.map((s) => round(s.runs[i].seconds, 5)),
      backend: [...new Set(got.map((s) => s.backend))].join(', '),
    }));
  });
}

async function main(): Promise<void> {
  const all = contestants();
  const at = process.argv.indexOf('--child');
  if (at >= 0) return child(all.find((c) => c.key === process.argv[at + 1])!);
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
  const loadBefore = startLoad();
  const samples = interleave(
    rounds,
    all.map((c) => ({ key: c.key, command: process.execPath, args: [...process.execArgv, __filename, '--child', c.key] })),
    (key, r, s) => console.log(`round ${r}: ${key}: ${(s as unknown as Sample).runs.map((x) => `${x.inverse} ${round(x.seconds * 1000, 1)} ms/step`).join(', ')}`),
  );
  const results = summarise(all, samples);
  for (const r of results) console.log(JSON.stringify(r));
  const file = writeResults(
    'hyper',
    {
      rounds,
      method:
        'Each round runs every contestant once as its own process (the whole session through runSession, backend auto), in rotated order; ' +
        "a process reports, per run of the loop, the median of its hyper-steps' wall times (the engine's own: inner SGD steps, spectrum, inverse and reference), and a figure is the median over rounds.",
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
