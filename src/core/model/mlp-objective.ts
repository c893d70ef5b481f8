/**
 * L_T(w) = loss(train) + ½λ‖w‖² (and L_V with λ = 0 on the validation set) for an MLP on the
 * current TF.js backend. Data live on the backend for the objective's lifetime; parameters cross
 * as Float64Array in PyTorch order. The data part runs in float32; the penalty is exact in float64.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { dot } from '../util/vec';
import { MlpHessianOperator } from './hessian-operator';
import { targetTensor } from './losses';
import { checkParamVector, paramCount, validateDatasetForModel, validateMlpSpec, type MlpSpec } from './mlp';
import { MlpTape, mlpDataLoss } from './mlp-tape';
import type { FrozenGradient, GradientResult, HessianOperator, Objective } from './objective';

export class MlpObjective implements Objective {
  readonly size: number;
  private readonly x: tf.Tensor2D;
  private readonly target: tf.Tensor2D;
  private disposed = false;

  /** Validates the spec and the data against it (InputError on bad input), then uploads the data. */
  constructor(
    readonly spec: MlpSpec,
    readonly data: Dataset,
    role: 'train' | 'validation' = 'train',
  ) {
    validateMlpSpec(spec);
    validateDatasetForModel(spec, data, role);
    this.size = paramCount(spec.layers);
    this.x = tf.tensor2d(data.x, [data.rows, data.features]);
    try {
      this.target = targetTensor(spec.loss, data.y, spec.layers[spec.layers.length - 1]);
    } catch (e) {
      this.x.dispose();
      throw e;
    }
  }

  /** L_V: the same model on the validation set, without the weight-decay term. */
  static validation(spec: MlpSpec, data: Dataset): MlpObjective {
    return new MlpObjective({ ...spec, weightDecay: 0 }, data, 'validation');
  }

  get rows(): number {
    return this.data.rows;
  }

  async loss(w: Float64Array): Promise<number> {
    return this.withParams(w, (wt) => mlpDataLoss(this.spec, wt, this.x, this.target)) + this.penalty(w);
  }

  async gradient(w: Float64Array): Promise<GradientResult> {
    return this.gradientOn(w, this.x, this.target);
  }

  /** Gradient of the minibatch loss (mean over the given rows) + the full penalty: one SGD step's worth. */
  async batchGradient(w: Float64Array, rows: Int32Array): Promise<GradientResult> {
    const [xb, tb] = tf.tidy(() => {
      const idx = tf.tensor1d(rows, 'int32');
      return [tf.gather(this.x, idx), tf.gather(this.target, idx)];
    });
    try {
      return this.gradientOn(w, xb, tb);
    } finally {
      tf.dispose([xb, tb]);
    }
  }

  async hessianAt(w: Float64Array): Promise<HessianOperator> {
    const tape = this.withParams(w, (wt) => new MlpTape(this.spec, wt, this.x, this.target));
    return new MlpHessianOperator(tape, this.size, this.spec.weightDecay, this.rows, Math.max(...this.spec.layers));
  }

  async frozenGradientNear(w0: Float64Array): Promise<FrozenGradient> {
    if (this.spec.activation !== 'relu') return { gradient: async (w) => this.gradientOn(w, this.x, this.target).grad, dispose: () => {} };
    const at = this.withParams(w0, (wt) => new MlpTape(this.spec, wt, this.x, this.target));
    return {
      gradient: async (w) => this.gradientOn(w, this.x, this.target, at.d1).grad,
      dispose: () => at.dispose(),
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    tf.dispose([this.x, this.target]);
  }

  private gradientOn(w: Float64Array, x: tf.Tensor2D, target: tf.Tensor2D, masks?: tf.Tensor2D[]): GradientResult {
    const tape = this.withParams(w, (wt) => new MlpTape(this.spec, wt, x, target, masks));
    try {
      const dataLoss = tape.lossValue.dataSync()[0];
      const g = tape.gradFlat.dataSync();
      const grad = new Float64Array(this.size);
      const lambda = this.spec.weightDecay;
      for (let i = 0; i < grad.length; i++) grad[i] = g[i] + lambda * w[i];
      return { loss: dataLoss + this.penalty(w), grad };
    } finally {
      tape.dispose();
    }
  }

  private penalty(w: Float64Array): number {
    return this.spec.weightDecay === 0 ? 0 : 0.5 * this.spec.weightDecay * dot(w, w);
  }

  private withParams<T>(w: Float64Array, f: (wt: tf.Tensor1D) => T): T {
    if (this.disposed) throw new Error('objective used after dispose()');
    checkParamVector(this.spec.layers, w);
    const wt = tf.tensor1d(Float32Array.from(w));
    try {
      return f(wt);
    } finally {
      wt.dispose();
    }
  }
}
