/**
 * The hyperparameter view: the loop's runs step by step (weight decay, losses, ρ, hypergradient
 * error) and the session's warnings about it, with their steps and recommendations. It fills while the loop streams and is hidden when no
 * loop ran; the diagnosis views above it keep describing the snapshot diagnosis.
 */
import { Chart } from './chart-host';
import { hyperErrorData, hyperLossData, hyperRhoData, weightDecayData, type HyperModel } from '../core/diagnosis/hyper-series';
import { hyperErrorChart, hyperLossChart, hyperRhoChart, weightDecayChart } from './charts-hyper';
import { h, replaceChildren, section } from './dom';
import { stepRanges } from '../core/diagnosis/report-messages';
import { recommendationsOf, stepsLabel } from './hyper-warnings';
import type { HyperWarningView } from '../protocol/panel-state';
import { SEVERITY_ICON } from './view-details';
import type { Palette } from './theme';

export class HyperView {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly warnings: HTMLElement;
  private readonly charts: [Chart<ReturnType<typeof weightDecayData>>, Chart<ReturnType<typeof hyperLossData>>, Chart<ReturnType<typeof hyperRhoData>>, Chart<ReturnType<typeof hyperErrorData>>];

  constructor(palette: Palette) {
    this.charts = [new Chart(weightDecayChart, palette), new Chart(hyperLossChart, palette), new Chart(hyperRhoChart, palette), new Chart(hyperErrorChart, palette)];
    this.summary = h('p', { class: 'muted hyper-summary', id: 'hyper-summary' });
    this.warnings = h('div', { id: 'hyper-warnings-slot' });
    this.element = section('Hyperparameter loop', 'hyper', this.summary, h('div', { class: 'charts hyper-charts' }, ...this.charts.map((c) => c.figure)), this.warnings);
    this.element.hidden = true;
  }

  update(m: HyperModel | null, warnings: HyperWarningView[]): void {
    this.element.hidden = m === null;
    const [decay, loss, rho, error] = this.charts;
    decay.update(m && weightDecayData(m));
    loss.update(m && hyperLossData(m));
    rho.update(m && hyperRhoData(m));
    error.update(m && hyperErrorData(m));
    if (!m) return;
    this.summary.textContent = summaryText(m);
    replaceChildren(this.warnings, renderWarnings(warnings, m.granularity === null));
  }

  setPalette(p: Palette): void {
    for (const c of this.charts) c.setPalette(p);
  }
}

function summaryText(m: HyperModel): string {
  const runs = m.runs.map((r) => `${r.inverse}${r.main ? ' (the loop)' : ''} ${r.steps.length} step${r.steps.length === 1 ? '' : 's'}`).join(', ');
  if (m.granularity === null) return `Running: ${runs}.`;
  const groups = `${m.groups.length} group${m.groups.length === 1 ? '' : 's'}`;
  return `${m.granularity} weight decay (${groups}), reference ${m.reference ?? 'none'}: ${runs}.`;
}

function renderWarnings(list: HyperWarningView[], streaming: boolean): HTMLElement {
  if (list.length === 0) {
    const text = streaming ? 'No warnings so far.' : 'No warnings: ρ < 1 and the hypergradient within the threshold at every step.';
    return h('p', { class: 'muted', id: 'hyper-no-warnings', text });
  }
  const ul = h('ul', { class: 'messages hyper-warnings', id: 'hyper-warnings', attrs: { 'aria-label': 'Warnings of the hyperparameter loop' } });
  for (const w of list) {
    const [head] = w.messages;
    if (!head) continue;
    const li = h('li', { class: `msg msg-${head.severity}` },
      h('span', { class: 'sev', attrs: { 'aria-hidden': 'true' }, text: SEVERITY_ICON[head.severity] }),
      h('span', { class: 'visually-hidden', text: `${head.severity}: ` }),
      h('span', { class: 'msg-text' }, h('strong', { text: stepsLabel(w) }), `: ${head.text}`),
    );
    const recs = recommendationsOf(w);
    if (recs.length > 0) li.append(h('ul', { class: 'hyper-recommendations' }, ...recs.map((m) => h('li', { text: m.text }))));
    li.dataset.inverse = w.inverse;
    li.dataset.steps = stepRanges(w.steps);
    if (w.condition) li.dataset.kind = w.condition;
    ul.append(li);
  }
  return ul;
}
