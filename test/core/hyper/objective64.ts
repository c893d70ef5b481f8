/**
 * The float64 reference MLP (src/core/reference/mlp64.ts) as a MinibatchObjective, so the loop's
 * logic can be checked against the reference loop to float64 accuracy, apart from TF.js's
 * float32 arithmetic (which loop.test.ts checks separately, to float32 accuracy).
 */
import type { Dataset } from '../../../src/core/data/dataset';
import type { MlpSpec } from '../../../src/core/model/mlp';
import type { FrozenGradient, GradientResult, HessianOperator, MinibatchObjective } from '../../../src/core/model/objective';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { referenceHessian, referenceObjective } from '../../../src/core/reference/mlp64';

export function rowsOf(data: Dataset, idx: ArrayLike<number>): Dataset {
  const d = data.features;
  const x = new Float32Array(idx.length * d);
  const y = new Float32Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    x.set(data.x.subarray(idx[k] * d, (idx[k] + 1) * d), k * d);
    y[k] = data.y[idx[k]];
  }
  return { ...data, rows: idx.length, x, y };
}

export class Float64MlpObjective implements MinibatchObjective {
  readonly size: number;
  private readonly spec: MlpSpec;
  constructor(spec: MlpSpec, readonly data: Dataset) {
    this.spec = { ...spec, weightDecay: 0 };
    this.size = spec.layers.slice(1).reduce((n, out, l) => n + spec.layers[l] * out + out, 0);
  }
  get rows(): number {
    return this.data.rows;
  }
  async loss(w: Float64Array): Promise<number> {
    return referenceObjective(this.spec, this.data, w).loss;
  }
  async gradient(w: Float64Array): Promise<GradientResult> {
    const r = referenceObjective(this.spec, this.data, w);
    return { loss: r.loss, grad: r.grad };
  }
  async batchGradient(w: Float64Array, rows: Int32Array): Promise<GradientResult> {
    const r = referenceObjective(this.spec, rowsOf(this.data, rows), w);
    return { loss: r.loss, grad: r.grad };
  }
  async hessianAt(w: Float64Array): Promise<HessianOperator> {
    const op = new DenseOperator(referenceHessian(this.spec, this.data, w), this.size);
    return Object.assign(op, { dispose: () => {} });
  }
  async frozenGradientNear(): Promise<FrozenGradient> {
    return { gradient: async (w) => referenceObjective(this.spec, this.data, w).grad, dispose: () => {} };
  }
  dispose(): void {}
}
