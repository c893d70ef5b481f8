/**
 * Integration tests inside desktop VS Code (the extension host of @vscode/test-electron; started
 * by run.mjs, which opens a throwaway workspace with copies of the examples). VS Code loads this
 * module and calls run(). A tiny sequential runner keeps it free of a test framework dependency.
 * Not runnable on this project's machines (no VS Code download); see run.mjs.
 */
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const EXTENSION_ID = 'neumann-lens.neumann-lens';
const COMMANDS = [
  'neumannLens.run',
  'neumannLens.stop',
  'neumannLens.showPanel',
  'neumannLens.showOutput',
  'neumannLens.newExperiment',
  'neumannLens.exportReport',
];
/** Guards against a hang, not a timing assertion. */
const TEST_TIMEOUT_MS = 180_000;

const tests: { name: string; fn: () => Promise<void> }[] = [];
const it = (name: string, fn: () => Promise<void>) => tests.push({ name, fn });

function workspaceFile(name: string): vscode.Uri {
  const dir = process.env.NEUMANN_LENS_TEST_WORKSPACE ?? vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  assert.ok(dir, 'a test workspace');
  return vscode.Uri.file(join(dir, name));
}

function ourDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'Neumann Lens');
}

function lineOf(doc: vscode.TextDocument, needle: string): number {
  for (let i = 0; i < doc.lineCount; i++) if (doc.lineAt(i).text.includes(needle)) return i;
  return -1;
}

it('activates and registers every command', async () => {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is installed`);
  await ext.activate();
  const all = await vscode.commands.getCommands(true);
  for (const c of COMMANDS) assert.ok(all.includes(c), c);
  const pkg = ext.packageJSON as { contributes: { jsonValidation: { fileMatch: string }[] }; activationEvents: string[] };
  assert.ok(pkg.contributes.jsonValidation.some((j) => j.fileMatch === '*.neumann.json'));
  assert.ok(!pkg.activationEvents.includes('*'));
});

it('the seed experiment diverges: diagnostics on neumann.alpha, a Quick Fix edits the file', async () => {
  const uri = workspaceFile('seed-regression.neumann.json');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const diags = ourDiagnostics(uri);
  assert.ok(diags.length > 0, 'diagnostics after the run');
  const neumannLine = lineOf(doc, '"neumann"');
  const alphaLine = lineOf(doc, '"alpha"');
  assert.ok(diags.some((d) => d.range.start.line === alphaLine || d.range.start.line === neumannLine), 'a diagnostic in the neumann block');
  assert.ok(diags.some((d) => d.severity === vscode.DiagnosticSeverity.Error && /diverge|ρ/.test(d.message)), 'the divergence is an error');

  const at = diags.find((d) => d.range.start.line === alphaLine) ?? diags[0];
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, at.range);
  const fix = actions.find((a) => a.edit && !a.command);
  assert.ok(fix?.edit, `a Quick Fix among ${actions.map((a) => a.title).join(', ')}`);
  const before = doc.getText();
  assert.ok(await vscode.workspace.applyEdit(fix.edit));
  assert.notEqual(doc.getText(), before);
  JSON.parse(doc.getText());
  await vscode.commands.executeCommand('undo');
  assert.equal(doc.getText(), before, 'the fix is undoable');
});

it('a broken experiment gets an error diagnostic at its JSON path, no crash', async () => {
  const uri = workspaceFile('broken.neumann.json');
  writeFileSync(uri.fsPath, JSON.stringify({ name: 'broken', problem: { kind: 'sum-of-cubes', point: [0.05, 0.05] }, neumann: { alpha: 1, terms: 5, vector: [1, 1] }, bogus: 1 }, null, 2));
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const diags = ourDiagnostics(uri);
  assert.ok(diags.length > 0, 'a diagnostic for the unknown key');
  assert.ok(diags.every((d) => d.severity === vscode.DiagnosticSeverity.Error));
});

it('a syntax error in an unsaved editor is a diagnostic before any worker starts', async () => {
  const uri = workspaceFile('seed-toy-cubic.neumann.json');
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  await editor.edit((e) => e.insert(new vscode.Position(1, 0), '  "oops": ,\n'));
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const diags = ourDiagnostics(uri);
  assert.ok(diags.some((d) => d.range.start.line === 1), 'the diagnostic is on the broken line');
  await vscode.commands.executeCommand('undo');
});

/**
 * Replaces window dialogs for one test: the test shares the extension's `vscode` API object (both
 * live in the extension under development), so the commands see these answers.
 */
async function withDialogs(answers: { quickPick?: (items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined; save?: vscode.Uri }, fn: () => Promise<void>): Promise<void> {
  const w = vscode.window as unknown as Record<string, unknown>;
  const saved = { showQuickPick: w.showQuickPick, showSaveDialog: w.showSaveDialog };
  w.showQuickPick = async (items: readonly vscode.QuickPickItem[] | Thenable<readonly vscode.QuickPickItem[]>) => answers.quickPick?.(await items);
  w.showSaveDialog = async () => answers.save;
  try {
    await fn();
  } finally {
    Object.assign(w, saved);
  }
}

it('New Experiment copies a template with its data files and opens it', async () => {
  const target = workspaceFile('sub/my-logistic.neumann.json');
  await withDialogs(
    { quickPick: (items) => items.find((i) => /logistic/i.test(`${i.label} ${i.description ?? ''}`)), save: target },
    async () => {
      await vscode.commands.executeCommand('neumannLens.newExperiment');
    },
  );
  const doc = vscode.window.activeTextEditor?.document;
  assert.equal(doc?.uri.fsPath, target.fsPath, 'the new experiment is open');
  const config = JSON.parse(doc!.getText()) as { data: { train: { csv: string }; validation: { csv: string } }; $schema?: string };
  assert.equal(config.$schema, undefined, 'no relative $schema in the copy');
  for (const csv of [config.data.train.csv, config.data.validation.csv]) {
    await vscode.workspace.fs.stat(vscode.Uri.file(join(target.fsPath, '..', csv)));
  }
});

it('Export Report writes the last report as JSON', async () => {
  const target = workspaceFile('exported.report.json');
  await withDialogs({ save: target }, async () => {
    await vscode.commands.executeCommand('neumannLens.exportReport', 'json');
  });
  const report = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8')) as { schemaVersion: number };
  assert.equal(report.schemaVersion, 1);
});

it('Stop Session ends a running session', async () => {
  const uri = workspaceFile('tanh-classifier.neumann.json');
  const running = vscode.commands.executeCommand('neumannLens.run', uri);
  await new Promise((r) => setTimeout(r, 1500));
  await vscode.commands.executeCommand('neumannLens.stop');
  await running;
  await vscode.commands.executeCommand('neumannLens.showPanel');
});

export async function run(): Promise<void> {
  const failures: string[] = [];
  for (const t of tests) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no result after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS);
        }),
      ]);
      console.log(`ok - ${t.name}`);
    } catch (err) {
      failures.push(t.name);
      console.log(`not ok - ${t.name}\n  ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    } finally {
      clearTimeout(timer);
    }
  }
  console.log(`# tests ${tests.length}\n# pass ${tests.length - failures.length}\n# fail ${failures.length}`);
  if (failures.length > 0) throw new Error(`${failures.length} of ${tests.length} VS Code integration tests failed`);
}
