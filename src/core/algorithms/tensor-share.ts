/**
 * Where a direction in parameter space lives: the share of ‖v‖² in each parameter tensor, for a
 * Ritz vector of λ_min or λ_max ("97 % of the negative-curvature direction is in 0.weight").
 */
import { paramCount } from '../model/mlp';
import { exportStateDict } from '../model/state-dict';

/** A parameter tensor in flattening order: its state_dict name and number of entries. */
export interface TensorSlot {
  name: string;
  size: number;
}

/** name → fraction of ‖v‖² (the fractions sum to 1), in layout order. */
export function tensorShare(v: Float64Array, layout: readonly TensorSlot[]): Record<string, number> {
  let total = 0;
  const names = new Set<string>();
  for (const slot of layout) {
    if (!(Number.isInteger(slot.size) && slot.size >= 0)) throw new RangeError(`tensorShare: tensor '${slot.name}' has size ${slot.size}`);
    if (names.has(slot.name)) throw new RangeError(`tensorShare: tensor '${slot.name}' appears twice in the layout`);
    names.add(slot.name);
    total += slot.size;
  }
  if (total !== v.length) throw new RangeError(`tensorShare: the layout has ${total} entries, the vector ${v.length}`);
  const sums = layout.map(() => 0);
  let offset = 0;
  let all = 0;
  layout.forEach((slot, k) => {
    for (let i = offset; i < offset + slot.size; i++) sums[k] += v[i] * v[i];
    offset += slot.size;
    all += sums[k];
  });
  if (!(all > 0) || !Number.isFinite(all)) throw new RangeError('tensorShare: the vector must be finite and non-zero');
  return Object.fromEntries(layout.map((slot, k) => [slot.name, sums[k] / all]));
}

/**
 * The layout of an MLP's flat vector, named as its PyTorch nn.Sequential state_dict (`0.weight`,
 * `0.bias`, `2.weight`, …): taken from exportStateDict itself so the names have one source.
 */
export function mlpParameterLayout(layers: readonly number[]): TensorSlot[] {
  const dict = exportStateDict(new Float64Array(paramCount(layers)), [...layers]);
  return Object.entries(dict).map(([name, t]) => ({ name, size: Array.isArray(t[0]) ? (t as number[][]).length * (t as number[][])[0].length : t.length }));
}
