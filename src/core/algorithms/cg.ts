/**
 * Conjugate gradient for H x = b. CG is only defined for positive-definite H: a search direction
 * with pᵀHp ≤ 0 proves H is not, and the step length would be meaningless, so CG stops there with
 * status 'indefinite' instead of returning garbage.
 */
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { axpy, dot, norm } from '../util/vec';

export type CgStatus = 'converged' | 'max-iterations' | 'indefinite';

export interface CgStepInfo {
  iteration: number;
  relativeResidual: number;
}

export interface CgOptions {
  /** Stop when ‖b − Hx‖/‖b‖ < rtol (default 1e-5). */
  rtol?: number;
  /** Default 10·n. */
  maxIter?: number;
  signal?: AbortSignal;
  onStep?: (info: CgStepInfo) => void;
}

export interface CgResult {
  x: Float64Array;
  status: CgStatus;
  iterations: number;
  /** ‖b − Hx‖/‖b‖ by the CG recurrence. */
  relativeResidual: number;
  /** pᵀHp/pᵀp of the direction that proved indefiniteness (a Rayleigh quotient ≤ 0), else null. */
  negativeCurvature: number | null;
  hvps: number;
}

export async function conjugateGradient(op: LinearOperator, b: Float64Array, opts: CgOptions = {}): Promise<CgResult> {
  const n = op.size;
  if (b.length !== n) throw new RangeError(`conjugateGradient: b has ${b.length} entries, operator size ${n}`);
  const rtol = opts.rtol ?? 1e-5;
  const maxIter = Math.max(1, Math.floor(opts.maxIter ?? 10 * n));
  const start = op.matvecCount;
  const x = new Float64Array(n);
  const bNorm = norm(b);
  const done = (status: CgStatus, iterations: number, rel: number, curv: number | null = null): CgResult => ({
    x,
    status,
    iterations,
    relativeResidual: rel,
    negativeCurvature: curv,
    hvps: op.matvecCount - start,
  });
  if (bNorm === 0) return done('converged', 0, 0);

  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  let rr = dot(r, r);
  for (let k = 1; k <= maxIter; k++) {
    await checkpoint(opts.signal);
    const hp = await op.apply(p);
    const pHp = dot(p, hp);
    if (!(pHp > 0)) return done('indefinite', k, Math.sqrt(rr) / bNorm, pHp / dot(p, p));
    const step = rr / pHp;
    axpy(step, p, x);
    axpy(-step, hp, r);
    const rrNew = dot(r, r);
    const rel = Math.sqrt(rrNew) / bNorm;
    opts.onStep?.({ iteration: k, relativeResidual: rel });
    if (rel < rtol) return done('converged', k, rel);
    const beta = rrNew / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNew;
  }
  return done('max-iterations', maxIter, Math.sqrt(rr) / bNorm);
}
