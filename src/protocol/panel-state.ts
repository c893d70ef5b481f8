/**
 * The one fold of host→panel messages into panel state, shared by the host-side model (which
 * re-sends it as a `snapshot`) and the panel itself, so the two can never disagree. Pure: never
 * mutates its input. Histories are capped by uniform decimation so a long run cannot grow the
 * state (and every snapshot posted across the iframe boundary) without bound.
 */
import type { AdviceMessage } from '../core/diagnosis/advice-message';
import type { HyperInverse, HyperStep, HyperWarning } from '../core/diagnosis/hyper-report';
import { reportRuns, type HyperRunView } from '../core/diagnosis/hyper-series';
import type { SessionEvent } from './messages';
import type { HostToPanel, PanelHyperRun, PanelState } from './webview';

export type { PanelState } from './webview';

/** Most points kept per history (train steps, epochs, spectrum steps, Neumann terms, hyper-steps of a run). */
export const HISTORY_CAP = 5000;

export function emptyPanelState(): PanelState {
  return { session: null, trainSteps: [], epochs: [], spectrumSteps: [], neumannTerms: [], hyperRuns: [], hyperWarnings: [], report: null, error: null };
}

export function reducePanelState(state: PanelState, msg: HostToPanel): PanelState {
  switch (msg.type) {
    case 'snapshot':
      return msg.state;
    case 'sessionStarted':
      return {
        ...emptyPanelState(),
        session: {
          id: msg.id,
          name: msg.name,
          experimentFile: msg.experimentFile,
          status: 'running',
          phase: null,
          phaseLabel: null,
          fraction: 0,
          ...(msg.alpha !== undefined ? { alpha: msg.alpha } : {}),
        },
      };
    case 'event':
      // Late events of a session that is no longer shown must not leak into the current one.
      if (!state.session || state.session.id !== msg.id) return state;
      return reduceEvent(state, msg.event);
    case 'report':
      if (!state.session || state.session.id !== msg.id) return state;
      // report.hyper holds every step of every run and every warning: it replaces what streamed (see hyperRunsOf, hyperWarningsOf).
      return msg.report.hyper ? { ...state, report: msg.report, hyperRuns: [], hyperWarnings: [] } : { ...state, report: msg.report };
    case 'sessionEnded': {
      if (!state.session || state.session.id !== msg.id) return state;
      const fraction = msg.outcome === 'completed' ? 1 : state.session.fraction;
      return { ...state, session: { ...state.session, status: msg.outcome, fraction }, error: msg.error };
    }
    default:
      return state;
  }
}

function reduceEvent(state: PanelState, ev: SessionEvent): PanelState {
  const session = state.session!;
  switch (ev.type) {
    case 'phase':
      return { ...state, session: { ...session, phase: ev.phase, phaseLabel: ev.label, fraction: clamp01(ev.fraction) } };
    case 'progress':
      return { ...state, session: { ...session, phase: ev.phase, fraction: clamp01(ev.fraction) } };
    case 'trainStep': {
      const { epoch, step, stepsPerEpoch, loss } = ev;
      const point = { epoch, step, stepsPerEpoch, loss };
      return { ...state, trainSteps: appendDecimated(state.trainSteps, point, globalStep) };
    }
    case 'epoch':
      return { ...state, epochs: appendDecimated(state.epochs, ev, (e) => e.epoch) };
    case 'spectrumStep':
      // Several runs (Lanczos, power-max, power-min, per-epoch tracking) interleave here, so the
      // index is not monotone: keep the most recent ones instead of decimating.
      return { ...state, spectrumSteps: appendDropOldest(state.spectrumSteps, ev) };
    case 'neumannTerm':
      return { ...state, neumannTerms: appendDecimated(state.neumannTerms, ev, (t) => t.term) };
    case 'hyperStep':
      return { ...state, hyperRuns: appendHyperStep(state.hyperRuns, ev.inverse, ev.step) };
    case 'hyperWarning':
      // At most one per condition and run from the session; the cap only bounds a stream that misbehaves.
      return { ...state, hyperWarnings: appendDropOldest(state.hyperWarnings, ev) };
    case 'log':
      return state;
    default:
      return state;
  }
}

