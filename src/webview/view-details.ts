/** Recommendations (as actions), advice messages, the hypergradient and per-term tables, errors. */
import type { AdviceMessage, DiagnosisReport } from '../core/diagnosis/report';
import type { ErrorInfo } from '../protocol/messages';
import type { PanelState, PanelToHost } from '../protocol/webview';
import { button, h, table } from './dom';
import { fmtHead, fmtNum, fmtPercent, shownRows } from '../core/diagnosis/format';
import { reportMessages } from '../core/diagnosis/report-messages';
import { messagesBesideSummary } from '../core/diagnosis/shown-once';
import { stepsLabel } from './hyper-warnings';

type Post = (m: PanelToHost) => void;

/**
 * One row per fix the report offers (the diagnosis' and the loop's warnings', as Problems lists
 * them): apply it, or apply it and re-run. A loop fix's sentence stands under its warning in the
 * hyperparameter view, so its row points there instead of repeating it; a fix offered twice is one row.
 */
export function renderActions(report: DiagnosisReport, post: Post): HTMLElement | null {
  const own = new Set(report.advice.messages);
  const seen = new Set<string>();
  const withFix = reportMessages(report).filter((m): m is AdviceMessage & { fix: NonNullable<AdviceMessage['fix']> } => {
    const key = m.fix && JSON.stringify(m.fix);
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (withFix.length === 0) return null;
  const list = h('ul', { class: 'actions', id: 'actions' });
  withFix.forEach((m, i) => {
    const fix = m.fix;
    const apply = button(fix.label, () => post({ type: 'applyFix', fix, rerun: false }), {
      class: 'btn', ariaLabel: `${fix.label} (edits ${fix.path.join('.')})`, title: m.text,
    });
    apply.dataset.key = `fix-${i}`;
    apply.dataset.fixPath = fix.path.join('.');
    const rerun = button('Apply and re-run', () => post({ type: 'applyFix', fix, rerun: true }), {
      class: 'btn secondary', ariaLabel: `${fix.label}, then run the diagnosis again`,
    });
    rerun.dataset.key = `fix-rerun-${i}`;
    rerun.dataset.fixPath = fix.path.join('.');
    list.append(h('li', {}, apply, rerun, h('span', { class: 'action-why', text: own.has(m) ? m.text : loopWhy(report, m) })));
  });
  return list;
}

function loopWhy(report: DiagnosisReport, m: AdviceMessage): string {
  const w = report.hyper?.warnings.find((x) => x.messages.includes(m));
  if (!w) return m.text;
  return `For the hyperparameter loop's warning (${w.inverse} run, ${stepsLabel({ steps: w.steps, ongoing: false })}): see Hyperparameter loop.`;
}

export const SEVERITY_ICON = { error: '✗', warning: '⚠', info: 'ℹ' } as const;

/**
 * The findings: messages without a fix (those are the Recommendations above, with their text),
 * and the verdict message without the summary the verdict block already shows. Null when nothing is left.
 */
export function renderMessages(report: DiagnosisReport): HTMLElement | null {
  const shown = messagesBesideSummary(report.advice).filter((m) => !m.fix);
  if (shown.length === 0) return null;
  const list = h('ul', { class: 'messages', id: 'messages' });
  for (const m of shown) {
    const li = h('li', { class: `msg msg-${m.severity}` },
      h('span', { class: 'sev', attrs: { 'aria-hidden': 'true' }, text: SEVERITY_ICON[m.severity] }),
      h('span', { class: 'visually-hidden', text: `${m.severity}: ` }),
      h('span', { class: 'msg-text', text: m.text }),
    );
    if (m.key) li.append(' ', h('code', { text: m.key }));
    list.append(li);
  }
  return list;
}

export function renderHypergradient(report: DiagnosisReport): HTMLElement {
  const g = report.hypergradient;
  const cgNote = g.cgStatus === 'not-run' ? 'not run' : `${g.cgStatus}${g.cgIterations !== null ? `, ${g.cgIterations} iterations` : ''}`;
  return table('dL_V/dλ by method (relative error against exact)', ['method', 'dL_V/dλ', 'relative error', 'note'], [
    ['Neumann', fmtNum(g.neumann), fmtPercent(g.relErrorNeumann), `α = ${fmtNum(report.neumann.alpha)}, K = ${report.neumann.terms}`],
    ['CG', fmtNum(g.cg), fmtPercent(g.relErrorCg), cgNote],
    ['exact', fmtNum(g.exact), '—', g.exact === null ? 'model too large for the dense solve' : 'dense solve'],
  ]);
}

export interface TermRow {
  term: number;
  norm: number;
  growth: number | null;
  residual: number;
  head: number[];
}

export function termRows(state: PanelState): TermRow[] {
  const n = state.report?.neumann;
  if (n && n.termNorms.length > 0) {
    return n.termNorms.map((norm, j) => ({
      term: j, norm, growth: j > 0 ? n.growthRatios[j - 1] ?? null : null, residual: n.residuals[j], head: n.termHeads[j] ?? [],
    }));
  }
  return state.neumannTerms.map((t) => ({ term: t.term, norm: t.norm, growth: t.growth, residual: t.residual, head: t.head }));
}

/** Long series would bury the page: show the first and last rows and say how many are hidden. */
export function renderTerms(rows: TermRow[], keepEachEnd = 40): HTMLElement {
  const fmtRow = (r: TermRow) => [String(r.term), fmtNum(r.norm), r.growth === null ? '—' : fmtNum(r.growth), fmtNum(r.residual), h('code', { text: fmtHead(r.head) })];
  const body: (string | Node)[][] = shownRows(rows.length, keepEachEnd).map((i) =>
    i === null ? ['…', `${rows.length - 2 * keepEachEnd} terms not shown`, '', '', ''] : fmtRow(rows[i]),
  );
  const t = table('Neumann terms: v_j = (I − αH)^j b', ['j', '‖v_j‖', 'growth ‖v_j‖/‖v_{j−1}‖', 'residual ‖Hx_j − b‖/‖b‖', 'v_j[:5]'], body);
  t.id = 'terms-table';
  return h('div', { class: 'table-scroll', attrs: { tabindex: '0', 'aria-label': 'Neumann terms table (scrollable)' } }, t);
}

export function renderError(error: ErrorInfo): HTMLElement {
  const box = h('div', { class: 'error-view', id: 'error', role: 'alert' },
    h('h2', { text: error.code === 'input' ? 'Problem in the experiment' : error.code === 'oom' ? 'Out of memory' : 'The session failed' }),
    h('p', { class: 'error-message', text: error.message }),
  );
  if (error.where) box.append(h('p', { class: 'error-where' }, 'at ', h('code', { text: whereText(error.where) })));
  if (error.more && error.more.length > 0) {
    const more = error.more;
    box.append(
      h('p', { text: `${more.length} more problem${more.length > 1 ? 's' : ''}:` }),
      h('ul', { class: 'error-more' }, ...more.map((p) => h('li', {}, p.message, ...(p.where ? [' at ', h('code', { text: whereText(p.where) })] : [])))),
    );
  }
  if (error.stack) box.append(h('details', {}, h('summary', { text: 'Stack trace' }), h('pre', { text: error.stack })));
  return box;
}

export function whereText(w: NonNullable<ErrorInfo['where']>): string {
  if (w.kind === 'json') return w.file ? `${w.file} → ${w.path || '(root)'}` : w.path || '(root)';
  return `${w.file}${w.line !== undefined ? `:${w.line}` : ''}${w.column !== undefined ? `:${w.column}` : ''}`;
}
