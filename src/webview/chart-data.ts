/**
 * What each chart plots, derived from the panel state (live events) or, once it has arrived, the
 * report. Pure, no DOM: uPlot wants column arrays on one shared x, with null for "no value here".
 */
import type { DiagnosisReport } from '../core/diagnosis/report';
import type { PanelState } from '../protocol/webview';
import { globalStep } from '../protocol/panel-state';

export type Column = (number | null)[];

export interface LossData {
  x: number[];
  stepLoss: Column;
  epochTrain: Column;
  epochValidation: Column;
}

/** Train steps on a global step axis; per-epoch losses at the last step of their epoch. */
export function lossData(state: PanelState): LossData | null {
  const steps = state.trainSteps;
  const curve = state.report?.training?.lossCurve ?? [];
  if (steps.length === 0 && state.epochs.length === 0 && curve.length === 0) return null;
  const points = new Map<number, { step?: number; train?: number; val?: number }>();
  const at = (x: number) => points.get(x) ?? (points.set(x, {}), points.get(x)!);
  const t = state.report?.training;
  // Without live steps (e.g. a restored report), the report's curve: per epoch when its length says so.
  const curveIsPerEpoch = !!t && curve.length === t.epochs && t.epochs !== t.steps;
  if (steps.length > 0) for (const s of steps) at(globalStep(s)).step = s.loss;
  else if (state.epochs.length === 0) curve.forEach((loss, i) => (curveIsPerEpoch ? (at(i + 1).train = loss) : (at(i + 1).step = loss)));
  const lastStepOfEpoch = new Map<number, number>();
  for (const s of steps) lastStepOfEpoch.set(s.epoch, Math.max(lastStepOfEpoch.get(s.epoch) ?? -Infinity, globalStep(s)));
  const spe = steps.length > 0 ? steps[steps.length - 1].stepsPerEpoch : 1;
  for (const e of state.epochs) {
    const p = at(lastStepOfEpoch.get(e.epoch) ?? (e.epoch + 1) * spe - 1);
    p.train = e.trainLoss;
    p.val = e.validationLoss;
  }
  // Count steps from the first epoch, whether the session numbers epochs from 0 or 1.
  const firstEpoch = Math.min(...steps.map((s) => s.epoch), ...state.epochs.map((e) => e.epoch));
  const offset = steps.length > 0 && Number.isFinite(firstEpoch) ? firstEpoch * spe : 0;
  const keys = [...points.keys()].sort((a, b) => a - b);
  const x = keys.map((k) => k - offset);
  return {
    x,
    stepLoss: keys.map((k) => finite(points.get(k)!.step)),
    epochTrain: keys.map((k) => finite(points.get(k)!.train)),
    epochValidation: keys.map((k) => finite(points.get(k)!.val)),
  };
}

/**
 * The x range of a per-step chart: exactly the data's first to last step, so the axis ends at
 * the data; one step alone sits in the middle of a one-step-wide axis (uPlot would otherwise pad
 * it into an axis that runs far past it).
 */
export function stepRange(min: number | null, max: number | null): [number, number] {
  if (min === null || max === null || !Number.isFinite(min) || !Number.isFinite(max)) return [0, 1];
  return max > min ? [min, max] : [min - 0.5, max + 0.5];
}

export interface SpectrumData {
  method: string;
  /** The x axis (stepRange of the steps). */
  xRange: [number, number];
  /** Steps of the run that did not arrive (the worker thins fast step events while streaming). */
  missingSteps: number;
  /** Exact extremes (dense path), when measured: reference lines over the iterative estimates. */
  exact: { max: number | null; min: number | null } | null;
  x: number[];
  max: Column;
  maxLo: Column;
  maxHi: Column;
  min: Column;
  minLo: Column;
  minHi: Column;
}

type SpectrumStep = PanelState['spectrumSteps'][number];

/**
 * The estimates of the final spectrum run. Several runs share the event stream (per-epoch tracking,
 * the final Lanczos, power iterations as a cross-check): a run ends where the method changes or
 * its step count restarts.
 */
