/**
 * The command palette: Run Diagnosis, Stop Session, Show Panel, Show Output, New Experiment,
 * Export Report. Choosing files and formats happens here; the work is done by the session
 * controller, the panel host and the pure modules.
 */
import * as vscode from 'vscode';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ExportFormat } from '../protocol/webview';
import { defaultExportName, EXPORT_FORMATS, openWith, renderExport } from './export-report';
import type { PanelHost } from './panel-host';
import type { PanelModel } from './panel-model';
import type { SessionController } from './session-controller';
import { defaultTargetName, experimentCopyText, listTemplates, scaffoldCopies, TEMPLATE_SUFFIX, type Template } from './templates';

export const COMMANDS = {
  run: 'neumannLens.run',
  stop: 'neumannLens.stop',
  showPanel: 'neumannLens.showPanel',
  showOutput: 'neumannLens.showOutput',
  newExperiment: 'neumannLens.newExperiment',
  exportReport: 'neumannLens.exportReport',
} as const;

export interface CommandDeps {
  context: vscode.ExtensionContext;
  controller: SessionController;
  panel: PanelHost;
  model: PanelModel;
  log: vscode.LogOutputChannel;
}

export function isExperimentUri(uri: vscode.Uri): boolean {
  return uri.path.endsWith(TEMPLATE_SUFFIX);
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { controller, panel, log } = deps;
  return [
    vscode.commands.registerCommand(COMMANDS.run, async (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : await pickExperiment(deps);
      if (uri) await controller.run(uri);
    }),
    vscode.commands.registerCommand(COMMANDS.stop, async () => {
      if (!controller.running) {
        void vscode.window.showInformationMessage('Neumann Lens: no session is running.');
        return;
      }
      await controller.stop();
    }),
    vscode.commands.registerCommand(COMMANDS.showPanel, () => panel.show()),
    vscode.commands.registerCommand(COMMANDS.showOutput, () => log.show()),
    vscode.commands.registerCommand(COMMANDS.newExperiment, () => newExperiment(deps)),
    vscode.commands.registerCommand(COMMANDS.exportReport, (format?: unknown) =>
      exportReport(deps, EXPORT_FORMATS.some((f) => f.format === format) ? (format as ExportFormat) : undefined),
    ),
  ];
}

/** The active experiment editor, else a pick of the workspace's experiments and the bundled examples. */
async function pickExperiment(deps: CommandDeps): Promise<vscode.Uri | undefined> {
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active && isExperimentUri(active)) return active;
  const found = await vscode.workspace.findFiles(`**/*${TEMPLATE_SUFFIX}`, '**/node_modules/**', 200);
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri };
  const items: Item[] = found
    .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
    .map((uri) => ({ label: basename(uri.fsPath), description: vscode.workspace.asRelativePath(dirname(uri.fsPath)), uri }));
  const examples = listTemplates(deps.context.asAbsolutePath('examples'));
  if (examples.length > 0) {
    items.push({ label: 'Bundled examples', kind: vscode.QuickPickItemKind.Separator });
    for (const t of examples) items.push({ label: basename(t.file), description: t.label, detail: t.detail, uri: vscode.Uri.file(t.file) });
  }
  if (items.length === 0) {
    void vscode.window.showInformationMessage('Neumann Lens: no *.neumann.json experiment found. Create one with "Neumann Lens: New Experiment".');
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(items, { title: 'Neumann Lens: Run Diagnosis', placeHolder: 'Experiment to diagnose', matchOnDescription: true });
  return pick?.uri;
}

