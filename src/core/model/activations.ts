/**
 * Hidden-layer activations with their first and second derivatives, all computed from the
 * pre-activation z. The R-operator needs σ'' explicitly; deriving it with nested tf.grad is
 * what TF.js 4.22 gets silently wrong for sigmoid/tanh/exp, so nothing here relies on autodiff.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Activation } from '../config/experiment';

export interface ActivationValues {
  a: tf.Tensor2D;
  /** σ'(z). */
  d1: tf.Tensor2D;
  /** σ''(z), or null where it is identically zero (relu, linear). */
  d2: tf.Tensor2D | null;
}

/**
 * σ, σ', σ'' at z. With `frozenMask` (relu only) the unit is treated as the linear map z·mask:
 * differencing such a gradient gives the almost-everywhere Hessian at the point the mask came
 * from, instead of jumps wherever a step moves a pre-activation across 0.
 */
export function activate(kind: Activation, z: tf.Tensor2D, frozenMask?: tf.Tensor2D): ActivationValues {
  switch (kind) {
    case 'relu': {
      const mask = frozenMask ?? reluMask(z);
      return { a: tf.mul(z, mask) as tf.Tensor2D, d1: mask, d2: null };
    }
    case 'linear':
      return { a: z, d1: tf.onesLike(z), d2: null };
    case 'tanh': {
      const t = tf.tanh(z);
      const d1 = tf.sub(1, tf.square(t)) as tf.Tensor2D;
      return { a: t, d1, d2: tf.mul(-2, tf.mul(t, d1)) as tf.Tensor2D };
    }
    case 'sigmoid': {
      const s = tf.sigmoid(z);
      const d1 = tf.mul(s, tf.sub(1, s)) as tf.Tensor2D;
      return { a: s, d1, d2: tf.mul(d1, tf.sub(1, tf.mul(2, s))) as tf.Tensor2D };
    }
    case 'softplus': {
      // softplus' = sigmoid, softplus'' = sigmoid·(1 − sigmoid).
      const s = tf.sigmoid(z);
      return { a: tf.softplus(z), d1: s, d2: tf.mul(s, tf.sub(1, s)) as tf.Tensor2D };
    }
  }
}

/** 1 where z > 0 else 0 (relu'(0) = 0, as PyTorch). */
export function reluMask(z: tf.Tensor2D): tf.Tensor2D {
  return tf.cast(tf.greater(z, 0), 'float32') as tf.Tensor2D;
}
