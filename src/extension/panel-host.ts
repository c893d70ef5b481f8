/**
 * Hosts the diagnosis panel (WebviewPanel `neumannLens.panel`): creates or restores it, gives it
 * the strict-CSP shell, connects it to the PanelModel, and hands validated panel messages to the
 * controller. Messages from the webview are untrusted input: anything acceptPanelMessage rejects
 * is logged and dropped; what the panel itself rejected (`rejected`) is logged too.
 */
import * as vscode from 'vscode';
import { encodeNonFinite } from '../protocol/non-finite';
import { readdirSync } from 'node:fs';
import type { PanelToHost } from '../protocol/webview';
import { makeNonce, panelHtml } from './panel-html';
import type { PanelModel } from './panel-model';
import { acceptPanelMessage } from './panel-requests';
import { decodeState } from './persisted-state';

export const PANEL_VIEW_TYPE = 'neumannLens.panel';
const TITLE = 'Neumann Lens';

export class PanelHost implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private panelDisposables: vscode.Disposable[] = [];
  private readonly mediaRoot: vscode.Uri;

  constructor(
    extensionUri: vscode.Uri,
    private readonly model: PanelModel,
    private readonly onMessage: (msg: Exclude<PanelToHost, { type: 'ready' | 'rejected' }>) => void,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.mediaRoot = vscode.Uri.joinPath(extensionUri, 'media');
  }

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  get isVisible(): boolean {
    return this.panel?.visible ?? false;
  }

  show(preserveFocus = false): void {
    if (this.panel) {
      this.panel.reveal(this.panel.viewColumn, preserveFocus);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      PANEL_VIEW_TYPE,
      TITLE,
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus },
      this.webviewOptions(),
    );
    this.adopt(panel);
  }

  /** For the serializer: a panel VS Code restored after a reload, with the webview's saved state. */
  restore(panel: vscode.WebviewPanel, savedState: unknown): void {
    const decoded = decodeState(savedState);
    if ('state' in decoded && this.model.restore(decoded.state)) this.log.info('panel restored with its saved state');
    this.adopt(panel);
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [this.mediaRoot],
      // The model re-sends a snapshot when the panel is shown again, so the webview need not be kept alive.
      retainContextWhenHidden: false,
    };
  }

  private adopt(panel: vscode.WebviewPanel): void {
    this.disposePanel();
    this.panel = panel;
    panel.title = TITLE;
    panel.iconPath = vscode.Uri.joinPath(this.mediaRoot, '..', 'resources', 'icon.png');
    panel.webview.options = this.webviewOptions();
    const webview = panel.webview;
    this.model.attach((msg) => {
      // VS Code carries webview messages as JSON: tag ∞/NaN so a diverged run's numbers survive.
      void webview.postMessage(encodeNonFinite(msg));
    });
    this.panelDisposables.push(
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      panel.onDidChangeViewState(() => this.model.setVisible(panel.visible)),
      panel.onDidDispose(() => {
        if (this.panel === panel) {
          this.panel = undefined;
          this.model.detach();
          this.disposeListeners();
        }
      }),
    );
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot, 'panel.js')).toString(),
      styleUris: this.stylesheets().map((f) => webview.asWebviewUri(vscode.Uri.joinPath(this.mediaRoot, f)).toString()),
      title: TITLE,
    });
  }

  /** Whatever CSS the panel ships in media/ (uPlot's), with panel.css last so it can override. */
  private stylesheets(): string[] {
    let css: string[] = [];
    try {
      css = readdirSync(this.mediaRoot.fsPath).filter((f) => f.endsWith('.css'));
    } catch {
      this.log.warn(`no media folder at ${this.mediaRoot.fsPath}`);
    }
    return css.sort((a, b) => Number(a === 'panel.css') - Number(b === 'panel.css') || a.localeCompare(b));
  }

  private receive(raw: unknown): void {
    const checked = acceptPanelMessage(raw, this.model.current.report);
    if (!checked.ok) {
      this.log.warn(`ignored a message from the panel: ${checked.problem}`);
      return;
    }
    const msg = checked.msg;
    if (msg.type === 'ready') {
      this.model.panelReady();
      return;
    }
    if (msg.type === 'rejected') {
      this.log.warn(`the panel rejected ${msg.what}: ${msg.problem}`);
      return;
    }
    this.onMessage(msg);
  }

  private disposeListeners(): void {
    for (const d of this.panelDisposables.splice(0)) d.dispose();
  }

  private disposePanel(): void {
    this.disposeListeners();
    const old = this.panel;
    this.panel = undefined;
    old?.dispose();
  }

  dispose(): void {
    this.model.detach();
    this.disposePanel();
  }
}
