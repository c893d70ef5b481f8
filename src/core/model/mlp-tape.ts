/**
 * One forward and backward pass of the MLP at a fixed w, written out with TF.js ops and kept
 * ("the tape") so that every Hessian-vector product at that w costs only the Pearlmutter
 * R-passes. Notation, per layer l = 1..L: Z_l = A_{l−1}W_lᵀ + b_l, A_l = σ(Z_l) for hidden
 * layers, logits Z_L; δ_l = ∂ℓ/∂Z_l, g_l = ∂ℓ/∂A_l. Weight decay is not in here (it is exact in
 * float64 on the caller's side).
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation, LossKind } from '../config/experiment';
import { activate } from './activations';
import { lossAtLogits } from './losses';
import { layerSlots, type LayerSlot } from './mlp';

export interface TapeShape {
  layers: readonly number[];
  activation: Activation;
  loss: LossKind;
}

export class MlpTape {
  readonly slots: LayerSlot[];
  readonly lossValue: tf.Scalar;
  /** Flat gradient of the data loss (PyTorch order), [P]. */
  readonly gradFlat: tf.Tensor1D;
  private readonly weights: tf.Tensor2D[] = [];
  /** A_0 … A_{L−1} (A_0 = X). */
  private readonly acts: tf.Tensor2D[] = [];
  /** σ'(Z_l) for hidden l = 1..L−1, at index l−1. */
  readonly d1: tf.Tensor2D[] = [];
  /** g_l ⊙ σ''(Z_l) for hidden l, or null where σ'' ≡ 0. */
  private readonly curv: (tf.Tensor2D | null)[] = [];
  /** δ_1 … δ_L at index l−1. */
  private readonly deltas: tf.Tensor2D[] = [];
  private readonly lossCurvature: (rz: tf.Tensor) => tf.Tensor;
  private readonly owned: tf.Tensor[] = [];

  /**
   * @param w flat parameters [P] (float32 tensor; not owned)
   * @param frozenMasks relu masks per hidden layer to hold fixed (see activations.ts)
   */
  constructor(shape: TapeShape, w: tf.Tensor1D, x: tf.Tensor2D, target: tf.Tensor2D, frozenMasks?: tf.Tensor2D[]) {
    this.slots = layerSlots(shape.layers);
    const L = this.slots.length;
    let lossCurvature: ((rz: tf.Tensor) => tf.Tensor) | null = null;
    const keep = <T extends tf.Tensor>(t: T): T => {
      this.owned.push(tf.keep(t));
      return t;
    };
    const out = tf.tidy(() => {
      const biases: tf.Tensor1D[] = [];
      for (const s of this.slots) {
        this.weights.push(keep(tf.reshape(tf.slice(w, s.weightOffset, s.inputs * s.outputs), [s.outputs, s.inputs])));
        biases.push(tf.slice(w, s.biasOffset, s.outputs));
      }
      let a = x;
      const zs: tf.Tensor2D[] = [];
      for (let l = 0; l < L; l++) {
        this.acts.push(l === 0 ? a : keep(a));
        const z = tf.add(tf.matMul(a, this.weights[l], false, true), biases[l]) as tf.Tensor2D;
        zs.push(z);
        if (l < L - 1) {
          const act = activate(shape.activation, z, frozenMasks?.[l]);
          // a frozen mask belongs to the tape it came from
          this.d1.push(act.d1 === frozenMasks?.[l] ? act.d1 : keep(act.d1));
          this.curv.push(act.d2); // multiplied by g_l below, once g_l is known
          a = act.a;
        }
      }
      const head = lossAtLogits(shape.loss, zs[L - 1], target);
      head.keep.forEach(keep);
      lossCurvature = head.curvature;
      const grads: tf.Tensor[] = new Array(2 * L);
      let delta = head.grad;
      for (let l = L - 1; l >= 0; l--) {
        this.deltas[l] = keep(delta);
        grads[2 * l] = tf.reshape(tf.matMul(delta, this.acts[l], true, false), [-1]);
        grads[2 * l + 1] = tf.sum(delta, 0);
        if (l > 0) {
          const g = tf.matMul(delta, this.weights[l]) as tf.Tensor2D;
          const d2 = this.curv[l - 1];
          if (d2) this.curv[l - 1] = keep(tf.mul(g, d2) as tf.Tensor2D);
          delta = tf.mul(g, this.d1[l - 1]) as tf.Tensor2D;
        }
      }
      return { loss: head.loss, grad: tf.concat(grads) as tf.Tensor1D };
    });
    this.lossValue = keep(out.loss);
    this.gradFlat = keep(out.grad);
    this.lossCurvature = lossCurvature!;
  }

  /**
   * The data-loss Hessian applied to k directions at once: V [k, P] → H·V [k, P]. Forward
   * R{Z_l} = R{A_{l−1}}W_lᵀ + A_{l−1}V_Wᵀ + V_b, R{A_l} = σ'·R{Z_l}; reverse from
   * R{δ_L} = ℓ''·R{Z_L}: R{∂W_l} = R{δ_l}ᵀA_{l−1} + δ_lᵀR{A_{l−1}}, R{g_{l−1}} = R{δ_l}W_l + δ_lV_W,
   * R{δ_{l−1}} = σ'·R{g_{l−1}} + g·σ''·R{Z_{l−1}}. R{A_0} = 0 saves the first layer's extra products.
   */
  hessianTimes(v: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const k = v.shape[0];
      const L = this.slots.length;
      const vw: tf.Tensor3D[] = [];
      const rz: tf.Tensor3D[] = [];
      const ras: tf.Tensor3D[] = [];
      for (let l = 0; l < L; l++) {
        const s = this.slots[l];
        vw.push(tf.reshape(tf.slice(v, [0, s.weightOffset], [k, s.inputs * s.outputs]), [k, s.outputs, s.inputs]));
        const vb = tf.reshape(tf.slice(v, [0, s.biasOffset], [k, s.outputs]), [k, 1, s.outputs]);
        let z = tf.add(tf.matMul(tf.expandDims(this.acts[l], 0) as tf.Tensor3D, vw[l], false, true), vb) as tf.Tensor3D;
        if (l > 0) z = tf.add(z, this.batchTimesMatrix(ras[l - 1], this.weights[l], true));
        rz.push(z);
        if (l < L - 1) ras.push(tf.mul(z, this.d1[l]));
      }
      const out: tf.Tensor[] = new Array(2 * L);
      let rdelta = this.lossCurvature(rz[L - 1]) as tf.Tensor3D;
      for (let l = L - 1; l >= 0; l--) {
        const a = tf.expandDims(this.acts[l], 0) as tf.Tensor3D;
        const delta = tf.expandDims(this.deltas[l], 0) as tf.Tensor3D;
        let rdw = tf.matMul(rdelta, a, true, false);
        if (l > 0) rdw = tf.add(rdw, tf.matMul(delta, ras[l - 1], true, false));
        out[2 * l] = tf.reshape(rdw, [k, -1]);
        out[2 * l + 1] = tf.sum(rdelta, 1);
        if (l > 0) {
          const rg = tf.add(this.batchTimesMatrix(rdelta, this.weights[l], false), tf.matMul(delta, vw[l]));
          let next = tf.mul(rg, this.d1[l - 1]);
          const c = this.curv[l - 1];
          if (c) next = tf.add(next, tf.mul(c, rz[l - 1]));
          rdelta = next as tf.Tensor3D;
        }
      }
      return tf.concat(out, 1) as tf.Tensor2D;
    });
  }

  /** [k, N, n] × M (or Mᵀ) with M 2-D, as one 2-D product over the stacked rows. */
  private batchTimesMatrix(b: tf.Tensor3D, m: tf.Tensor2D, transposeM: boolean): tf.Tensor3D {
    const [k, n, c] = b.shape;
    const prod = tf.matMul(tf.reshape(b, [k * n, c]) as tf.Tensor2D, m, false, transposeM);
    return tf.reshape(prod, [k, n, prod.shape[1] as number]);
  }

  dispose(): void {
    for (const t of this.owned) t.dispose();
    this.owned.length = 0;
  }
}

/** The data loss alone (forward pass only), for evaluations that need no gradient. */
export function mlpDataLoss(shape: TapeShape, w: tf.Tensor1D, x: tf.Tensor2D, target: tf.Tensor2D): number {
  const loss = tf.tidy(() => {
    let a = x;
    const slots = layerSlots(shape.layers);
    slots.forEach((s, l) => {
      const weight = tf.reshape(tf.slice(w, s.weightOffset, s.inputs * s.outputs), [s.outputs, s.inputs]) as tf.Tensor2D;
      const z = tf.add(tf.matMul(a, weight, false, true), tf.slice(w, s.biasOffset, s.outputs)) as tf.Tensor2D;
      a = l < slots.length - 1 ? activate(shape.activation, z).a : z;
    });
    return lossAtLogits(shape.loss, a, target).loss;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
