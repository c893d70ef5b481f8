/**
 * Webview entry (bundled to media/panel.js). Restores the last state after a reload, then
 * announces `ready`; the host answers with a snapshot and streams messages after it.
 */
import { reviveNonFinite } from '../protocol/non-finite';
import { emptyPanelState } from '../protocol/panel-state';
import { problemIn } from '../protocol/check';
import { PanelState } from '../protocol/webview';
import { App } from './app';
import { getVsCodeApi } from './vscode-api';

function start(): void {
  const api = getVsCodeApi<unknown>();
  // Saved by this panel before a reload: JSON with non-finite numbers tagged (see panel-state.ts).
  const saved = reviveNonFinite(api.getState());
  const problem = saved === undefined ? null : problemIn(PanelState, saved, 'state');
  // A state saved by an older panel may not fit this one: start empty, and say so in the host's log.
  if (problem !== null) api.postMessage({ type: 'rejected', what: 'its saved state', problem });
  const initial = saved !== undefined && problem === null ? (saved as PanelState) : emptyPanelState();
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('main'));
  const app = new App(root, api, initial);
  window.addEventListener('message', (e: MessageEvent) => app.receive(e.data));
  api.postMessage({ type: 'ready' });
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start, { once: true });
else start();
