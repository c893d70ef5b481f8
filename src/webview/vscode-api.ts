/** The webview's handle on the host; a stub of the same shape is injected by the browser tests. */
import type { PanelToHost } from '../protocol/webview';

export interface VsCodeApi<S> {
  postMessage(msg: PanelToHost): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export function getVsCodeApi<S>(): VsCodeApi<S> {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi<S>();
  // Opened outside a webview (e.g. a bare file:// page while developing): keep working, post nowhere.
  let saved: S | undefined;
  return { postMessage: (m) => console.info('[neumann-lens panel] would post', m), getState: () => saved, setState: (s) => void (saved = s) };
}
