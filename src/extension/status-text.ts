/**
 * The status bar item's text and tooltip from the panel state: the running phase (with a
 * spinning icon), or the last verdict as `ρ 2.75 ✗` / `ρ 0.62 ✓` (ρ with the panel's 4 significant
 * digits, so both show the same number). Pure.
 */
import type { PanelState } from '../protocol/webview';
import { fmtNum, fmtProgress, headline } from '../core/diagnosis/format';

export interface StatusView {
  text: string;
  tooltip: string;
  /** 'error' | 'warning' → the item gets that theme background. */
  tone: 'normal' | 'warning' | 'error';
}

export function statusView(state: PanelState): StatusView {
  const s = state.session;
  if (s?.status === 'running') {
    return {
      text: `$(sync~spin) Neumann: ${s.phaseLabel ?? s.phase ?? 'starting'}${Math.round(100 * s.fraction) > 0 ? ` ${fmtProgress(s.fraction)}` : ''}`,
      tooltip: `Neumann Lens: diagnosing ${s.name} — click to show the panel`,
      tone: 'normal',
    };
  }
  const r = state.report;
  if (r && (!s || s.status === 'completed')) {
    const top = headline({ verdict: r.neumann.verdict, hypergradient: r.advice.hypergradient });
    return {
      text: `$(pulse) ρ ${fmtNum(r.neumann.rho)} ${top.symbol}`,
      tooltip: `Neumann Lens — ${r.name}: ${r.advice.summary}`,
      tone: top.tone === 'converges' ? 'normal' : top.tone === 'slow' ? 'warning' : 'error',
    };
  }
  if (s?.status === 'failed') {
    return { text: '$(error) Neumann: failed', tooltip: `Neumann Lens — ${s.name}: ${state.error?.message ?? 'the session failed'}`, tone: 'error' };
  }
  if (s?.status === 'cancelled') {
    return { text: '$(debug-stop) Neumann: stopped', tooltip: `Neumann Lens — ${s.name}: stopped`, tone: 'normal' };
  }
  return { text: '$(pulse) Neumann', tooltip: 'Neumann Lens: run a diagnosis on a *.neumann.json experiment', tone: 'normal' };
}
