/**
 * The hypergradient references, the density and the tensor shares as rows and sentences, written
 * once for the text, Markdown and HTML renderers (each only adds its own markup). Pure.
 */
import { fmtInterval, fmtNum, fmtPercent } from './format';
import type { DiagnosisReport, EigenvectorReport } from './report';

export interface DampingRow {
  damping: string;
  value: string;
  solve: string;
  residual: string;
  /** 'undamped', 'recommended', 'configured' (the δ the series ran with). */
  notes: string;
  converged: boolean;
}

export function dampingRows(r: DiagnosisReport): DampingRow[] {
  const recommended = r.advice.damping?.delta ?? null;
  return (r.hypergradient.damped ?? []).map((p) => {
    const notes = [p.damping === 0 && 'undamped', p.damping === recommended && 'recommended', p.damping === r.neumann.damping && 'configured'].filter((x): x is string => !!x);
    return {
      damping: fmtNum(p.damping),
      value: p.converged ? fmtNum(p.value) : `${fmtNum(p.value)} (not converged)`,
      solve: p.method === 'dense' ? 'dense' : `CG, ${p.iterations} it.`,
      residual: fmtNum(p.residual, 2),
      notes: notes.join(', '),
      converged: p.converged,
    };
  });
}

export function referenceLine(r: DiagnosisReport): string | null {
  const h = r.hypergradient;
  if (!h.reference) return null;
  if (h.reference === 'none') return 'relative errors: no reference converged, so the Neumann value is not checked';
  return `relative errors are against the ${h.reference === 'exact' ? 'exact' : h.reference === 'minres' ? 'MINRES' : 'CG'} value (the best converged reference)`;
}

export function minresLine(r: DiagnosisReport): string | null {
  const m = r.hypergradient.minres;
  if (!m) return null;
  return `MINRES (undamped): ${fmtNum(m.value)} — ${m.converged ? 'converged' : `not converged (${m.status})`}, residual ${fmtNum(m.residual, 2)} after ${m.iterations} iterations, cond(H) ≳ ${fmtNum(m.conditionEstimate, 3)}`;
}

export function densityLine(r: DiagnosisReport): string | null {
  const d = r.spectrum.density;
  if (!d) return null;
  const how = d.method === 'slq' ? `SLQ, ${d.probes} probes × ${d.steps} steps = ${d.hvps} HVPs` : 'from the exact eigenvalues';
  const frac =
    d.method === 'slq'
      ? `${fmtPercent(d.negativeFraction)} ± ${fmtPercent(d.negativeFractionStdErr)} (interval ${fmtInterval(d.negativeFractionInterval.map((x) => 100 * x) as [number, number], 3)} %)`
      : fmtPercent(d.negativeFraction);
  return `spectral density (${how}, σ = ${fmtNum(d.sigma, 3)}): negative fraction ${frac}`;
}

export function negativeCountText(r: DiagnosisReport): string | null {
  const s = r.spectrum;
  if (s.negativeCount === null) return null;
  if (s.method === 'exact' || s.negativeCountInterval == null) return `${s.negativeCount} of ${s.eigenvalues?.length ?? r.params}`;
  return `≈ ${fmtNum(s.negativeCount, 3)} ± ${fmtNum(s.negativeCountStdErr, 2)} of ${r.params} (in ${fmtInterval(s.negativeCountInterval, 3)})`;
}

/** "0.weight 97 %, 2.weight 2.1 %, …" largest first, the tensors above 1 %. */
export function shareText(e: EigenvectorReport | null | undefined): string | null {
  if (!e || Object.keys(e.tensorShare).length === 0) return null;
  const sorted = Object.entries(e.tensorShare).sort((a, b) => b[1] - a[1]);
  const shown = sorted.filter(([, f], i) => i === 0 || f >= 0.01);
  return shown.map(([name, f]) => `${name} ${fmtPercent(f)}`).join(', ') + (shown.length < sorted.length ? ', …' : '');
}
