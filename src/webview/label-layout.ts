/**
 * Places chart labels along one axis so that none overlaps another: each label wants to start
 * at `at` and is `size` long; the result keeps their order, moves each as little as a greedy sweep
 * allows, and stays inside [lo, hi] when they fit. Pure (canvas pixels in, pixels out).
 */
export interface LabelSlot {
  at: number;
  size: number;
}

export function spreadLabels(labels: readonly LabelSlot[], lo: number, hi: number, gap = 0): number[] {
  const order = labels.map((_, i) => i).sort((a, b) => labels[a].at - labels[b].at);
  const out = labels.map((l) => Math.min(Math.max(l.at, lo), Math.max(lo, hi - l.size)));
  // Forward: push each label past the end of the one before it.
  for (let k = 1; k < order.length; k++) {
    const prev = order[k - 1];
    const cur = order[k];
    out[cur] = Math.max(out[cur], out[prev] + labels[prev].size + gap);
  }
  // Backward: what ran past `hi` comes back, pushing its neighbours before it.
  for (let k = order.length - 1; k >= 0; k--) {
    const cur = order[k];
    const limit = k === order.length - 1 ? hi - labels[cur].size : out[order[k + 1]] - labels[cur].size - gap;
    out[cur] = Math.max(lo, Math.min(out[cur], limit));
  }
  return out;
}
