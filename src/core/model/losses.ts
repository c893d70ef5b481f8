/**
 * Losses on the output logits Z [N, O]: value, gradient G = ∂ℓ/∂Z, and the Hessian of ℓ with
 * respect to Z applied to a direction (the start of the R-operator's reverse pass). Written out
 * by hand for the same reason as the activations: TF.js's nested gradients drop terms.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { LossKind } from '../config/experiment';

export interface LossAtLogits {
  loss: tf.Scalar;
  /** ∂ℓ/∂Z, [N, O]. */
  grad: tf.Tensor2D;
  /** Tensors the curvature needs (kept alive by the caller as long as `curvature` is used). */
  keep: tf.Tensor[];
  /** (∂²ℓ/∂Z²)·RZ for a batch of k directions laid out [N, k, O]. */
  curvature: (rz: tf.Tensor3D) => tf.Tensor3D;
}

/**
 * The target tensor a loss consumes: the values [N, 1] for mse and binary cross-entropy, a
 * one-hot [N, O] for cross-entropy (labels were range-checked by validateDatasetForModel).
 */
export function targetTensor(kind: LossKind, y: Float32Array, outputs: number): tf.Tensor2D {
  if (kind === 'cross-entropy') {
    return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), outputs), 'float32') as tf.Tensor2D);
  }
  return tf.tensor2d(y, [y.length, 1]);
}

/** Loss value, gradient and curvature at the logits. Call inside tf.tidy (or dispose `keep`). */
export function lossAtLogits(kind: LossKind, z: tf.Tensor2D, target: tf.Tensor2D): LossAtLogits {
  const [n, o] = z.shape;
  switch (kind) {
    case 'mse': {
      // mean over rows and outputs of (ŷ − y)²: G = 2(Z − Y)/(N·O), Hessian 2/(N·O)·I.
      const scale = 2 / (n * o);
      const diff = tf.sub(z, target);
      return {
        loss: tf.mean(tf.square(diff)),
        grad: tf.mul(diff, scale),
        keep: [],
        curvature: (rz) => tf.mul(rz, scale) as tf.Tensor3D,
      };
    }
    case 'cross-entropy': {
      // −mean log softmax(Z)_y: G = (P − Y)/N, Hessian per row (diag(p) − ppᵀ)/N.
      const logP = tf.logSoftmax(z);
      const p = tf.exp(logP) as tf.Tensor2D;
      const p3 = tf.reshape(p, [n, 1, o]);
      return {
        loss: tf.div(tf.neg(tf.sum(tf.mul(target, logP))), n),
        grad: tf.div(tf.sub(p, target), n),
        keep: [p3],
        curvature: (rz) => {
          const prz = tf.mul(p3, rz);
          return tf.div(tf.sub(prz, tf.mul(p3, tf.sum(prz, -1, true))), n) as tf.Tensor3D;
        },
      };
    }
    case 'binary-cross-entropy': {
      // mean softplus(z) − y·z (= BCE with logits): G = (σ(z) − y)/N, Hessian σ(1 − σ)/N.
      const p = tf.sigmoid(z);
      const h = tf.reshape(tf.div(tf.mul(p, tf.sub(1, p)), n), [n, 1, 1]);
      return {
        loss: tf.mean(tf.sub(tf.softplus(z), tf.mul(target, z))),
        grad: tf.div(tf.sub(p, target), n),
        keep: [h],
        curvature: (rz) => tf.mul(h, rz) as tf.Tensor3D,
      };
    }
  }
}