function appendHyperStep(runs: PanelHyperRun[], inverse: HyperInverse, step: HyperStep): PanelHyperRun[] {
  const i = runs.findIndex((r) => r.inverse === inverse);
  if (i < 0) return [...runs, { inverse, steps: [step] }];
  const next = runs.slice();
  next[i] = { inverse, steps: appendDecimated(runs[i].steps, step, (s) => s.step) };
  return next;
}

/**
 * The loop's runs: the report's (its own inverse, then hyper.compare's) once it has arrived, else
 * what has streamed, in order of arrival (the session runs the loop's own inverse first).
 */
export function hyperRunsOf(state: PanelState): HyperRunView[] {
  const h = state.report?.hyper;
  if (h) return reportRuns(h);
  return state.hyperRuns.map((r, i) => ({ inverse: r.inverse, main: i === 0, steps: r.steps, stopped: null }));
}

/** One of the loop's warnings as the panel lists it: `ongoing` while it streams (only its first step is known yet). */
export interface HyperWarningView {
  inverse: HyperInverse;
  /** The report's condition; null while streaming (the event does not carry it). */
  condition: HyperWarning['condition'] | null;
  /** Ascending; while streaming, the first step alone. */
  steps: number[];
  ongoing: boolean;
  /** The warning, then the recommendations that address it, as the session worded them. */
  messages: AdviceMessage[];
}

/** The loop's warnings: the report's (every step each held at) once it has arrived, else those streamed so far. */
export function hyperWarningsOf(state: PanelState): HyperWarningView[] {
  const h = state.report?.hyper;
  if (h) return h.warnings.map((w) => ({ inverse: w.inverse, condition: w.condition, steps: w.steps, ongoing: false, messages: w.messages }));
  return state.hyperWarnings.map((e) => ({ inverse: e.inverse, condition: null, steps: [e.step], ongoing: true, messages: e.messages }));
}

/** Position of a train step on one axis across epochs. */
export function globalStep(s: { epoch: number; step: number; stepsPerEpoch: number }): number {
  return s.epoch * s.stepsPerEpoch + s.step;
}

function clamp01(x: number): number {
  return Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : 0;
}

function appendDropOldest<T>(list: T[], item: T, cap = HISTORY_CAP): T[] {
  const next = list.length >= cap ? list.slice(list.length - cap + 1) : list.slice();
  next.push(item);
  return next;
}

/**
 * Keeps the first point of every bucket of width w along the index (idx0 + [k·w, (k+1)·w)), plus
 * the newest point as a "tail" when its bucket already has one, so the chart always shows the
 * latest value. w is not stored: it is the smallest power of two for which the span of indices
 * fits in cap − 1 buckets, so it is recomputed from the list alone. Works for irregular indices
 * too (step events are coalesced upstream, so some steps never arrive). An index that does not
 * increase (a protocol quirk) falls back to dropping the oldest point, so the cap holds regardless.
 */
export function appendDecimated<T>(list: T[], item: T, index: (t: T) => number, cap = HISTORY_CAP): T[] {
  if (list.length === 0) return [item];
  const i0 = index(list[0]);
  const last = list[list.length - 1];
  if (!(index(item) > index(last))) return appendDropOldest(list, item, cap);
  const wOld = bucketWidth(index(last) - i0 + 1, cap);
  const w = bucketWidth(index(item) - i0 + 1, cap);
  const bucket = (t: T) => Math.floor((index(t) - i0) / w);
  let next: T[];
  if (w === wOld) {
    const lastIsTail = list.length >= 2 && bucket(last) === bucket(list[list.length - 2]);
    next = lastIsTail ? list.slice(0, -1) : list.slice();
  } else {
    next = [];
    for (const t of list) if (next.length === 0 || bucket(t) !== bucket(next[next.length - 1])) next.push(t);
  }
  next.push(item);
  return next;
}

function bucketWidth(span: number, cap: number): number {
  let w = 1;
  while (Math.ceil(span / w) > cap - 1) w *= 2;
  return w;
}
