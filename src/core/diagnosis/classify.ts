/**
 * Facts → verdict, in two parts. The series part: the series on A = H + δI multiplies the
 * eigen-component of λ by (1 − α(λ + δ)) per term, so it converges iff every such factor is < 1 in
 * size; λ_min + δ ≤ 0 can never be fixed by α (negative curvature), α(λ_max + δ) ≥ 2 can. The
 * hypergradient part: is the series' value (or its limit) the hypergradient the user wants — the
 * bias of the damping, the distance from the best converged reference and the sign.
 */
import type { CgStatus } from '../algorithms/cg';
import { InputError } from '../errors';
import type { ExtremeEstimate, HypergradientReport, HypergradientVerdict, Interval, Verdict } from './report';
import { contraction, spectralRadius, termsNeeded } from './spectral-radius';

export interface DiagnoseInput {
  alpha: number;
  terms: number;
  damping: number;
  lambdaMin: ExtremeEstimate;
  lambdaMax: ExtremeEstimate;
  /** Target relative accuracy of the series (analysis.tolerance). */
  tolerance: number;
  /** ‖∇L_T(w)‖ at the trained weights; null for analytic problems. */
  gradNormTrain: number | null;
  stationarityTolerance: number;
  /** The CG run on H (undamped), if any. */
  cg: { status: CgStatus; iterations: number } | null;
  /** Configured training epochs; null when there is nothing to train. */
  epochs: number | null;
  /** analysis.maxLanczosSteps, for the fix when an end did not converge (null: not a Lanczos spectrum). */
  maxLanczosSteps?: number | null;
  /** Last observed growth ratio ‖v_K‖/‖v_{K−1}‖ of the series run, cited next to ρ. */
  observedGrowth?: number | null;
  /**
   * Recommended damping is δ = −λ_min,lower + margin·(λ_max,upper − λ_min,lower). The default 0.1
   * bounds the condition number of H + δI by (1 + margin)/margin = 11, so ρ ≤ 1 − 1/11 at
   * α = 1/(λ_max,upper + δ), while keeping δ (and the bias it adds to the solution) small.
   */
  dampingMargin?: number;
  /** The hypergradient block with its references and damping sweep (MLP experiments). */
  hypergradient?: HypergradientReport | null;
  /** Where the negative-curvature direction lives (state_dict name → share of ‖v‖²). */
  bottomTensorShare?: Record<string, number> | null;
}

export interface SeriesClass {
  verdict: Verdict;
  diverges: boolean;
  rho: number;
  rhoInterval: Interval;
  /** Largest growth factor per term over λ_min's and λ_max's intervals. */
  cMin: number;
  cMax: number;
  negCurvature: boolean;
  stepTooLarge: boolean;
  /** λ_min,lower + δ > 0. */
  positiveDefinite: boolean;
  /** Terms needed at the configured α (null when ρ ≥ 1). */
  kNow: number | null;
  /** Ends whose Lanczos estimate did not converge. */
  unconverged: string[];
  /** The intervals shifted by δ. */
  shifted: { min: Interval; max: Interval };
}

export function checkInput(input: DiagnoseInput): void {
  if (!(input.alpha > 0) || !Number.isFinite(input.alpha)) {
    throw new InputError(`α must be a positive number, got ${input.alpha}`, { kind: 'json', path: 'neumann.alpha' });
  }
  if (!(input.damping >= 0) || !Number.isFinite(input.damping)) {
    throw new InputError(`damping must be ≥ 0, got ${input.damping}`, { kind: 'json', path: 'neumann.damping' });
  }
  if (!(input.tolerance > 0 && input.tolerance < 1)) {
    throw new InputError(`tolerance must be in (0, 1), got ${input.tolerance}`, { kind: 'json', path: 'analysis.tolerance' });
  }
  for (const [name, e] of [['λ_min', input.lambdaMin], ['λ_max', input.lambdaMax]] as const) {
    if (![e.value, e.interval[0], e.interval[1]].every(Number.isFinite)) {
      throw new RangeError(`diagnose: ${name} estimate is not finite (${e.value} in [${e.interval[0]}, ${e.interval[1]}])`);
    }
  }
}

