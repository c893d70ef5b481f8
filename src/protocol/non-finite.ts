/**
 * JSON has no Infinity or NaN, yet a diverging series reports exactly those (‖v_j‖ = Infinity),
 * and everything that reaches the panel goes through JSON: VS Code serialises webview.postMessage
 * and setState as JSON strings, so a bare Infinity would arrive as null and fail validation. The
 * host encodes before posting; the panel revives on receipt and on getState. The host's workspaceState
 * memento (src/extension/persisted-state.ts) uses the same pair.
 */
export const NON_FINITE_TAG = '$nonFinite';

export function encodeNonFinite(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value : { [NON_FINITE_TAG]: String(value) };
  if (Array.isArray(value)) return value.map(encodeNonFinite);
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = encodeNonFinite(v);
  return out;
}

export function reviveNonFinite(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reviveNonFinite);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === NON_FINITE_TAG && ['Infinity', '-Infinity', 'NaN'].includes(o[NON_FINITE_TAG] as string)) {
    return Number(o[NON_FINITE_TAG]);
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = reviveNonFinite(o[k]);
  return out;
}
