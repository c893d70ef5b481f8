/**
 * Number and verdict formatting shared by the panel and the HTML export, so both show a report's
 * numbers identically (and the tests can format the report JSON the same way to compare).
 * Pure: no DOM.
 */
import type { Interval, Verdict } from '../core/diagnosis/report';

/** 4 significant digits; exponent form outside [1e-3, 1e5); non-finite values spelled out. */
export function fmtNum(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return '∞';
  if (x === -Infinity) return '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-3 && a < 1e5 ? String(Number(x.toPrecision(digits))) : x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s.replace(/^-/, '−');
}

export function fmtInterval(iv: Interval | null | undefined, digits = 4): string {
  if (!iv) return '—';
  return `[${fmtNum(iv[0], digits)}, ${fmtNum(iv[1], digits)}]`;
}

/** Relative error as a percentage with 3 significant digits. */
export function fmtPercent(x: number | null | undefined): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return fmtNum(x);
  return `${fmtNum(100 * x, 3)} %`;
}

export type VerdictTone = 'converges' | 'slow' | 'diverges';

export function verdictTone(v: Verdict): VerdictTone {
  return v === 'converges' ? 'converges' : v === 'slow' ? 'slow' : 'diverges';
}

export function verdictTitle(v: Verdict): string {
  switch (v) {
    case 'converges':
      return 'Converges';
    case 'slow':
      return 'Converges slowly';
    case 'diverges-step-too-large':
      return 'Diverges: step too large';
    case 'diverges-negative-curvature':
      return 'Diverges: negative curvature';
  }
}

export function verdictSymbol(v: Verdict): string {
  return v === 'converges' ? '✓' : v === 'slow' ? '⚠' : '✗';
}

/** The first entries of a vector as a user would print(v[:5]). */
export function fmtHead(xs: readonly number[] | null | undefined): string {
  if (!xs || xs.length === 0) return '—';
  return `[${xs.map((x) => fmtNum(x)).join(', ')}]`;
}
