/**
 * A symmetric linear operator on flat float64 vectors. Algorithms (Lanczos, power iteration, CG,
 * Neumann, Hutchinson) take this and nothing else, so they run unchanged on a TF.js Hessian,
 * an explicit matrix in tests, or a shifted/damped view of either.
 */
export interface LinearOperator {
  /** Dimension n of the (square) operator. */
  readonly size: number;
  /** y = A·v. Must not mutate v. */
  matvec(v: Float64Array): Float64Array;
  /** Y = A·[v1 … vk]; operators that can batch (the Hessian) override this. */
  matmat?(vs: Float64Array[]): Float64Array[];
  /** Number of matrix-vector products performed so far (a batch of k counts k). */
  readonly matvecCount: number;
}

/** Counts products for operators that do not count themselves. */
export abstract class CountingOperator implements LinearOperator {
  abstract readonly size: number;
  private count = 0;
  get matvecCount(): number {
    return this.count;
  }
  matvec(v: Float64Array): Float64Array {
    this.count += 1;
    return this.apply(v);
  }
  matmat(vs: Float64Array[]): Float64Array[] {
    this.count += vs.length;
    return this.applyMany(vs);
  }
  protected abstract apply(v: Float64Array): Float64Array;
  protected applyMany(vs: Float64Array[]): Float64Array[] {
    return vs.map((v) => this.apply(v));
  }
}

/** Explicit dense symmetric matrix (row-major, n×n): the reference operator for tests. */
export class DenseOperator extends CountingOperator {
  readonly size: number;
  constructor(readonly data: Float64Array, size: number) {
    super();
    if (data.length !== size * size) throw new RangeError(`dense operator: ${data.length} entries for ${size}×${size}`);
    this.size = size;
  }
  static fromRows(rows: number[][]): DenseOperator {
    const n = rows.length;
    const data = new Float64Array(n * n);
    rows.forEach((r, i) => {
      if (r.length !== n) throw new RangeError(`dense operator: row ${i} has ${r.length} entries, expected ${n}`);
      data.set(r, i * n);
    });
    return new DenseOperator(data, n);
  }
  protected apply(v: Float64Array): Float64Array {
    const n = this.size;
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      const row = i * n;
      for (let j = 0; j < n; j++) s += this.data[row + j] * v[j];
      y[i] = s;
    }
    return y;
  }
}

/** A + shift·I, sharing A's product counter (used for shifted power iteration and damping). */
export class ShiftedOperator implements LinearOperator {
  constructor(readonly base: LinearOperator, readonly shift: number) {}
  get size(): number {
    return this.base.size;
  }
  get matvecCount(): number {
    return this.base.matvecCount;
  }
  matvec(v: Float64Array): Float64Array {
    const y = this.base.matvec(v);
    for (let i = 0; i < y.length; i++) y[i] += this.shift * v[i];
    return y;
  }
}
