/**
 * The Problems-panel side of a run: turns planned diagnostics (diagnostics-model.ts) into a
 * DiagnosticCollection, keeps them on their keys while the file is edited, and offers each
 * recommendation's fix as a Quick Fix (plus "… and re-run"). Fixes are applied as one
 * WorkspaceEdit computed by fix-edit.ts, so they are undoable like any edit.
 */
import * as vscode from 'vscode';
import { formatJsonPath } from '../core/config/json-path';
import type { ConfigFix } from '../core/diagnosis/report';
import { computeFixEdits, computeFixesEdit } from './fix-edit';
import { fixesAt, groupsAt, relocate, togetherLabel, type PlannedDiagnostic, type Span } from './diagnostics-model';
import { displayMessage, displaySeverity, refresh } from './diagnostics-refresh';

export const DIAGNOSTIC_SOURCE = 'Neumann Lens';
export const RUN_COMMAND = 'neumannLens.run';

const SEVERITY: Record<PlannedDiagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function toRange(s: Span): vscode.Range {
  return new vscode.Range(s.start.line, s.start.character, s.end.line, s.end.character);
}

/** Applies a fix to the experiment file as one undoable edit; false (with a message) when it cannot. */
export async function applyFix(uri: vscode.Uri, fix: ConfigFix): Promise<boolean> {
  const doc = await vscode.workspace.openTextDocument(uri);
  let edit: vscode.WorkspaceEdit;
  try {
    edit = fixWorkspaceEdit(doc, fix);
  } catch (err) {
    void vscode.window.showErrorMessage(`Neumann Lens: ${(err as Error).message}`);
    return false;
  }
  const ok = await vscode.workspace.applyEdit(edit);
  if (!ok) void vscode.window.showErrorMessage(`Neumann Lens: could not edit ${vscode.workspace.asRelativePath(uri)}`);
  return ok;
}

/** The fix as a WorkspaceEdit of the document's current text; throws InputError when it cannot apply. */
export function fixWorkspaceEdit(doc: vscode.TextDocument, fix: ConfigFix): vscode.WorkspaceEdit {
  const edit = new vscode.WorkspaceEdit();
  for (const e of computeFixEdits(doc.getText(), fix)) {
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(e.offset), doc.positionAt(e.offset + e.length)), e.content);
  }
  return edit;
}

export class DiagnosticsManager implements vscode.Disposable, vscode.CodeActionProvider {
  static readonly providedCodeActionKinds = [vscode.CodeActionKind.QuickFix];

  private readonly collection = vscode.languages.createDiagnosticCollection('neumannLens');
  /** Planned diagnostics of the last run of each experiment file (they may sit on other files: CSVs). */
  private readonly runs = new Map<string, PlannedDiagnostic[]>();
  private readonly disposables: vscode.Disposable[] = [];