async function newExperiment(deps: CommandDeps): Promise<void> {
  const templates = listTemplates(deps.context.asAbsolutePath('examples'));
  if (templates.length === 0) {
    void vscode.window.showErrorMessage('Neumann Lens: the extension ships no templates (examples/ is missing).');
    return;
  }
  const pick = await vscode.window.showQuickPick(
    templates.map((t) => ({ label: t.label, description: basename(t.file), detail: t.detail, template: t })),
    { title: 'Neumann Lens: New Experiment', placeHolder: 'Template', matchOnDescription: true },
  );
  if (!pick) return;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    title: 'Save the new experiment',
    defaultUri: folder
      ? vscode.Uri.joinPath(folder, defaultTargetName(pick.template, (name) => existsSync(join(folder.fsPath, name))))
      : undefined,
    filters: { 'Neumann Lens experiment': ['json'] },
    saveLabel: 'Create',
  });
  if (!target) return;
  if (target.scheme !== 'file') {
    void vscode.window.showErrorMessage('Neumann Lens: experiments are created on the local file system of the workspace.');
    return;
  }
  // The save dialog has already confirmed replacing the experiment file itself.
  const written = await copyTemplate(pick.template, target.fsPath);
  if (!written) return;
  const doc = await vscode.workspace.openTextDocument(target);
  await vscode.window.showTextDocument(doc);
  deps.log.info(`created ${target.fsPath} from the ${pick.template.id} template`);
}

/** Copies the template and its data files; asks before replacing a different existing data file. */
async function copyTemplate(template: Template, target: string): Promise<boolean> {
  const text = readFileSync(template.file, 'utf8');
  const copies = scaffoldCopies(template.file, text, target);
  for (const [i, c] of copies.entries()) {
    const bytes = i === 0 ? Buffer.from(experimentCopyText(text), 'utf8') : await vscode.workspace.fs.readFile(vscode.Uri.file(c.from));
    if (i > 0 && existsSync(c.to)) {
      if (Buffer.compare(readFileSync(c.to), Buffer.from(bytes)) === 0) continue;
      const answer = await vscode.window.showWarningMessage(
        `${vscode.workspace.asRelativePath(c.to)} already exists with other content. Replace it with the template's?`,
        { modal: true },
        'Replace',
        'Keep Existing',
      );
      if (answer === undefined) return false;
      if (answer === 'Keep Existing') continue;
    }
    await vscode.workspace.fs.createDirectory(vscode.Uri.file(dirname(c.to)));
    await vscode.workspace.fs.writeFile(vscode.Uri.file(c.to), bytes);
  }
  return true;
}

async function exportReport(deps: CommandDeps, format?: ExportFormat): Promise<void> {
  const report = deps.model.current.report;
  if (!report) {
    void vscode.window.showInformationMessage('Neumann Lens: no report yet. Run a diagnosis first.');
    return;
  }
  if (!format) {
    const pick = await vscode.window.showQuickPick(
      EXPORT_FORMATS.map((f) => ({ label: f.label, format: f.format })),
      { title: 'Neumann Lens: Export Report', placeHolder: 'Format' },
    );
    if (!pick) return;
    format = pick.format;
  }
  const spec = EXPORT_FORMATS.find((f) => f.format === format)!;
  const dir = report.experimentFile ? dirname(report.experimentFile) : vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const name = defaultExportName(report, format);
  const target = await vscode.window.showSaveDialog({
    title: 'Export the diagnosis report',
    defaultUri: dir ? vscode.Uri.file(join(dir, name)) : undefined,
    filters: { [spec.filterName]: [spec.extension] },
    saveLabel: 'Export',
  });
  if (!target) return;
  await vscode.workspace.fs.writeFile(target, Buffer.from(renderExport(report, format), 'utf8'));
  // Not awaited: the command is done when the file is written, whether or not the toast is answered.
  void vscode.window
    .showInformationMessage(`Neumann Lens: report saved to ${vscode.workspace.asRelativePath(target)}`, 'Open')
    .then((open) => open && openExport(target, format));
}

async function openExport(target: vscode.Uri, format: ExportFormat): Promise<void> {
  switch (openWith(format)) {
    case 'browser':
      await vscode.env.openExternal(target);
      return;
    case 'markdown-preview':
      await vscode.commands.executeCommand('markdown.showPreview', target);
      return;
    case 'editor':
      await vscode.commands.executeCommand('vscode.open', target);
  }
}