export function spectrumData(state: PanelState): SpectrumData | null {
  const all = state.spectrumSteps;
  if (all.length === 0) return null;
  const runs: SpectrumStep[][] = [];
  for (const s of all) {
    const prev = runs.length > 0 ? runs[runs.length - 1] : null;
    const last = prev ? prev[prev.length - 1] : null;
    if (prev && last && last.method === s.method && s.step > last.step) prev.push(s);
    else runs.push([s]);
  }
  const lastRun = (f: (m: SpectrumStep['method']) => boolean) => [...runs].reverse().find((r) => f(r[0].method));
  // Lanczos shows convergence step by step; the exact path is one step, drawn as reference lines.
  const exactStep = lastRun((m) => m === 'exact')?.at(-1);
  const exact = exactStep ? { max: finite(exactStep.lambdaMax?.value), min: finite(exactStep.lambdaMin?.value) } : null;
  const lanczos = lastRun((m) => m === 'lanczos');
  const power = [...(lastRun((m) => m === 'power-max') ?? []), ...(lastRun((m) => m === 'power-min') ?? [])];
  const run = lanczos ?? (power.length > 0 ? power : exactStep ? [exactStep] : []);
  const method = lanczos ? 'lanczos' : power.length > 0 ? 'power' : 'exact';
  const byStep = new Map<number, { max?: SpectrumStep['lambdaMax']; min?: SpectrumStep['lambdaMin'] }>();
  for (const s of run) {
    const p = byStep.get(s.step) ?? {};
    if (s.lambdaMax) p.max = s.lambdaMax;
    if (s.lambdaMin) p.min = s.lambdaMin;
    byStep.set(s.step, p);
  }
  const x = [...byStep.keys()].sort((a, b) => a - b);
  const col = (f: (p: { max?: SpectrumStep['lambdaMax']; min?: SpectrumStep['lambdaMin'] }) => number | undefined) =>
    x.map((k) => finite(f(byStep.get(k)!)));
  return {
    method,
    xRange: stepRange(x[0] ?? null, x.at(-1) ?? null),
    missingSteps: x.length > 0 ? Math.max(0, x[x.length - 1] - x[0] + 1 - x.length) + Math.max(0, x[0] - 1) : 0,
    exact,
    x,
    max: col((p) => p.max?.value),
    maxLo: col((p) => p.max?.interval[0]),
    maxHi: col((p) => p.max?.interval[1]),
    min: col((p) => p.min?.value),
    minLo: col((p) => p.min?.interval[0]),
    minHi: col((p) => p.min?.interval[1]),
  };
}

export interface NeumannData {
  x: number[];
  norms: Column;
  predicted: Column;
  rho: number | null;
}

/** ‖v_j‖ with the line ρ^j·‖v_0‖ that the spectrum predicts (once the report gives ρ). */
export function neumannData(state: PanelState): NeumannData | null {
  const r = state.report?.neumann;
  const live = state.neumannTerms;
  const x = r && r.termNorms.length > 0 ? r.termNorms.map((_, j) => j) : live.map((t) => t.term);
  if (x.length === 0) return null;
  const norms = r && r.termNorms.length > 0 ? r.termNorms : live.map((t) => t.norm);
  const rho = r && Number.isFinite(r.rho) ? r.rho : null;
  const v0 = norms[0];
  const predicted = x.map((j) => (rho !== null && Number.isFinite(v0) ? positive(v0 * Math.pow(rho, j)) : null));
  return { x, norms: norms.map(positive), predicted, rho };
}

export interface HistogramData {
  x: number[];
  counts: number[];
  binWidth: number;
  markers: { at: number; label: string }[];
  range: [number, number];
}

/** Histogram of the exact eigenvalues with the convergence window of the series marked. */
export function histogramData(report: DiagnosisReport | null): HistogramData | null {
  const eig = report?.spectrum.eigenvalues?.filter(Number.isFinite);
  if (!report || !eig || eig.length === 0) return null;
  const { alpha, damping } = report.neumann;
  const markers: { at: number; label: string }[] = [{ at: 0, label: '0' }];
  if (alpha > 0) markers.push({ at: 2 / alpha, label: '2/α' });
  if (damping > 0) {
    markers.push({ at: -damping, label: '−δ' });
    if (alpha > 0) markers.push({ at: 2 / alpha - damping, label: '2/α − δ' });
  }
  const lo = Math.min(...eig);
  const hi = Math.max(...eig);
  const span = Math.max(hi - lo, Math.abs(hi), 1e-12);
  // Markers far outside the spectrum would squash its bars into a sliver: keep them within 3 spans.
  const shown = markers.filter((m) => m.at >= lo - 3 * span && m.at <= hi + 3 * span);
  const rangeLo = Math.min(lo, ...shown.map((m) => m.at));
  const rangeHi = Math.max(hi, ...shown.map((m) => m.at));
  const bins = Math.min(60, Math.max(10, Math.ceil(2 * Math.sqrt(eig.length))));
  const binWidth = (hi - lo) / bins || span / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const e of eig) counts[Math.min(bins - 1, Math.floor((e - lo) / binWidth))]++;
  const x = counts.map((_, i) => lo + (i + 0.5) * binWidth);
  const pad = 0.05 * (rangeHi - rangeLo || span);
  return { x, counts, binWidth, markers: shown, range: [rangeLo - pad - binWidth / 2, rangeHi + pad + binWidth / 2] };
}

