/**
 * What the analysis needs from a twice-differentiable objective: value, gradient and a Hessian
 * operator at a point. Implemented by the MLP training/validation objectives (TF.js) and by the
 * analytic problems (plain float64), so self-check, finite differences and the algorithms never
 * care which one they hold.
 */
import type { LinearOperator } from '../operators/linear-operator';

export interface GradientResult {
  loss: number;
  grad: Float64Array;
}

/** A Hessian at a fixed point: batched products, and resources (tensors) to release. */
export interface HessianOperator extends LinearOperator {
  matmat(vs: Float64Array[]): Float64Array[];
  dispose(): void;
}

/** A gradient whose non-smooth pieces (relu masks) are held as they were at one point. */
export interface FrozenGradient {
  gradient(w: Float64Array): Float64Array;
  dispose(): void;
}

export interface Objective {
  /** Number of parameters. */
  readonly size: number;
  loss(w: Float64Array): number;
  gradient(w: Float64Array): GradientResult;
  hessianAt(w: Float64Array): HessianOperator;
  /**
   * The gradient near w0 with the activation pattern of w0 held fixed, whose differences give the
   * almost-everywhere Hessian at w0 even for relu. Objectives that are smooth may return the plain
   * gradient.
   */
  frozenGradientNear(w0: Float64Array): FrozenGradient;
  dispose(): void;
}

/** Checks a vector's length against the objective (a programming error, not user input). */
export function checkSize(n: number, v: Float64Array, what: string): void {
  if (v.length !== n) throw new RangeError(`${what} has ${v.length} entries, expected ${n}`);
}
