// End to end in real VS Code (code-server 1.100.3) and Chromium, light theme: a new experiment
// from a template, stopping a long run, and broken experiment files, as a user meets them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './harness/code-server';
import { e2eGate, repoRoot } from './harness/prerequisites';
import { CMD, eventually, startNeumannServer, STATUS_ITEM } from './harness/neumann';
import { shownStatus, waitForVerdict } from './harness/panel-read';
import { launchBrowser, Workbench, type Problem } from './harness/workbench';

const gate = e2eGate({ extension: true });

/** The seed example with more data, a wider model and many epochs: minutes of work if not stopped. */
function bigExperiment(): string {
  const seed = JSON.parse(readFileSync(join(repoRoot, 'examples', 'seed-regression.neumann.json'), 'utf8'));
  delete seed.$schema;
  seed.name = 'big model (to be stopped)';
  seed.data.synthetic.n = 20000;
  seed.model.layers = [1, 128, 128, 1];
  seed.training.epochs = 500;
  return JSON.stringify(seed, null, 2);
}

/** The logistic-regression example with a misspelt key, and one whose training CSV does not exist. */
function brokenExperiments(): { unknownKey: string; missingCsv: string } {
  const base = JSON.parse(readFileSync(join(repoRoot, 'examples', 'logistic-regression.neumann.json'), 'utf8'));
  delete base.$schema;
  const unknownKey = structuredClone(base);
  unknownKey.neumann = { alpha: 1, terms: 10, dampnig: 0.5 };
  const missingCsv = structuredClone(base);
  missingCsv.data.train.csv = 'no-such-file.csv';
  return { unknownKey: JSON.stringify(unknownKey, null, 2), missingCsv: JSON.stringify(missingCsv, null, 2) };
}

const lineOf = (text: string, re: RegExp): number => text.split('\n').findIndex((l) => re.test(l)) + 1;
const lineText = (text: string, line: number): string => text.split('\n')[line - 1];

