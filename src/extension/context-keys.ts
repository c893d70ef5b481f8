/**
 * The `when`-clause context keys the extension sets (package.json's menus read them), so the
 * palette and the editor title offer only what can act now: Stop while a run is active, Export
 * once there is a report. Pure: index.ts sets what `changedKeys` returns with `setContext`.
 */
import type { PanelState } from '../protocol/webview';

export const CONTEXT_KEYS = {
  running: 'neumannLens.running',
  hasReport: 'neumannLens.hasReport',
} as const;

export type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];
export type ContextValues = Record<ContextKey, boolean>;

export function contextValues(state: PanelState): ContextValues {
  return {
    [CONTEXT_KEYS.running]: state.session?.status === 'running',
    [CONTEXT_KEYS.hasReport]: state.report !== null,
  };
}

/** The keys whose value differs from what was set last (all of them the first time). */
export function changedKeys(previous: ContextValues | null, next: ContextValues): [ContextKey, boolean][] {
  return (Object.entries(next) as [ContextKey, boolean][]).filter(([k, v]) => previous === null || previous[k] !== v);
}
