/**
 * The references the Neumann hypergradient is judged against: the dense solve (exact path),
 * MINRES on the undamped, possibly indefinite H within an HVP budget, and the hypergradient of
 * (H + δI)⁻¹b over a grid of δ (one factorisation on the exact path, CG per δ otherwise), so the
 * user sees what a damping choice does to the answer.
 */
import type { CgResult } from '../core/algorithms/cg';
import { dampingGrid, dampingSweep, denseDampingSweep, type DampedPoint } from '../core/algorithms/damping-sweep';
import type { SymmetricFactorization } from '../core/algorithms/dense-eigen';
import { minres, type MinresResult } from '../core/algorithms/minres';
import { hypergradientReport, weightDecayHypergradient } from '../core/diagnosis/hypergradient';
import type { HypergradientReport, Interval } from '../core/diagnosis/report';
import type { LinearOperator } from '../core/operators/linear-operator';
import type { ProgressReporter } from './progress';

/** HVPs MINRES may spend on the undamped system (it is a reference, not the product's main cost). */
export const MINRES_BUDGET = 500;
/** CG iterations per δ of the sweep: the grid keeps cond(H + δI) ≲ 1e3, so CG needs far fewer. */
export const SWEEP_CG_BUDGET = 500;
/** Relative residual both solvers must reach to count as converged (as the undamped CG). */
const RTOL = 1e-5;
/** Where the references start in the hypergradient phase's progress (the undamped CG comes first). */
export const REFERENCES_START = 0.2;
const SWEEP_START = 0.6;

export interface ReferenceInputs {
  op: LinearOperator;
  b: Float64Array;
  /** The trained weights (weight-decay hypergradient); null for analytic problems. */
  weights: Float64Array | null;
  /** The exact path's factorisation of H, or null on the Lanczos path. */
  factor: SymmetricFactorization | null;
  neumann: Float64Array;
  cg: CgResult;
  lambdaMinInterval: Interval;
  lambdaMaxInterval: Interval;
  /** The advice's damping (when it recommends one) and the configured δ: both on the grid. */
  dampings: { recommended: number | null; configured: number };
  signal?: AbortSignal;
  progress: ProgressReporter;
}

export interface References {
  hypergradient: HypergradientReport;
  /** H⁻¹b from the dense path (null on the Lanczos path or when H is singular). */
  exactSolution: Float64Array | null;
  hvps: number;
}

export async function hypergradientReferences(inp: ReferenceInputs): Promise<References> {
  const start = inp.op.matvecCount;
  const exactSolution = inp.factor ? inp.factor.solve(inp.b).x : null;
  const weights = inp.weights;
  if (!weights) {
    // Analytic problems have no hyperparameter: x itself is the answer, compared in exactSolutionHead.
    return {
      hypergradient: { neumann: null, cg: null, cgStatus: inp.cg.status, cgIterations: inp.cg.iterations, exact: null, relErrorNeumann: null, relErrorCg: null, reference: 'none', minres: null, damped: [] },
      exactSolution,
      hvps: 0,
    };
  }
  const functional = (x: Float64Array) => weightDecayHypergradient(x, weights) ?? NaN;
  const n = inp.op.size;
  const run: MinresResult = await minres(inp.op, inp.b, {
    rtol: RTOL,
    maxIter: Math.min(10 * n, MINRES_BUDGET),
    signal: inp.signal,
    onStep: (s) => inp.progress.within(REFERENCES_START + (SWEEP_START - REFERENCES_START) * (s.iteration / Math.min(10 * n, MINRES_BUDGET)), `MINRES iteration ${s.iteration}`),
  });
  const damped = await sweep(inp, functional);
  return {
    hypergradient: hypergradientReport({ weights, neumann: inp.neumann, cg: inp.cg, exact: exactSolution, minres: run, damped }),
    exactSolution,
    hvps: inp.op.matvecCount - start,
  };
}

async function sweep(inp: ReferenceInputs, functional: (x: Float64Array) => number): Promise<DampedPoint[]> {
  const grid = dampingGrid({
    lambdaMinLower: inp.lambdaMinInterval[0],
    lambdaMaxUpper: inp.lambdaMaxInterval[1],
    recommended: inp.dampings.recommended,
    includeZero: inp.factor !== null,
  });
  const dampings = withValue(grid, inp.dampings.configured);
  const finite = (p: DampedPoint): DampedPoint => (p.value !== null && !Number.isFinite(p.value) ? { ...p, value: null } : p);
  if (inp.factor) return denseDampingSweep(inp.factor, inp.b, { dampings, functional }).map(finite);
  let done = 0;
  const points = await dampingSweep(inp.op, inp.b, {
    dampings,
    functional,
    rtol: RTOL,
    maxIter: Math.min(10 * inp.op.size, SWEEP_CG_BUDGET),
    signal: inp.signal,
    onPoint: () => inp.progress.within(SWEEP_START + (1 - SWEEP_START) * (++done / dampings.length), `damping sweep ${done}/${dampings.length}`),
  });
  return points.map(finite);
}

/** The grid with δ added (ascending, no near-duplicates): the configured damping is always shown. */
function withValue(grid: number[], delta: number): number[] {
  if (grid.some((d) => Math.abs(d - delta) <= 1e-12 * Math.max(d, delta, Number.MIN_VALUE))) return grid;
  return [...grid, delta].sort((a, b) => a - b);
}
