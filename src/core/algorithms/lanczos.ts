/**
 * Lanczos with full reorthogonalisation: both ends of the spectrum of a symmetric operator from
 * one Krylov space, each with a rigorous error bar. For unit s and any θ, the Ritz vector y = Q s
 * satisfies ‖H y − θ y‖² = ‖(T_m − θ) s‖² + (β_m s_m)² (the basis is orthonormal), and for
 * symmetric H the interval θ ± that residual contains an eigenvalue. Per step the extremes of T_m
 * come from Sturm bisection and their vectors from inverse iteration, O(m) each; the whole
 * tridiagonal is eigendecomposed once, at the end.
 */
import type { ExtremeEstimate } from '../diagnosis/report';
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { axpy, dot, norm, scale } from '../util/vec';
import { inverseIteration, kthEigenvalue, tridiagonalEigen, type TridiagonalEigenvector } from './tridiagonal';

export interface LanczosStepInfo {
  step: number;
  lambdaMax: ExtremeEstimate;
  lambdaMin: ExtremeEstimate;
  hvps: number;
}

export interface LanczosOptions {
  maxSteps: number;
  /** Relative Ritz residual at which an end counts as converged (default 1e-3). */
  tol?: number;
  seed: number;
  /**
   * Warm start (e.g. the previous λ_max Ritz vector while the weights drift). 1 % of a random
   * vector (from `seed`) is mixed in, so that no eigenvector is missing from the Krylov space.
   */
  start?: Float64Array;
  /** Which ends must converge before stopping (default both; 'max' for α = 1/λ_max). */
  ends?: 'both' | 'max' | 'min';
  signal?: AbortSignal;
  onStep?: (info: LanczosStepInfo) => void;
}

export interface LanczosResult {
  lambdaMax: ExtremeEstimate;
  lambdaMin: ExtremeEstimate;
  steps: number;
  hvps: number;
  /** Ritz values of the final tridiagonal, ascending. */
  ritzValues: number[];
  /** True when β vanished or the space reached dimension n: the Ritz values are eigenvalues. */
  exhausted: boolean;
  /** Unit Ritz vectors of the two ends (residuals as in lambdaMin/lambdaMax). */
  ritzVectors: { min: Float64Array; max: Float64Array };
  /** The tridiagonal T_m: alpha (m) and beta (m − 1). */
  tridiagonal: { alpha: number[]; beta: number[] };
}

/** Share of the random vector in a warm start. */
const WARM_START_NOISE = 0.01;

export function estimate(value: number, residual: number, converged: boolean): ExtremeEstimate {
  return { value, interval: [value - residual, value + residual], residual, converged };
}

/**
 * Relative residual of an end. A Ritz value near zero is measured against the spectrum's scale,
 * otherwise a singular H (λ_min = 0) could never converge in relative terms.
 */
function relativeResidual(residual: number, theta: number, spectralScale: number): number {
  const denom = Math.max(Math.abs(theta), 1e-3 * spectralScale, Number.MIN_VALUE);
  return residual / denom;
}

/** w ← w − Σ (qᵀw) q over the basis, twice ("twice is enough" for orthogonality to rounding). */
export function reorthogonalize(w: Float64Array, basis: Float64Array[]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const v of basis) axpy(-dot(v, w), v, w);
  }
}

export function startVector(n: number, seed: number, start?: Float64Array): Float64Array {
  const random = new Rng(seed).normalVector(n);
  const r = scale(1 / norm(random), random);
  if (!start) return r;
  if (start.length !== n) throw new RangeError(`lanczos: start vector has ${start.length} entries, operator size ${n}`);
  const s = norm(start);
  if (!(s > 0) || !Number.isFinite(s)) throw new RangeError('lanczos: start vector must be finite and non-zero');
  const q = scale(1 / s, start);
  axpy(WARM_START_NOISE, r, q);
  return scale(1 / norm(q), q);
}

interface EndState {
  theta: number;
  vector: TridiagonalEigenvector;
}

