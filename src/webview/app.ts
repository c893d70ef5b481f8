/**
 * The panel: folds validated host messages into PanelState with the shared reducer, persists it
 * with setState (for window reloads), and re-renders only the parts whose inputs changed (the
 * reducer keeps unchanged slices by reference), at most once per frame-ish tick.
 */
import { encodeNonFinite, reviveNonFinite } from '../protocol/non-finite';
import { hyperWarningsOf, reducePanelState } from '../protocol/panel-state';
import { problemIn } from '../protocol/check';
import { HostToPanel, type ExportFormat, type PanelState, type PanelToHost } from '../protocol/webview';
import { Chart } from './chart-host';
import { dampingData, densityData, epochSpectrumData, histogramData, lossData, neumannData, spectrumData } from './chart-data';
import { hyperModel } from './chart-data-hyper';
import { dampingChart, densityChart, epochSpectrumChart, histogramChart, lossChart, neumannChart, spectrumChart } from './charts';
import { button, h, replaceChildren, section } from './dom';
import { observeTheme, readPalette } from './theme';
import { renderSession, renderVerdict, updateProgress } from './view-header';
import { renderActions, renderError, renderHypergradient, renderMessages, renderTerms, termRows } from './view-details';
import { HyperView } from './view-hyper';
import type { VsCodeApi } from './vscode-api';

const PERSIST_INTERVAL_MS = 500;

/** Re-runs `fn` only when one of its dependencies changed identity. */
function memo<T>(fn: (state: PanelState) => T, deps: (state: PanelState) => unknown[]): (state: PanelState) => T {
  let last: unknown[] | null = null;
  let value: T;
  return (state) => {
    const d = deps(state);
    if (!last || d.length !== last.length || d.some((x, i) => x !== last![i])) {
      value = fn(state);
      last = d;
    }
    return value;
  };
}

export class App {
  private state: PanelState;
  private scheduled = false;
  private lastPersist = 0;
  private persistTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly post: (m: PanelToHost) => void;
  private readonly slots: Record<'session' | 'verdict' | 'error' | 'actions' | 'charts' | 'hyper' | 'hypergradient' | 'terms' | 'messages' | 'export', HTMLElement>;
  private readonly charts: { figure: HTMLElement; setPalette(p: ReturnType<typeof readPalette>): void }[];
  private readonly renderers: ((s: PanelState) => void)[];

  constructor(root: HTMLElement, private readonly api: VsCodeApi<unknown>, initial: PanelState) {
    this.state = initial;
    this.post = (m) => api.postMessage(m);
    const slot = (id: string) => h('div', { id, class: 'slot' });
    this.slots = {
      session: slot('session'), verdict: slot('verdict-slot'), error: slot('error-slot'), actions: slot('actions-slot'),
      charts: h('div', { class: 'charts', id: 'charts' }), hyper: slot('hyper-slot'), hypergradient: slot('hypergradient-slot'), terms: slot('terms-slot'),
      messages: slot('messages-slot'), export: slot('export-slot'),
    };
    const s = this.slots;
    replaceChildren(root,
      h('header', { class: 'top' }, h('h1', { class: 'visually-hidden', text: 'Neumann Lens diagnosis' }), s.session, s.verdict),
      s.error, s.actions, s.charts, s.hyper, s.hypergradient, s.terms, s.messages, s.export);

    const palette = readPalette();
    const alpha = () => this.state.report?.neumann.alpha ?? this.state.session?.alpha ?? null;
    const loss = new Chart(lossChart, palette);
    const spectrum = new Chart(spectrumChart(alpha), palette);
    const neumann = new Chart(neumannChart, palette);
    const histogram = new Chart(histogramChart, palette);
    // The density takes the histogram's place when there are no exact eigenvalues (densityData is null otherwise).
    const density = new Chart(densityChart, palette);
    const damping = new Chart(dampingChart, palette);
    const epochs = new Chart(epochSpectrumChart, palette);
    this.charts = [loss, spectrum, neumann, histogram, density, damping, epochs];
    s.charts.append(...this.charts.map((c) => c.figure));
    const hyper = new HyperView(palette);
    s.hyper.append(hyper.element);

    const r = (st: PanelState) => st.report;
    this.renderers = [
      memo((st) => this.fill('session', renderSession(st.session, this.post)), (st) => {
        const x = st.session;
        return x ? [x.id, x.name, x.experimentFile, x.status] : [null];
      }),
      memo((st) => updateProgress(this.slots.session, st.session), (st) => [st.session]),
      memo((st) => this.fill('verdict', st.report && renderVerdict(st.report)), (st) => [r(st)]),
      memo((st) => this.fill('error', st.error && renderError(st.error)), (st) => [st.error]),
      memo((st) => {
        const actions = st.report && renderActions(st.report, this.post);
        this.fill('actions', actions && section('Recommendations', 'recommendations', actions));
      }, (st) => [r(st)]),
      memo((st) => this.fill('hypergradient', st.report && section('Hypergradient', 'hypergradient', renderHypergradient(st.report))), (st) => [r(st)]),
      memo((st) => {
        const rows = termRows(st);
        this.fill('terms', rows.length > 0 && section('Neumann terms', 'terms', renderTerms(rows)));
      }, (st) => [r(st), st.neumannTerms]),
      memo((st) => {
        const messages = st.report && renderMessages(st.report);
        this.fill('messages', messages && section('Messages', 'advice-messages', messages));
      }, (st) => [r(st)]),
      memo((st) => this.fill('export', st.report && section('Export', 'export', this.exportButtons())), (st) => [r(st)]),
      memo((st) => loss.update(lossData(st)), (st) => [st.trainSteps, st.epochs, r(st)]),
      memo((st) => spectrum.update(spectrumData(st)), (st) => [st.spectrumSteps, r(st)]),
      memo((st) => neumann.update(neumannData(st)), (st) => [st.neumannTerms, r(st)]),
      memo((st) => histogram.update(histogramData(st.report)), (st) => [r(st)]),
      memo((st) => density.update(densityData(st.report)), (st) => [r(st)]),
      memo((st) => damping.update(dampingData(st.report)), (st) => [r(st)]),
      memo((st) => epochs.update(epochSpectrumData(st)), (st) => [st.epochs, r(st)]),
      memo((st) => hyper.update(hyperModel(st), hyperWarningsOf(st)), (st) => [st.hyperRuns, st.hyperWarnings, r(st)]),
    ];
    observeTheme(() => {
      const p = readPalette();
      for (const c of this.charts) c.setPalette(p);
      hyper.setPalette(p);
    });
    this.flush();
  }

