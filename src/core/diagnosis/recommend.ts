/**
 * Classified facts → recommendations: the numbers (α, δ, K) with the fix that sets each, what each
 * does to the hypergradient (from the damping sweep when there is one), and the fixes that only
 * work together gathered into one "apply all". No text here: explain.ts words it.
 */
import type { ConfigFix, DampingAdvice, ExtremeEstimate } from './report';
import type { DiagnoseInput, SeriesClass } from './classify';
import { fmtNum, roundSig } from './format';
import { spectralRadius, termsNeeded } from './spectral-radius';

/** The experiment schema's maxima for neumann.terms and analysis.maxLanczosSteps: fixes never exceed them. */
export const NEUMANN_TERMS_MAX = 100000;
export const LANCZOS_STEPS_MAX = 10000;

/** What a recommendation does to the hypergradient, when this run measured it. */
export interface HypergradientEffect {
  /** The hypergradient the series would converge to after the fix. */
  value: number;
  /** The undamped reference it is compared with, and which one. */
  reference: number | null;
  referenceName: string;
}

export type Recommendation =
  | { kind: 'more-lanczos-steps'; steps: number; current: number; unconverged: string[]; fix: ConfigFix }
  | { kind: 'set-alpha'; mode: 'optimal' | 'safe'; value: number; rho: number; k: number; kNow: number | null; alphaMax: number; fix: ConfigFix; effect: HypergradientEffect | null }
  | { kind: 'set-alpha'; mode: 'damped'; value: number; delta: number; rho: number; fix: ConfigFix; effect: null }
  | { kind: 'set-damping'; advice: DampingAdvice; margin: number; width: { value: number; label: string }; fix: ConfigFix; effect: HypergradientEffect | null }
  | { kind: 'set-terms'; k: number; condition: string; fix: ConfigFix | null }
  | { kind: 'use-cg'; iterations: number }
  | { kind: 'train-longer'; epochs: number; current: number; gradNorm: number; fix: ConfigFix };

export interface Recommendations {
  items: Recommendation[];
  /** Fixes that only work together (≥ 2), to be offered as one "apply all". */
  together: ConfigFix[] | null;
  alphaMax: number | null;
  alphaSuggested: number | null;
  alphaOptimal: number | null;
  rhoOptimal: number | null;
  termsNeeded: number | null;
  damping: DampingAdvice | null;
  useCg: boolean;
  notStationary: boolean;
}

// Counts (terms, epochs, steps) are written in full; α and δ as the texts cite them.
const fix = (path: string[], value: number): ConfigFix => ({ path, value, label: `Set ${path.join('.')} to ${Number.isInteger(value) && value > 1 ? String(value) : fmtNum(value)}` });

export function recommend(input: DiagnoseInput, cls: SeriesClass): Recommendations {
  const { alpha, terms, damping: delta, lambdaMin, lambdaMax, tolerance: tol } = input;
  const items: Recommendation[] = [];
  let together: ConfigFix[] | null = null;

  if (cls.unconverged.length > 0 && input.maxLanczosSteps) {
    const steps = Math.min(2 * input.maxLanczosSteps, LANCZOS_STEPS_MAX);
    if (steps > input.maxLanczosSteps) {
      items.push({ kind: 'more-lanczos-steps', steps, current: input.maxLanczosSteps, unconverged: cls.unconverged, fix: fix(['analysis', 'maxLanczosSteps'], steps) });
    }
  }

  // Step-size numbers, from the conservative upper end of λ_max (+ δ).
  const lmaxUpper = cls.shifted.max[1];
  const alphaMax = lmaxUpper > 0 ? 2 / lmaxUpper : null;
  const alphaSuggested = lmaxUpper > 0 ? 1 / lmaxUpper : null;
  let alphaOptimal: number | null = null;
  let rhoOptimal: number | null = null;
  let termsNeededOut = cls.kNow;
  let damping: DampingAdvice | null = null;

  if (cls.positiveDefinite) {
    alphaOptimal = 2 / (lambdaMax.value + lambdaMin.value + 2 * delta);
    rhoOptimal = spectralRadius(alphaOptimal, lambdaMin.interval, lambdaMax.interval, delta).rho;
    // α* balances both ends exactly; when the error bars make it unsafe, fall back to 1/λ_max,upper.
    const useOptimal = rhoOptimal < 1;
    const aRec = roundSig(useOptimal ? alphaOptimal : (alphaSuggested as number), 3);
    const rhoRec = spectralRadius(aRec, lambdaMin.interval, lambdaMax.interval, delta).rho;
    const kRec = termsNeeded(rhoRec, tol);
    if (cls.diverges) termsNeededOut = kRec;
    if (kRec !== null && (cls.kNow === null || kRec < cls.kNow) && aRec !== alpha) {
      const setAlpha = fix(['neumann', 'alpha'], aRec);
      items.push({ kind: 'set-alpha', mode: useOptimal ? 'optimal' : 'safe', value: aRec, rho: rhoRec, k: kRec, kNow: cls.kNow, alphaMax: alphaMax as number, fix: setAlpha, effect: limitAt(input, delta) });
      if (kRec > terms) {
        const t = setTerms(kRec, `at α = ${fmtNum(aRec)}`);
        items.push(t);
        // At the configured K the new α alone stops short of the tolerance: both, or neither.
        if (t.fix) together = [setAlpha, t.fix];
      }
    }
  } else {
    damping = recommendDamping(input);
    const d = damping;
    if (cls.diverges) termsNeededOut = d.termsNeeded;
    const setDamping = fix(['neumann', 'damping'], d.delta);
    const group = [setDamping];
    items.push({ kind: 'set-damping', advice: d, margin: input.dampingMargin ?? 0.1, width: dampingWidth(lambdaMin, lambdaMax, alpha), fix: setDamping, effect: limitAt(input, d.delta) });
    if (d.alpha !== alpha) {
      const setAlpha = fix(['neumann', 'alpha'], d.alpha);
      items.push({ kind: 'set-alpha', mode: 'damped', value: d.alpha, delta: d.delta, rho: d.rho, fix: setAlpha, effect: null });
      group.push(setAlpha);
    }
    if (d.termsNeeded !== null && d.termsNeeded > terms) {
      const t = setTerms(d.termsNeeded, `with δ = ${fmtNum(d.delta)}, α = ${fmtNum(d.alpha)}`);
      items.push(t);
      if (t.fix) group.push(t.fix);
    }
    // δ makes H + δI definite, α = 1/(λ_max + δ) makes the step fit it, K reaches the tolerance at that ρ.
    if (group.length >= 2) together = group;
  }

  if (cls.verdict === 'slow' && !items.some((m) => m.kind === 'set-terms')) {
    items.push(setTerms(cls.kNow as number, `at α = ${fmtNum(alpha)}`));
  }

  const useCg = input.cg?.status === 'converged' && (cls.diverges || cls.verdict === 'slow');
  if (useCg && input.cg) items.push({ kind: 'use-cg', iterations: input.cg.iterations });

  const notStationary = input.gradNormTrain !== null && input.gradNormTrain > input.stationarityTolerance;
  if (notStationary && input.epochs !== null) {
    const epochs = Math.max(1, input.epochs) * 2;
    items.push({ kind: 'train-longer', epochs, current: input.epochs, gradNorm: input.gradNormTrain as number, fix: fix(['training', 'epochs'], epochs) });
  }

  return { items, together, alphaMax, alphaSuggested, alphaOptimal, rhoOptimal, termsNeeded: termsNeededOut, damping, useCg, notStationary };

  function setTerms(k: number, condition: string): Recommendation & { kind: 'set-terms' } {
    // A count the experiment schema would reject is no fix: explain says so and points at the alternatives.
    return { kind: 'set-terms', k, condition, fix: k > NEUMANN_TERMS_MAX ? null : fix(['neumann', 'terms'], k) };
  }
}

