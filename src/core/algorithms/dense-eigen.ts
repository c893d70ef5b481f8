/**
 * The exact path for small problems: assemble H from batched products with identity columns,
 * eigendecompose and solve it with ml-matrix (a maintained library, not a hand-written solver).
 * Also the reference the iterative algorithms are tested against.
 */
import { EigenvalueDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';

export interface DenseEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Row-major n×n; column k is the unit eigenvector of values[k]. Only when asked for. */
  vectors: Float64Array | null;
}

function toMatrix(a: Float64Array, n: number): Matrix {
  if (a.length !== n * n) throw new RangeError(`dense matrix: ${a.length} entries for ${n}×${n}`);
  const m = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]);
  return m;
}

/** Eigen-decomposition of a symmetric row-major n×n matrix (only the lower/upper average is trusted). */
export function denseSymmetricEigen(a: Float64Array, n: number, opts: { vectors?: boolean } = {}): DenseEigen {
  if (n === 0) return { values: new Float64Array(0), vectors: opts.vectors ? new Float64Array(0) : null };
  const evd = new EigenvalueDecomposition(toMatrix(a, n), { assumeSymmetric: true });
  const raw = evd.realEigenvalues;
  // ml-matrix's tql2 already sorts ascending; sorting again keeps that an assumption we do not rely on.
  const order = Array.from(raw.keys()).sort((i, j) => raw[i] - raw[j]);
  const values = Float64Array.from(order, (i) => raw[i]);
  if (!opts.vectors) return { values, vectors: null };
  const v = evd.eigenvectorMatrix;
  const vectors = new Float64Array(n * n);
  order.forEach((src, k) => {
    for (let i = 0; i < n; i++) vectors[i * n + k] = v.get(i, src);
  });
  return { values, vectors };
}

export interface DenseSpectrumSummary {
  lambdaMin: number;
  lambdaMax: number;
  /** Eigenvalues below −zeroTol. */
  negativeCount: number;
  /** max|λ| / min|λ| (Infinity when H is singular). */
  conditionNumber: number;
  zeroTol: number;
}

/**
 * Summary of an ascending spectrum. `zeroTol` separates "negative" from rounding noise around zero;
 * the default n·ε·max|λ| suits float64 matrices, callers with float32 HVPs should pass a larger one.
 */
export function summariseSpectrum(values: Float64Array, zeroTol?: number): DenseSpectrumSummary {
  const n = values.length;
  if (n === 0) throw new RangeError('summariseSpectrum: empty spectrum');
  let maxAbs = 0;
  let minAbs = Infinity;
  for (const x of values) {
    maxAbs = Math.max(maxAbs, Math.abs(x));
    minAbs = Math.min(minAbs, Math.abs(x));
  }
  const tol = zeroTol ?? n * Number.EPSILON * maxAbs;
  let negativeCount = 0;
  for (const x of values) if (x < -tol) negativeCount++;
  return {
    lambdaMin: values[0],
    lambdaMax: values[n - 1],
    negativeCount,
    conditionNumber: minAbs === 0 ? Infinity : maxAbs / minAbs,
    zeroTol: tol,
  };
}

export interface AssembledMatrix {
  /** Row-major n×n, symmetrised as (H + Hᵀ)/2. */
  matrix: Float64Array;
  size: number;
  /** ‖H − Hᵀ‖_F / ‖H‖_F of the products before symmetrising: how far the HVPs are from symmetric. */
  asymmetry: number;
  hvps: number;
}

export interface AssembleOptions {
  /** Identity columns per operator call (one applyMany; the Hessian batches them). */
  batch?: number;
  signal?: AbortSignal;
  onProgress?: (info: { columns: number; size: number }) => void;
}

/** Builds H column by column from products with identity blocks. */
export async function assembleDense(op: LinearOperator, opts: AssembleOptions = {}): Promise<AssembledMatrix> {
  const n = op.size;
  const batch = Math.max(1, Math.floor(opts.batch ?? 32));
  const start = op.matvecCount;
  const raw = new Float64Array(n * n);
  for (let j0 = 0; j0 < n; j0 += batch) {
    await checkpoint(opts.signal);
    const cols: Float64Array[] = [];
    for (let j = j0; j < Math.min(n, j0 + batch); j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      cols.push(e);
    }
    const products = await op.applyMany(cols);
    products.forEach((col, k) => {
      const j = j0 + k;
      for (let i = 0; i < n; i++) raw[i * n + j] = col[i];
    });
    opts.onProgress?.({ columns: Math.min(n, j0 + batch), size: n });
  }
  const matrix = new Float64Array(n * n);
  let diff2 = 0;
  let norm2 = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = raw[i * n + j];
      const b = raw[j * n + i];
      matrix[i * n + j] = 0.5 * (a + b);
      diff2 += (a - b) * (a - b);
      norm2 += a * a;
    }
  }
  return { matrix, size: n, asymmetry: norm2 === 0 ? 0 : Math.sqrt(diff2 / norm2), hvps: op.matvecCount - start };
}

export interface DenseSolveResult {
  /** H⁻¹b, or null when H is singular to working precision. */
  x: Float64Array | null;
  singular: boolean;
  /** ‖Hx − b‖/‖b‖ of the returned x (null when singular). */
  relativeResidual: number | null;
}

/**
 * Exact H⁻¹b by LU (ml-matrix). LU's own test only catches exactly-zero pivots, so a pivot below
 * n·ε times the largest one also counts as singular: the solution would be rounding noise.
 */
export function denseSolve(a: Float64Array, n: number, b: Float64Array): DenseSolveResult {
  if (b.length !== n) throw new RangeError(`denseSolve: right-hand side has ${b.length} entries, expected ${n}`);
  const m = toMatrix(a, n);
  const lu = new LuDecomposition(m);
  const u = lu.upperTriangularMatrix;
  let maxPivot = 0;
  let minPivot = Infinity;
  for (let i = 0; i < n; i++) {
    maxPivot = Math.max(maxPivot, Math.abs(u.get(i, i)));
    minPivot = Math.min(minPivot, Math.abs(u.get(i, i)));
  }
  if (n === 0) return { x: new Float64Array(0), singular: false, relativeResidual: 0 };
  if (lu.isSingular() || minPivot <= n * Number.EPSILON * maxPivot) {
    return { x: null, singular: true, relativeResidual: null };
  }
  const sol = lu.solve(Matrix.columnVector(Array.from(b)));
  const x = Float64Array.from({ length: n }, (_, i) => sol.get(i, 0));
  let r2 = 0;
  let b2 = 0;
  for (let i = 0; i < n; i++) {
    let s = -b[i];
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    r2 += s * s;
    b2 += b[i] * b[i];
  }
  return { x, singular: false, relativeResidual: b2 === 0 ? Math.sqrt(r2) : Math.sqrt(r2 / b2) };
}
