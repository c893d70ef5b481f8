/**
 * The hyperparameter loop's runs as chart series, for the panel (live or from the report) and the
 * HTML export alike: column arrays on one step axis, one series per run and quantity. Pure. A
 * value that cannot be drawn (non-finite, or not positive on a log axis) is null: a gap, never
 * bridged, so a step that overflowed shows as missing rather than as a line through it.
 */
import type { HyperInverse, HyperReference, HyperReport, HyperStep, HyperStop } from './hyper-report';

/** The experiment format's default hyper.errorThreshold (test/core/diagnosis/hyper-series.test.ts keeps them equal). */
export const DEFAULT_ERROR_THRESHOLD = 0.1;
/** Per-tensor weight decays are drawn as lines up to this many tensors (one dash pattern each), else as a band. */
export const MAX_GROUP_LINES = 6;

export type Granularity = HyperReport['granularity'];
export type Column = (number | null)[];

/** A run of the loop as it is drawn, from the report or from the live steps. */
export interface HyperRunView {
  inverse: HyperInverse;
  /** The loop's own inverse (hyper.inverse), not a compared one. */
  main: boolean;
  steps: HyperStep[];
  /** Known from the report only: live, a run that stopped early is one that has no more steps. */
  stopped: HyperStop | null;
}

/** The report's runs: the loop's own inverse, then hyper.compare's. */
export function reportRuns(h: HyperReport): HyperRunView[] {
  return [
    { inverse: h.inverse, main: true, steps: h.trajectory, stopped: h.stopped },
    ...h.compare.map((r) => ({ inverse: r.inverse, main: false, steps: r.trajectory, stopped: r.stopped })),
  ];
}

export interface HyperModel {
  runs: HyperRunView[];
  /** From the report; null while the loop streams (the events do not say). */
  granularity: Granularity | null;
  /** Group names from the report, else `group 1`… by position. */
  groups: string[];
  reference: HyperReference | null;
  /** Relative error above which a step warns. */
  threshold: number;
  thresholdFromReport: boolean;
}

/** The runs and what the report (when there is one) says about them; null when no run has anything to show. */
export function hyperModelOf(all: HyperRunView[], h: HyperReport | undefined): HyperModel | null {
  const runs = all.filter((r) => r.steps.length > 0 || r.stopped !== null);
  if (runs.length === 0) return null;
  const width = runs.reduce((w, r) => r.steps.reduce((v, s) => Math.max(v, s.weightDecay.length), w), 0);
  const t = h && 'errorThreshold' in h ? h.errorThreshold : undefined;
  const fromReport = typeof t === 'number' && Number.isFinite(t) && t > 0;
  return {
    runs,
    granularity: h?.granularity ?? null,
    groups: h?.groups ?? Array.from({ length: width }, (_, i) => `group ${i + 1}`),
    reference: h?.reference ?? null,
    threshold: fromReport ? t : DEFAULT_ERROR_THRESHOLD,
    thresholdFromReport: fromReport,
  };
}

/** One drawn series. `edge` series only bound a band (`bands`); `dash` picks a pattern per group. */
export interface HyperSeries {
  label: string;
  /** Index into runs (its colour). */
  run: number;
  role: 'line' | 'dashed' | 'edge';
  dash?: number;
  values: Column;
}

export interface HyperChartData {
  x: number[];
  runs: { inverse: HyperInverse; main: boolean }[];
  series: HyperSeries[];
  /** [upper, lower] series indices (into series) of each band, with its run. */
  bands: { upper: number; lower: number; run: number }[];
}

/**
 * The order series are drawn in: compared runs first, the loop's own last, so a run that agrees
 * with it (exact and Neumann often do) does not hide it.
 */
export function drawOrder(d: HyperChartData): number[] {
  const idx = d.series.map((_, i) => i);
  return [...idx.filter((i) => !d.runs[d.series[i].run]?.main), ...idx.filter((i) => d.runs[d.series[i].run]?.main)];
}

function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

function positive(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;
}

/** Every recorded step of any run, ascending: the shared x of the columns. */
function stepAxis(runs: HyperRunView[]): number[] {
  return [...new Set(runs.flatMap((r) => r.steps.map((s) => s.step)))].sort((a, b) => a - b);
}

function column(x: number[], run: HyperRunView, f: (s: HyperStep) => number | null): Column {
  const at = new Map(run.steps.map((s) => [s.step, s]));
  return x.map((k) => {
    const s = at.get(k);
    return s ? f(s) : null;
  });
}

function chart(m: HyperModel, series: HyperSeries[], bands: HyperChartData['bands'] = []): HyperChartData {
  return { x: stepAxis(m.runs), runs: m.runs.map((r) => ({ inverse: r.inverse, main: r.main })), series, bands };
}

export type WeightDecayMode = 'global' | 'lines' | 'band';

/**
 * How the weight decay is drawn: one line for one group, a line per tensor for a few tensors, and
 * a band (min–max over the groups, with the median) for per-parameter decay or many tensors. While
 * streaming the granularity is not known yet, so the group count decides alone.
 */
