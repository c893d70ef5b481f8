/**
 * A symmetric linear operator on flat float64 vectors. Algorithms (Lanczos, power iteration, CG,
 * MINRES, Neumann, Hutchinson, dense assembly) take this and nothing else, so they run unchanged on
 * a TF.js Hessian, a Hessian served by another process (the PyTorch bridge), an explicit matrix in
 * tests, or a shifted/damped view of either. Products are asynchronous because a remote operator's
 * are; an in-process operator pays one resolved promise per product, nothing else.
 */
export interface LinearOperator {
  /** Dimension n of the (square) operator. */
  readonly size: number;
  /** y = A·v. Must not mutate v. */
  apply(v: Float64Array): Promise<Float64Array>;
  /** Y = A·[v1 … vk], batched where the operator can (the Hessian), else one product each. */
  applyMany(vs: Float64Array[]): Promise<Float64Array[]>;
  /** Number of products performed so far (a batch of k counts k). */
  readonly matvecCount: number;
}

/** Counts products for operators that do not count themselves. */
export abstract class CountingOperator implements LinearOperator {
  abstract readonly size: number;
  private count = 0;
  get matvecCount(): number {
    return this.count;
  }
  async apply(v: Float64Array): Promise<Float64Array> {
    this.count += 1;
    return this.product(v);
  }
  async applyMany(vs: Float64Array[]): Promise<Float64Array[]> {
    this.count += vs.length;
    return this.products(vs);
  }
  protected abstract product(v: Float64Array): Float64Array | Promise<Float64Array>;
  protected async products(vs: Float64Array[]): Promise<Float64Array[]> {
    const out: Float64Array[] = [];
    for (const v of vs) out.push(await this.product(v));
    return out;
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
  protected product(v: Float64Array): Float64Array {
    return denseTimes(this.data, this.size, v);
  }
}

/** y = A·v for a row-major n×n matrix (synchronous: for closed forms and references). */
export function denseTimes(a: Float64Array, n: number, v: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) s += a[row + j] * v[j];
    y[i] = s;
  }
  return y;
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
  async apply(v: Float64Array): Promise<Float64Array> {
    return this.shifted(await this.base.apply(v), v);
  }
  async applyMany(vs: Float64Array[]): Promise<Float64Array[]> {
    const ys = await this.base.applyMany(vs);
    return ys.map((y, k) => this.shifted(y, vs[k]));
  }
  private shifted(y: Float64Array, v: Float64Array): Float64Array {
    for (let i = 0; i < y.length; i++) y[i] += this.shift * v[i];
    return y;
  }
}
