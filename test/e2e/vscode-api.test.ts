// The extension's integration suite (test/vscode-electron/suite.ts: commands, a diagnosis run
// through the command, diagnostics on the experiment file, Quick Fixes applied through the API,
// New Experiment, Export, Stop) inside a real VS Code extension host: code-server 4.100.3 (VS Code
// 1.100.3) loads the built extension, laid out as the .vsix holds it, as the extension under
// development and runs the suite with the real `vscode` API (see harness/extension-tests.ts).
// Chromium only opens the workbench so that the extension host starts; nothing is clicked.
// Each suite test is reported as a subtest here, from the results file the suite writes; the
// extension host's exit code must say the same.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { RESULTS_ENV, type SuiteResults } from '../vscode-electron/results';
import { CodeServer } from './harness/code-server';
import { runExtensionTests, type ExtensionTestsRun } from './harness/extension-tests';
import { PACKAGED } from './harness/neumann';
import { e2eGate, extensionFolderName, repoRoot } from './harness/prerequisites';
import { launchBrowser } from './harness/workbench';

const gate = e2eGate({ extension: true });
/** Hang guards (each suite test also has its own), not timing assertions. */
const SUITE_TIMEOUT_MS = 10 * 60_000;
const PROBE_TIMEOUT_MS = 2 * 60_000;

function readResults(file: string, run: ExtensionTestsRun): SuiteResults {
  if (!existsSync(file)) {
    const tail = run.console.slice(-40).join('\n');
    throw new Error(`the suite wrote no results (exit code ${run.exitCode}); workbench console:\n${tail}`);
  }
  return JSON.parse(readFileSync(file, 'utf8')) as SuiteResults;
}

describe('integration suite in the extension host of code-server (VS Code 1.100.3)', () => {
  let work: string;
  let server: CodeServer;
  let browser: Browser;
  let extension: string;
  const resultsFile = () => join(work, 'results.json');

  before(async () => {
    if (gate.skip) return;
    gate.assertReady();
    work = mkdtempSync(join(tmpdir(), 'neumann-vscode-api-'));
    server = await CodeServer.start({ extensions: [], env: { [RESULTS_ENV]: resultsFile() } });
    // The suite edits and creates files: it works on copies of the examples.
    cpSync(join(repoRoot, 'examples'), server.workspace, { recursive: true });
    // Under the server's temp dir, so that stopping the server also ends any worker left behind.
    extension = join(server.tempRoot, 'development', extensionFolderName(repoRoot));
    for (const entry of PACKAGED) {
      const src = join(repoRoot, entry);
      if (existsSync(src)) cpSync(src, join(extension, entry), { recursive: true, dereference: true });
    }
    // Inside the extension's folder: the host gives a module the `vscode` API object of the
    // extension it belongs to, so the suite can stand in for dialogs the extension opens.
    const { bundleSuite } = (await import(pathToFileURL(join(repoRoot, 'test/vscode-electron/bundle.mjs')).href)) as {
      bundleSuite: (outfile: string) => Promise<void>;
    };
    await bundleSuite(join(extension, 'integration', 'suite.js'));
    writeFileSync(join(extension, 'integration', 'failing.js'), "exports.run = async () => { throw new Error('fails on purpose'); };\n");
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close().catch(() => {});
    await server?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('a tests module whose run() rejects comes back as exit code 1', { skip: gate.skip }, async () => {
    const run = await runExtensionTests(browser, server, {
      developmentPath: extension,
      testsPath: join(extension, 'integration', 'failing.js'),
      timeoutMs: PROBE_TIMEOUT_MS,
    });
    assert.equal(run.exitCode, 1);
    assert.ok(run.console.some((l) => l.includes('fails on purpose')), 'the rejection reaches the workbench console');
  });

  test('the suite passes with the real vscode API', { skip: gate.skip }, async (t) => {
    const run = await runExtensionTests(browser, server, {
      developmentPath: extension,
      testsPath: join(extension, 'integration', 'suite.js'),
      timeoutMs: SUITE_TIMEOUT_MS,
    });
    const results = readResults(resultsFile(), run);
    for (const r of results.results) {
      await t.test(r.name, (st) => {
        st.diagnostic(`${r.durationMs} ms in the extension host`);
        if (!r.ok) assert.fail(r.error ?? 'failed');
      });
    }
    assert.deepEqual(results.results.map((r) => r.name), results.planned, 'every test of the suite ran');
    assert.ok(results.finished, 'the suite ran to its end');
    assert.ok(results.planned.length > 0);
    assert.equal(run.exitCode, results.results.every((r) => r.ok) ? 0 : 1, 'the exit code agrees with the results');
  });
});
