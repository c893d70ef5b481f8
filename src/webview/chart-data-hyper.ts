/**
 * The hyperparameter view's model from the panel state: the report's runs once it has arrived,
 * else the streamed ones (the series themselves are core/diagnosis/hyper-series.ts, shared with
 * the HTML export).
 */
import { hyperModelOf, type HyperModel } from '../core/diagnosis/hyper-series';
import { hyperRunsOf } from '../protocol/panel-state';
import type { PanelState } from '../protocol/webview';

/** Null (the view hidden) when no loop has run. */
export function hyperModel(state: PanelState): HyperModel | null {
  return hyperModelOf(hyperRunsOf(state), state.report?.hyper);
}
