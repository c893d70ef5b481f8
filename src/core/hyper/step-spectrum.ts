/**
 * The curvature at one hyper-step: λ_min and λ_max of H = ∇²L_T(w) with intervals, the α the
 * series uses there (the experiment's, or 1/(λ_max,upper + δ) for "auto"), and ρ(I − α(H + δI)).
 * When H was assembled anyway (an exact inverse or reference) its eigenvalues are the spectrum;
 * otherwise a few Lanczos steps, warm-started from the previous step's λ_max Ritz vector (the
 * weights move a little per hyper-step, so the top eigenvector does too). Intervals are widened by
 * the HVPs' rounding allowance, as the diagnosis does.
 */
import type { SymmetricFactorization } from '../algorithms/dense-eigen';
import { estimate, lanczos } from '../algorithms/lanczos';
import type { ExtremeEstimate } from '../diagnosis/report';
import { allowanceFor, widen } from '../diagnosis/rounding';
import { resolveAlpha, spectralRadius, type SpectralRadius } from '../diagnosis/spectral-radius';
import type { LinearOperator } from '../operators/linear-operator';

export interface StepSpectrum {
  method: 'exact' | 'lanczos';
  lambdaMin: ExtremeEstimate;
  lambdaMax: ExtremeEstimate;
  /** The λ_max Ritz vector (Lanczos path), the next step's warm start. */
  topVector: Float64Array | null;
}

export interface SpectrumOptions {
  /** Most Lanczos steps (each one HVP). */
  steps: number;
  tol: number;
  seed: number;
  /** Relative rounding of the HVPs (γ_N·max|λ| widening). */
  relativeRounding: number;
  start?: Float64Array | null;
  signal?: AbortSignal;
}

/** From an assembled H: exact extremes, intervals of the rounding allowance only. */
export function denseStepSpectrum(factor: SymmetricFactorization, relativeRounding: number): StepSpectrum {
  const values = factor.values;
  const lo = values[0];
  const hi = values[values.length - 1];
  const by = allowanceFor(relativeRounding, lo, hi);
  return { method: 'exact', lambdaMin: estimate(lo, by, true), lambdaMax: estimate(hi, by, true), topVector: null };
}

export async function lanczosStepSpectrum(op: LinearOperator, opts: SpectrumOptions): Promise<StepSpectrum> {
  const r = await lanczos(op, {
    maxSteps: Math.min(opts.steps, op.size),
    tol: opts.tol,
    seed: opts.seed,
    start: opts.start ?? undefined,
    signal: opts.signal,
  });
  const by = allowanceFor(opts.relativeRounding, r.lambdaMin.interval[0], r.lambdaMax.interval[1]);
  return { method: 'lanczos', lambdaMin: widen(r.lambdaMin, by), lambdaMax: widen(r.lambdaMax, by), topVector: r.ritzVectors.max };
}

export interface StepRadius extends SpectralRadius {
  alpha: number;
}

/** α ("auto": 1/(λ_max,upper + δ), NaN without positive curvature) and ρ at this step. */
export function stepRadius(spectrum: StepSpectrum, alpha: number | 'auto', damping: number): StepRadius {
  const a = resolveAlpha(alpha, spectrum.lambdaMax.interval, damping);
  if (!Number.isFinite(a)) return { alpha: a, rho: NaN, rhoInterval: [NaN, NaN] };
  return { alpha: a, ...spectralRadius(a, spectrum.lambdaMin.interval, spectrum.lambdaMax.interval, damping) };
}
