/**
 * Integration tests inside a VS Code extension host, with the real `vscode` API: in code-server's
 * (VS Code 1.100.3) as part of `npm test` (test/e2e/vscode-api.test.ts), and in desktop VS Code
 * under @vscode/test-electron (`npm run test:vscode`, run.mjs). Either opens a throwaway workspace
 * with copies of the examples; VS Code loads this module and calls run(). A tiny sequential runner
 * keeps it free of a test framework dependency; results also go to the file named by
 * NEUMANN_LENS_TEST_RESULTS (results.ts), since the host itself only hands back an exit code.
 */
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESULTS_ENV, type SuiteResults } from './results';

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

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Polls until `probe` holds; the limit guards against a hang, it is not a timing assertion. */
async function until(what: string, probe: () => boolean, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await sleep(50);
  }
}

/** Worker processes (dist/worker.js) forked by this extension host. Needs a POSIX `ps`. */
function workerPids(): number[] {
  return execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null && Number(m[2]) === process.pid && /[\\/]dist[\\/]worker\.js\b/.test(m[3]))
    .map((m) => Number(m[1]));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Plain Quick Fixes (an edit, no re-run) the extension offers anywhere in the document. */
async function quickFixes(doc: vscode.TextDocument): Promise<vscode.CodeAction[]> {
  const all = new vscode.Range(0, 0, doc.lineCount, 0);
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, all);
  return actions.filter((a) => a.edit && !a.command);
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

it('the Neumann fixes offered for the seed, applied together through the API, make it converge', async () => {
  const uri = workspaceFile('seed-regression.neumann.json');
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const wanted = (await quickFixes(doc)).map((a) => a.title).filter((t) => t.startsWith('Set neumann.'));
  assert.ok(wanted.length > 0, 'fixes for the neumann block');
  // One at a time, each offered again against the text the previous one left.
  for (const title of wanted) {
    const fix = (await quickFixes(doc)).find((a) => a.title === title);
    assert.ok(fix?.edit, `${title} is still offered`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
  }
  const config = JSON.parse(doc.getText()) as { neumann: Record<string, unknown> };
  for (const title of wanted) {
    const m = /^Set neumann\.(\w+) to (\S+)$/.exec(title);
    assert.ok(m, `"${title}" reads "Set neumann.<key> to <number>"`);
    assert.equal(config.neumann[m[1]], Number(m[2]), `${title}: the file says so`);
  }
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const diags = ourDiagnostics(uri);
  assert.ok(diags.some((d) => /^Converges/.test(d.message)), `a convergence verdict among: ${diags.map((d) => d.message).join(' | ')}`);
  // The series converges now, but δ = 3.37 moves its limit to the other side of zero (issue 13: 2.5
  // vs −10.2 exact): the only error left is the hypergradient's, and it says so.
  const errors = diags.filter((d) => d.severity === vscode.DiagnosticSeverity.Error);
  assert.ok(errors.every((d) => d.code === 'hypergradient'), `only the hypergradient is an error: ${errors.map((d) => d.message).join(' | ')}`);
  assert.ok(errors.some((d) => /opposite sign/.test(d.message)), `the wrong sign is named: ${diags.map((d) => d.message).join(' | ')}`);
  await vscode.commands.executeCommand('workbench.action.files.revert');
});

it('a broken experiment gets an error diagnostic at its JSON path, no crash', async () => {
  const uri = workspaceFile('broken.neumann.json');
  writeFileSync(uri.fsPath, JSON.stringify({ name: 'broken', problem: { kind: 'sum-of-cubes', point: [0.05, 0.05] }, neumann: { alpha: 1, terms: 5, vector: [1, 1] }, bogus: 1 }, null, 2));
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const diags = ourDiagnostics(uri);
  const doc = await vscode.workspace.openTextDocument(uri);
  assert.ok(diags.some((d) => d.range.start.line === lineOf(doc, '"bogus"') && /bogus/.test(d.message)), 'a diagnostic on the unknown key');
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
  // Fixed in the editor, not re-run: the Problems entry goes with the error.
  await until('the fixed syntax error leaves Problems', () => ourDiagnostics(uri).length === 0);
  await editor.edit((e) => e.insert(new vscode.Position(1, 0), '  "oops": ,\n'));
  await until('a new syntax error shows at once', () => ourDiagnostics(uri).some((d) => d.range.start.line === 1));
  await vscode.commands.executeCommand('undo');
});

it('advice whose key is edited after the run is marked stale in Problems', async () => {
  const uri = workspaceFile('seed-regression.neumann.json');
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc);
  await vscode.commands.executeCommand('neumannLens.run', uri);
  const alphaLine = lineOf(doc, '"alpha"');
  assert.ok(ourDiagnostics(uri).every((d) => !d.message.startsWith('(stale')), 'fresh after the run');
  const line = doc.lineAt(alphaLine).text;
  const m = /"alpha": ([^,\s]+)/.exec(line);
  assert.ok(m, line);
  const start = line.indexOf(m[1]);
  await editor.edit((e) => e.replace(new vscode.Range(alphaLine, start, alphaLine, start + m[1].length), '0.123'));
  await until('stale advice', () => ourDiagnostics(uri).some((d) => d.message.startsWith('(stale: neumann')));
  await vscode.commands.executeCommand('workbench.action.files.revert');
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
  const experiment = workspaceFile('seed-toy-cubic.neumann.json');
  await vscode.commands.executeCommand('neumannLens.run', experiment);
  const target = workspaceFile('exported.report.json');
  await withDialogs({ save: target }, async () => {
    await vscode.commands.executeCommand('neumannLens.exportReport', 'json');
  });
  const report = JSON.parse(Buffer.from(await vscode.workspace.fs.readFile(target)).toString('utf8')) as { schemaVersion: number; experimentFile: string };
  assert.equal(report.schemaVersion, 1);
  assert.equal(report.experimentFile, experiment.fsPath, 'the report of the run just made');
});

