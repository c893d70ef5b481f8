/**
 * An independent float64 reference for the MLP objective in plain loops, one row at a time: the
 * loss and its analytic gradient (backprop written from the textbook, sharing no code with the
 * TF.js path beyond the parameter layout). Tests check the TF.js gradient and Hessian against it.
 */
import type { Activation } from '../config/experiment';
import type { Dataset } from '../data/dataset';
import type { MlpSpec } from '../model/mlp';
import { layerSlots } from '../model/mlp';

/** relu masks per hidden layer, rows × width, as 0/1. */
export type ReluPattern = Uint8Array[];

function sigma(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'softplus':
      return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
    case 'linear':
      return z;
  }
}

function sigmaPrime(kind: Activation, z: number): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? 1 : 0;
    case 'tanh': {
      const t = Math.tanh(z);
      return 1 - t * t;
    }
    case 'sigmoid':
    case 'softplus': {
      const s = 1 / (1 + Math.exp(-z));
      return kind === 'sigmoid' ? s * (1 - s) : s;
    }
    case 'linear':
      return 1;
  }
}

export interface Reference64 {
  loss: number;
  grad: Float64Array;
  /** The relu pattern at this w (for holding it fixed in finite differences). */
  pattern: ReluPattern;
}

/**
 * L(w) = mean data loss + ½λ‖w‖² and its gradient. With `frozen`, relu units use that 0/1
 * pattern instead of their own sign (the function is then smooth in w near the pattern's point).
 */
export function referenceObjective(spec: MlpSpec, data: Dataset, w: Float64Array, frozen?: ReluPattern): Reference64 {
  const slots = layerSlots(spec.layers);
  const L = slots.length;
  const n = data.rows;
  const out = spec.layers[L];
  const grad = new Float64Array(w.length);
  const pattern: ReluPattern = slots.slice(0, L - 1).map((s) => new Uint8Array(n * s.outputs));
  let loss = 0;
  for (let r = 0; r < n; r++) {
    // forward, keeping every layer's input and pre-activation
    const inputs: Float64Array[] = [Float64Array.from(data.x.subarray(r * data.features, (r + 1) * data.features))];
    const pre: Float64Array[] = [];
    for (let l = 0; l < L; l++) {
      const s = slots[l];
      const a = inputs[l];
      const z = new Float64Array(s.outputs);
      for (let i = 0; i < s.outputs; i++) {
        let acc = w[s.biasOffset + i];
        for (let j = 0; j < s.inputs; j++) acc += w[s.weightOffset + i * s.inputs + j] * a[j];
        z[i] = acc;
      }
      pre.push(z);
      if (l < L - 1) {
        const next = new Float64Array(s.outputs);
        for (let i = 0; i < s.outputs; i++) {
          if (spec.activation === 'relu') {
            const on = frozen ? frozen[l][r * s.outputs + i] === 1 : z[i] > 0;
            pattern[l][r * s.outputs + i] = z[i] > 0 ? 1 : 0;
            next[i] = on ? z[i] : 0;
          } else next[i] = sigma(spec.activation, z[i]);
        }
        inputs.push(next);
      }
    }
    // loss of this row and ∂(row loss)/∂z_L
    const zL = pre[L - 1];
    const y = data.y[r];
    const dz = new Float64Array(out);
    if (spec.loss === 'mse') {
      for (let i = 0; i < out; i++) {
        loss += (zL[i] - y) ** 2 / (n * out);
        dz[i] = (2 * (zL[i] - y)) / (n * out);
      }
    } else if (spec.loss === 'cross-entropy') {
      const m = Math.max(...zL);
      let se = 0;
      for (let i = 0; i < out; i++) se += Math.exp(zL[i] - m);
      const lse = m + Math.log(se);
      loss += (lse - zL[y]) / n;
      for (let i = 0; i < out; i++) dz[i] = (Math.exp(zL[i] - lse) - (i === y ? 1 : 0)) / n;
    } else {
      const z = zL[0];
      const sp = z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
      loss += (sp - y * z) / n;
      dz[0] = (1 / (1 + Math.exp(-z)) - y) / n;
    }
    // backward
    let delta = dz;
    for (let l = L - 1; l >= 0; l--) {
      const s = slots[l];
      const a = inputs[l];
      for (let i = 0; i < s.outputs; i++) {
        grad[s.biasOffset + i] += delta[i];
        for (let j = 0; j < s.inputs; j++) grad[s.weightOffset + i * s.inputs + j] += delta[i] * a[j];
      }
      if (l === 0) break;
      const prev = new Float64Array(s.inputs);
      const zPrev = pre[l - 1];
      for (let j = 0; j < s.inputs; j++) {
        let acc = 0;
        for (let i = 0; i < s.outputs; i++) acc += w[s.weightOffset + i * s.inputs + j] * delta[i];
        const d =
          spec.activation === 'relu' && frozen ? frozen[l - 1][r * s.inputs + j] : sigmaPrime(spec.activation, zPrev[j]);
        prev[j] = acc * d;
      }
      delta = prev;
    }
  }
  let sq = 0;
  for (let i = 0; i < w.length; i++) {
    sq += w[i] * w[i];
    grad[i] += spec.weightDecay * w[i];
  }
  return { loss: loss + 0.5 * spec.weightDecay * sq, grad, pattern };
}

/**
 * The full Hessian (row-major P×P) by central differences of the analytic float64 gradient,
 * with the relu pattern of w held fixed so that no step crosses a kink; symmetrised.
 */
export function referenceHessian(spec: MlpSpec, data: Dataset, w: Float64Array, step = 1e-5): Float64Array {
  const p = w.length;
  const frozen = referenceObjective(spec, data, w).pattern;
  const h = new Float64Array(p * p);
  const wp = Float64Array.from(w);
  for (let j = 0; j < p; j++) {
    wp[j] = w[j] + step;
    const gPlus = referenceObjective(spec, data, wp, frozen).grad;
    wp[j] = w[j] - step;
    const gMinus = referenceObjective(spec, data, wp, frozen).grad;
    wp[j] = w[j];
    for (let i = 0; i < p; i++) h[i * p + j] = (gPlus[i] - gMinus[i]) / (2 * step);
  }
  for (let i = 0; i < p; i++) {
    for (let j = i + 1; j < p; j++) {
      const m = 0.5 * (h[i * p + j] + h[j * p + i]);
      h[i * p + j] = m;
      h[j * p + i] = m;
    }
  }
  return h;
}
