/**
 * Which parameters share a weight decay: one group (global), one per parameter tensor (each
 * Linear's weight and bias, named as the state_dict names them), or one per parameter. The loop's
 * variable is φ, one entry per group; λ_i = exp(φ_group(i)), and the hypergradient of a group sums
 * its parameters' −x_i·λ_i·w_i.
 */
import type { ParameterTensor } from '../model/state-dict';
import type { Granularity } from './settings';

export interface HyperGroups {
  granularity: Granularity;
  /** One name per group: 'all', a tensor name ('0.weight'), or a parameter ('0.weight[2,1]', '0.bias[3]'). */
  names: string[];
  /** Parameters per group. */
  sizes: number[];
  /** groupOf[i]: the group of parameter i. */
  groupOf: Int32Array;
}

function checkTiling(tensors: readonly ParameterTensor[], n: number): void {
  let next = 0;
  for (const t of tensors) {
    if (t.offset !== next || t.size < 0) throw new RangeError(`parameter tensors must tile the vector in order: '${t.name}' starts at ${t.offset}, expected ${next}`);
    next += t.size;
  }
  if (next !== n) throw new RangeError(`parameter tensors cover ${next} entries, the vector has ${n}`);
}

/** Row-major multi-index of entry k of a tensor of this shape, as PyTorch prints it. */
function indexName(shape: readonly number[], k: number): string {
  const idx: number[] = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return idx.join(',');
}

export function buildGroups(granularity: Granularity, tensors: readonly ParameterTensor[], n: number): HyperGroups {
  checkTiling(tensors, n);
  const groupOf = new Int32Array(n);
  if (granularity === 'global') return { granularity, names: ['all'], sizes: [n], groupOf };
  if (granularity === 'per-tensor') {
    tensors.forEach((t, g) => groupOf.fill(g, t.offset, t.offset + t.size));
    return { granularity, names: tensors.map((t) => t.name), sizes: tensors.map((t) => t.size), groupOf };
  }
  const names: string[] = [];
  // A 0-d tensor (a PyTorch scalar parameter) is its own one entry.
  for (const t of tensors) for (let k = 0; k < t.size; k++) names.push(t.shape.length === 0 ? t.name : `${t.name}[${indexName(t.shape, k)}]`);
  for (let i = 0; i < n; i++) groupOf[i] = i;
  return { granularity, names, sizes: new Array<number>(n).fill(1), groupOf };
}

/** λ_i = exp(φ_group(i)) for every parameter. */
export function decayVector(groups: HyperGroups, phi: Float64Array): Float64Array {
  const lambda = new Float64Array(groups.groupOf.length);
  const perGroup = phi.map(Math.exp);
  for (let i = 0; i < lambda.length; i++) lambda[i] = perGroup[groups.groupOf[i]];
  return lambda;
}

/** g_group = −Σ_{i ∈ group} x_i·λ_i·w_i: dL_V/dλ_i = −x_i·w_i (x ≈ H⁻¹∇L_V), times dλ_i/dφ = λ_i. */
export function groupHypergradient(groups: HyperGroups, x: Float64Array, lambda: Float64Array, w: Float64Array): Float64Array {
  const g = new Float64Array(groups.names.length);
  for (let i = 0; i < x.length; i++) g[groups.groupOf[i]] -= x[i] * lambda[i] * w[i];
  return g;
}
