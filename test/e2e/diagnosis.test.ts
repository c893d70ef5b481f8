// End to end in real VS Code (code-server 1.100.3) and Chromium, dark theme: the seed example's
// diagnosis as a user meets it (palette → panel, status bar, Problems, Quick Fix, re-run, reload).
// Numbers are checked against the closed form ρ = max|1 − α(λ + δ)| over the eigenvalue
// intervals the panel shows, not against the extension's own arithmetic.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './harness/code-server';
import { e2eGate } from './harness/prerequisites';
import { CMD, eventually, startNeumannServer, STATUS_ITEM } from './harness/neumann';
import { contrastRatio, rhoFromIntervals, waitForVerdict, type ShownVerdict } from './harness/panel-read';
import { canvasIsDrawn, launchBrowser, Workbench } from './harness/workbench';

const gate = e2eGate({ extension: true });
const SEED = 'seed-regression.neumann.json';

/** The panel's ρ agrees with the closed form over its own λ intervals (4 significant digits shown). */
function assertRhoConsistent(v: ShownVerdict, alpha: number, delta: number): void {
  const closed = rhoFromIntervals(alpha, delta, v.interval.lambdaMin, v.interval.lambdaMax);
  assert.ok(Math.abs(v.num.rho - closed) <= 2e-3 * Math.max(1, closed), `ρ shown ${v.num.rho} vs closed form ${closed}`);
}

/** A number as the panel writes it (4 significant digits, U+2212 minus). */
function fmtShown(x: number): string {
  return String(Number(x.toPrecision(4))).replace(/^-/, '−');
}

function verdictFor(rho: number): RegExp {
  return rho >= 1 ? /^Diverges/ : /^Converges/;
}