describe('e2e: sessions in VS Code (light theme)', () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  const broken = gate.skip === false ? brokenExperiments() : { unknownKey: '', missingCsv: '' };

  before(async () => {
    if (gate.skip) return;
    gate.assertReady();
    // No examples in the workspace: New Experiment creates the one the first test runs.
    server = await startNeumannServer({
      examples: false,
      settings: { 'workbench.colorTheme': 'Default Light Modern' },
      extraFiles: {
        'big.neumann.json': { text: bigExperiment() },
        'broken/unknown-key.neumann.json': { text: broken.unknownKey },
        'broken/missing-csv.neumann.json': { text: broken.missingCsv },
      },
    });
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server);
  });

  after(async () => {
    await wb?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('New Experiment → logistic regression → run: converges, with α* and the terms K it needs', { skip: gate.skip }, async () => {
    await wb.runCommand(CMD.newExperiment);
    await wb.pickQuickItem('Logistic regression');
    // code-server's save dialog is VS Code's own (a quick input with the default path filled in).
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await eventually('the default file name in the save dialog', async () => /logistic-regression\.neumann\.json$/.test(await input.inputValue()));
    await wb.page.keyboard.press('Enter');
    await wb.page.locator('.tabs-container .tab.active', { hasText: 'logistic-regression.neumann.json' }).waitFor({ timeout: 15_000 });
    for (const f of ['logistic-regression.neumann.json', 'logistic-regression.train.csv', 'logistic-regression.val.csv'])
      assert.ok(existsSync(join(server.workspace, f)), `${f} was created in the workspace`);

    await wb.runCommand(CMD.run);
    const v = await waitForVerdict(wb);
    await wb.screenshot('logistic-converges-light');
    assert.match(v.title, /^Converges/);
    assert.ok(v.num.lambdaMin > 0, `convex: λ_min ${v.num.lambdaMin} > 0`);
    assert.ok(v.num.rho < 1, `ρ ${v.num.rho} < 1`);
    assert.equal(v.num.terms, 15, 'K from the template');
    // α* = 2/(λ_max + λ_min) balances both ends: the recommended α (3 significant digits) against the λs shown.
    const m = /Set α = ([\d.]+) \(α\* = 2\/\(λ_max \+ λ_min\)/.exec(v.text);
    assert.ok(m, `the panel recommends α*: ${v.text.slice(0, 800)}`);
    const alphaStar = Number(m![1]);
    const closed = 2 / (v.num.lambdaMax + v.num.lambdaMin);
    assert.ok(Math.abs(alphaStar - closed) <= 5e-3 * closed, `α* shown ${alphaStar} vs 2/(λ_max+λ_min) = ${closed}`);
    // K: the terms needed for ρ^K to reach the file's tolerance 0.001 at the configured α.
    const kClosed = Math.log(1e-3) / Math.log(v.num.rho);
    assert.ok(v.num.termsNeeded >= kClosed - 0.05 && v.num.termsNeeded < kClosed + 1.05, `K shown ${v.num.termsNeeded} vs ln(tol)/ln ρ = ${kClosed}`);
    assert.match(v.summary, new RegExp(`K = ${v.num.termsNeeded} terms`));
    await eventually('the status bar to show ρ with ✓', async () => /ρ\s*[\d.]+\s*✓/.test(await wb.statusBarText(STATUS_ITEM)));
  });

  test('Stop Session during a long run ends the session and its worker process', { skip: gate.skip }, async () => {
    await wb.openFile('big.neumann.json');
    await wb.runCommand(CMD.run);
    await eventually('a running worker and a running panel', async () =>
      server.workerProcesses().length > 0 && (await shownStatus(wb)) === 'running',
    );
    await wb.screenshot('big-running');
    await wb.runCommand(CMD.stop);
    await eventually('the panel to say the session stopped', async () => (await shownStatus(wb)) === 'stopped', 30_000);
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
    await eventually('the status bar to say stopped', async () => /stopped/i.test(await wb.statusBarText(STATUS_ITEM)));
    await wb.screenshot('big-stopped');
  });

  test("the panel's Stop button ends a run too", { skip: gate.skip }, async () => {
    await wb.openFile('big.neumann.json');
    await wb.runCommand(CMD.run);
    await eventually('a running worker and a running panel', async () =>
      server.workerProcesses().length > 0 && (await shownStatus(wb)) === 'running',
    );
    const frame = await wb.findFrame('main#app');
    await frame.getByRole('button', { name: 'Stop the running session' }).click();
    await eventually('the panel to say the session stopped', async () => (await shownStatus(wb)) === 'stopped', 30_000);
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
  });

  test("the progress notification names the run and its Cancel ends it", { skip: gate.skip }, async () => {
    await wb.openFile('big.neumann.json');
    await wb.runCommand(CMD.run);
    await eventually('a running worker', async () => server.workerProcesses().length > 0);
    const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: 'Neumann Lens: big model (to be stopped)' }).first();
    await toast.waitFor({ timeout: 30_000 });
    await toast.getByRole('button', { name: 'Cancel' }).click();
    await eventually('the panel to say the session stopped', async () => (await shownStatus(wb)) === 'stopped', 30_000);
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
  });

  test('reloading the window during a run ends its worker (deactivate disposes the session)', { skip: gate.skip }, async () => {
    await wb.openFile('big.neumann.json');
    await wb.runCommand(CMD.run);
    await eventually('a running worker', async () => server.workerProcesses().length > 0 && (await shownStatus(wb)) === 'running');
    await wb.reloadWindow();
    await eventually('no worker process after the reload', async () => server.workerProcesses().length === 0, 30_000);
    // The restored panel must not claim that a run which no longer exists is in progress.
    // The restored panel may first paint the webview's own saved state; once the host's snapshot
    // arrives it must not claim that a run which no longer exists is in progress.
    await eventually('a restored panel that shows no run in progress', async () => {
      const s = await wb.findFrame('main#app', 1000).then(() => shownStatus(wb)).catch(() => 'running');
      return s !== 'running';
    }, 30_000);
    await wb.screenshot('reloaded-during-run');
  });

  test('an unknown key: an error diagnostic at its JSON path, the panel explains, nothing crashes', { skip: gate.skip }, async () => {
    await wb.openFile('unknown-key.neumann.json');
    await wb.runCommand(CMD.run);
    const line = lineOf(broken.unknownKey, /"dampnig"/);
    const isOurs = (p: Problem) => p.file === 'unknown-key.neumann.json' && p.source === 'Neumann Lens' && p.severity === 'error';
    const problems = await eventually('an error from the run in Problems', async () => {
      const r = await wb.problems();
      return r.some(isOurs) ? r : null;
    }, 60_000);
    const ours = problems.find(isOurs)!;
    assert.equal(ours.line, line, `on the line of neumann.dampnig: ${JSON.stringify(ours)}`);
    assert.equal(ours.column, lineText(broken.unknownKey, line).indexOf('"dampnig"') + 1, 'at the key itself');
    assert.match(ours.message, /unknown key 'dampnig'.*did you mean 'damping'/);
    await eventually('the panel to show the problem', async () => {
      for (const f of wb.page.frames()) {
        const shown = await f.evaluate(() => document.querySelector('#error')?.textContent ?? '').catch(() => '');
        if (/dampnig/.test(shown)) return true;
      }
      return false;
    });
    await wb.screenshot('unknown-key');
    assert.deepEqual(wb.pageErrors, [], 'no uncaught errors in the workbench or the panel');
    assert.deepEqual(wb.webviewErrors, [], 'no errors logged by the panel');
  });

  test('a missing CSV: an error diagnostic at data.train.csv, and the extension still works', { skip: gate.skip }, async () => {
    await wb.openFile('missing-csv.neumann.json');
    await wb.runCommand(CMD.run);
    const line = lineOf(broken.missingCsv, /no-such-file\.csv/);
    const isOurs = (p: Problem) => p.file === 'missing-csv.neumann.json' && p.source === 'Neumann Lens' && p.severity === 'error';
    const problems = await eventually('an error from the run in Problems', async () => {
      const r = await wb.problems();
      return r.some(isOurs) ? r : null;
    }, 60_000);
    const ours = problems.find(isOurs)!;
    assert.equal(ours.line, line, `on the line of data.train.csv: ${JSON.stringify(ours)}`);
    assert.match(ours.message, /no-such-file\.csv/);
    await wb.screenshot('missing-csv');
    // Still alive: the status bar says the run failed, and the panel answers another command.
    await eventually('the status bar to say failed', async () => /failed/i.test(await wb.statusBarText(STATUS_ITEM)));
    await wb.runCommand(CMD.showPanel);
    await eventually('the panel to show the failed run', async () => (await shownStatus(wb)) === 'failed');
  });

  test('no worker process remains once the sessions have ended', { skip: gate.skip }, async () => {
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
  });
});
