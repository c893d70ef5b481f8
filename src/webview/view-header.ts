/** The top of the panel: session line with progress and controls, then the verdict with its numbers. */
import type { DiagnosisReport } from '../core/diagnosis/report';
import type { PanelState, PanelToHost } from '../protocol/webview';
import { button, h } from './dom';
import { backendText, fmtInterval, fmtNum, fmtProgress, headline } from '../core/diagnosis/format';
import { crossCheckFlags } from '../core/diagnosis/cross-check';
import { slowDivergence } from '../core/diagnosis/slow-divergence';

type Post = (m: PanelToHost) => void;

type Session = PanelState['session'];

/**
 * The session line's structure: built again only when the session or its status changes, so a
 * button is never replaced under the pointer or the keyboard focus by a progress tick. Progress
 * goes through updateProgress, in place.
 */
export function renderSession(s: Session, post: Post): HTMLElement {
  const wrap = h('div', { class: 'session' });
  if (!s) {
    wrap.append(h('p', { class: 'muted', text: 'No diagnosis yet. Run “Neumann Lens: Run Diagnosis” on a *.neumann.json experiment file.' }));
    return wrap;
  }
  const running = s.status === 'running';
  const title = h('div', { class: 'session-title' }, h('strong', { text: s.name }));
  if (s.experimentFile) {
    const open = button(basename(s.experimentFile), () => post({ type: 'openExperiment' }), {
      class: 'btn link', ariaLabel: `Open experiment file ${s.experimentFile}`, title: s.experimentFile,
    });
    open.dataset.key = 'open-experiment';
    title.append(' ', open);
  }
  title.append(' ', h('span', { class: `status status-${s.status}`, text: statusText(s.status) }));
  wrap.append(title);
  if (running) {
    const bar = h('div', { class: 'progress', role: 'progressbar', attrs: { 'aria-valuemin': '0', 'aria-valuemax': '100' } }, h('div', { class: 'progress-fill' }));
    // Only the phase name is announced; the percentage would chatter.
    wrap.append(h('div', { class: 'phase' }, h('span', { class: 'phase-label', attrs: { 'aria-live': 'polite' } }), h('span', { class: 'phase-pct' })), bar);
  }
  const controls = h('div', { class: 'controls' });
  const control = running
    ? button('Stop', () => post({ type: 'stop' }), { class: 'btn secondary', ariaLabel: 'Stop the running session' })
    : button('Run again', () => post({ type: 'rerun' }), { class: 'btn secondary', ariaLabel: 'Run the diagnosis again' });
  control.dataset.key = running ? 'stop' : 'rerun';
  controls.append(control);
  wrap.append(controls);
  updateProgress(wrap, s);
  return wrap;
}

export function updateProgress(root: Element, s: Session): void {
  const bar = root.querySelector<HTMLElement>('.progress');
  if (!s || !bar) return;
  const pct = Math.round(100 * Math.min(1, Math.max(0, s.fraction)));
  const label = s.phaseLabel ?? s.phase ?? 'Starting';
  bar.setAttribute('aria-valuenow', String(pct));
  bar.setAttribute('aria-label', `${label}: ${fmtProgress(s.fraction)}`);
  bar.querySelector<HTMLElement>('.progress-fill')!.style.width = `${pct}%`;
  const labelEl = root.querySelector('.phase-label')!;
  if (labelEl.textContent !== label) labelEl.textContent = label;
  root.querySelector('.phase-pct')!.textContent = ` ${fmtProgress(s.fraction)}`;
}

function statusText(s: NonNullable<PanelState['session']>['status']): string {
  return s === 'running' ? 'running' : s === 'completed' ? 'completed' : s === 'cancelled' ? 'stopped' : s === 'failed' ? 'failed' : 'idle';
}

function basename(p: string): string {
  return p.split(/[\\/]/).pop() || p;
}

