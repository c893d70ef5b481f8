/**
 * Lanczos with full reorthogonalisation: both ends of the spectrum of a symmetric operator from
 * one Krylov space, each with a rigorous error bar. For a Ritz pair (θ, y = Q s) of the m-step
 * tridiagonal T_m, ‖H y − θ y‖ = |β_m · s_m|, and for symmetric H the interval θ ± that residual
 * contains an eigenvalue of H.
 */
import type { ExtremeEstimate } from '../diagnosis/report';
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { axpy, dot, norm, scale } from '../util/vec';
import { denseSymmetricEigen } from './dense-eigen';

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
}

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

/** Symmetric tridiagonal (diagonal a, off-diagonal b) as a dense row-major matrix. */
function tridiagonal(a: number[], b: number[]): Float64Array {
  const m = a.length;
  const t = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    t[i * m + i] = a[i];
    if (i + 1 < m) {
      t[i * m + i + 1] = b[i];
      t[(i + 1) * m + i] = b[i];
    }
  }
  return t;
}

export async function lanczos(op: LinearOperator, opts: LanczosOptions): Promise<LanczosResult> {
  const n = op.size;
  if (n === 0) throw new RangeError('lanczos: operator of size 0');
  const tol = opts.tol ?? 1e-3;
  const maxSteps = Math.min(Math.max(1, Math.floor(opts.maxSteps)), n);
  const start = op.matvecCount;

  const q0 = new Rng(opts.seed).normalVector(n);
  const basis: Float64Array[] = [scale(1 / norm(q0), q0)];
  const alphas: number[] = [];
  const betas: number[] = [];

  let lambdaMax = estimate(NaN, Infinity, false);
  let lambdaMin = estimate(NaN, Infinity, false);
  let ritzValues: number[] = [];
  let exhausted = false;
  let steps = 0;

  for (let m = 1; m <= maxSteps; m++) {
    await checkpoint(opts.signal);
    const q = basis[m - 1];
    const w = await op.apply(q);
    const a = dot(q, w);
    axpy(-a, q, w);
    if (m > 1) axpy(-betas[m - 2], basis[m - 2], w);
    // Full reorthogonalisation, twice ("twice is enough"): without it, converged Ritz values
    // reappear as spurious copies and the residual bound stops being honest.
    for (let pass = 0; pass < 2; pass++) {
      for (const v of basis) axpy(-dot(v, w), v, w);
    }
    alphas.push(a);
    const beta = norm(w);
    steps = m;

    const { values, vectors } = denseSymmetricEigen(tridiagonal(alphas, betas), m, { vectors: true });
    const s = vectors as Float64Array;
    // Residual of Ritz pair k: |β_m · (last component of s_k)|.
    const resid = (k: number) => Math.abs(beta * s[(m - 1) * m + k]);
    const thetaMin = values[0];
    const thetaMax = values[m - 1];
    const scaleOfSpectrum = Math.max(Math.abs(thetaMin), Math.abs(thetaMax));
    // β ≈ 0 relative to the spectrum: the Krylov space is invariant, so its Ritz values are exact.
    exhausted = beta <= 1e-12 * Math.max(scaleOfSpectrum, Number.MIN_VALUE) || m === n;
    const rMax = resid(m - 1);
    const rMin = resid(0);
    lambdaMax = estimate(thetaMax, rMax, exhausted || relativeResidual(rMax, thetaMax, scaleOfSpectrum) < tol);
    lambdaMin = estimate(thetaMin, rMin, exhausted || relativeResidual(rMin, thetaMin, scaleOfSpectrum) < tol);
    ritzValues = Array.from(values);
    opts.onStep?.({ step: m, lambdaMax, lambdaMin, hvps: op.matvecCount - start });

    if (exhausted || (lambdaMax.converged && lambdaMin.converged)) break;
    betas.push(beta);
    basis.push(scale(1 / beta, w));
  }

  return { lambdaMax, lambdaMin, steps, hvps: op.matvecCount - start, ritzValues, exhausted };
}
