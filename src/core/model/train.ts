/**
 * Ordinary training: `epochs` passes of minibatch SGD (sgd.ts) on L_T with the objective's weight
 * decay, as the motivating PyTorch loop does it (SGD with weight_decay = λ). Epochs and steps count
 * from 1 in everything a user sees.
 */
import type { TrainingSpec } from '../config/experiment';
import { InputError } from '../errors';
import type { MinibatchObjective } from './objective';
import { BatchOrder, SgdStepper, type BatchOrderState, type SgdStepInfo } from './sgd';
import type { MinibatchWeightDecayObjective } from './weight-decay';

export type TrainStepInfo = SgdStepInfo;

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
  /** The batch order after training, for SGD that continues where training stopped. */
  order: BatchOrderState;
}

export function validateTrainingSpec(spec: TrainingSpec): void {
  const at = (key: keyof TrainingSpec) => ({ kind: 'json' as const, path: `training.${key}` });
  if (!Number.isInteger(spec.epochs) || spec.epochs < 0) throw new InputError(`epochs must be an integer ≥ 0, got ${spec.epochs}`, at('epochs'));
  if (!Number.isInteger(spec.batchSize) || spec.batchSize < 1) throw new InputError(`batchSize must be an integer ≥ 1, got ${spec.batchSize}`, at('batchSize'));
  if (!Number.isFinite(spec.learningRate) || spec.learningRate <= 0) {
    throw new InputError(`learningRate must be a finite number > 0, got ${spec.learningRate}`, at('learningRate'));
  }
}

export async function train(
  objective: MinibatchWeightDecayObjective<MinibatchObjective>,
  w0: Float64Array,
  spec: TrainingSpec,
  seed: number,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  validateTrainingSpec(spec);
  const w = Float64Array.from(w0);
  const order = BatchOrder.start(seed, objective.rows, spec.batchSize);
  const sgd = new SgdStepper(objective.base, order, spec.learningRate);
  const lossCurve: number[] = [];
  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
    let sum = 0;
    for (let step = 1; step <= order.stepsPerEpoch; step++) {
      const info = await sgd.step(w, objective.decay, hooks.signal);
      sum += info.loss;
      hooks.onStep?.(info);
    }
    lossCurve.push(sum / order.stepsPerEpoch);
    await hooks.onEpoch?.({ epoch, trainLoss: sum / order.stepsPerEpoch, w: Float64Array.from(w) });
  }
  return { w, lossCurve, steps: spec.epochs * order.stepsPerEpoch, order: order.state };
}
