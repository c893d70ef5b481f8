/**
 * The panel state as kept in workspaceState across window reloads. Mementos are stored as JSON,
 * which has no Infinity or NaN, yet a diverging series reports exactly those (‖v_j‖ = Infinity): a
 * plain round trip would turn them into null and the restored state would fail validation. Non-finite
 * numbers are therefore tagged on the way in and restored on the way out. Pure.
 */
import { encodeNonFinite, reviveNonFinite } from '../protocol/non-finite';
import { problemIn } from '../protocol/check';
import { PanelState } from '../protocol/webview';

export function encodeState(state: PanelState): unknown {
  return encodeNonFinite(state);
}

/** The saved state, or the reason it cannot be used (absent, or not a PanelState). */
export function decodeState(saved: unknown): { state: PanelState } | { problem: string } {
  if (saved === undefined || saved === null) return { problem: 'nothing saved' };
  const value = reviveNonFinite(saved);
  const problem = problemIn(PanelState, value, 'state');
  return problem === null ? { state: value as PanelState } : { problem };
}