it('Stop Session ends a running session: its worker is gone and it leaves no diagnostics', async () => {
  const uri = workspaceFile('tanh-classifier.neumann.json');
  assert.deepEqual(workerPids(), [], 'no worker before the run');
  const running = vscode.commands.executeCommand('neumannLens.run', uri);
  await until('the worker process', () => workerPids().length > 0);
  const workers = workerPids();
  await vscode.commands.executeCommand('neumannLens.stop');
  await running;
  assert.deepEqual(workers.filter(alive), [], 'the worker has exited');
  // A run that completed would have published its verdict (every report has one) as a diagnostic.
  assert.deepEqual(ourDiagnostics(uri).map((d) => d.message), [], 'a stopped run publishes nothing');
});

export async function run(): Promise<void> {
  const resultsFile = process.env[RESULTS_ENV];
  const record: SuiteResults = { planned: tests.map((t) => t.name), results: [], finished: false };
  const save = () => resultsFile && writeFileSync(resultsFile, JSON.stringify(record, null, 2));
  save();
  for (const t of tests) {
    let timer: NodeJS.Timeout | undefined;
    const start = Date.now();
    try {
      await Promise.race([
        t.fn(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no result after ${TEST_TIMEOUT_MS / 1000} s`)), TEST_TIMEOUT_MS);
        }),
      ]);
      record.results.push({ name: t.name, ok: true, durationMs: Date.now() - start });
      console.log(`ok - ${t.name}`);
    } catch (err) {
      const error = err instanceof Error ? (err.stack ?? err.message) : String(err);
      record.results.push({ name: t.name, ok: false, durationMs: Date.now() - start, error });
      console.log(`not ok - ${t.name}\n  ${error}`);
    } finally {
      clearTimeout(timer);
      save();
    }
  }
  record.finished = true;
  save();
  const failed = record.results.filter((r) => !r.ok).length;
  console.log(`# tests ${tests.length}\n# pass ${tests.length - failed}\n# fail ${failed}`);
  if (failed > 0) throw new Error(`${failed} of ${tests.length} VS Code integration tests failed`);
}