  /** Untrusted input: a message that is not a well-formed HostToPanel is not folded, and the host's log says why. */
  receive(raw: unknown): void {
    const data = reviveNonFinite(raw);
    const problem = problemIn(HostToPanel, data, 'message');
    if (problem !== null) {
      this.post({ type: 'rejected', what: 'a message from the host', problem });
      return;
    }
    this.state = reducePanelState(this.state, data as HostToPanel);
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // A timer rather than requestAnimationFrame: rAF stops in a hidden webview, and the state must still be saved.
    setTimeout(() => {
      this.scheduled = false;
      this.flush();
    }, 16);
  }

  private flush(): void {
    this.persist();
    for (const render of this.renderers) {
      // One view failing (a bug, or data no one foresaw) must not blank the rest of the panel.
      try {
        render(this.state);
      } catch (e) {
        console.error('[neumann-lens panel] a view failed to render', e);
      }
    }
    document.body.dataset.status = this.state.session?.status ?? 'empty';
    document.body.dataset.hasReport = String(this.state.report !== null);
  }

  /**
   * setState serialises the whole state; during a run (hundreds of events a second) twice a
   * second is plenty for a reload, and the final state is always saved at once.
   */
  private persist(): void {
    const running = this.state.session?.status === 'running';
    const now = Date.now();
    if (!running || now - this.lastPersist >= PERSIST_INTERVAL_MS) {
      this.api.setState(encodeNonFinite(this.state));
      this.lastPersist = now;
      return;
    }
    if (this.persistTimer === null) {
      this.persistTimer = setTimeout(() => {
        this.persistTimer = null;
        this.persist();
      }, PERSIST_INTERVAL_MS - (now - this.lastPersist));
    }
  }

  /** Replaces a slot's content, keeping keyboard focus on the "same" control if it was inside. */
  private fill(name: keyof App['slots'], content: HTMLElement | null | false): void {
    const slot = this.slots[name];
    const active = document.activeElement as HTMLElement | null;
    const key = active && slot.contains(active) ? active.dataset.key : undefined;
    replaceChildren(slot, content || null);
    if (key) (slot.querySelector(`[data-key="${CSS.escape(key)}"]`) as HTMLElement | null)?.focus();
  }

  private exportButtons(): HTMLElement {
    const formats: [ExportFormat, string][] = [['markdown', 'Markdown'], ['html', 'HTML'], ['json', 'JSON']];
    return h('div', { class: 'controls' }, ...formats.map(([format, label]) => {
      const b = button(`Export ${label}`, () => this.post({ type: 'export', format }), { class: 'btn secondary', ariaLabel: `Export the report as ${label}` });
      b.dataset.key = `export-${format}`;
      return b;
    }));
  }
}
