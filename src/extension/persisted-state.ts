/**
 * The panel state as kept in workspaceState across window reloads. Mementos are stored as JSON,
 * which has no Infinity or NaN, yet a diverging series reports exactly those (‖v_j‖ = Infinity): a
 * plain round trip would turn them into null and the restored state would fail validation. Non-finite
 * numbers are therefore tagged on the way in and restored on the way out. Pure.
 */
import { checkPanelState } from '../protocol/validate';
import type { PanelState } from '../protocol/webview';

const TAG = '$nonFinite';

export function encodeState(state: PanelState): unknown {
  return JSON.parse(
    JSON.stringify(state, (_key, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? { [TAG]: String(v) } : v)),
  );
}

/** The saved state, or the reason it cannot be used (absent, or not a PanelState). */
export function decodeState(saved: unknown): { state: PanelState } | { problem: string } {
  if (saved === undefined || saved === null) return { problem: 'nothing saved' };
  const value = revive(saved);
  const problem = checkPanelState(value);
  return problem === null ? { state: value as PanelState } : { problem };
}

function revive(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(revive);
  if (typeof v !== 'object' || v === null) return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  if (keys.length === 1 && keys[0] === TAG && ['Infinity', '-Infinity', 'NaN'].includes(o[TAG] as string)) return Number(o[TAG]);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = revive(o[k]);
  return out;
}
