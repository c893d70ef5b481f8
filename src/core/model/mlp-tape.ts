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
  private readonly rows: number;
  /** W_l [out, in] and W_lᵀ [in, out]. */
  private readonly weights: tf.Tensor2D[] = [];
  private readonly weightsT: tf.Tensor2D[] = [];
  /** A_0 … A_{L−1} (A_0 = X). */
  private readonly acts: tf.Tensor2D[] = [];
  /** σ'(Z_l) for hidden l = 1..L−1, at index l−1. */
  readonly d1: tf.Tensor2D[] = [];
  /** g_l ⊙ σ''(Z_l) for hidden l, or null where σ'' ≡ 0. */
  private readonly curv: (tf.Tensor2D | null)[] = [];
  /** δ_l and δ_lᵀ, l = 1 … L, at index l−1. */
  private readonly deltas: tf.Tensor2D[] = [];
  private readonly deltasT: tf.Tensor2D[] = [];
  private readonly lossCurvature: (rz: tf.Tensor3D) => tf.Tensor3D;
  private readonly owned: tf.Tensor[] = [];

  /**
   * @param w flat parameters [P] (float32 tensor; not owned)
   * @param frozenMasks relu masks per hidden layer to hold fixed (see activations.ts); not owned
   */
  constructor(shape: TapeShape, w: tf.Tensor1D, x: tf.Tensor2D, target: tf.Tensor2D, frozenMasks?: tf.Tensor2D[]) {
    this.slots = layerSlots(shape.layers);
    this.rows = x.shape[0];
    const L = this.slots.length;
    let lossCurvature: ((rz: tf.Tensor3D) => tf.Tensor3D) | null = null;
    const keep = <T extends tf.Tensor>(t: T): T => {
      this.owned.push(tf.keep(t));
      return t;
    };
    // Only plain 2-D matMuls with explicit transposes: the wasm backend's transposeA/transposeB
    // products measured ~10× slower than transposing first.
    try {
      const out = tf.tidy(() => {
        const biases: tf.Tensor1D[] = [];
        for (const s of this.slots) {
          const wl = keep(tf.reshape(tf.slice(w, s.weightOffset, s.inputs * s.outputs), [s.outputs, s.inputs]) as tf.Tensor2D);
          this.weights.push(wl);
          this.weightsT.push(keep(tf.transpose(wl)));
          biases.push(tf.slice(w, s.biasOffset, s.outputs));
        }
        let a = x;
        const zs: tf.Tensor2D[] = [];
        for (let l = 0; l < L; l++) {
          this.acts.push(l === 0 ? a : keep(a));
          const z = tf.add(tf.matMul(a, this.weightsT[l]), biases[l]) as tf.Tensor2D;
          zs.push(z);
          if (l < L - 1) {
            const act = activate(shape.activation, z, frozenMasks?.[l]);
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
          this.deltasT[l] = keep(tf.transpose(delta));
          grads[2 * l] = tf.reshape(tf.matMul(this.deltasT[l], this.acts[l]), [-1]);
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
    } catch (e) {
      // tidy released the intermediates; what was already kept must go too.
      this.dispose();
      throw e;
    }
  }

  /**
   * The data-loss Hessian applied to k directions at once: V [k, P] → H·V [k, P]. Forward
   * R{Z_l} = R{A_{l−1}}W_lᵀ + A_{l−1}V_Wᵀ + V_b, R{A_l} = σ'·R{Z_l}; reverse from
   * R{δ_L} = ℓ''·R{Z_L}: R{∂W_l} = R{δ_l}ᵀA_{l−1} + δ_lᵀR{A_{l−1}}, R{g_{l−1}} = R{δ_l}W_l + δ_lV_W,
   * R{δ_{l−1}} = σ'·R{g_{l−1}} + g·σ''·R{Z_{l−1}}. R{A_0} = 0 saves the first layer's extra products.
   * Batched quantities are laid out [N, k, n] so every product is one 2-D matMul over all k.
   */
  hessianTimes(v: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      const k = v.shape[0];
      const n = this.rows;
      const L = this.slots.length;
      const vw: tf.Tensor3D[] = [];
      const rz: tf.Tensor3D[] = [];
      const ras: tf.Tensor3D[] = [];
      for (let l = 0; l < L; l++) {
        const { inputs, outputs, weightOffset, biasOffset } = this.slots[l];
        vw.push(tf.reshape(tf.slice(v, [0, weightOffset], [k, inputs * outputs]), [k, outputs, inputs]));
        const vb = tf.reshape(tf.slice(v, [0, biasOffset], [k, outputs]), [1, k * outputs]);
        // A·V_Wᵀ for all k at once: [N, in] × [in, k·out]
        const vwT = tf.transpose(tf.reshape(vw[l], [k * outputs, inputs]));
        let z = tf.add(tf.matMul(this.acts[l], vwT), vb) as tf.Tensor2D;
        if (l > 0) z = tf.add(z, tf.reshape(tf.matMul(tf.reshape(ras[l - 1], [n * k, inputs]), this.weightsT[l]), [n, k * outputs]));
        const z3 = tf.reshape(z, [n, k, outputs]) as tf.Tensor3D;
        rz.push(z3);
        if (l < L - 1) ras.push(tf.mul(z3, tf.expandDims(this.d1[l], 1)));
      }
      const out: tf.Tensor[] = new Array(2 * L);
      let rdelta = this.lossCurvature(rz[L - 1]);
      for (let l = L - 1; l >= 0; l--) {
        const { inputs, outputs } = this.slots[l];
        const rd = tf.reshape(rdelta, [n, k * outputs]) as tf.Tensor2D;
        // rows b·out + i of [k·out, in] are exactly H·v_b's weight block in PyTorch order
        let rdw = tf.reshape(tf.matMul(tf.transpose(rd), this.acts[l]), [k, outputs * inputs]);
        if (l > 0) {
          const extra = tf.matMul(this.deltasT[l], tf.reshape(ras[l - 1], [n, k * inputs]));
          rdw = tf.add(rdw, tf.reshape(tf.transpose(tf.reshape(extra, [outputs, k, inputs]), [1, 0, 2]), [k, outputs * inputs]));
        }
        out[2 * l] = rdw;
        out[2 * l + 1] = tf.reshape(tf.sum(rd, 0), [k, outputs]);
        if (l > 0) {
          const vwBlocks = tf.reshape(tf.transpose(vw[l], [1, 0, 2]), [outputs, k * inputs]);
          const rg = tf.add(
            tf.reshape(tf.matMul(tf.reshape(rdelta, [n * k, outputs]), this.weights[l]), [n, k, inputs]),
            tf.reshape(tf.matMul(this.deltas[l], vwBlocks), [n, k, inputs]),
          );
          let next = tf.mul(rg, tf.expandDims(this.d1[l - 1], 1));
          const c = this.curv[l - 1];
          if (c) next = tf.add(next, tf.mul(tf.expandDims(c, 1), rz[l - 1]));
          rdelta = next as tf.Tensor3D;
        }
      }
      return tf.concat(out, 1) as tf.Tensor2D;
    });
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
      const z = tf.add(tf.matMul(a, tf.transpose(weight)), tf.slice(w, s.biasOffset, s.outputs)) as tf.Tensor2D;
      a = l < slots.length - 1 ? activate(shape.activation, z).a : z;
    });
    return lossAtLogits(shape.loss, a, target).loss;
  });
  const value = loss.dataSync()[0];
  loss.dispose();
  return value;
}
