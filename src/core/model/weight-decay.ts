/**
 * The one place weight decay enters L_T: a data objective (loss without decay: the TF.js MLP, the
 * PyTorch bridge) becomes L_T(w) = data(w) + ½ Σ_i λ_i w_i², with λ one number for every
 * parameter or one per parameter (the hyperparameter loop's per-tensor and per-parameter decay).
 * The decay's gradient λ∘w and Hessian product λ∘v are added here in float64, exactly, whatever
 * precision the data part ran in.
 */
import type { LinearOperator } from '../operators/linear-operator';
import type { FrozenGradient, GradientResult, HessianOperator, MinibatchObjective, Objective } from './objective';
import { checkSize } from './objective';

/** λ for every parameter (a number) or per parameter (one entry each, in the flat vector's order). */
export type WeightDecay = number | Float64Array;

function checkDecay(decay: WeightDecay, n: number): void {
  if (typeof decay === 'number') {
    if (!Number.isFinite(decay)) throw new RangeError(`weight decay must be finite, got ${decay}`);
    return;
  }
  checkSize(n, decay, 'weight-decay vector');
}

/** ½ Σ λ_i w_i². */
export function decayPenalty(w: Float64Array, decay: WeightDecay): number {
  let s = 0;
  if (typeof decay === 'number') {
    if (decay === 0) return 0;
    for (let i = 0; i < w.length; i++) s += w[i] * w[i];
    return 0.5 * decay * s;
  }
  for (let i = 0; i < w.length; i++) s += decay[i] * w[i] * w[i];
  return 0.5 * s;
}

/** y ← y + λ∘v in place (y = ∇data + λ∘w for a gradient, H_data·v + λ∘v for a Hessian product). */
export function addDecayTimes(y: Float64Array, v: Float64Array, decay: WeightDecay): Float64Array {
  if (typeof decay === 'number') {
    if (decay !== 0) for (let i = 0; i < y.length; i++) y[i] += decay * v[i];
  } else {
    for (let i = 0; i < y.length; i++) y[i] += decay[i] * v[i];
  }
  return y;
}

/** A data loss and gradient at w turned into L_T's (the gradient is updated in place). */
export function decayedGradient(data: GradientResult, w: Float64Array, decay: WeightDecay): GradientResult {
  return { loss: data.loss + decayPenalty(w, decay), grad: addDecayTimes(data.grad, w, decay) };
}

/** H_data + diag(λ), sharing the data operator's product counter and its resources. */
export class DecayedHessianOperator implements HessianOperator {
  constructor(
    readonly base: LinearOperator & { dispose(): void },
    readonly decay: WeightDecay,
  ) {
    checkDecay(decay, base.size);
  }
  get size(): number {
    return this.base.size;
  }
  get matvecCount(): number {
    return this.base.matvecCount;
  }
  async apply(v: Float64Array): Promise<Float64Array> {
    return addDecayTimes(await this.base.apply(v), v, this.decay);
  }
  async applyMany(vs: Float64Array[]): Promise<Float64Array[]> {
    const ys = await this.base.applyMany(vs);
    return ys.map((y, k) => addDecayTimes(y, vs[k], this.decay));
  }
  dispose(): void {
    this.base.dispose();
  }
}

/**
 * L_T = data + ½ Σ λ_i w_i² as an Objective. Owns `base`: dispose() disposes it. `withDecay` gives
 * another λ on the same data objective (nothing re-uploaded); such views own nothing.
 */
export class WeightDecayObjective<D extends Objective = Objective> implements Objective {
  constructor(
    readonly base: D,
    readonly decay: WeightDecay,
    private readonly owner = true,
  ) {
    checkDecay(decay, base.size);
  }

  get size(): number {
    return this.base.size;
  }

  async loss(w: Float64Array): Promise<number> {
    return (await this.base.loss(w)) + decayPenalty(w, this.decay);
  }

  async gradient(w: Float64Array): Promise<GradientResult> {
    return decayedGradient(await this.base.gradient(w), w, this.decay);
  }

  async hessianAt(w: Float64Array): Promise<HessianOperator> {
    return new DecayedHessianOperator(await this.base.hessianAt(w), this.decay);
  }

  async frozenGradientNear(w0: Float64Array): Promise<FrozenGradient> {
    const frozen = await this.base.frozenGradientNear(w0);
    return {
      gradient: async (w) => addDecayTimes(await frozen.gradient(w), w, this.decay),
      dispose: () => frozen.dispose(),
    };
  }

  withDecay(decay: WeightDecay): WeightDecayObjective<D> {
    return new WeightDecayObjective(this.base, decay, false);
  }

  dispose(): void {
    if (this.owner) this.base.dispose();
  }
}

/** The same for a data objective with minibatches: L_T on a minibatch is the batch's mean loss + the full penalty. */
export class MinibatchWeightDecayObjective<D extends MinibatchObjective = MinibatchObjective> extends WeightDecayObjective<D> implements MinibatchObjective {
  get rows(): number {
    return this.base.rows;
  }

  async batchGradient(w: Float64Array, rows: Int32Array): Promise<GradientResult> {
    return decayedGradient(await this.base.batchGradient(w, rows), w, this.decay);
  }

  override withDecay(decay: WeightDecay): MinibatchWeightDecayObjective<D> {
    return new MinibatchWeightDecayObjective(this.base, decay, false);
  }
}