export function weightDecayMode(m: HyperModel): WeightDecayMode {
  const n = m.groups.length;
  if (n <= 1) return 'global';
  if (m.granularity === 'per-parameter') return 'band';
  return n <= MAX_GROUP_LINES ? 'lines' : 'band';
}

export function median(xs: readonly number[]): number {
  const v = [...xs].sort((a, b) => a - b);
  const k = v.length >> 1;
  return v.length % 2 === 1 ? v[k] : (v[k - 1] + v[k]) / 2;
}

/** A band's edges and median: null as soon as one group is not drawable, so a blown-up step is a gap, not a narrower band. */
function summary(xs: readonly number[], f: (xs: readonly number[]) => number): number | null {
  return xs.length > 0 && xs.every((v) => Number.isFinite(v) && v > 0) ? f(xs) : null;
}
// Not Math.max(...xs): a per-parameter vector can be longer than the engine's argument limit.
const max = (xs: readonly number[]) => xs.reduce((a, b) => (b > a ? b : a));
const min = (xs: readonly number[]) => xs.reduce((a, b) => (b < a ? b : a));

export interface WeightDecayData extends HyperChartData {
  mode: WeightDecayMode;
  groups: string[];
}

/** exp(φ) per step after its update, on a log axis. */
export function weightDecayData(m: HyperModel): WeightDecayData {
  const x = stepAxis(m.runs);
  const mode = weightDecayMode(m);
  const series: HyperSeries[] = [];
  const bands: HyperChartData['bands'] = [];
  m.runs.forEach((run, r) => {
    if (mode === 'global') series.push({ label: `${run.inverse} λ`, run: r, role: 'line', values: column(x, run, (s) => positive(s.weightDecay[0])) });
    else if (mode === 'lines') {
      m.groups.forEach((g, i) => series.push({ label: `${run.inverse} λ ${g}`, run: r, role: 'line', dash: i, values: column(x, run, (s) => positive(s.weightDecay[i])) }));
    } else {
      const upper = series.push({ label: `${run.inverse} λ max`, run: r, role: 'edge', values: column(x, run, (s) => summary(s.weightDecay, max)) }) - 1;
      const lower = series.push({ label: `${run.inverse} λ min`, run: r, role: 'edge', values: column(x, run, (s) => summary(s.weightDecay, min)) }) - 1;
      series.push({ label: `${run.inverse} λ median`, run: r, role: 'line', values: column(x, run, (s) => summary(s.weightDecay, median)) });
      bands.push({ upper, lower, run: r });
    }
  });
  return { ...chart(m, series, bands), mode, groups: m.groups };
}

/** Data losses at each step's w: train solid, validation dashed, one colour per run. */
export function hyperLossData(m: HyperModel): HyperChartData {
  const x = stepAxis(m.runs);
  return chart(m, m.runs.flatMap((run, r): HyperSeries[] => [
    { label: `${run.inverse} train`, run: r, role: 'line', values: column(x, run, (s) => finite(s.trainLoss)) },
    { label: `${run.inverse} validation`, run: r, role: 'dashed', values: column(x, run, (s) => finite(s.validationLoss)) },
  ]));
}

/** ρ(I − α(H + δI)) at each step's w (upper bound), to read against the line ρ = 1. */
export function hyperRhoData(m: HyperModel): HyperChartData {
  const x = stepAxis(m.runs);
  return chart(m, m.runs.map((run, r) => ({ label: `${run.inverse} ρ`, run: r, role: 'line' as const, values: column(x, run, (s) => finite(s.rho)) })));
}

export interface HyperErrorData extends HyperChartData {
  threshold: number;
  thresholdFromReport: boolean;
  reference: HyperReference | null;
  /** Runs with no error to draw: their inverse is the reference (error 0), or there was no reference. */
  undrawn: { run: number; why: 'zero' | 'none' }[];
}

/** ‖g − g_ref‖/‖g_ref‖ per step on a log axis, with the warning threshold. */
export function hyperErrorData(m: HyperModel): HyperErrorData {
  const x = stepAxis(m.runs);
  const series = m.runs.map((run, r): HyperSeries => ({ label: `${run.inverse} error`, run: r, role: 'line', values: column(x, run, (s) => positive(s.relativeError)) }));
  const undrawn: HyperErrorData['undrawn'] = [];
  m.runs.forEach((run, r) => {
    if (series[r].values.some((v) => v !== null)) return;
    const errors = run.steps.map((s) => s.relativeError);
    if (errors.length > 0 && errors.every((e) => e === 0)) undrawn.push({ run: r, why: 'zero' });
    else if (errors.every((e) => e === null)) undrawn.push({ run: r, why: 'none' });
  });
  return { ...chart(m, series), threshold: m.threshold, thresholdFromReport: m.thresholdFromReport, reference: m.reference, undrawn };
}
