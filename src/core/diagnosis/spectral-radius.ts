/**
 * ρ(I − α(H + δI)) = max(|1 − α(λ_min + δ)|, |1 − α(λ_max + δ)|) for symmetric H, and the number
 * of series terms it implies. Computed from interval bounds on λ_min and λ_max so the upper bound
 * holds whatever eigenvalue inside each interval is the true extreme.
 */
import type { Interval } from './report';

export interface SpectralRadius {
  /** Conservative value: the upper bound. */
  rho: number;
  rhoInterval: Interval;
}

/** |1 − α(λ + δ)|: the factor by which the series multiplies the eigen-component of λ per term. */
export function contraction(alpha: number, lambda: number, damping = 0): number {
  return Math.abs(1 - alpha * (lambda + damping));
}

/** Range of |1 − α(λ + δ)| over λ in an interval (the function is convex, with its zero at 1/α − δ). */
function contractionRange(alpha: number, [lo, hi]: Interval, damping: number): Interval {
  const a = contraction(alpha, lo, damping);
  const b = contraction(alpha, hi, damping);
  const zero = 1 / alpha - damping;
  const min = zero >= lo && zero <= hi ? 0 : Math.min(a, b);
  return [min, Math.max(a, b)];
}

/**
 * Upper bound: the largest contraction over all four interval endpoints (convexity puts the max
 * at an endpoint). Lower bound: whichever end is worst even at its most favourable point.
 */
export function spectralRadius(alpha: number, lambdaMinInterval: Interval, lambdaMaxInterval: Interval, damping = 0): SpectralRadius {
  const lo = contractionRange(alpha, lambdaMinInterval, damping);
  const hi = contractionRange(alpha, lambdaMaxInterval, damping);
  const upper = Math.max(lo[1], hi[1]);
  const lower = Math.max(lo[0], hi[0]);
  return { rho: upper, rhoInterval: [lower, upper] };
}

/**
 * Terms K with ρ^K ≤ tol, K = ⌈log(tol)/log ρ⌉ (the residual of x_K is at most ρ^(K+1)·‖b‖ in the
 * eigenbasis, so this is one term conservative). Null when ρ ≥ 1: no K is enough.
 */
export function termsNeeded(rho: number, tol: number): number | null {
  if (!(rho < 1) || !Number.isFinite(rho)) return null;
  if (rho === 0) return 1;
  return Math.max(1, Math.ceil(Math.log(tol) / Math.log(rho)));
}

/**
 * `neumann.alpha: "auto"`: α = 1/(λ_max,upper + δ), the upper end of λ_max's interval, so that
 * α(λ + δ) ≤ 1 for every eigenvalue the interval allows (the top of the spectrum never
 * overshoots; ρ is then set by λ_min). NaN when λ_max,upper + δ ≤ 0: no curvature to scale by.
 */
export function autoAlpha(lambdaMaxUpper: number, damping = 0): number {
  const top = lambdaMaxUpper + damping;
  return top > 0 && Number.isFinite(top) ? 1 / top : NaN;
}

/** The α a run uses: the experiment's number, or autoAlpha of the measured λ_max interval. */
export function resolveAlpha(alpha: number | 'auto', lambdaMaxInterval: Interval, damping = 0): number {
  return alpha === 'auto' ? autoAlpha(lambdaMaxInterval[1], damping) : alpha;
}
