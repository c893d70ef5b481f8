/**
 * Small editor surfaces: the "▶ Run diagnosis" CodeLens at the top of every experiment file and
 * the status bar item (id `neumannLens.status`) that shows the phase or the last verdict.
 */
import * as vscode from 'vscode';
import type { PanelState } from '../protocol/webview';
import { statusView } from './status-text';

export const STATUS_ITEM_ID = 'neumannLens.status';

export class RunCodeLensProvider implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return [
      new vscode.CodeLens(new vscode.Range(0, 0, 0, 0), {
        title: '▶ Run diagnosis',
        tooltip: 'Neumann Lens: train, measure the Hessian spectrum and check the Neumann series',
        command: 'neumannLens.run',
        arguments: [document.uri],
      }),
    ];
  }
}

export function createStatusItem(): vscode.StatusBarItem {
  const item = vscode.window.createStatusBarItem(STATUS_ITEM_ID, vscode.StatusBarAlignment.Left, 50);
  item.name = 'Neumann Lens';
  item.command = 'neumannLens.showPanel';
  return item;
}

export function updateStatusItem(item: vscode.StatusBarItem, state: PanelState): void {
  const view = statusView(state);
  item.text = view.text;
  item.tooltip = view.tooltip;
  item.backgroundColor =
    view.tone === 'error'
      ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : view.tone === 'warning'
        ? new vscode.ThemeColor('statusBarItem.warningBackground')
        : undefined;
  item.accessibilityInformation = { label: view.tooltip, role: 'button' };
  item.show();
}