  /** `canEdit(uri)` false → diagnostics without Quick Fixes (the extension's bundled examples). */
  constructor(private readonly canEdit: (uri: vscode.Uri) => boolean = () => true) {
    this.disposables.push(
      this.collection,
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.contentChanges.length > 0) this.onEdited(e.document);
      }),
    );
  }

  /** Replaces the diagnostics of the previous run of `experimentFile` with these. */
  setRun(experimentFile: string, diags: PlannedDiagnostic[]): void {
    const touched = this.filesOf(experimentFile);
    this.runs.set(experimentFile, diags);
    for (const d of diags) touched.add(d.file);
    for (const f of touched) this.publish(f);
  }

  clearRun(experimentFile: string): void {
    const touched = this.filesOf(experimentFile);
    this.runs.delete(experimentFile);
    for (const f of touched) this.publish(f);
  }

  /** Planned diagnostics currently shown for a file, from every run. */
  planned(file: string): PlannedDiagnostic[] {
    return [...this.runs.values()].flat().filter((d) => d.file === file);
  }

  private filesOf(experimentFile: string): Set<string> {
    return new Set((this.runs.get(experimentFile) ?? []).map((d) => d.file));
  }

  /**
   * An edited experiment file gets its run's entries recomputed (refresh: the current text's own
   * check, stale advice); any other file (a CSV with a data error) only moves its entries.
   */
  private onEdited(doc: vscode.TextDocument): void {
    const file = doc.uri.fsPath;
    const text = doc.getText();
    const touched = new Set<string>();
    for (const [run, diags] of this.runs) {
      if (run === file) {
        const next = refresh(diags, file, text);
        for (const d of [...diags, ...next]) touched.add(d.file);
        this.runs.set(run, next);
      } else if (diags.some((d) => d.file === file)) {
        this.runs.set(run, [...diags.filter((d) => d.file !== file), ...relocate(diags.filter((d) => d.file === file), text)]);
        touched.add(file);
      }
    }
    for (const f of touched) this.publish(f);
  }

  private publish(file: string): void {
    const uri = vscode.Uri.file(file);
    const list = this.planned(file);
    this.collection.set(
      uri,
      list.map((p) => {
        const d = new vscode.Diagnostic(toRange(p.range), displayMessage(p), SEVERITY[displaySeverity(p)]);
        d.source = DIAGNOSTIC_SOURCE;
        d.code = p.code;
        return d;
      }),
    );
  }

  provideCodeActions(
    document: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
  ): vscode.CodeAction[] {
    if (!this.canEdit(document.uri)) return [];
    const found = fixesAt(this.planned(document.uri.fsPath), range.start.line, range.end.line);
    const actions: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    for (const { diag, fix } of found) {
      const id = `${formatJsonPath(fix.path)}=${fix.value}`;
      if (seen.has(id)) continue;
      seen.add(id);
      const matching = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.message === displayMessage(diag));
      let edit: vscode.WorkspaceEdit;
      try {
        edit = fixWorkspaceEdit(document, fix);
      } catch {
        continue; // the file no longer has room for this fix (e.g. `neumann` became a non-object)
      }
      const plain = new vscode.CodeAction(fix.label, vscode.CodeActionKind.QuickFix);
      plain.edit = edit;
      plain.diagnostics = matching;
      plain.isPreferred = actions.length === 0;
      const rerun = new vscode.CodeAction(`${fix.label} and re-run the diagnosis`, vscode.CodeActionKind.QuickFix);
      rerun.edit = edit;
      rerun.diagnostics = matching;
      rerun.command = { command: RUN_COMMAND, title: 'Re-run diagnosis', arguments: [document.uri] };
      actions.push(plain, rerun);
    }
    // Fixes that only work together: one edit, first in the menu (each alone would leave the series failing).
    const groups: vscode.CodeAction[] = [];
    for (const { diag, fixes } of groupsAt(this.planned(document.uri.fsPath), range.start.line, range.end.line)) {
      const label = togetherLabel(fixes);
      if (seen.has(label)) continue;
      seen.add(label);
      let edit: vscode.WorkspaceEdit;
      try {
        const e = computeFixesEdit(document.getText(), fixes);
        edit = new vscode.WorkspaceEdit();
        edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.content);
      } catch {
        continue;
      }
      const matching = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.message === diag.message);
      const all = new vscode.CodeAction(label, vscode.CodeActionKind.QuickFix);
      all.edit = edit;
      all.diagnostics = matching;
      const rerun = new vscode.CodeAction(`${label} and re-run the diagnosis`, vscode.CodeActionKind.QuickFix);
      rerun.edit = edit;
      rerun.diagnostics = matching;
      rerun.command = { command: RUN_COMMAND, title: 'Re-run diagnosis', arguments: [document.uri] };
      groups.push(all, rerun);
    }
    if (groups.length > 0) {
      for (const a of actions) a.isPreferred = false;
      groups[0].isPreferred = true;
    }
    return [...groups, ...actions];
  }

  dispose(): void {
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}
