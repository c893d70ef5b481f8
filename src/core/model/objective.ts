/**
 * What the analysis needs from a twice-differentiable objective: value, gradient and a Hessian
 * operator at a point. Implemented by the MLP training/validation objectives (TF.js), the analytic
 * problems (plain float64) and the PyTorch bridge (another process, hence asynchronous), so
 * self-check, finite differences and the algorithms never care which one they hold.
 */
import type { LinearOperator } from '../operators/linear-operator';

export interface GradientResult {
  loss: number;
  grad: Float64Array;
}

/** A Hessian at a fixed point, and the resources (tensors, a remote graph) to release. */
export interface HessianOperator extends LinearOperator {
  dispose(): void;
}

/** A gradient whose non-smooth pieces (relu masks) are held as they were at one point. */
export interface FrozenGradient {
  gradient(w: Float64Array): Promise<Float64Array>;
  dispose(): void;
}

export interface Objective {
  /** Number of parameters. */
  readonly size: number;
  loss(w: Float64Array): Promise<number>;
  gradient(w: Float64Array): Promise<GradientResult>;
  hessianAt(w: Float64Array): Promise<HessianOperator>;
  /**
   * The gradient near w0 with the activation pattern of w0 held fixed, whose differences give the
   * almost-everywhere Hessian at w0 even for relu. Objectives that are smooth may return the plain
   * gradient.
   */
  frozenGradientNear(w0: Float64Array): Promise<FrozenGradient>;
  dispose(): void;
}

/**
 * An objective whose rows can be taken in minibatches: what SGD needs. `batchGradient` is the
 * gradient of the mean loss over the given rows (indices into the training set).
 */
export interface MinibatchObjective extends Objective {
  readonly rows: number;
  batchGradient(w: Float64Array, rows: Int32Array): Promise<GradientResult>;
}

/** Checks a vector's length against the objective (a programming error, not user input). */
export function checkSize(n: number, v: Float64Array, what: string): void {
  if (v.length !== n) throw new RangeError(`${what} has ${v.length} entries, expected ${n}`);
}
