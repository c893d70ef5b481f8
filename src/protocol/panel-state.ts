/**
 * The one fold of host→panel messages into panel state, shared by the host-side model (which
 * re-sends it as a `snapshot`) and the panel itself, so the two can never disagree. Pure: never
 * mutates its input. Histories are capped by uniform decimation so a long run cannot grow the
 * state (and every snapshot posted across the iframe boundary) without bound.
 */
import type { SessionEvent } from './messages';
import type { HostToPanel, PanelState } from './webview';

export type { PanelState } from './webview';

/** Most points kept per history (train steps, epochs, spectrum steps, Neumann terms). */
export const HISTORY_CAP = 5000;

export function emptyPanelState(): PanelState {
  return { session: null, trainSteps: [], epochs: [], spectrumSteps: [], neumannTerms: [], report: null, error: null };
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
        },
      };
    case 'event':
      // Late events of a session that is no longer shown must not leak into the current one.
      if (!state.session || state.session.id !== msg.id) return state;
      return reduceEvent(state, msg.event);
    case 'report':
      if (!state.session || state.session.id !== msg.id) return state;
      return { ...state, report: msg.report };
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
    case 'log':
      return state;
    default:
      return state;
  }
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
 * Keeps the points whose index lies on a uniform grid idx0 + k·stride, plus the newest point as
 * a "tail" when it is off the grid (so the chart always shows the latest value). The stride is not
 * stored: it is the index gap between the first two points, which are always on the grid. When
 * the grid points exceed the cap the stride doubles. An index that does not increase (a protocol
 * quirk) falls back to dropping the oldest point, so the cap holds whatever arrives.
 */
export function appendDecimated<T>(list: T[], item: T, index: (t: T) => number, cap = HISTORY_CAP): T[] {
  if (list.length < 2) return [...list, item];
  const i0 = index(list[0]);
  const stride = index(list[1]) - i0;
  const last = list[list.length - 1];
  if (!(stride > 0) || !(index(item) > index(last))) return appendDropOldest(list, item, cap);
  const onGrid = (t: T) => (index(t) - i0) % stride === 0;
  const next = onGrid(last) ? list.slice() : list.slice(0, -1);
  next.push(item);
  if (next.length <= cap) return next;
  const wider = 2 * stride;
  const kept = next.filter((t) => (index(t) - i0) % wider === 0);
  if (kept[kept.length - 1] !== item) kept.push(item);
  return kept;
}
