/**
 * Power iteration as PyHessian runs it (Gaussian start, stop when the Rayleigh quotient's relative
 * change < tol, at most maxIter products), kept as the baseline users know and as a cross-check of
 * Lanczos. It finds the dominant (largest |λ|) eigenvalue; shifted power iteration on H − λ_dom·I
 * then finds the other end of the spectrum.
 */
import type { ExtremeEstimate } from '../diagnosis/report';
import { ShiftedOperator, type LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { axpy, norm, dot, scale } from '../util/vec';
import { estimate } from './lanczos';

export interface PowerStepInfo {
  iteration: number;
  rayleigh: number;
  residual: number;
}

export interface PowerOptions {
  maxIter?: number;
  tol?: number;
  seed: number;
  signal?: AbortSignal;
  onStep?: (info: PowerStepInfo) => void;
}

export interface PowerResult {
  /** Rayleigh quotient θ; residual ‖Hv − θv‖ of its unit vector v, interval θ ± residual. */
  estimate: ExtremeEstimate;
  vector: Float64Array;
  iterations: number;
  hvps: number;
}

/** PyHessian's denominator guard: |θ_prev| + 1e-6. */
const RELATIVE_GUARD = 1e-6;

export async function powerIteration(op: LinearOperator, opts: PowerOptions): Promise<PowerResult> {
  const n = op.size;
  if (n === 0) throw new RangeError('powerIteration: operator of size 0');
  const maxIter = Math.max(1, Math.floor(opts.maxIter ?? 100));
  const tol = opts.tol ?? 1e-3;
  const start = op.matvecCount;
  let v = new Rng(opts.seed).normalVector(n);
  v = scale(1 / norm(v), v);

  let previous: number | null = null;
  let theta = NaN;
  let residual = Infinity;
  let converged = false;
  let iterations = 0;
  for (let i = 1; i <= maxIter; i++) {
    await checkpoint(opts.signal);
    const hv = await op.apply(v);
    theta = dot(v, hv);
    const r = Float64Array.from(hv);
    axpy(-theta, v, r);
    residual = norm(r);
    iterations = i;
    opts.onStep?.({ iteration: i, rayleigh: theta, residual });
    if (previous !== null && Math.abs(previous - theta) / (Math.abs(previous) + RELATIVE_GUARD) < tol) {
      converged = true;
      break;
    }
    previous = theta;
    const hvNorm = norm(hv);
    if (hvNorm === 0) {
      converged = true; // Hv = 0: v is an exact eigenvector of 0
      break;
    }
    if (!Number.isFinite(hvNorm)) break;
    if (i < maxIter) v = scale(1 / hvNorm, hv);
  }
  return { estimate: estimate(theta, residual, converged), vector: v, iterations, hvps: op.matvecCount - start };
}

export interface PowerExtremes {
  lambdaMax: ExtremeEstimate;
  lambdaMin: ExtremeEstimate;
  iterations: { max: number; min: number };
  hvps: number;
}

export interface PowerExtremeStepInfo {
  /** Which end this phase is estimating (the dominant one's sign decides, as it goes). */
  end: 'max' | 'min';
  iteration: number;
  /** Current estimate of that eigenvalue of H (the shift already added back). */
  value: number;
  residual: number;
  /** Products so far over both phases. */
  hvps: number;
}

export interface PowerExtremesOptions extends Omit<PowerOptions, 'onStep'> {
  onStep?: (info: PowerExtremeStepInfo) => void;
}

/**
 * Both ends by power iteration: the dominant eigenvalue first, then the dominant eigenvalue μ of
 * H − λ_dom·I, which is (other end − λ_dom). The residual of the shifted pair equals H's residual
 * for λ_dom + μ, so the intervals stay rigorous.
 */
export async function extremesByPowerIteration(op: LinearOperator, opts: PowerExtremesOptions): Promise<PowerExtremes> {
  const start = op.matvecCount;
  const { onStep, ...rest } = opts;
  const report = (end: 'max' | 'min', shift: number) => (s: PowerStepInfo) =>
    onStep?.({ end, iteration: s.iteration, value: s.rayleigh + shift, residual: s.residual, hvps: op.matvecCount - start });
  const dominant = await powerIteration(op, {
    ...rest,
    onStep: (s) => report(s.rayleigh >= 0 ? 'max' : 'min', 0)(s),
  });
  const lambdaDom = dominant.estimate.value;
  const otherEnd = lambdaDom >= 0 ? 'min' : 'max';
  const shifted = await powerIteration(new ShiftedOperator(op, -lambdaDom), {
    ...rest,
    seed: opts.seed + 1,
    onStep: report(otherEnd, lambdaDom),
  });
  const s = shifted.estimate;
  const other = estimate(s.value + lambdaDom, s.residual, s.converged);
  const domIsMax = other.value <= lambdaDom;
  return {
    lambdaMax: domIsMax ? dominant.estimate : other,
    lambdaMin: domIsMax ? other : dominant.estimate,
    iterations: domIsMax
      ? { max: dominant.iterations, min: shifted.iterations }
      : { max: shifted.iterations, min: dominant.iterations },
    hvps: op.matvecCount - start,
  };
}
