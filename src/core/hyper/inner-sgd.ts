/**
 * The loop's inner SGD steps (step 1 of each hyper-step), w ← w − lr·(∇data(batch) + λ∘w), behind
 * one interface so the same loop runs on the TF.js MLP (batches drawn here, SgdStepper) and on a
 * PyTorch model (batches drawn by the bridge's server from the user's train_batches()). Each run of
 * the loop, its own and every compared one, starts the stream where ordinary training left it.
 */
import type { MinibatchObjective } from '../model/objective';
import { BatchOrder, SgdStepper, type BatchOrderState } from '../model/sgd';
import type { WeightDecay } from '../model/weight-decay';

export interface InnerSgd {
  /**
   * `steps` SGD steps at this λ, updating w in place and continuing this run's batch stream; throws
   * DivergedTrainingError when a step's loss or the new weights are not finite.
   */
  run(w: Float64Array, decay: WeightDecay, steps: number, signal?: AbortSignal): Promise<void>;
}

/** Starts one run's inner steps at `learningRate` (training.learningRate), from ordinary training's batch position. */
export type StartInnerSgd = (learningRate: number) => Promise<InnerSgd>;

/** For an objective with minibatches whose batch order stood at `order` after training: a replay of that order per run. */
export function resumedSgd(train: MinibatchObjective, order: BatchOrderState): StartInnerSgd {
  return async (learningRate) => {
    const sgd = new SgdStepper(train, BatchOrder.resume(order), learningRate);
    return {
      run: async (w, decay, steps, signal) => {
        for (let k = 0; k < steps; k++) await sgd.step(w, decay, signal);
      },
    };
  };
}
