/**
 * The exact path for small problems: assemble H from batched products with identity columns,
 * reduce it once to tridiagonal form (householder.ts) and read everything off that: all
 * eigenvalues (QL, O(n²)), chosen eigenvectors (inverse iteration, O(n²) each) and (H + δI)⁻¹b
 * for any δ (a tridiagonal solve, O(n²) each), with the conditioning known exactly from the
 * eigenvalues. Written here rather than taken from ml-matrix because ml-matrix took 12 s at
 * n = 1210 (bench/dense.ts); ml-matrix stays the independent reference in the tests.
 */
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { tridiagonalize, type HouseholderTridiagonal } from './householder';
import { inverseIteration, solveTridiagonal, tridiagonalEigen } from './tridiagonal';

export interface DenseEigen {
  /** Eigenvalues in ascending order. */
  values: Float64Array;
  /** Row-major n×n; column k is the unit eigenvector of values[k]. Only when asked for. */
  vectors: Float64Array | null;
}

/**
 * Eigen-decomposition of a symmetric row-major n×n matrix (the upper triangle is what is read).
 * Eigenvalues cost one tridiagonal reduction (4n³/3 flops); all eigenvectors add QL rotations and
 * the back-transformation (~8n³), so ask for them only on small matrices; for a few of them use
 * `factorSymmetric(a, n).eigenvector(k)`.
 */
export function denseSymmetricEigen(a: Float64Array, n: number, opts: { vectors?: boolean } = {}): DenseEigen {
  if (a.length !== n * n) throw new RangeError(`dense matrix: ${a.length} entries for ${n}×${n}`);
  if (n === 0) return { values: new Float64Array(0), vectors: opts.vectors ? new Float64Array(0) : null };
  const tri = tridiagonalize(a, n);
  if (!opts.vectors) return { values: tridiagonalEigen(tri.diagonal, tri.offDiagonal).values, vectors: null };
  const identity = new Float64Array(n * n);
  for (let i = 0; i < n; i++) identity[i * n + i] = 1;
  const { values, rows } = tridiagonalEigen(tri.diagonal, tri.offDiagonal, { rows: identity, components: n });
  const s = rows as Float64Array;
  const vectors = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const v = tri.applyQ(s.slice(k * n, (k + 1) * n));
    for (let i = 0; i < n; i++) vectors[i * n + k] = v[i];
  }
  return { values, vectors };
}

export interface DenseEigenvector {
  value: number;
  /** Unit eigenvector. */
  vector: Float64Array;
  /** ‖A v − λ v‖ against the original matrix: how much of an eigenvector it really is. */
  residual: number;
}

export interface DenseSolveResult {
  /** (A + shift·I)⁻¹b, or null when A + shift·I is singular to working precision. */
  x: Float64Array | null;
  singular: boolean;
  /** ‖(A + shift·I)x − b‖/‖b‖ of the returned x against the original matrix (null when singular). */
  relativeResidual: number | null;
  /** max|λ + shift| / min|λ + shift| from the eigenvalues (Infinity when singular). */
  conditionNumber: number;
  /** min|λ + shift|: how close A + shift·I is to singular. */
  minAbsEigenvalue: number;
}

/**
 * One tridiagonal reduction of symmetric A, reused for its spectrum, a few eigenvectors and any
 * number of shifted solves. Keeps a reference to `a` (for honest residuals): do not mutate it.
 */
export class SymmetricFactorization {
  readonly values: Float64Array;
  private readonly tri: HouseholderTridiagonal;

  constructor(readonly matrix: Float64Array, readonly size: number) {
    if (matrix.length !== size * size) throw new RangeError(`dense matrix: ${matrix.length} entries for ${size}×${size}`);
    this.tri = tridiagonalize(matrix, size);
    this.values = tridiagonalEigen(this.tri.diagonal, this.tri.offDiagonal).values;
  }