/**
 * The verdict names the end that sets ρ. It is only as strong as the bounds: "diverges" needs ρ's
 * lower bound ≥ 1 (an interval holds an eigenvalue, so that is rigorous even for an unconverged
 * end); "converges" needs the upper bound < 1 and both ends converged (an unconverged Ritz value
 * lies inside the spectrum, so the true extreme may be further out).
 */
export function classifySeries(input: DiagnoseInput): SeriesClass {
  const { alpha, terms, damping: delta, lambdaMin, lambdaMax } = input;
  const shifted = {
    min: [lambdaMin.interval[0] + delta, lambdaMin.interval[1] + delta] as Interval,
    max: [lambdaMax.interval[0] + delta, lambdaMax.interval[1] + delta] as Interval,
  };
  const { rho, rhoInterval } = spectralRadius(alpha, lambdaMin.interval, lambdaMax.interval, delta);
  const cMin = Math.max(...lambdaMin.interval.map((l) => contraction(alpha, l, delta)));
  const cMax = Math.max(...lambdaMax.interval.map((l) => contraction(alpha, l, delta)));
  const kNow = termsNeeded(rho, input.tolerance);
  const unconverged = [!lambdaMin.converged && 'λ_min', !lambdaMax.converged && 'λ_max'].filter((x): x is string => !!x);
  let verdict: Verdict;
  if (rhoInterval[0] >= 1) {
    // On a tie the λ_min end wins: no α can fix it, so it is the cause to act on first.
    verdict = cMin >= cMax && shifted.min[0] <= 0 ? 'diverges-negative-curvature' : 'diverges-step-too-large';
  } else if (rho >= 1 || unconverged.length > 0) {
    verdict = 'inconclusive';
  } else {
    verdict = (kNow as number) > terms ? 'slow' : 'converges';
  }
  return {
    verdict,
    diverges: verdict.startsWith('diverges'),
    rho,
    rhoInterval,
    cMin,
    cMax,
    negCurvature: lambdaMin.value + delta < 0,
    stepTooLarge: alpha * (lambdaMax.value + delta) >= 2,
    positiveDefinite: shifted.min[0] > 0,
    kNow,
    unconverged,
    shifted,
  };
}

/** Relative distance from the reference within which the Neumann value counts as the hypergradient. */
export const HYPERGRADIENT_AGREEMENT = 0.05;

/**
 * Is the Neumann value the wanted hypergradient? 'diverged' when the series does (its value is
 * noise); 'wrong-sign' when it and the reference disagree in sign; 'biased' when it is far from
 * the reference and the damped system's own solution is as far (the damping moved the limit);
 * 'far' when it is far for another reason (too few terms, slow convergence); 'agrees' within
 * HYPERGRADIENT_AGREEMENT; 'no-reference' when nothing converged to compare with.
 */
export function classifyHypergradient(h: HypergradientReport | null | undefined, series: SeriesClass, damping: number): HypergradientVerdict | null {
  if (!h || (h.neumann === null && !series.diverges)) return null;
  const referenceValue = h.reference === 'exact' ? h.exact : h.reference === 'minres' ? (h.minres?.value ?? null) : h.reference === 'cg' ? h.cg : null;
  const limitPoint = h.damped?.find((p) => p.damping === damping && p.converged && p.value !== null) ?? null;
  const limit = damping === 0 ? referenceValue : (limitPoint?.value ?? null);
  const relError = h.relErrorNeumann;
  const dampingBias = damping > 0 && limit !== null && referenceValue !== null ? relDiff(limit, referenceValue) : null;
  const signAgrees = h.neumann !== null && referenceValue !== null && referenceValue !== 0 ? Math.sign(h.neumann) === Math.sign(referenceValue) : null;
  const base = { reference: h.reference ?? 'none', neumann: h.neumann, referenceValue, limit, relError, dampingBias, signAgrees };
  if (series.diverges || h.neumann === null) return { status: 'diverged', ...base };
  if (referenceValue === null || relError === null) return { status: 'no-reference', ...base };
  if (signAgrees === false) return { status: 'wrong-sign', ...base };
  if (relError <= HYPERGRADIENT_AGREEMENT) return { status: 'agrees', ...base };
  if (dampingBias !== null && dampingBias > HYPERGRADIENT_AGREEMENT) return { status: 'biased', ...base };
  return { status: 'far', ...base };
}

function relDiff(a: number, b: number): number {
  return b === 0 ? Math.abs(a - b) : Math.abs(a - b) / Math.abs(b);
}