describe('e2e: seed example in VS Code (dark theme)', () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  let first: ShownVerdict;

  before(async () => {
    if (gate.skip) return;
    gate.assertReady();
    server = await startNeumannServer({ settings: { 'workbench.colorTheme': 'Default Dark Modern' } });
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server);
  });

  after(async () => {
    await wb?.screenshot('diagnosis-last').catch(() => {});
    await wb?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('Run Diagnosis on the seed example: divergence verdict with cause and numbers, charts drawn, status bar', { skip: gate.skip }, async () => {
    await wb.openFile(SEED);
    await wb.runCommand(CMD.run);
    first = await waitForVerdict(wb);
    await wb.screenshot('seed-diverges-dark');

    // The motivating report: after one epoch of SGD there is negative curvature (and λ_max > 2/α),
    // so no α alone fixes it. The title names whichever end sets ρ; the sentence names both.
    assert.match(first.title, /^Diverges/);
    assert.ok(first.num.lambdaMin < 0, `λ_min shown ${first.num.lambdaMin} < 0`);
    const byMax = Math.abs(1 - first.num.lambdaMax) >= Math.abs(1 - first.num.lambdaMin);
    assert.match(first.title, byMax ? /step too large/ : /negative curvature/);
    assert.match(first.summary, /λ_min = −[\d.]+ < 0 \(negative curvature\)/);
    if (first.num.lambdaMax > 2) assert.match(first.summary, /λ_max = [\d.]+ > 2\/α/);
    assert.equal(first.num.alpha, 1, 'α from the file');
    assert.equal(first.num.terms, 10, 'K from the file');
    assert.ok(first.num.rho > 1, `ρ shown ${first.num.rho} > 1`);
    assertRhoConsistent(first, 1, 0);
    const [lo, hi] = first.interval.lambdaMin;
    assert.ok(lo <= first.num.lambdaMin && first.num.lambdaMin <= hi, 'λ_min inside its interval');

    const charts = await first.frame.$$('#charts canvas');
    let drawn = 0;
    for (const c of charts) if (await c.evaluate((el) => el.getBoundingClientRect().width > 0)) drawn += 1;
    assert.ok(drawn >= 3, `at least 3 visible chart canvases (got ${drawn} of ${charts.length})`);
    assert.ok(await canvasIsDrawn(first.frame, '#chart-neumann canvas'), 'the Neumann term chart has pixels');
    assert.ok(await canvasIsDrawn(first.frame, '#chart-spectrum canvas'), 'the spectrum chart has pixels');

    const status = await eventually('the status bar verdict', async () => {
      const t = await wb.statusBarText(STATUS_ITEM);
      return /ρ/.test(t) ? t : null;
    });
    assert.match(status, /✗/);
    assert.deepEqual(wb.pageErrors, [], 'no uncaught errors in the workbench or the panel');
    assert.deepEqual(wb.webviewErrors, [], 'no CSP refusals or other errors logged by the panel');
    const rhoInStatus = Number(/ρ\s*([\d.]+)/.exec(status)?.[1]);
    assert.ok(Math.abs(rhoInStatus - first.num.rho) <= 0.01 * first.num.rho, `status ρ ${rhoInStatus} vs panel ${first.num.rho}`);
  });

  test('Problems lists the diagnostic on neumann.alpha; a Quick Fix edits the file; the re-run shows the new verdict', { skip: gate.skip }, async () => {
    assert.ok(first, 'needs the first run');
    const text = readFileSync(join(server.workspace, SEED), 'utf8');
    const alphaLine = text.split('\n').findIndex((l) => /"alpha"\s*:/.test(l)) + 1;
    const problems = await eventually('an error on the alpha line in Problems', async () => {
      const r = await wb.problems();
      return r.some((p) => p.file === SEED && p.line === alphaLine && p.severity === 'error') ? r : null;
    }, 30_000);
    const onAlpha = problems.find((p) => p.file === SEED && p.line === alphaLine && p.severity === 'error')!;
    assert.equal(onAlpha.source, 'Neumann Lens');
    assert.match(onAlpha.message, /^Diverges: ρ\(I−αH\) = [\d.]+ because/, 'the diagnostic on neumann.alpha says why');
    await wb.screenshot('problems-panel');

    // Go to the diagnostic and open the Quick Fix menu there, as a user does with Ctrl+.
    await wb.page.locator(`.markers-panel .monaco-list-row[aria-label*="at line ${alphaLine} and character"]`).first().dblclick();
    const labels = await wb.quickFixes();
    // A single fix ("Set neumann.alpha to …"), not the "Apply all: …" group the menu offers first.
    const choice = labels.find((l) => /^Set neumann\.alpha/.test(l) && /re-run/i.test(l));
    assert.ok(choice, `a fix of neumann.alpha that also re-runs is offered: ${labels.join(' | ')}`);
    await wb.screenshot('quick-fix-menu');
    await wb.chooseQuickFix(choice!);

    // The file changed at the key the fix names, to the value it names ("Set neumann.alpha to 0.156 …").
    const m = /Set neumann\.(\w+) to ([\d.eE+-]+)/.exec(choice!);
    assert.ok(m, `the fix label names a key and a value: ${choice}`);
    const [key, value] = [m![1], Number(m![2])];
    const edited = await eventually('the edit in the editor', async () => {
      const t = await wb.editorText();
      return new RegExp(`"${key}"\\s*:\\s*${value}\\b`).test(t) ? t : null;
    }, 15_000);
    assert.notEqual(edited, text);

    const alpha = key === 'alpha' ? value : 1;
    const delta = key === 'damping' ? value : 0;
    const second = await waitForVerdict(wb, (v) => v.num[key] === value);
    await wb.screenshot('after-quick-fix-rerun');
    assertRhoConsistent(second, alpha, delta);
    assert.match(second.title, verdictFor(second.num.rho));
    assert.notEqual(second.num.rho, first.num.rho, 'a new verdict computed for the edited config');
  });

  test('Export Report → HTML: a self-contained file in the workspace with the verdict and numbers shown', { skip: gate.skip }, async () => {
    const shown = await waitForVerdict(wb);
    const before = new Set(readdirSync(server.workspace));
    await wb.runCommand(CMD.exportReport);
    await wb.pickQuickItem('HTML');
    // The save dialog (VS Code's own in code-server) proposes a name beside the experiment: accept it.
    const input = wb.page.locator('.quick-input-widget input.input');
    await eventually('the proposed file name', async () => /\.html$/.test(await input.inputValue()));
    await wb.page.keyboard.press('Enter');
    const file = await eventually('the exported file', async () => readdirSync(server.workspace).find((f) => f.endsWith('.html') && !before.has(f)));
    const html = await eventually('its content', async () => {
      const t = readFileSync(join(server.workspace, file), 'utf8');
      return t.includes('</html>') ? t : null;
    });
    const text = html.replace(/<[^>]*>/g, ' ').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');
    assert.ok(text.includes(shown.summary), `the export states the verdict's cause: "${shown.summary}"`);
    assert.ok(text.includes(fmtShown(shown.num.rho)), `the export states ρ = ${shown.num.rho}`);
    assert.doesNotMatch(html, /<(script|link|img)[^>]+(src|href)=["']https?:/i, 'nothing loaded from the network');
    assert.match(html, /<svg|data:image\/png/, 'the charts are inside the file');
  });

  test('reloading the window brings the panel back with its last state; the dark theme is legible', { skip: gate.skip }, async () => {
    const before = await waitForVerdict(wb);
    await wb.reloadWindow();
    const after = await waitForVerdict(wb, () => true, 60_000);
    assert.equal(after.title, before.title);
    assert.equal(after.num.rho, before.num.rho);
    assert.equal(after.summary, before.summary);
    await wb.screenshot('reloaded-panel-dark');
    // The Problems panel comes back with the panel: the restored report's diagnostics, at their keys.
    const text = readFileSync(join(server.workspace, SEED), 'utf8');
    const alphaLine = text.split('\n').findIndex((l) => /"alpha"\s*:/.test(l)) + 1;
    await eventually('the diagnostic on neumann.alpha back in Problems after the reload', async () => {
      const r = await wb.problems();
      return r.some((p) => p.file === SEED && p.line === alphaLine && p.severity === 'error' && p.source === 'Neumann Lens') ? r : null;
    }, 30_000);
    assert.deepEqual(wb.pageErrors, [], 'no uncaught errors after the reload');
    assert.deepEqual(wb.webviewErrors, [], 'no CSP refusals or other errors logged by the restored panel');

    const colours = await after.frame.evaluate(() => {
      // The page background: the first non-transparent one up the tree, else the theme's editor colour.
      let bg = '';
      for (let el: Element | null = document.querySelector('#summary'); el && !bg; el = el.parentElement) {
        const c = getComputedStyle(el).backgroundColor;
        if (!/^rgba\(.*,\s*0\)$|^transparent$/.test(c)) bg = c;
      }
      bg ||= getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background').trim();
      const summary = getComputedStyle(document.querySelector('#summary')!);
      const title = getComputedStyle(document.querySelector('#verdict-title')!);
      return { bg, text: summary.color, title: title.color, kind: document.body.className };
    });
    assert.match(colours.kind, /vscode-dark/, 'VS Code tells the webview it is dark');
    assert.ok(contrastRatio(colours.text, colours.bg) >= 4.5, `summary contrast ${JSON.stringify(colours)}`);
    assert.ok(contrastRatio(colours.title, colours.bg) >= 3, `verdict contrast ${JSON.stringify(colours)}`);
  });

  test('no worker process remains once the runs have ended', { skip: gate.skip }, async () => {
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
  });
});
