/**
 * MINRES (Paige & Saunders 1975, as in SciPy's minres without a preconditioner) for symmetric,
 * possibly indefinite or singular (A + δI) x = b: x_k minimises ‖b − (A + δI)x‖ over the Krylov
 * space, so the residual never grows. Besides x it estimates ‖A‖ and cond(A) from the Lanczos
 * tridiagonal and its QR factors, and it tells apart a solution (‖r‖/‖b‖ ≤ rtol), a least-squares
 * solution of an inconsistent singular system (‖Ar‖/(‖A‖‖r‖) ≤ rtol) and running out of budget.
 * The recurrence's residual is checked once against a true product at the end; if it was
 * optimistic the iteration continues with a tighter target, and `converged` is the true residual's.
 *
 * Plain MINRES, not MINRES-QLP: QLP only changes the answer when cond(A) approaches 1/ε (~1e8
 * here) or for the minimum-length solution of inconsistent systems; on the Hessians this is for
 * (cond ~1e5) the limit is the iteration budget, which QLP does not change.
 */
import { ShiftedOperator, type LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { norm } from '../util/vec';

export type MinresStatus =
  /** ‖b − Ax‖/‖b‖ ≤ rtol, confirmed by a true product. */
  | 'converged'
  /** A least-squares solution (‖Ar‖ ≈ 0) of an inconsistent system: not a solution of Ax = b. */
  | 'least-squares'
  | 'max-iterations'
  /** The cond(A) estimate reached 0.1/ε: further iterations would be rounding noise. */
  | 'ill-conditioned'
  /** The recurrence claimed rtol but the true residual stayed above it (attainable accuracy). */
  | 'inaccurate'
  /** Krylov space invariant (β = 0) without reaching rtol. */
  | 'exhausted';

export interface MinresOptions {
  /** Target ‖b − (A + δI)x‖/‖b‖ (default 1e-5). */
  rtol?: number;
  /** Iteration budget (default 10·n). */
  maxIter?: number;
  /**
   * Least-squares stop: ‖Ar‖/(‖A‖‖r‖) ≤ lsTol (default 1e-10). Far below rtol on purpose: on a
   * consistent but ill-conditioned system that ratio falls to ~1/cond long before r does, and
   * stopping there would call an unfinished solve a least-squares solution.
   */
  lsTol?: number;
  /** δ: solve (A + δI)x = b. */
  shift?: number;
  signal?: AbortSignal;
  onStep?: (info: { iteration: number; relativeResidual: number }) => void;
}

export interface MinresResult {
  x: Float64Array;
  status: MinresStatus;
  /** True only when the true residual ‖b − (A + δI)x‖/‖b‖ ≤ rtol. */
  converged: boolean;
  /** Steps that moved x (a stop found before a step does not count it; its product does). */
  iterations: number;
  /** Products with A, including the true-residual checks. */
  hvps: number;
  /** ‖b − (A + δI)x‖/‖b‖ by the recurrence. */
  relativeResidual: number;
  /** The same from one product with the final x. */
  trueRelativeResidual: number;
  /** ‖(A + δI)r‖/(‖A + δI‖‖r‖) by the recurrence: ≈ 0 at a least-squares solution. */
  normalEquationsResidual: number;
  /** Frobenius norm of the Lanczos tridiagonal (SciPy's Anorm): an estimate of ‖A + δI‖, between ‖·‖₂ and a few ‖·‖_F. */
  normEstimate: number;
  /** max/min of the QR diagonal (SciPy's Acond): an estimate of cond(A + δI), usually from below. */
  conditionEstimate: number;
}

/** Refinements after the recurrence's residual turned out optimistic. */
const MAX_REFINEMENTS = 2;

/**
 * One function on purpose (past the usual length): the Paige–Saunders recurrences share a dozen
 * scalars step to step, and keeping them together keeps the line-by-line match with the published
 * algorithm (and SciPy's), which is how this is reviewed.
 */
export async function minres(op: LinearOperator, b: Float64Array, opts: MinresOptions = {}): Promise<MinresResult> {
  const n = op.size;
  if (b.length !== n) throw new RangeError(`minres: b has ${b.length} entries, operator size ${n}`);
  const rtol = opts.rtol ?? 1e-5;
  const lsTol = opts.lsTol ?? 1e-10;
  const maxIter = Math.max(1, Math.floor(opts.maxIter ?? 10 * n));
  const a: LinearOperator = opts.shift ? new ShiftedOperator(op, opts.shift) : op;
  const start = op.matvecCount;
  const bNorm = norm(b);
  const x = new Float64Array(n);
  if (bNorm === 0) {
    return { x, status: 'converged', converged: true, iterations: 0, hvps: 0, relativeResidual: 0, trueRelativeResidual: 0, normalEquationsResidual: 0, normEstimate: 0, conditionEstimate: 1 };
  }
  const eps = Number.EPSILON;
  // Lanczos vectors (unnormalised r1, r2 as in Paige–Saunders) and the three search directions.
  let r1: Float64Array = Float64Array.from(b);
  let r2: Float64Array = Float64Array.from(b);
  let w = new Float64Array(n);
  let w1 = new Float64Array(n);
  let w2 = new Float64Array(n);
  const beta1 = bNorm;
  let beta = beta1;
  let oldb = 0;
  let dbar = 0;
  let epsln = 0;
  let phibar = beta1;
  let tnorm2 = 0;
  let gmax = 0;
  let gmin = Number.MAX_VALUE;
  let cs = -1;
  let sn = 0;
  let target = rtol;
  let refinements = 0;
  let iterations = 0;
  let status: MinresStatus = 'max-iterations';
  let rnorm = beta1;
  let test2 = Infinity;
  let anorm = 0;
  let acond = 1;
  // True relative residual of the current x, when one was computed for it.
  let checked: number | null = null;

  for (;;) {
    if (iterations >= maxIter) {
      status = 'max-iterations';
      break;
    }
    await checkpoint(opts.signal);
    iterations++;
    const v = Float64Array.from(r2, (t) => t / beta);
    const y = await a.apply(v);
    if (iterations >= 2) for (let i = 0; i < n; i++) y[i] -= (beta / oldb) * r1[i];
    let alfa = 0;
    for (let i = 0; i < n; i++) alfa += v[i] * y[i];
    for (let i = 0; i < n; i++) y[i] -= (alfa / beta) * r2[i];
    r1 = r2;
    r2 = y;
    oldb = beta;
    beta = norm(r2);
    tnorm2 += alfa * alfa + oldb * oldb + beta * beta;

    // Apply the previous rotation, then form the next one (QR of the Lanczos tridiagonal).
    const oldeps = epsln;
    const delta = cs * dbar + sn * alfa;
    const gbar = sn * dbar - cs * alfa;
    epsln = sn * beta;
    dbar = -cs * beta;
    const root = Math.hypot(gbar, dbar);
    anorm = Math.sqrt(tnorm2);
    // ‖A r_{k−1}‖ = φ̄_{k−1}·root: the least-squares test of the current x, before it moves.
    test2 = anorm === 0 ? Infinity : root / anorm;
    if (test2 <= lsTol) {
      // Checked before the step on purpose: on an inconsistent singular system the step that
      // follows is along A's null space, with γ ≈ β ≈ 0, and would add a huge null component to x.
      status = 'least-squares';
      iterations--;
      break;
    }
    const gamma = Math.max(Math.hypot(gbar, beta), eps);
    if (Math.max(gmax, gamma) / Math.min(gmin, gamma) >= 0.1 / eps) {
      // γ ≈ ε‖A‖: the step would be rounding noise amplified by 1/γ; x stays where it is.
      status = 'ill-conditioned';
      iterations--;
      acond = Math.max(gmax, gamma) / Math.min(gmin, gamma);
      break;
    }
    cs = gbar / gamma;
    sn = beta / gamma;
    const phi = cs * phibar;
    phibar = sn * phibar;

    const denom = 1 / gamma;
    [w1, w2, w] = [w2, w, w1];
    for (let i = 0; i < n; i++) {
      w[i] = (v[i] - oldeps * w1[i] - delta * w2[i]) * denom;
      x[i] += phi * w[i];
    }
    gmax = Math.max(gmax, gamma);
    gmin = Math.min(gmin, gamma);
    acond = gmax / gmin;
    rnorm = phibar;
    checked = null;
    opts.onStep?.({ iteration: iterations, relativeResidual: rnorm / bNorm });

    let stop: MinresStatus | null = null;
    if (rnorm / bNorm <= target) stop = 'converged';
    if (stop === null && beta <= eps * anorm) stop = 'exhausted';
    if (stop === null) continue;
    status = stop;
    if (stop !== 'converged') break;
    const trueRel = await trueResidual(a, x, b, bNorm);
    checked = trueRel;
    if (trueRel <= rtol || refinements >= MAX_REFINEMENTS || iterations >= maxIter || beta <= eps * anorm) break;
    // The recurrence was optimistic by trueRel/rnorm: aim lower by that factor and go on.
    refinements++;
    target = Math.min(target, (rtol * rnorm) / (bNorm * trueRel)) * 0.5;
  }
  const trueRelativeResidual = checked ?? (await trueResidual(a, x, b, bNorm));
  if (status === 'converged' && trueRelativeResidual > rtol) status = 'inaccurate';
  return {
    x,
    status,
    converged: trueRelativeResidual <= rtol,
    iterations,
    hvps: op.matvecCount - start,
    relativeResidual: rnorm / bNorm,
    trueRelativeResidual,
    normalEquationsResidual: test2,
    normEstimate: anorm,
    conditionEstimate: acond,
  };
}

async function trueResidual(a: LinearOperator, x: Float64Array, b: Float64Array, bNorm: number): Promise<number> {
  const ax = await a.apply(x);
  let r2 = 0;
  for (let i = 0; i < b.length; i++) r2 += (b[i] - ax[i]) ** 2;
  return Math.sqrt(r2) / bNorm;
}
