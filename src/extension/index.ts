/**
 * Extension entry (dist/extension.js). Wires the pieces together; each lives in its own module.
 * Nothing here computes: sessions run in a worker process (SessionClient), and deactivate() ends
 * every one of them so no worker outlives the window.
 */
import * as vscode from 'vscode';
import { sep } from 'node:path';
import type { PanelToHost } from '../protocol/webview';
import { COMMANDS, isExperimentUri, registerCommands } from './commands';
import { changedKeys, contextValues, type ContextValues } from './context-keys';
import { applyFix, DiagnosticsManager } from './diagnostics';
import { createStatusItem, RunCodeLensProvider, updateStatusItem } from './editor-ui';
import { PANEL_VIEW_TYPE, PanelHost } from './panel-host';
import { PanelModel } from './panel-model';
import { SessionController } from './session-controller';
import { readSettings } from './settings';

const EXPERIMENT_SELECTOR: vscode.DocumentSelector = [{ scheme: 'file', pattern: '**/*.neumann.json' }];

let controller: SessionController | undefined;

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('Neumann Lens', { log: true });
  /** For work started outside a command (panel messages, run on save): failures are shown, not lost. */
  const report = (err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    log.error(err instanceof Error && err.stack ? err.stack : message);
    void vscode.window.showErrorMessage(`Neumann Lens: ${message}`);
  };
  const model = new PanelModel();
  // Fixes never edit the extension's own copies of the examples (they are re-installed on update).
  const bundledExamples = vscode.Uri.joinPath(context.extensionUri, 'examples').fsPath + sep;
  const isBundled = (uri: vscode.Uri) => uri.fsPath.startsWith(bundledExamples);
  const diagnostics = new DiagnosticsManager((uri) => !isBundled(uri));
  const panel = new PanelHost(context.extensionUri, model, (msg) => void onPanelMessage(msg).catch(report), log);
  const sessions = new SessionController(context, model, panel, diagnostics, log);
  controller = sessions;

  const status = createStatusItem();
  // The editor title shows Stop instead of Run while a session runs; the palette hides Stop and Export when they cannot act.
  let keys: ContextValues | null = null;
  const setKeys = (state: typeof model.current) => {
    const next = contextValues(state);
    for (const [key, value] of changedKeys(keys, next)) void vscode.commands.executeCommand('setContext', key, value);
    keys = next;
  };
  model.subscribe((state) => {
    updateStatusItem(status, state);
    setKeys(state);
  });
  const saved = sessions.savedState();
  if (saved && model.restore(saved)) sessions.restoreDiagnostics(model.current);
  else updateStatusItem(status, model.current);
  setKeys(model.current);

  async function onPanelMessage(msg: Exclude<PanelToHost, { type: 'ready' }>): Promise<void> {
    const state = model.current;
    const file = state.session?.experimentFile ?? state.report?.experimentFile ?? null;
    const uri = file ? vscode.Uri.file(file) : undefined;
    switch (msg.type) {
      case 'stop':
        await sessions.stop();
        return;
      case 'rerun':
        if (uri) await sessions.run(uri);
        return;
      case 'openExperiment':
        if (uri) await vscode.window.showTextDocument(uri, { viewColumn: vscode.ViewColumn.One });
        return;
      case 'export':
        await vscode.commands.executeCommand(COMMANDS.exportReport, msg.format);
        return;
      case 'applyFix': {
        // acceptPanelMessage has checked that the current report offers this fix.
        if (!uri) return;
        if (isBundled(uri)) {
          const pick = await vscode.window.showInformationMessage(
            'Neumann Lens: the bundled examples are read-only. Create an editable copy with "New Experiment".',
            'New Experiment',
          );
          if (pick) await vscode.commands.executeCommand(COMMANDS.newExperiment);
          return;
        }
        if (!(await applyFix(uri, msg.fix))) return;
        if (msg.rerun) {
          await sessions.run(uri);
          return;
        }
        const pick = await vscode.window.showInformationMessage(`Neumann Lens: ${msg.fix.label}. Re-run the diagnosis?`, 'Re-run');
        if (pick) await sessions.run(uri);
        return;
      }
    }
  }

  context.subscriptions.push(
    log,
    diagnostics,
    panel,
    sessions,
    status,
    ...registerCommands({ context, controller: sessions, panel, model, log }),
    vscode.window.registerWebviewPanelSerializer(PANEL_VIEW_TYPE, {
      deserializeWebviewPanel: async (webviewPanel, savedState) => panel.restore(webviewPanel, savedState),
    }),
    vscode.languages.registerCodeLensProvider(EXPERIMENT_SELECTOR, new RunCodeLensProvider()),
    vscode.languages.registerCodeActionsProvider(EXPERIMENT_SELECTOR, diagnostics, {
      providedCodeActionKinds: DiagnosticsManager.providedCodeActionKinds,
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (!isExperimentUri(doc.uri) || doc.uri.scheme !== 'file') return;
      if (readSettings((k) => vscode.workspace.getConfiguration('neumannLens').get(k)).runOnSave) void sessions.run(doc.uri).catch(report);
    }),
  );
  log.info(`Neumann Lens ${String(context.extension.packageJSON.version)} activated`);
}

export async function deactivate(): Promise<void> {
  const c = controller;
  controller = undefined;
  await c?.disposeAll();
}
