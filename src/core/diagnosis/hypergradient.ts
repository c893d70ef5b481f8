/**
 * Hypergradient of the validation loss with respect to the weight decay λ by the implicit function
 * theorem: with L_T = loss + (λ/2)‖w‖², ∂²L_T/∂w∂λ = w and dL_V/dλ = −∇_w L_Vᵀ H⁻¹ w. Every
 * method computes x ≈ H⁻¹ ∇_w L_V (Neumann x_K, CG x, dense solve); H is symmetric, so
 * ∇L_Vᵀ H⁻¹ w = xᵀ w.
 */
import type { CgStatus } from '../algorithms/cg';
import type { DampedPoint } from '../algorithms/damping-sweep';
import type { MinresResult } from '../algorithms/minres';
import { dot } from '../util/vec';
import type { DampedHypergradient, HypergradientReference, HypergradientReport, MinresHypergradient } from './report';

/** dL_V/dλ = −xᵀw for x ≈ H⁻¹∇_w L_V; null when x is missing or not finite (a diverged series). */
export function weightDecayHypergradient(x: Float64Array | null, weights: Float64Array): number | null {
  if (x === null) return null;
  if (x.length !== weights.length) {
    throw new RangeError(`hypergradient: solution has ${x.length} entries, weights ${weights.length}`);
  }
  const g = -dot(x, weights);
  return Number.isFinite(g) ? g : null;
}

/** |approx − exact| / |exact| (absolute error when exact = 0); null when either is unknown. */
export function relativeError(approx: number | null, exact: number | null): number | null {
  if (approx === null || exact === null) return null;
  const err = Math.abs(approx - exact);
  return exact === 0 ? err : err / Math.abs(exact);
}

export interface HypergradientInputs {
  weights: Float64Array;
  neumann: Float64Array | null;
  cg: { x: Float64Array; status: CgStatus; iterations: number } | null;
  /** Dense solve on the exact path; null when not run or H is singular. */
  exact: Float64Array | null;
  /** MINRES on the undamped system, when run. */
  minres?: MinresResult | null;
  /** The damping sweep (values already the hypergradient: run with weightDecayHypergradient as functional). */
  damped?: readonly DampedPoint[];
}

/**
 * The report block. A CG run that stopped on indefiniteness has no meaningful solution, so its
 * hypergradient is null rather than a number built from garbage. The Neumann value is compared
 * with the best reference that is a solution: the dense solve, else a converged MINRES, else a
 * converged CG; with none of them relErrorNeumann is null and reference 'none'.
 */
export function hypergradientReport(inp: HypergradientInputs): HypergradientReport {
  const exact = weightDecayHypergradient(inp.exact, inp.weights);
  const neumann = weightDecayHypergradient(inp.neumann, inp.weights);
  const cg = inp.cg && inp.cg.status !== 'indefinite' ? weightDecayHypergradient(inp.cg.x, inp.weights) : null;
  const minres = inp.minres ? minresBlock(inp.minres, inp.weights) : null;
  const candidates: [HypergradientReference, number | null][] = [
    ['exact', exact],
    ['minres', minres?.converged ? minres.value : null],
    ['cg', inp.cg?.status === 'converged' ? cg : null],
  ];
  const [reference, referenceValue] = candidates.find(([, v]) => v !== null) ?? ['none', null];
  const forCg = candidates.find(([name, v]) => name !== 'cg' && v !== null)?.[1] ?? null;
  return {
    neumann,
    cg,
    cgStatus: inp.cg ? inp.cg.status : 'not-run',
    cgIterations: inp.cg ? inp.cg.iterations : null,
    exact,
    relErrorNeumann: relativeError(neumann, referenceValue),
    relErrorCg: relativeError(cg, forCg),
    reference,
    minres,
    damped: (inp.damped ?? []).map(dampedBlock),
  };
}

function minresBlock(r: MinresResult, weights: Float64Array): MinresHypergradient {
  return {
    value: weightDecayHypergradient(r.x, weights),
    residual: r.trueRelativeResidual,
    iterations: r.iterations,
    converged: r.converged,
    status: r.status,
    conditionEstimate: r.conditionEstimate,
  };
}

function dampedBlock(p: DampedPoint): DampedHypergradient {
  return { damping: p.damping, value: p.value, method: p.method, iterations: p.iterations, residual: p.residual, converged: p.converged };
}
