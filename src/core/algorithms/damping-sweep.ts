/**
 * How the solution of (H + δI)x = b (and a caller's functional of it, the hypergradient) depends
 * on the damping δ: a grid of δ above the point where H + δI becomes positive definite, solved by
 * CG per δ (iterative path) or through one eigendecomposition for every δ (dense path). Users
 * pick δ to make the Neumann series converge; this shows what that choice does to the answer.
 */
import { ShiftedOperator, type LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { norm } from '../util/vec';
import { conjugateGradient, type CgStatus } from './cg';
import type { SymmetricFactorization } from './dense-eigen';

export interface DampingGridOptions {
  /** Lower end of λ_min's interval: H + δI is positive definite for every δ > −lambdaMinLower. */
  lambdaMinLower: number;
  /** Upper end of λ_max's interval (sets the grid's scale). */
  lambdaMaxUpper: number;
  /** Always on the grid (the diagnosis's recommendation), even where H + δI is not definite. */
  recommended?: number | null;
  /** Add δ = 0 (the undamped system; only the dense path can solve it when H is indefinite). */
  includeZero?: boolean;
  /** Log-spaced points besides those two (≥ 6, default 8). */
  points?: number;
}

/** Smallest and largest distance above the definiteness threshold, relative to the spectrum's scale. */
const GRID_SPAN: [number, number] = [1e-3, 1];

/**
 * δ_k = max(0, −λ_min,lower) + μ_k with μ_k log-spaced from 1e-3 to 1 times max|λ|: the smallest
 * eigenvalue of H + δI (≥ μ_k) runs from a thousandth of the spectrum's scale (condition number
 * ~1e3, still solvable by CG) to the scale itself (damping as large as the curvature). Ascending.
 */
export function dampingGrid(opts: DampingGridOptions): number[] {
  const points = Math.floor(opts.points ?? 8);
  if (!(points >= 6)) throw new RangeError(`dampingGrid: points must be ≥ 6, got ${opts.points}`);
  const { lambdaMinLower, lambdaMaxUpper } = opts;
  if (!Number.isFinite(lambdaMinLower) || !Number.isFinite(lambdaMaxUpper)) {
    throw new RangeError(`dampingGrid: spectrum bounds must be finite, got [${lambdaMinLower}, ${lambdaMaxUpper}]`);
  }
  const floor = Math.max(0, -lambdaMinLower);
  const scale = Math.max(Math.abs(lambdaMinLower), Math.abs(lambdaMaxUpper), Number.MIN_VALUE);
  const [lo, hi] = GRID_SPAN.map((f) => Math.log(f * scale));
  const grid = Array.from({ length: points }, (_, k) => floor + Math.exp(lo + ((hi - lo) * k) / (points - 1)));
  if (opts.recommended !== undefined && opts.recommended !== null) {
    if (!(Number.isFinite(opts.recommended) && opts.recommended >= 0)) throw new RangeError(`dampingGrid: recommended δ must be ≥ 0, got ${opts.recommended}`);
    grid.push(opts.recommended);
  }
  if (opts.includeZero) grid.push(0);
  grid.sort((a, b) => a - b);
  return grid.filter((d, i) => i === 0 || d - grid[i - 1] > 1e-12 * Math.max(d, Number.MIN_VALUE));
}

export interface DampedPoint {
  damping: number;
  /** functional(x), or null without a functional or without a solution. */
  value: number | null;
  /** The solution, when asked for (keepSolutions) and one was found. */
  x: Float64Array | null;
  method: 'cg' | 'dense';
  /** CG iterations (0 on the dense path). */
  iterations: number;
  /** ‖(H + δI)x − b‖/‖b‖ from one true product (CG) or the dense matrix; null without a solution. */
  residual: number | null;
  /** CG: a solution (not stopped on indefiniteness) whose true residual is ≤ rtol. Dense: not singular. */
  converged: boolean;
  /** CG's status, or 'solved' / 'singular' on the dense path. */
  status: CgStatus | 'solved' | 'singular';
  /** Products spent on this δ. */
  hvps: number;
  /** Dense path only: cond(H + δI) from the eigenvalues. */
  conditionNumber: number | null;
}

export interface DampingSweepOptions {
  dampings: number[];
  /** What the caller wants of x (e.g. the hypergradient −λ wᵀx). */
  functional?: (x: Float64Array) => number;
  keepSolutions?: boolean;
  /** CG tolerance on ‖r‖/‖b‖ (default 1e-5). */
  rtol?: number;
  /** CG iterations per δ (default min(10n, 2000)). */
  maxIter?: number;
  signal?: AbortSignal;
  onPoint?: (p: DampedPoint) => void;
}

/** CG's own target as a fraction of rtol. */
const CG_TARGET = 0.25;

/**
 * CG on H + δI for each δ, largest δ first (fastest, so an interrupted sweep still has the cheap
 * points); results in ascending δ. A δ where H + δI is not definite comes back 'indefinite'.
 */
export async function dampingSweep(op: LinearOperator, b: Float64Array, opts: DampingSweepOptions): Promise<DampedPoint[]> {
  const n = op.size;
  if (b.length !== n) throw new RangeError(`dampingSweep: b has ${b.length} entries, operator size ${n}`);
  const rtol = opts.rtol ?? 1e-5;
  const maxIter = opts.maxIter ?? Math.min(10 * n, 2000);
  const bNorm = norm(b);
  const points: DampedPoint[] = [];
  for (const damping of [...opts.dampings].sort((x, y) => y - x)) {
    await checkpoint(opts.signal);
    const start = op.matvecCount;
    const shifted = new ShiftedOperator(op, damping);
    // CG's recurrence residual drifts from the true one under float32 products: aim a little below
    // rtol so the true residual, which alone decides `converged`, meets it.
    const cg = await conjugateGradient(shifted, b, { rtol: rtol * CG_TARGET, maxIter, signal: opts.signal });
    let residual: number | null = null;
    if (cg.status !== 'indefinite') {
      const ax = await shifted.apply(cg.x);
      let r2 = 0;
      for (let i = 0; i < n; i++) r2 += (ax[i] - b[i]) ** 2;
      residual = bNorm === 0 ? Math.sqrt(r2) : Math.sqrt(r2) / bNorm;
    }
    const solved = residual !== null;
    const point: DampedPoint = {
      damping,
      value: solved && opts.functional ? opts.functional(cg.x) : null,
      x: solved && opts.keepSolutions ? cg.x : null,
      method: 'cg',
      iterations: cg.iterations,
      residual,
      converged: cg.status !== 'indefinite' && residual !== null && residual <= rtol,
      status: cg.status,
      hvps: op.matvecCount - start,
      conditionNumber: null,
    };
    points.push(point);
    opts.onPoint?.(point);
  }
  return points.sort((p, q) => p.damping - q.damping);
}

/** The same sweep through one factorisation: every δ, including 0 on an indefinite H, in O(n²). */
export function denseDampingSweep(
  factor: SymmetricFactorization,
  b: Float64Array,
  opts: Pick<DampingSweepOptions, 'dampings' | 'functional' | 'keepSolutions'>,
): DampedPoint[] {
  const solve = factor.shiftedSolver(b);
  return [...opts.dampings]
    .sort((x, y) => x - y)
    .map((damping) => {
      const r = solve(damping);
      return {
        damping,
        value: r.x && opts.functional ? opts.functional(r.x) : null,
        x: r.x && opts.keepSolutions ? r.x : null,
        method: 'dense',
        iterations: 0,
        residual: r.relativeResidual,
        converged: !r.singular,
        status: r.singular ? 'singular' : 'solved',
        hvps: 0,
        conditionNumber: Number.isFinite(r.conditionNumber) ? r.conditionNumber : null,
      };
    });
}