/** The verdict, its one-sentence cause, and the numbers it rests on. */
export function renderVerdict(report: DiagnosisReport): HTMLElement {
  const { neumann: n, spectrum: sp, advice } = report;
  const top = headline({ verdict: n.verdict, hypergradient: advice.hypergradient });
  const head = h('div', { class: `verdict verdict-${top.tone}`, id: 'verdict', role: 'status' },
    h('span', { class: 'verdict-symbol', attrs: { 'aria-hidden': 'true' }, text: top.symbol }),
    h('span', { class: 'verdict-title', id: 'verdict-title', text: top.title }),
  );
  const summary = h('p', { class: 'summary', id: 'summary', text: advice.summary });
  const nums = h('dl', { class: 'numbers', id: 'numbers' });
  const item = (key: string, label: string, value: string, interval?: string, cls = '') => {
    const dd = h('dd', { class: cls }, h('span', { class: 'value', attrs: { 'data-num': key }, text: value }));
    if (interval) dd.append(' ', h('span', { class: 'interval', attrs: { 'data-interval': key }, text: interval }));
    nums.append(h('div', { class: 'number' }, h('dt', { text: label }), dd));
  };
  item('lambdaMin', 'λ_min', fmtNum(sp.lambdaMin), fmtInterval(sp.lambdaMinInterval), sp.lambdaMin < 0 ? 'bad' : '');
  item('lambdaMax', 'λ_max', fmtNum(sp.lambdaMax), fmtInterval(sp.lambdaMaxInterval), n.alpha * sp.lambdaMax >= 2 ? 'bad' : '');
  item('alpha', 'α', fmtNum(n.alpha));
  item('twoOverAlpha', '2/α', n.alpha > 0 ? fmtNum(2 / n.alpha) : '—');
  if (n.damping > 0) item('damping', 'δ (damping)', fmtNum(n.damping));
  item('rho', n.damping > 0 ? 'ρ(I−α(H+δI))' : 'ρ(I−αH)', fmtNum(n.rho), fmtInterval(n.rhoInterval), n.verdict === 'slow' || n.verdict === 'inconclusive' ? 'warn' : n.rho >= 1 ? 'bad' : 'good');
  item('terms', 'K (terms)', String(n.terms));
  if (advice.termsNeeded !== null) item('termsNeeded', 'terms needed', String(advice.termsNeeded));
  if (n.nonFiniteAtTerm !== null) item('nonFinite', 'non-finite at term', String(n.nonFiniteAtTerm), undefined, 'bad');

  const check = report.hvpSelfCheck;
  const meta = h('dl', { class: 'meta', id: 'meta' });
  const metaItem = (label: string, value: string, cls = '') => meta.append(h('div', {}, h('dt', { text: label }), h('dd', { class: cls, text: value })));
  metaItem('backend', backendText(report));
  metaItem('parameters', String(report.params));
  metaItem('spectrum', spectrumMethodText(report));
  metaItem('HVP self-check', `${check.passed ? 'passed' : 'FAILED'} (rel. error ${fmtNum(check.relativeError, 3)} vs tol ${fmtNum(check.tolerance, 3)}; ${check.operator})`, check.passed ? '' : 'bad');
  if (report.gradientNorm.train !== null) metaItem('‖∇L_T‖', fmtNum(report.gradientNorm.train));
  if (report.loss.train !== null) metaItem('loss train / val', `${fmtNum(report.loss.train)} / ${fmtNum(report.loss.validation)}`);
  return h('div', { class: 'verdict-block' }, head, summary, nums, renderNotes(report), meta);
}

/** What qualifies the verdict: a divergence that has not shown yet, cross-checks that disagree. */
function renderNotes(report: DiagnosisReport): HTMLElement | null {
  const slow = slowDivergence(report.neumann);
  const notes = [
    ...(slow ? [{ key: 'slow-divergence', text: slow.text }] : []),
    ...crossCheckFlags(report.spectrum).map((f) => ({ key: `cross-check-${f.end}`, text: f.text })),
  ];
  if (notes.length === 0) return null;
  return h('ul', { class: 'notes', id: 'notes' }, ...notes.map((x) =>
    h('li', { class: 'note', attrs: { 'data-note': x.key } },
      h('span', { class: 'sev', attrs: { 'aria-hidden': 'true' }, text: '⚠' }),
      h('span', { class: 'visually-hidden', text: 'warning: ' }),
      h('span', { text: x.text }))));
}

function spectrumMethodText(r: DiagnosisReport): string {
  const sp = r.spectrum;
  const parts: string[] = [sp.method];
  if (sp.lanczosSteps !== null) parts.push(`${sp.lanczosSteps} Lanczos steps`);
  parts.push(`${sp.hvps} HVPs`);
  if (!sp.converged.max || !sp.converged.min) parts.push('not fully converged');
  return parts.join(', ');
}