  /** Eigenvector of values[k] by inverse iteration on T, mapped back by Q. */
  eigenvector(k: number): DenseEigenvector {
    const n = this.size;
    if (!(Number.isInteger(k) && k >= 0 && k < n)) throw new RangeError(`eigenvector: index ${k} outside 0..${n - 1}`);
    const value = this.values[k];
    const { vector } = inverseIteration(this.tri.diagonal, this.tri.offDiagonal, value);
    this.tri.applyQ(vector);
    return { value, vector, residual: residualNorm(this.matrix, n, vector, -value, new Float64Array(n)) };
  }

  /** (A + shift·I)⁻¹b; see shiftedSolver for many shifts of one b. */
  solve(b: Float64Array, shift = 0): DenseSolveResult {
    return this.shiftedSolver(b)(shift);
  }

  /** Qᵀb once, then each shift costs O(n²): the damping sweep on the dense path. */
  shiftedSolver(b: Float64Array): (shift: number) => DenseSolveResult {
    const n = this.size;
    if (b.length !== n) throw new RangeError(`solve: right-hand side has ${b.length} entries, expected ${n}`);
    const qtb = this.tri.applyQt(Float64Array.from(b));
    let bNorm = 0;
    for (const v of b) bNorm += v * v;
    bNorm = Math.sqrt(bNorm);
    return (shift) => {
      const { minAbs, maxAbs } = shiftedExtremes(this.values, shift);
      const conditionNumber = minAbs === 0 ? Infinity : maxAbs / minAbs;
      // An eigenvalue within n·ε·max|λ| of zero is indistinguishable from 0 in float64.
      if (n > 0 && (maxAbs === 0 || minAbs <= n * Number.EPSILON * maxAbs)) {
        return { x: null, singular: true, relativeResidual: null, conditionNumber: Infinity, minAbsEigenvalue: minAbs };
      }
      const y = solveTridiagonal(this.tri.diagonal, this.tri.offDiagonal, shift, qtb);
      if (y === null) return { x: null, singular: true, relativeResidual: null, conditionNumber: Infinity, minAbsEigenvalue: minAbs };
      const x = this.tri.applyQ(y);
      const r = residualNorm(this.matrix, n, x, shift, b);
      return { x, singular: false, relativeResidual: bNorm === 0 ? r : r / bNorm, conditionNumber, minAbsEigenvalue: minAbs };
    };
  }
}

/** Reduces A once (see SymmetricFactorization). */
export function factorSymmetric(a: Float64Array, n: number): SymmetricFactorization {
  return new SymmetricFactorization(a, n);
}

function shiftedExtremes(values: Float64Array, shift: number): { minAbs: number; maxAbs: number } {
  let minAbs = Infinity;
  let maxAbs = 0;
  for (const v of values) {
    const x = Math.abs(v + shift);
    minAbs = Math.min(minAbs, x);
    maxAbs = Math.max(maxAbs, x);
  }
  return { minAbs, maxAbs };
}

/** ‖(A + shift·I)x − b‖ with the full row-major matrix. */
function residualNorm(a: Float64Array, n: number, x: Float64Array, shift: number, b: Float64Array): number {
  let r2 = 0;
  for (let i = 0; i < n; i++) {
    const row = i * n;
    let s = shift * x[i] - b[i];
    for (let j = 0; j < n; j++) s += a[row + j] * x[j];
    r2 += s * s;
  }
  return Math.sqrt(r2);
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

/**
 * Exact H⁻¹b through the tridiagonal reduction (the LU this replaced could only spot exactly zero
 * pivots): singular when an eigenvalue is within n·ε·max|λ| of zero, with the condition number.
 */
export function denseSolve(a: Float64Array, n: number, b: Float64Array): DenseSolveResult {
  if (b.length !== n) throw new RangeError(`denseSolve: right-hand side has ${b.length} entries, expected ${n}`);
  if (n === 0) return { x: new Float64Array(0), singular: false, relativeResidual: 0, conditionNumber: 1, minAbsEigenvalue: Infinity };
  return factorSymmetric(a, n).solve(b);
}
