/**
 * The hyperparameter loop on a user's PyTorch model, through the same core loop as the MLP's: its
 * data objectives are the bridge's train_loss and val_loss (the loop adds ½Σλ_i w_i² itself, per
 * group), and its inner SGD steps are the bridge's train op, so the batches are the user's
 * train_batches() iterated on the server, continuing the stream ordinary training left (full-batch
 * steps on train_loss without them). The innerSteps of one hyper-step are one train request. With
 * compared runs, the loop's own run marks the stream and each compared run rewinds it, so every run
 * takes the same batches from the same start (trainStream in src/protocol/bridge.ts).
 */
import type { BridgeClient } from '../bridge/client';
import { DivergedTrainingError } from '../core/errors';
import type { InnerSgd, StartInnerSgd } from '../core/hyper/inner-sgd';
import type { HyperProblem } from '../core/hyper/loop';
import type { WeightDecay } from '../core/model/weight-decay';
import { tensorsInOrder } from '../core/model/state-dict';
import { checkpoint } from '../core/util/abort';
import { isFiniteVector } from '../core/util/vec';
import type { BridgeObjective } from './bridge-objective';

export interface BridgeHyperOptions {
  /** The analysed point, where every run starts. */
  w: Float64Array;
  /** Runs of the loop: 1 + the compared inverses. */
  runs: number;
  relativeRounding: number;
}

/** `objective` is the experiment's L_T over the client; the loop gets its data part. */
export function bridgeHyperProblem(client: BridgeClient, objective: BridgeObjective, opts: BridgeHyperOptions): HyperProblem {
  const train = objective.data();
  return {
    train,
    validation: objective.validation(),
    w: opts.w,
    startInner: streamStarts(client, train, opts.runs),
    tensors: tensorsInOrder(client.info.params.tensors),
    relativeRounding: opts.relativeRounding,
  };
}

function streamStarts(client: BridgeClient, train: BridgeObjective, runs: number): StartInnerSgd {
  let started = 0;
  return async (learningRate) => {
    started += 1;
    if (started > runs) throw new Error(`the loop started run ${started} of ${runs}: its batch stream was not marked for it`);
    // One run needs no mark (whose tape would hold every batch of the loop in the server's memory).
    if (runs > 1) await client.trainStream(started === 1 ? 'mark' : 'rewind');
    return new BridgeInnerSgd(client, train, learningRate);
  };
}

class BridgeInnerSgd implements InnerSgd {
  constructor(
    private readonly client: BridgeClient,
    private readonly train: BridgeObjective,
    private readonly learningRate: number,
  ) {}

  async run(w: Float64Array, decay: WeightDecay, steps: number, signal?: AbortSignal): Promise<void> {
    if (steps === 0) return;
    await checkpoint(signal);
    await this.train.moveTo(w);
    const r = await this.client.train({ steps, learningRate: this.learningRate, weightDecay: oneValue(decay) });
    const after = await this.client.getParams();
    this.train.movedTo(after);
    w.set(after);
    // The step after the last one taken (not applied, when the server stopped) is where the loss broke.
    const [epoch, step] = [r.epochsCompleted + 1, r.stepInEpoch + 1];
    if (r.stopped) {
      const last = r.losses.length - 1;
      throw new DivergedTrainingError(epoch, step, r.losses[last] + r.decayTerms[last]);
    }
    if (!isFiniteVector(w)) throw new DivergedTrainingError(epoch, step, Infinity);
  }
}

/** λ as one number when every parameter has the same (global granularity): nothing to send per parameter. */
function oneValue(decay: WeightDecay): WeightDecay {
  if (typeof decay === 'number' || decay.length === 0) return decay;
  return decay.every((v) => v === decay[0]) ? decay[0] : decay;
}
