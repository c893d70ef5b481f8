/**
 * The one way a report's numbers and verdicts are written, shared by the advice texts, the CLI's
 * text and Markdown, the panel, the HTML export and the status bar, so every surface shows the same
 * digits (and tests can format a report JSON the same way to compare). Pure.
 */
import type { Advice, DiagnosisReport, Interval, Verdict } from './report';

/** 4 significant digits, a real minus sign, no trailing zeros; exponent form outside [1e-4, 1e6). */
export function fmtNum(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const body = a >= 1e-4 && a < 1e6 ? String(Number(a.toPrecision(digits))) : a.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return (x < 0 ? '−' : '') + body;
}

export function fmtInterval(iv: Interval | readonly [number, number] | null | undefined, digits = 4): string {
  if (!iv) return '—';
  return `[${fmtNum(iv[0], digits)}, ${fmtNum(iv[1], digits)}]`;
}

/**
 * A fraction (a relative error) as a percentage: 3 significant digits, a space before the sign
 * ("25.3 %"). The one way every surface prints a fraction as a percentage.
 */
export function fmtPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return fmtNum(x);
  return `${fmtNum(100 * x, 3)} %`;
}

/** A progress fraction as a whole percentage in 0..100, written like fmtPercent ("42 %"). */
export function fmtProgress(fraction: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  return `${Math.round(100 * f)} %`;
}

/** The first entries of a vector as a user would print(v[:5]). */
export function fmtHead(xs: readonly number[] | null | undefined): string {
  if (!xs || xs.length === 0) return '—';
  return `[${xs.map((x) => fmtNum(x)).join(', ')}]`;
}

/** x rounded to `digits` significant digits, so a proposed config value is the number the text cites. */
export function roundSig(x: number, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/**
 * Which rows of an n-row per-term table to show: all of a short series; of a long one (up to the
 * schema's 100 000 terms) the first and last `keepEachEnd`, with null where the hidden ones go.
 */
export function shownRows(n: number, keepEachEnd = 40): (number | null)[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= 2 * keepEachEnd) return all;
  return [...all.slice(0, keepEachEnd), null, ...all.slice(n - keepEachEnd)];
}

export type VerdictTone = 'converges' | 'slow' | 'diverges';

/** Inconclusive shares the warning tone of 'slow': neither a pass nor a proven failure. */
export function verdictTone(v: Verdict): VerdictTone {
  return v === 'converges' ? 'converges' : v === 'slow' || v === 'inconclusive' ? 'slow' : 'diverges';
}

export function isDivergent(v: Verdict): boolean {
  return verdictTone(v) === 'diverges';
}

const TITLES: Record<Verdict, string> = {
  converges: 'Converges',
  slow: 'Converges slowly (needs more terms than configured)',
  'diverges-step-too-large': 'Diverges: step too large (α ≥ 2/λ_max)',
  'diverges-negative-curvature': 'Diverges: negative curvature (λ_min < 0)',
  inconclusive: 'Inconclusive (this run cannot bound ρ below or above 1)',
};

export function verdictTitle(v: Verdict): string {
  return TITLES[v];
}

export function verdictSymbol(v: Verdict): string {
  return v === 'converges' ? '✓' : v === 'slow' ? '⚠' : v === 'inconclusive' ? '?' : '✗';
}

export interface Headline {
  tone: VerdictTone;
  symbol: string;
  title: string;
}

const HYPERGRADIENT_TITLES: Partial<Record<NonNullable<Advice['hypergradient']>['status'], string>> = {
  'wrong-sign': 'Converges, but to a hypergradient of the wrong sign',
  biased: 'Converges, but the damping biases the hypergradient',
  far: 'Converges, but the hypergradient is far from the reference',
};

/**
 * The two-part verdict as one headline: the series (ρ) and whether its value is the wanted
 * hypergradient. A converging series whose hypergradient has the wrong sign, is biased by the
 * damping or is far from the reference is never shown as a plain pass.
 */
export function headline(advice: Pick<Advice, 'verdict' | 'hypergradient'>): Headline {
  const v = advice.verdict;
  const off = (v === 'converges' || v === 'slow') && advice.hypergradient ? HYPERGRADIENT_TITLES[advice.hypergradient.status] : undefined;
  if (off) return { tone: 'slow', symbol: '⚠', title: off };
  return { tone: verdictTone(v), symbol: verdictSymbol(v), title: verdictTitle(v) };
}

/** "wasm", or for a PyTorch experiment "torch 1.13.0 · float64 on cpu · /usr/bin/python3 (Python 3.11.2)". */
export function backendText(r: Pick<DiagnosisReport, 'backend' | 'runtime'>): string {
  const rt = r.runtime;
  if (r.backend !== 'torch' || !rt) return r.backend;
  const ranks = rt.worldSize > 1 ? ` × ${rt.worldSize} ranks` : '';
  return `torch ${rt.torch} · ${rt.dtype} on ${rt.device}${ranks} · ${rt.interpreter} (Python ${rt.pythonVersion})`;
}