/** The hypergradient the series converges to at damping δ, from this run's sweep (null when not measured). */
function limitAt(input: DiagnoseInput, delta: number): HypergradientEffect | null {
  const h = input.hypergradient;
  if (!h) return null;
  const point = h.damped?.find((p) => p.damping === delta && p.converged && p.value !== null);
  const reference = h.reference === 'exact' ? h.exact : h.reference === 'minres' ? (h.minres?.value ?? null) : h.reference === 'cg' ? h.cg : null;
  const value = delta === 0 ? reference : (point?.value ?? null);
  if (value === null) return null;
  return { value, reference, referenceName: h.reference ?? 'none' };
}

/**
 * The scale the damping margin is taken of: the spectral width λ_max,upper − λ_min,lower, at least
 * |λ_min,lower| (a negative multiple of I has zero width), and for H = 0 the configured step's 1/α.
 */
export function dampingWidth(lambdaMin: ExtremeEstimate, lambdaMax: ExtremeEstimate, alpha: number): { value: number; label: string } {
  const spread = lambdaMax.interval[1] - lambdaMin.interval[0];
  const magnitude = Math.abs(lambdaMin.interval[0]);
  if (spread > 0 && spread >= magnitude) return { value: spread, label: '(λ_max,upper − λ_min,lower)' };
  if (magnitude > 0) return { value: magnitude, label: '|λ_min,lower|' };
  return { value: 1 / alpha, label: '(1/α)' };
}

/** δ = −λ_min,lower + margin·width (replacing the configured δ), α = 1/(λ_max,upper + δ), both rounded as cited. */
export function recommendDamping(input: Pick<DiagnoseInput, 'alpha' | 'lambdaMin' | 'lambdaMax' | 'tolerance' | 'dampingMargin'>): DampingAdvice {
  const margin = input.dampingMargin ?? 0.1;
  const lo = input.lambdaMin.interval[0];
  const hi = input.lambdaMax.interval[1];
  const width = dampingWidth(input.lambdaMin, input.lambdaMax, input.alpha).value;
  const delta = roundSig(-lo + margin * width, 3);
  const alpha = roundSig(1 / (hi + delta), 3);
  const rho = spectralRadius(alpha, input.lambdaMin.interval, input.lambdaMax.interval, delta).rho;
  return { delta, alpha, rho, termsNeeded: termsNeeded(rho, input.tolerance) };
}

/** The damping the advice will recommend (when λ_min,lower + δ ≤ 0), for the sweep that runs before it. */
export function dampingToRecommend(input: Pick<DiagnoseInput, 'alpha' | 'damping' | 'lambdaMin' | 'lambdaMax' | 'tolerance' | 'dampingMargin'>): number | null {
  return input.lambdaMin.interval[0] + input.damping > 0 ? null : recommendDamping(input).delta;
}
