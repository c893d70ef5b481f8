/**
 * The exact Hessian of the MLP's data loss at a fixed w as a LinearOperator, through the cached
 * tape's R-passes (float32 on the TF.js backend). The weight decay's λ∘v is added in float64 by
 * weight-decay.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import { CountingOperator } from '../operators/linear-operator';
import type { MlpTape } from './mlp-tape';
import type { HessianOperator } from './objective';

/** Keeps a batch's R-pass intermediates (k × rows × widest layer floats, ×~4) around 64 MB. */
const BATCH_FLOATS = 1 << 22;

export class MlpHessianOperator extends CountingOperator implements HessianOperator {
  private disposed = false;
  private readonly maxBatch: number;

  constructor(
    private readonly tape: MlpTape,
    readonly size: number,
    rows: number,
    widest: number,
  ) {
    super();
    this.maxBatch = Math.max(1, Math.floor(BATCH_FLOATS / (rows * widest + size)));
  }

  protected product(v: Float64Array): Float64Array {
    return this.productsNow([v])[0];
  }

  protected override async products(vs: Float64Array[]): Promise<Float64Array[]> {
    return this.productsNow(vs);
  }

  private productsNow(vs: Float64Array[]): Float64Array[] {
    if (this.disposed) throw new Error('Hessian operator used after dispose()');
    const out: Float64Array[] = [];
    for (let start = 0; start < vs.length; start += this.maxBatch) out.push(...this.batch(vs.slice(start, start + this.maxBatch)));
    return out;
  }

  private batch(vs: Float64Array[]): Float64Array[] {
    const n = this.size;
    const k = vs.length;
    const flat = new Float32Array(k * n);
    vs.forEach((v, i) => {
      if (v.length !== n) throw new RangeError(`Hessian product: vector has ${v.length} entries, expected ${n}`);
      flat.set(v, i * n);
    });
    const hv = tf.tidy(() => this.tape.hessianTimes(tf.tensor2d(flat, [k, n])));
    let data: Float32Array | Int32Array | Uint8Array;
    try {
      data = hv.dataSync();
    } finally {
      hv.dispose();
    }
    return vs.map((_, i) => {
      const y = new Float64Array(n);
      y.set(data.subarray(i * n, (i + 1) * n));
      return y;
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.tape.dispose();
  }
}
