/**
 * Cross-checks that disagree with the extremes the diagnosis rests on. Pure.
 *
 * Every estimate here is a Rayleigh quotient θ with an interval θ ± ‖r‖ that holds an eigenvalue
 * (the chosen exact values are eigenvalues outright). A Rayleigh quotient never lies outside
 * [λ_min, λ_max], so two estimates of one end whose intervals do not overlap say something
 * definite, and which way they miss decides what:
 * - the cross-check lies beyond the chosen end (below the chosen λ_min, above the chosen λ_max):
 *   H has an eigenvalue there, so the chosen method missed that end of the spectrum and ρ may be
 *   larger than reported;
 * - the cross-check lies inside: it stopped short of the end (it found an interior eigenvalue or
 *   had not converged). The chosen value is nearer the end and stands, but it stands alone: when
 *   the two differ in sign, whether there is negative curvature rests on the chosen method only.
 */
import { fmtInterval, fmtNum } from './format';
import type { ExtremeEstimate, SpectrumReport } from './report';

export type SpectrumEnd = 'min' | 'max';

export interface CrossCheckFlag {
  end: SpectrumEnd;
  /** The method that produced the cross-check. */
  check: 'power iteration' | 'Lanczos';
  /** 'beyond': the chosen estimate missed this end; 'short': the cross-check stopped inside the spectrum. */
  kind: 'beyond' | 'short';
  /** The chosen and the cross-check estimates differ in sign (for λ_min: negative curvature or not). */
  signDiffers: boolean;
  /** One paragraph: both numbers with their intervals, and what the disagreement means. */
  text: string;
}

const CHOSEN_NAME: Record<SpectrumReport['method'], string> = {
  exact: 'the dense eigendecomposition',
  lanczos: 'Lanczos',
  power: 'power iteration',
};

/** Every cross-check of the report whose interval does not overlap the chosen one at the same end. */
export function crossCheckFlags(s: SpectrumReport): CrossCheckFlag[] {
  const checks: { name: CrossCheckFlag['check']; est: { lambdaMin: ExtremeEstimate; lambdaMax: ExtremeEstimate }; note: (end: SpectrumEnd) => string }[] = [];
  if (s.power) {
    const p = s.power;
    checks.push({ name: 'power iteration', est: p, note: (end) => `${p.iterations[end]} iterations` });
  }
  if (s.lanczos && s.method !== 'lanczos') {
    const l = s.lanczos;
    checks.push({ name: 'Lanczos', est: l, note: () => `${l.steps} steps` });
  }
  const out: CrossCheckFlag[] = [];
  for (const c of checks) {
    for (const end of ['min', 'max'] as const) {
      const chosen = { value: end === 'min' ? s.lambdaMin : s.lambdaMax, interval: end === 'min' ? s.lambdaMinInterval : s.lambdaMaxInterval };
      const flag = compare(end, chosen, end === 'min' ? c.est.lambdaMin : c.est.lambdaMax, c.name, CHOSEN_NAME[s.method], c.note(end));
      if (flag) out.push(flag);
    }
  }
  return out;
}

function compare(
  end: SpectrumEnd,
  chosen: { value: number; interval: readonly [number, number] },
  check: ExtremeEstimate,
  checkName: CrossCheckFlag['check'],
  chosenName: string,
  cost: string,
): CrossCheckFlag | null {
  const [lo, hi] = chosen.interval;
  const [clo, chi] = check.interval;
  if (![lo, hi, clo, chi].every(Number.isFinite)) return null;
  const below = chi < lo;
  const above = clo > hi;
  if (!below && !above) return null;
  const beyond = end === 'min' ? below : above;
  const sym = end === 'min' ? 'λ_min' : 'λ_max';
  const signDiffers = Math.sign(chosen.value) !== Math.sign(check.value) && chosen.value !== 0 && check.value !== 0;
  const head =
    `Cross-checks disagree on ${sym}: ${checkName} gives ${fmtNum(check.value)} ${fmtInterval(check.interval)}` +
    `${check.converged ? '' : ` (not converged, ${cost})`}, ${chosenName} ${fmtNum(chosen.value)} ${fmtInterval(chosen.interval)}.`;
  const side = end === 'min' ? 'below' : 'above';
  const text = beyond
    ? `${head} A Rayleigh quotient never lies ${side} ${sym}, so H has an eigenvalue ${end === 'min' ? '≤' : '≥'} ${fmtNum(end === 'min' ? chi : clo)}: ` +
      `${chosenName} missed that end of the spectrum, and ρ may be larger than this diagnosis says.`
    : `${head} A Rayleigh quotient never lies ${side} ${sym}, so ${checkName} stopped short of the end of the spectrum and ` +
      `${chosenName}'s value is the nearer one; ${signDiffers && end === 'min' ? 'whether there is negative curvature (the sign of λ_min)' : `${sym}`} rests on ${chosenName} alone.`;
  return { end, check: checkName, kind: beyond ? 'beyond' : 'short', signDiffers, text };
}
