/**
 * The check every analysis runs before trusting its Hessian operator: one exact product against
 * central differences of the gradient on a seeded random direction. Finite differences in float32
 * are good to ~1e-3, so the tolerance separates "exact up to rounding" from "wrong", not 1e-7.
 */
import type { LinearOperator } from '../operators/linear-operator';
import { Rng } from '../util/rng';
import { norm } from '../util/vec';
import { finiteDifferenceHvp } from './finite-difference';
import type { Objective } from './objective';

export interface SelfCheckResult {
  /** ‖Hv − FD(v)‖ / ‖FD(v)‖. */
  relativeError: number;
  tolerance: number;
  passed: boolean;
}

/**
 * Compares `operator` (default: objective.hessianAt(w), disposed afterwards) with finite
 * differences along one N(0, I) direction drawn from `seed`, with `step` (default: the float32
 * step, defaultFiniteDifferenceStep).
 */
export async function hvpSelfCheck(
  objective: Objective,
  w: Float64Array,
  seed: number,
  tolerance: number,
  operator?: LinearOperator,
  step?: number,
): Promise<SelfCheckResult> {
  const v = new Rng(seed).normalVector(objective.size);
  const own = operator ? null : await objective.hessianAt(w);
  const frozen = await objective.frozenGradientNear(w);
  try {
    const exact = await (operator ?? own!).apply(v);
    const fd = await finiteDifferenceHvp(frozen, w, v, step);
    const diff = new Float64Array(exact.length);
    for (let i = 0; i < diff.length; i++) diff[i] = exact[i] - fd[i];
    const scale = norm(fd);
    const relativeError = scale > 0 ? norm(diff) / scale : norm(diff) > 0 ? Infinity : 0;
    return { relativeError, tolerance, passed: relativeError <= tolerance };
  } finally {
    own?.dispose();
    frozen.dispose();
  }
}
