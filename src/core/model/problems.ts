/**
 * The analytic problems, served through the same Objective/LinearOperator interfaces as the MLP so
 * the whole analysis runs on them unchanged: `sum-of-cubes` f(x) = Σxᵢ³ at a point (H = diag(6x),
 * the motivating report's toy) and `quadratic` ½xᵀAx − bᵀx (H = A), analysed at x = 0.
 */
import type { ProblemSpec } from '../config/experiment';
import { InputError } from '../errors';
import { CountingOperator, DenseOperator, denseTimes } from '../operators/linear-operator';
import { dot } from '../util/vec';
import type { FrozenGradient, GradientResult, HessianOperator, Objective } from './objective';

export interface AnalyticProblem {
  kind: ProblemSpec['kind'];
  objective: Objective;
  /** Where the analysis looks: the given point (sum-of-cubes) or the origin (quadratic). */
  point: Float64Array;
  /** The Hessian at `point`, dense row-major, for exact comparisons. */
  hessian: Float64Array;
}

class DiagonalHessian extends CountingOperator implements HessianOperator {
  readonly size: number;
  constructor(readonly diagonal: Float64Array) {
    super();
    this.size = diagonal.length;
  }
  protected product(v: Float64Array): Float64Array {
    return v.map((x, i) => x * this.diagonal[i]);
  }
  dispose(): void {}
}

class DenseHessian extends DenseOperator implements HessianOperator {
  dispose(): void {}
}

function finiteVector(values: unknown, path: string, expectedLength?: number): Float64Array {
  if (!Array.isArray(values) || values.length === 0) throw new InputError('expected a non-empty array of numbers', { kind: 'json', path });
  if (expectedLength !== undefined && values.length !== expectedLength) {
    throw new InputError(`expected ${expectedLength} entries (the matrix is ${expectedLength}×${expectedLength}), got ${values.length}`, { kind: 'json', path });
  }
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`expected a finite number, got ${JSON.stringify(v)}`, { kind: 'json', path: `${path}[${i}]` });
  });
  return Float64Array.from(values as number[]);
}

/** An Objective from synchronous closed forms (smooth, so the frozen gradient is the gradient). */
function closedForm(n: number, gradient: (x: Float64Array) => GradientResult, hessianAt: (x: Float64Array) => HessianOperator): Objective {
  const frozen: FrozenGradient = { gradient: async (x) => gradient(x).grad, dispose: () => {} };
  return {
    size: n,
    loss: async (x) => gradient(x).loss,
    gradient: async (x) => gradient(x),
    hessianAt: async (x) => hessianAt(x),
    frozenGradientNear: async () => frozen,
    dispose: () => {},
  };
}

function sumOfCubes(point: Float64Array): Objective {
  return closedForm(
    point.length,
    (x) => ({ loss: x.reduce((s, v) => s + v * v * v, 0), grad: x.map((v) => 3 * v * v) }),
    (x) => new DiagonalHessian(x.map((v) => 6 * v)),
  );
}

function quadratic(a: Float64Array, b: Float64Array): Objective {
  const n = b.length;
  return closedForm(
    n,
    (x) => {
      const ax = denseTimes(a, n, x);
      return { loss: 0.5 * dot(x, ax) - dot(b, x), grad: ax.map((v, i) => v - b[i]) };
    },
    () => new DenseHessian(a, n),
  );
}

/** Validates the problem (InputError at `problem.*`) and builds it. */
export function buildProblem(spec: ProblemSpec): AnalyticProblem {
  if (spec.kind === 'sum-of-cubes') {
    const point = finiteVector(spec.point, 'problem.point');
    const hessian = new Float64Array(point.length * point.length);
    point.forEach((x, i) => (hessian[i * point.length + i] = 6 * x));
    return { kind: spec.kind, objective: sumOfCubes(point), point, hessian };
  }
  if (spec.kind === 'quadratic') {
    const rows = spec.matrix;
    if (!Array.isArray(rows) || rows.length === 0) throw new InputError('expected a non-empty square matrix (array of rows)', { kind: 'json', path: 'problem.matrix' });
    const n = rows.length;
    const a = new Float64Array(n * n);
    rows.forEach((r, i) => a.set(finiteVector(r, `problem.matrix[${i}]`, n), i * n));
    let scale = 0;
    for (const v of a) scale = Math.max(scale, Math.abs(v));
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        if (Math.abs(a[i * n + j] - a[j * n + i]) > 1e-12 * scale) {
          throw new InputError(`the matrix must be symmetric (it is the Hessian): A[${i}][${j}] = ${a[i * n + j]} but A[${j}][${i}] = ${a[j * n + i]}`, {
            kind: 'json',
            path: 'problem.matrix',
          });
        }
      }
    }
    const b = finiteVector(spec.vector, 'problem.vector', n);
    return { kind: spec.kind, objective: quadratic(a, b), point: new Float64Array(n), hessian: Float64Array.from(a) };
  }
  throw new InputError(`unknown problem kind ${JSON.stringify((spec as { kind: unknown }).kind)} (sum-of-cubes or quadratic)`, { kind: 'json', path: 'problem.kind' });
}