function endOf(alphas: number[], betas: number[], k: number): EndState {
  const theta = kthEigenvalue(alphas, betas, k);
  return { theta, vector: inverseIteration(alphas, betas, theta) };
}

/**
 * ‖H y − θ y‖ for y = Q s: the tridiagonal's part and the part leaving the Krylov space, plus the
 * rounding of the float64 algebra on T (m·ε·‖T‖), below which no computed residual means anything.
 */
function ritzResidual(end: EndState, beta: number, m: number, spectralScale: number): number {
  return Math.hypot(end.vector.residual, beta * end.vector.vector[m - 1]) + m * Number.EPSILON * spectralScale;
}

export async function lanczos(op: LinearOperator, opts: LanczosOptions): Promise<LanczosResult> {
  const n = op.size;
  if (n === 0) throw new RangeError('lanczos: operator of size 0');
  const tol = opts.tol ?? 1e-3;
  const ends = opts.ends ?? 'both';
  const maxSteps = Math.min(Math.max(1, Math.floor(opts.maxSteps)), n);
  const start = op.matvecCount;

  const basis: Float64Array[] = [startVector(n, opts.seed, opts.start)];
  const alphas: number[] = [];
  const betas: number[] = [];

  let lambdaMax = estimate(NaN, Infinity, false);
  let lambdaMin = estimate(NaN, Infinity, false);
  let low: EndState | null = null;
  let high: EndState | null = null;
  let exhausted = false;
  let steps = 0;

  for (let m = 1; m <= maxSteps; m++) {
    await checkpoint(opts.signal);
    const q = basis[m - 1];
    const w = await op.apply(q);
    const a = dot(q, w);
    axpy(-a, q, w);
    if (m > 1) axpy(-betas[m - 2], basis[m - 2], w);
    // Full reorthogonalisation: without it, converged Ritz values reappear as spurious copies
    // and the residual bound stops being honest.
    reorthogonalize(w, basis);
    alphas.push(a);
    const beta = norm(w);
    steps = m;

    low = endOf(alphas, betas, 0);
    high = m === 1 ? low : endOf(alphas, betas, m - 1);
    const scaleOfSpectrum = Math.max(Math.abs(low.theta), Math.abs(high.theta));
    // β ≈ 0 relative to the spectrum: the Krylov space is invariant, so its Ritz values are exact.
    exhausted = beta <= 1e-12 * Math.max(scaleOfSpectrum, Number.MIN_VALUE) || m === n;
    const rMax = ritzResidual(high, beta, m, scaleOfSpectrum);
    const rMin = ritzResidual(low, beta, m, scaleOfSpectrum);
    lambdaMax = estimate(high.theta, rMax, exhausted || relativeResidual(rMax, high.theta, scaleOfSpectrum) < tol);
    lambdaMin = estimate(low.theta, rMin, exhausted || relativeResidual(rMin, low.theta, scaleOfSpectrum) < tol);
    opts.onStep?.({ step: m, lambdaMax, lambdaMin, hvps: op.matvecCount - start });

    const done = ends === 'both' ? lambdaMax.converged && lambdaMin.converged : ends === 'max' ? lambdaMax.converged : lambdaMin.converged;
    if (exhausted || done) break;
    betas.push(beta);
    basis.push(scale(1 / beta, w));
  }

  const finalBetas = betas.slice(0, steps - 1);
  const ritzValues = Array.from(tridiagonalEigen(alphas, finalBetas).values);
  return {
    lambdaMax,
    lambdaMin,
    steps,
    hvps: op.matvecCount - start,
    ritzValues,
    exhausted,
    ritzVectors: { min: ritzVector(basis, (low as EndState).vector.vector), max: ritzVector(basis, (high as EndState).vector.vector) },
    tridiagonal: { alpha: alphas, beta: finalBetas },
  };
}

/** y = Q s (unit, since the basis is orthonormal and s is a unit vector). */
function ritzVector(basis: Float64Array[], s: Float64Array): Float64Array {
  const y = new Float64Array(basis[0].length);
  for (let k = 0; k < s.length; k++) axpy(s[k], basis[k], y);
  return y;
}