export interface EpochSpectrumData {
  x: number[];
  lambdaMax: Column;
  lambdaMin: Column;
  rho: Column;
}

export function epochSpectrumData(state: PanelState): EpochSpectrumData | null {
  const fromReport = state.report?.epochs;
  const rows = fromReport && fromReport.length > 0
    ? fromReport
    : state.epochs.filter((e) => e.lambdaMax !== undefined || e.lambdaMin !== undefined || e.rho !== undefined);
  if (rows.length === 0) return null;
  return {
    x: rows.map((r) => r.epoch),
    lambdaMax: rows.map((r) => finite(r.lambdaMax)),
    lambdaMin: rows.map((r) => finite(r.lambdaMin)),
    rho: rows.map((r) => finite(r.rho)),
  };
}

function finite(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) ? x : null;
}

/** For log axes: non-positive and non-finite values cannot be drawn. */
function positive(x: number | null | undefined): number | null {
  return typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null;
}

export interface DampingData {
  /** δ > 0, ascending (δ = 0 has no place on a log axis: it is the "undamped" line). */
  x: number[];
  /** Converged values only; a δ whose solve did not converge is a gap. */
  value: (number | null)[];
  neumann: number | null;
  /** The undamped reference (exact, MINRES or CG, whichever the report names). */
  reference: number | null;
  referenceName: string;
  configured: number;
}

/** The hypergradient of (H + δI)⁻¹b against δ, with the Neumann value and the undamped reference as lines. */
export function dampingData(report: DiagnosisReport | null): DampingData | null {
  const h = report?.hypergradient;
  const points = (h?.damped ?? []).filter((p) => p.damping > 0);
  if (!report || !h || points.filter((p) => p.converged).length < 2) return null;
  const reference = h.reference === 'exact' ? h.exact : h.reference === 'minres' ? (h.minres?.value ?? null) : h.reference === 'cg' ? h.cg : null;
  return {
    x: points.map((p) => p.damping),
    value: points.map((p) => (p.converged && p.value !== null && Number.isFinite(p.value) ? p.value : null)),
    neumann: h.neumann !== null && Number.isFinite(h.neumann) ? h.neumann : null,
    reference,
    referenceName: h.reference ?? 'none',
    configured: report.neumann.damping,
  };
}

export interface DensityData {
  x: number[];
  /** Density values floored at 1e-6 of the peak, for the log scale. */
  values: number[];
  markers: { at: number; label: string }[];
  negativeFraction: number;
  negativeFractionStdErr: number | null;
  method: 'slq' | 'exact';
}

/** The spectral density on a log scale with λ = 0 and 2/α marked: shown where no exact eigenvalues are. */
export function densityData(report: DiagnosisReport | null): DensityData | null {
  const d = report?.spectrum.density;
  if (!report || !d || d.grid.length < 2 || report.spectrum.eigenvalues) return null;
  const peak = Math.max(...d.values.filter(Number.isFinite));
  if (!(peak > 0)) return null;
  const floor = 1e-6 * peak;
  const lo = d.grid[0];
  const hi = d.grid[d.grid.length - 1];
  const markers = [{ at: 0, label: '0' }];
  if (report.neumann.alpha > 0) markers.push({ at: 2 / report.neumann.alpha, label: '2/α' });
  return {
    x: d.grid,
    values: d.values.map((v) => Math.max(floor, v)),
    markers: markers.filter((m) => m.at >= lo && m.at <= hi),
    negativeFraction: d.negativeFraction,
    negativeFractionStdErr: d.negativeFractionStdErr,
    method: d.method,
  };
}
