/**
 * Minibatch SGD on L_T, as the motivating PyTorch loop does it (SGD with weight_decay = λ, a fresh
 * shuffle per epoch, last batch kept short). Parameters stay float64 between steps; each step's
 * gradient comes from the backend. Epochs and steps count from 1 in everything a user sees.
 */
import type { TrainingSpec } from '../config/experiment';
import { DivergedTrainingError, InputError } from '../errors';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { isFiniteVector } from '../util/vec';
import type { MlpObjective } from './mlp-objective';

export interface TrainStepInfo {
  epoch: number;
  /** Step within the epoch. */
  step: number;
  stepsPerEpoch: number;
  /** Minibatch L_T (data loss on the batch + ½λ‖w‖²) before the update. */
  loss: number;
}

export interface TrainEpochInfo {
  epoch: number;
  /** Mean of the epoch's minibatch losses. */
  trainLoss: number;
  /** Parameters after the epoch (a copy the callee may keep). */
  w: Float64Array;
}

export interface TrainHooks {
  onStep?: (info: TrainStepInfo) => void;
  onEpoch?: (info: TrainEpochInfo) => void | Promise<void>;
  signal?: AbortSignal;
}

export interface TrainResult {
  w: Float64Array;
  /** Per epoch, the mean minibatch L_T. */
  lossCurve: number[];
  /** Total SGD steps taken. */
  steps: number;
}

export function validateTrainingSpec(spec: TrainingSpec): void {
  const at = (key: keyof TrainingSpec) => ({ kind: 'json' as const, path: `training.${key}` });
  if (!Number.isInteger(spec.epochs) || spec.epochs < 0) throw new InputError(`epochs must be an integer ≥ 0, got ${spec.epochs}`, at('epochs'));
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new InputError(`batchSize must be an integer ≥ 1, got ${spec.batchSize}`, at('batchSize'));
  if (!Number.isFinite(spec.learningRate) || spec.learningRate <= 0) {
    throw new InputError(`learningRate must be a finite number > 0, got ${spec.learningRate}`, at('learningRate'));
  }
}

export async function train(objective: MlpObjective, w0: Float64Array, spec: TrainingSpec, seed: number, hooks: TrainHooks = {}): Promise<TrainResult> {
  validateTrainingSpec(spec);
  const w = Float64Array.from(w0);
  const rows = objective.rows;
  const batch = Math.min(spec.batchSize, rows);
  const stepsPerEpoch = Math.ceil(rows / batch);
  const rng = new Rng(seed);
  const lossCurve: number[] = [];
  let steps = 0;
  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
    const order = rng.permutation(rows);
    let sum = 0;
    for (let step = 1; step <= stepsPerEpoch; step++) {
      await checkpoint(hooks.signal);
      const { loss, grad } = await objective.batchGradient(w, order.subarray((step - 1) * batch, Math.min(step * batch, rows)));
      if (!Number.isFinite(loss)) throw new DivergedTrainingError(epoch, step, loss);
      for (let i = 0; i < w.length; i++) w[i] -= spec.learningRate * grad[i];
      // a finite loss can still step to infinite weights; the next loss would only say NaN
      if (!isFiniteVector(w)) throw new DivergedTrainingError(epoch, step, Infinity);
      steps += 1;
      sum += loss;
      hooks.onStep?.({ epoch, step, stepsPerEpoch, loss });
    }
    lossCurve.push(sum / stepsPerEpoch);
    await hooks.onEpoch?.({ epoch, trainLoss: sum / stepsPerEpoch, w: Float64Array.from(w) });
  }
  return { w, lossCurve, steps };
}
