/**
 * The MLP's data loss on the current TF.js backend (MlpDataObjective), and L_T(w) = loss(train) +
 * ½λ‖w‖² on top of it (MlpObjective; L_V with λ = 0 on the validation set). Data live on the
 * backend for the objective's lifetime; parameters cross as Float64Array in PyTorch order. The data
 * part runs in float32; the decay is added exactly in float64 by weight-decay.ts.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Dataset } from '../data/dataset';
import { MlpHessianOperator } from './hessian-operator';
import { targetTensor } from './losses';
import { checkParamVector, paramCount, validateDatasetForModel, validateMlpShape, validateMlpSpec, type MlpShape, type MlpSpec } from './mlp';
import { MlpTape, mlpDataLoss } from './mlp-tape';
import type { FrozenGradient, GradientResult, HessianOperator, MinibatchObjective } from './objective';
import { MinibatchWeightDecayObjective } from './weight-decay';

/** The mean data loss of the MLP (no weight decay), its gradients and its exact Hessian. */
export class MlpDataObjective implements MinibatchObjective {
  readonly size: number;
  private readonly x: tf.Tensor2D;
  private readonly target: tf.Tensor2D;
  private disposed = false;

  /** Validates the shape and the data against it (InputError on bad input), then uploads the data. */
  constructor(
    readonly shape: MlpShape,
    readonly data: Dataset,
    role: 'train' | 'validation' = 'train',
  ) {
    validateMlpShape(shape);
    validateDatasetForModel(shape, data, role);
    this.size = paramCount(shape.layers);
    this.x = tf.tensor2d(data.x, [data.rows, data.features]);
    try {
      this.target = targetTensor(shape.loss, data.y, shape.layers[shape.layers.length - 1]);
    } catch (e) {
      this.x.dispose();
      throw e;
    }
  }

  get rows(): number {
    return this.data.rows;
  }

  async loss(w: Float64Array): Promise<number> {
    return this.withParams(w, (wt) => mlpDataLoss(this.shape, wt, this.x, this.target));
  }

  async gradient(w: Float64Array): Promise<GradientResult> {
    return this.gradientOn(w, this.x, this.target);
  }

  /** Gradient of the mean loss over the given rows: one SGD step's worth. */
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
    const tape = this.withParams(w, (wt) => new MlpTape(this.shape, wt, this.x, this.target));
    return new MlpHessianOperator(tape, this.size, this.rows, Math.max(...this.shape.layers));
  }

  async frozenGradientNear(w0: Float64Array): Promise<FrozenGradient> {
    if (this.shape.activation !== 'relu') return { gradient: async (w) => this.gradientOn(w, this.x, this.target).grad, dispose: () => {} };
    const at = this.withParams(w0, (wt) => new MlpTape(this.shape, wt, this.x, this.target));
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
    const tape = this.withParams(w, (wt) => new MlpTape(this.shape, wt, x, target, masks));
    try {
      const loss = tape.lossValue.dataSync()[0];
      const grad = new Float64Array(this.size);
      grad.set(tape.gradFlat.dataSync());
      return { loss, grad };
    } finally {
      tape.dispose();
    }
  }

  private withParams<T>(w: Float64Array, f: (wt: tf.Tensor1D) => T): T {
    if (this.disposed) throw new Error('objective used after dispose()');
    checkParamVector(this.shape.layers, w);
    const wt = tf.tensor1d(Float32Array.from(w));
    try {
      return f(wt);
    } finally {
      wt.dispose();
    }
  }
}

/** L_T = the MLP's data loss + ½·spec.weightDecay·‖w‖² (every parameter, biases included). */
export class MlpObjective extends MinibatchWeightDecayObjective<MlpDataObjective> {
  /** Validates the spec and the data against it (InputError on bad input), then uploads the data. */
  constructor(
    readonly spec: MlpSpec,
    data: Dataset,
    role: 'train' | 'validation' = 'train',
  ) {
    validateMlpSpec(spec);
    super(new MlpDataObjective(spec, data, role), spec.weightDecay);
  }

  /** L_V: the same model on the validation set, without the weight-decay term. */
  static validation(spec: MlpSpec, data: Dataset): MlpObjective {
    return new MlpObjective({ ...spec, weightDecay: 0 }, data, 'validation');
  }

  get data(): Dataset {
    return this.base.data;
  }
}
