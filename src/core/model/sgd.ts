/**
 * Minibatch SGD on L_T = data + ½ Σ λ_i w_i², as the motivating PyTorch loop does it (a fresh
 * shuffle per epoch, last batch kept short, full batch when batchSize ≥ rows), one step at a time.
 * The shuffled order lives in a BatchOrder that continues across calls, so ordinary training and
 * the hyperparameter loop's inner steps (with a new λ each hyper-step) are one SGD run over the
 * same stream of batches. Parameters stay float64 between steps; each gradient comes from the
 * data objective (the backend), the decay from weight-decay.ts.
 */
import { DivergedTrainingError } from '../errors';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { isFiniteVector } from '../util/vec';
import type { MinibatchObjective } from './objective';
import { decayedGradient, type WeightDecay } from './weight-decay';

/** Where a batch order stands: enough to replay it exactly (same seed, same steps taken). */
export interface BatchOrderState {
  seed: number;
  rows: number;
  batchSize: number;
  /** SGD steps already drawn from this order. */
  stepsTaken: number;
}

export interface Batch {
  rows: Int32Array;
  /** Epoch of this batch, from 1. */
  epoch: number;
  /** Step within the epoch, from 1. */
  step: number;
  stepsPerEpoch: number;
}

/** A fresh permutation of the rows per epoch, cut into batches of min(batchSize, rows). */
export class BatchOrder {
  readonly batch: number;
  readonly stepsPerEpoch: number;
  private readonly rng: Rng;
  private order: Int32Array | null = null;
  private taken = 0;

  private constructor(
    readonly seed: number,
    readonly rows: number,
    readonly batchSize: number,
  ) {
    if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`batch order: rows must be a positive integer, got ${rows}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batch order: batchSize must be a positive integer, got ${batchSize}`);
    this.batch = Math.min(batchSize, rows);
    this.stepsPerEpoch = Math.ceil(rows / this.batch);
    this.rng = new Rng(seed);
  }

  static start(seed: number, rows: number, batchSize: number): BatchOrder {
    return new BatchOrder(seed, rows, batchSize);
  }

  /** The order as it stood in `state`, by replaying its permutations (no gradients involved). */
  static resume(state: BatchOrderState): BatchOrder {
    const order = new BatchOrder(state.seed, state.rows, state.batchSize);
    for (let i = 0; i < state.stepsTaken; i++) order.next();
    return order;
  }

  get state(): BatchOrderState {
    return { seed: this.seed, rows: this.rows, batchSize: this.batchSize, stepsTaken: this.taken };
  }

  next(): Batch {
    const within = this.taken % this.stepsPerEpoch;
    if (within === 0) this.order = this.rng.permutation(this.rows);
    this.taken += 1;
    const start = within * this.batch;
    return {
      rows: (this.order as Int32Array).subarray(start, Math.min(start + this.batch, this.rows)),
      epoch: Math.floor((this.taken - 1) / this.stepsPerEpoch) + 1,
      step: within + 1,
      stepsPerEpoch: this.stepsPerEpoch,
    };
  }
}

export interface SgdStepInfo {
  epoch: number;
  /** Step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  /** Minibatch L_T (data loss on the batch + ½ Σ λ_i w_i²) before the update. */
  loss: number;
}

/** w ← w − lr·∇L_T(batch) on a data objective, the decay given per call. */
export class SgdStepper {
  constructor(
    readonly objective: MinibatchObjective,
    readonly order: BatchOrder,
    readonly learningRate: number,
  ) {
    if (order.rows !== objective.rows) throw new RangeError(`SGD: the batch order has ${order.rows} rows, the objective ${objective.rows}`);
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) throw new RangeError(`SGD: learning rate must be a finite number > 0, got ${learningRate}`);
  }

  /**
   * One step, updating w in place. Throws DivergedTrainingError when the batch loss or the new
   * weights are not finite (w is then left as the failing update made it).
   */
  async step(w: Float64Array, decay: WeightDecay, signal?: AbortSignal): Promise<SgdStepInfo> {
    await checkpoint(signal);
    const batch = this.order.next();
    const { loss, grad } = decayedGradient(await this.objective.batchGradient(w, batch.rows), w, decay);
    if (!Number.isFinite(loss)) throw new DivergedTrainingError(batch.epoch, batch.step, loss);
    for (let i = 0; i < w.length; i++) w[i] -= this.learningRate * grad[i];
    // a finite loss can still step to infinite weights; the next loss would only say NaN
    if (!isFiniteVector(w)) throw new DivergedTrainingError(batch.epoch, batch.step, Infinity);
    return { epoch: batch.epoch, step: batch.step, stepsPerEpoch: batch.stepsPerEpoch, loss };
  }
}
