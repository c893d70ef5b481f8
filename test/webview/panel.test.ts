/**
 * The panel in real Chromium under the webview's strict CSP, fed a recorded session's event
 * stream. Asserts what a user sees (verdict, numbers, intervals, drawn charts), what the panel
 * posts (ready, applyFix, stop, export), that malformed messages are rejected and reported, that reload restores
 * the state, and that nothing violates the CSP; saves light/dark/high-contrast screenshots.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { BODY_CLASS, findChromium, fixturePaths, hyperFixturePaths, launchChromium, ROOT, startPanelServer, THEME_VARS, type PanelServer, type Theme } from './harness';
import { dampingData, densityData } from '../../src/webview/chart-data';
import { eventMessages, fullSession, loadRecording, SESSION_ID, startMessage, type Recording } from './replay';
import { fmtInterval, fmtNum } from '../../src/core/diagnosis/format';
import { crossCheckFlags } from '../../src/core/diagnosis/cross-check';
import { messagesBesideSummary } from '../../src/core/diagnosis/shown-once';
import { slowDivergence } from '../../src/core/diagnosis/slow-divergence';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import type { SessionEvent } from '../../src/protocol/messages';
import { spectrumData } from '../../src/webview/chart-data';
import { HostToPanel } from '../../src/protocol/webview';
import { problemIn } from '../../src/protocol/check';
import { encodeNonFinite } from '../../src/protocol/non-finite';
import { emptyPanelState, hyperWarningsOf, reducePanelState } from '../../src/protocol/panel-state';
import { hyperErrorData, weightDecayData } from '../../src/core/diagnosis/hyper-series';
import { hyperModel } from '../../src/webview/chart-data-hyper';
import { recommendationsOf, stepsLabel } from '../../src/webview/hyper-warnings';
import { stepRanges } from '../../src/core/diagnosis/report-messages';

const OUT = join(ROOT, 'test-results');

type Win = { __posted: unknown[]; __violations: unknown[]; __setStateCalls: number };

async function openPanel(server: PanelServer, browser: Browser, theme: Theme, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => void (m.type() === 'error' && errors.push(m.text())));
  await page.goto(server.url(theme));
  await page.waitForFunction(() => (window as unknown as Win).__posted.some((m) => (m as { type: string }).type === 'ready'));
  return page;
}

async function post(page: Page, msgs: unknown[]): Promise<void> {
  await page.evaluate((ms) => {
    for (const m of ms) window.postMessage(m, '*');
  }, msgs);
}

const posted = (page: Page) => page.evaluate(() => (window as unknown as Win).__posted) as Promise<{ type: string }[]>;
const lastPosted = async (page: Page) => (await posted(page)).at(-1);
const text = (page: Page, sel: string) => page.locator(sel).first().innerText();

/** "−1.75" → -1.75; "∞" → Infinity. Independent of the panel's formatter. */
function parseShown(s: string): number {
  const t = s.trim().replace(/−/g, '-');
  if (t === '∞') return Infinity;
  if (t === '-∞') return -Infinity;
  return Number(t);
}

function assertClose(shown: string, value: number, what: string): void {
  const x = parseShown(shown);
  if (!Number.isFinite(value)) return assert.equal(x, value, what);
  assert.ok(Math.abs(x - value) <= 5e-4 * Math.abs(value) + 1e-12, `${what}: shown ${shown}, report ${value}`);
}

interface PixelCount {
  nonBlank: number;
  matching: number[];
  width: number;
}

/** Pixels of a chart's canvas that are drawn at all, and that are close to each given colour. */
async function chartPixels(page: Page, chartId: string, colors: string[]): Promise<PixelCount> {
  return page.evaluate(
    ({ chartId, colors }) => {
      const canvas = document.querySelector(`#${chartId} canvas`) as HTMLCanvasElement | null;
      if (!canvas) return { nonBlank: 0, matching: colors.map(() => 0), width: 0 };
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const rgb = colors.map((c) => [1, 3, 5].map((i) => parseInt(c.slice(i, i + 2), 16)));
      let nonBlank = 0;
      const matching = colors.map(() => 0);
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] === 0) continue;
        nonBlank++;
        if (data[i + 3] < 90) continue;
        rgb.forEach((c, k) => {
          if (Math.abs(data[i] - c[0]) + Math.abs(data[i + 1] - c[1]) + Math.abs(data[i + 2] - c[2]) <= 40) matching[k]++;
        });
      }
      return { nonBlank, matching, width: canvas.getBoundingClientRect().width };
    },
    { chartId, colors },
  );
}

async function waitForChart(page: Page, chartId: string): Promise<void> {
  await page.waitForFunction((id) => {
    const f = document.getElementById(id);
    return !!f && !f.hidden && !!f.querySelector('canvas');
  }, chartId);
}

test('panel in Chromium', async (t) => {
  const chromium = findChromium();
  if (!chromium) {
    const reason = `Chromium not found at ${process.env.CHROMIUM_PATH || '/usr/bin/chromium'} (run scripts/setup-system.sh or set CHROMIUM_PATH)`;
    if (process.env.CI === 'true') assert.fail(`${reason}; on CI nothing may be skipped`);
    t.skip(reason);
    return;
  }
  const fx = fixturePaths();
  assert.ok(existsSync(fx.events) && existsSync(fx.report), `recorded session missing: ${fx.events} / ${fx.report}`);
  const rec: Recording = loadRecording(fx.events, fx.report);
  const report = rec.report;
  mkdirSync(OUT, { recursive: true });
  const server = await startPanelServer();
  const browser = await launchChromium(chromium);
  const errors: string[] = [];
  t.after(async () => {
    await browser.close();
    await server.close();
  });
  const page = await openPanel(server, browser, 'dark', errors);

  await t.test('posts ready on load and shows an empty state', async () => {
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    assert.match(await text(page, '#session'), /No diagnosis yet/);
  });

  await t.test('while running: phase label, real progress bar, Stop posts stop, charts fill live', async () => {
    const firstNeumann = rec.events.findIndex((e) => e.type === 'phase' && e.phase === 'neumann');
    const upTo = firstNeumann > 0 ? firstNeumann : rec.events.length;
    const live = rec.events.slice(0, upTo);
    await post(page, [startMessage(rec), ...eventMessages(live)]);
    const lastPhase = [...live].reverse().find((e) => e.type === 'phase');
    const lastFraction = [...live].reverse().find((e) => e.type === 'phase' || e.type === 'progress') as { fraction: number } | undefined;
    const pct = String(Math.round(100 * Math.min(1, Math.max(0, lastFraction?.fraction ?? 0))));
    await page.waitForFunction((p) => document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === p, pct);
    if (lastPhase && lastPhase.type === 'phase') assert.equal((await text(page, '.phase-label')).trim(), lastPhase.label);
    // Progress ticks update the bar in place: the Stop button under the pointer is never replaced.
    const stop = await page.$('[data-key=stop]');
    const phase = lastPhase && lastPhase.type === 'phase' ? lastPhase.phase : 'train';
    await post(page, [{ type: 'event', id: SESSION_ID, event: { type: 'progress', phase, fraction: 0.999 } }]);
    await page.waitForFunction(() => document.querySelector('[role=progressbar]')?.getAttribute('aria-valuenow') === '100');
    assert.equal(await stop!.evaluate((e) => e.isConnected), true, 'Stop button kept across progress updates');
    await page.getByRole('button', { name: 'Stop the running session' }).click();
    assert.deepEqual(await lastPosted(page), { type: 'stop' });
    if (live.some((e) => e.type === 'trainStep')) {
      await waitForChart(page, 'chart-loss');
      assert.ok((await chartPixels(page, 'chart-loss', [THEME_VARS.dark['--vscode-charts-blue']])).matching[0] > 50, 'live loss curve drawn');
    }
    if (live.some((e) => e.type === 'spectrumStep')) {
      await waitForChart(page, 'chart-spectrum');
      const px = await chartPixels(page, 'chart-spectrum', [THEME_VARS.dark['--vscode-charts-orange'], THEME_VARS.dark['--vscode-charts-blue']]);
      assert.ok(px.matching[0] > 20 && px.matching[1] > 20, `live λ estimates drawn: ${px.matching}`);
    }
  });

  await t.test('after the report: verdict, cause, numbers with intervals', async () => {
    await post(page, fullSession(rec));
    await page.waitForSelector('#verdict-title');
    const tone = report.neumann.verdict === 'converges' ? 'converges' : report.neumann.verdict === 'slow' ? 'slow' : 'diverges';
    assert.ok(await page.locator(`#verdict.verdict-${tone}`).count(), `verdict styled as ${tone}`);
    const title = await text(page, '#verdict-title');
    const expected = { converges: /converges/i, slow: /slow/i, inconclusive: /inconclusive/i, 'diverges-step-too-large': /diverges.*step too large/i, 'diverges-negative-curvature': /diverges.*negative curvature/i }[report.neumann.verdict];
    assert.match(title, expected);
    assert.equal(await text(page, '#summary'), report.advice.summary);
    const sp = report.spectrum;
    const n = report.neumann;
    const checks: [string, number, [number, number] | null][] = [
      ['lambdaMin', sp.lambdaMin, sp.lambdaMinInterval],
      ['lambdaMax', sp.lambdaMax, sp.lambdaMaxInterval],
      ['rho', n.rho, n.rhoInterval],
      ['alpha', n.alpha, null],
    ];
    for (const [key, value, interval] of checks) {
      const shown = await text(page, `[data-num=${key}]`);
      assert.equal(shown, fmtNum(value), `${key} formatted`);
      assertClose(shown, value, key);
      if (interval) {
        const iv = await text(page, `[data-interval=${key}]`);
        assert.equal(iv, fmtInterval(interval));
        const [lo, hi] = iv.slice(1, -1).split(', ');
        assertClose(lo, interval[0], `${key} interval low`);
        assertClose(hi, interval[1], `${key} interval high`);
      }
    }
    const meta = await text(page, '#meta');
    assert.match(meta, new RegExp(report.backend));
    assert.match(meta, new RegExp(`\\b${report.params}\\b`));
    assert.match(meta, new RegExp(`HVP self-check\\s+${report.hvpSelfCheck.passed ? 'passed' : 'FAILED'}`));
    // Each fact once: fixes are the Recommendations (with their text), the rest are Messages, the summary is the verdict's.
    const beside = messagesBesideSummary(report.advice);
    assert.equal(await page.locator('#advice-messages li').count(), beside.filter((m) => !m.fix).length);
    const body = await page.locator('body').innerText();
    assert.equal(body.split(report.advice.summary).length - 1, 1, 'the summary once');
    for (const m of beside) assert.equal(body.split(m.text).length - 1, 1, `once: ${m.text}`);
    const termRows = await page.locator('#terms-table tbody tr').count();
    assert.ok(termRows >= Math.min(report.neumann.termNorms.length, 81), `term rows ${termRows}`);
    const firstHead = await text(page, '#terms-table tbody tr:first-child td:last-child');
    assert.equal(firstHead, `[${report.neumann.termHeads[0].map((x) => fmtNum(x)).join(', ')}]`);
    assert.match(await text(page, '#hypergradient'), /Neumann[\s\S]*CG[\s\S]*exact/);
  });

  await t.test('charts are drawn (canvas pixels of each series colour)', async () => {
    const dark = THEME_VARS.dark;
    const expect: [string, string[], boolean][] = [
      ['chart-neumann', [dark['--vscode-charts-blue'], dark['--vscode-charts-red']], true],
      ['chart-spectrum', [dark['--vscode-charts-orange'], dark['--vscode-charts-blue']], rec.events.some((e) => e.type === 'spectrumStep')],
      ['chart-loss', [dark['--vscode-charts-blue']], rec.events.some((e) => e.type === 'trainStep') || (report.training?.lossCurve.length ?? 0) > 0],
      ['chart-histogram', [dark['--vscode-charts-blue']], (report.spectrum.eigenvalues?.length ?? 0) > 0],
      ['chart-epochs', [dark['--vscode-charts-orange'], dark['--vscode-charts-red']], (report.epochs?.length ?? 0) > 0],
      ['chart-density', [dark['--vscode-charts-blue']], densityData(report) !== null],
      ['chart-damping', [dark['--vscode-charts-blue']], dampingData(report) !== null],
    ];
    for (const [id, colors, present] of expect) {
      if (!present) {
        assert.equal(await page.locator(`#${id}`).isHidden(), true, `${id} hidden without data`);
        continue;
      }
      await waitForChart(page, id);
      const px = await chartPixels(page, id, colors);
      assert.ok(px.nonBlank > 1000, `${id} not blank (${px.nonBlank})`);
      // Lines give hundreds of pixels; the per-epoch chart of a one-epoch run has single points (~20 px).
      px.matching.forEach((m, k) => assert.ok(m > 8, `${id}: series colour ${colors[k]} drawn (${m} px)`));
    }
  });

  await t.test('hovering a chart reads out the values under the pointer', async () => {
    const over = page.locator('#chart-neumann .u-over');
    await over.scrollIntoViewIfNeeded();
    const box = (await over.boundingBox())!;
    await over.hover({ position: { x: box.width - 2, y: box.height / 2 } });
    await page.waitForFunction(() => (document.querySelector('#chart-neumann .readout')?.textContent ?? '').includes('‖v_j‖'));
    const readout = await text(page, '#chart-neumann .readout');
    const lastJ = report.neumann.termNorms.length - 1;
    assert.match(readout, new RegExp(`^term j ${lastJ} · ‖v_j‖ ${fmtNum(report.neumann.termNorms[lastJ]).replace(/[+.]/g, '\\$&')}`));
    await page.mouse.move(0, 0);
  });

  await t.test('recommendation buttons post applyFix (with and without re-run), also by keyboard', async () => {
    const fixes = report.advice.messages.filter((m) => m.fix).map((m) => m.fix!);
    const items = page.locator('#actions li');
    assert.equal(await items.count(), fixes.length);
    for (let i = 0; i < fixes.length; i++) {
      const [apply, rerun] = [items.nth(i).locator('button').nth(0), items.nth(i).locator('button').nth(1)];
      assert.equal((await apply.innerText()).trim(), fixes[i].label);
      await apply.click();
      assert.deepEqual(await lastPosted(page), { type: 'applyFix', fix: fixes[i], rerun: false });
      await rerun.click();
      assert.deepEqual(await lastPosted(page), { type: 'applyFix', fix: fixes[i], rerun: true });
    }
    if (fixes.length > 0) {
      await items.first().locator('button').first().focus();
      await page.keyboard.press('Enter');
      assert.deepEqual(await lastPosted(page), { type: 'applyFix', fix: fixes[0], rerun: false });
    }
    await page.getByRole('button', { name: 'Export the report as HTML' }).click();
    assert.deepEqual(await lastPosted(page), { type: 'export', format: 'html' });
    await page.getByRole('button', { name: 'Run the diagnosis again', exact: true }).click();
    assert.deepEqual(await lastPosted(page), { type: 'rerun' });
  });

  await t.test('malformed messages are not folded, and the panel tells the host what it rejected', async () => {
    const postedBefore = (await posted(page)).length;
    const before = await page.evaluate(() => ({ calls: (window as unknown as Win).__setStateCalls, html: document.getElementById('app')!.innerHTML.length }));
    const bad: unknown[] = [
      null, 42, 'snapshot', {}, { type: 'nope' }, { type: 'report', id: SESSION_ID, report: { schemaVersion: 1 } },
      { type: 'event', id: SESSION_ID, event: { type: 'trainStep', epoch: 'x', step: 0, stepsPerEpoch: 1, loss: 1 } },
      { type: 'snapshot', state: { session: 'x' } }, { type: 'sessionEnded', id: SESSION_ID, outcome: 'exploded', error: null },
      { type: 'sessionStarted', id: '2', name: 5, experimentFile: null },
    ];
    await post(page, bad);
    // A well-formed message after the bad ones: once it is applied, the bad ones were processed too.
    await post(page, [{ type: 'event', id: SESSION_ID, event: { type: 'log', level: 'info', text: 'sentinel' } }]);
    await page.waitForFunction((n) => (window as unknown as Win).__setStateCalls > n, before.calls);
    const after = await page.evaluate(() => ({ calls: (window as unknown as Win).__setStateCalls, html: document.getElementById('app')!.innerHTML.length }));
    assert.equal(after.calls, before.calls + 1, 'only the well-formed message was folded');
    assert.equal(after.html, before.html);
    assert.equal(await text(page, '#summary'), report.advice.summary);
    // One `rejected` per bad message, in order, each naming the field as the protocol's checker does.
    const rejected = (await posted(page)).slice(postedBefore);
    assert.deepEqual(
      rejected,
      bad.map((m) => ({ type: 'rejected', what: 'a message from the host', problem: problemIn(HostToPanel, m, 'message') })),
    );
    assert.ok(rejected.every((r) => /^message(\.|:)/.test((r as unknown as { problem: string }).problem)));
  });

  await t.test('charts follow the panel width', async () => {
    const widths = () =>
      page.evaluate(() => {
        const plot = document.querySelector('#chart-neumann .plot')!.getBoundingClientRect().width;
        const canvas = document.querySelector('#chart-neumann canvas')!.getBoundingClientRect().width;
        return { plot, canvas };
      });
    const settled = () =>
      page.waitForFunction(() => {
        const plot = document.querySelector('#chart-neumann .plot')!.getBoundingClientRect().width;
        const canvas = document.querySelector('#chart-neumann canvas')!.getBoundingClientRect().width;
        return Math.abs(plot - canvas) <= 2;
      });
    await page.setViewportSize({ width: 520, height: 900 });
    await settled();
    const narrow = await widths();
    assert.ok(narrow.canvas <= 520, `canvas ${narrow.canvas}px in a 520px panel`);
    await page.setViewportSize({ width: 1600, height: 900 });
    await settled();
    const wide = await widths();
    assert.ok(wide.canvas > narrow.canvas + 50, `canvas grew from ${narrow.canvas} to ${wide.canvas}`);
    await page.setViewportSize({ width: 1100, height: 900 });
    await settled();
  });

  await t.test('theme switches redraw the charts in the new colours; screenshots', async () => {
    for (const theme of ['light', 'high-contrast', 'dark'] as Theme[]) {
      await page.evaluate((cls) => (document.body.className = cls), BODY_CLASS[theme]);
      const blue = THEME_VARS[theme]['--vscode-charts-blue'];
      await page.waitForFunction(
        ({ color }) => {
          const c = document.querySelector('#chart-neumann canvas') as HTMLCanvasElement | null;
          if (!c) return false;
          const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
          const [r, g, b] = [1, 3, 5].map((i) => parseInt(color.slice(i, i + 2), 16));
          let n = 0;
          for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 90 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) <= 40) n++;
          return n > 15;
        },
        { color: blue },
      );
      const bg = THEME_VARS[theme]['--vscode-editor-background'];
      const rgb = `rgb(${[1, 3, 5].map((i) => parseInt(bg.slice(i, i + 2), 16)).join(', ')})`;
      assert.equal(await page.evaluate(() => getComputedStyle(document.body).backgroundColor), rgb, `${theme} background`);
      await page.screenshot({ path: join(OUT, `webview-${theme}.png`), fullPage: true });
    }
  });

  await t.test('a reload restores the last state from setState before any message', async () => {
    await page.reload();
    await page.waitForSelector('#verdict-title');
    assert.equal(await text(page, '#summary'), report.advice.summary);
    assert.equal(await text(page, '[data-num=rho]'), fmtNum(report.neumann.rho));
    await waitForChart(page, 'chart-neumann');
  });

  await t.test('non-finite numbers survive VS Code\'s JSON transport (tagged) and a reload', async () => {
    const diverged = structuredClone(report);
    const last = diverged.neumann.termNorms.length - 1;
    diverged.neumann.termNorms[last] = Infinity;
    diverged.neumann.growthRatios[last - 1] = Infinity;
    diverged.neumann.residuals[last] = NaN;
    diverged.neumann.nonFiniteAtTerm = last;
    const msgs: HostToPanel[] = [
      { type: 'sessionStarted', id: 3, name: 'overflow', experimentFile: null },
      { type: 'report', id: 3, report: diverged },
      { type: 'sessionEnded', id: 3, outcome: 'completed', error: null },
    ];
    // What webview.postMessage does to a message: JSON.stringify on the way (Infinity → null).
    const viaJson = (m: unknown) => JSON.parse(JSON.stringify(m));
    await post(page, msgs.map((m) => viaJson(encodeNonFinite(m))));
    await page.waitForFunction(() => document.querySelector('.session strong')?.textContent === 'overflow' && !!document.querySelector('#terms-table'));
    const lastRow = () => page.locator('#terms-table tbody tr').last().locator('td').allInnerTexts();
    const cells = await lastRow();
    assert.equal(cells[0], '∞', '‖v_j‖ = Infinity shown as ∞');
    assert.equal(cells[1], '∞');
    assert.equal(cells[2], 'NaN');
    assert.equal(await text(page, '[data-num=nonFinite]'), String(last));
    await page.reload();
    await page.waitForSelector('#terms-table');
    assert.deepEqual(await lastRow(), cells, 'restored from setState with the non-finite numbers intact');
    // Without the tags the JSON nulls fail validation, and the panel keeps what it showed.
    const calls = await page.evaluate(() => (window as unknown as Win).__setStateCalls);
    await post(page, [viaJson({ type: 'report', id: 3, report: diverged })]);
    await post(page, [{ type: 'event', id: 3, event: { type: 'log', level: 'info', text: 'sentinel' } }]);
    await page.waitForFunction((n) => (window as unknown as Win).__setStateCalls > n, calls);
    assert.deepEqual(await lastRow(), cells);
  });

  await t.test('a chart with nothing finite to draw says so instead of drawing empty axes', async () => {
    const blown = structuredClone(report);
    blown.neumann.termNorms = blown.neumann.termNorms.map(() => Infinity);
    blown.neumann.rho = Infinity;
    await post(page, [
      { type: 'sessionStarted', id: 4, name: 'blown', experimentFile: null },
      { type: 'report', id: 4, report: blown },
      { type: 'sessionEnded', id: 4, outcome: 'completed', error: null },
    ]);
    await page.waitForFunction(() => document.querySelector('.session strong')?.textContent === 'blown');
    await page.waitForSelector('#chart-neumann .chart-note', { state: 'visible' });
    assert.equal(await page.locator('#chart-neumann canvas').count(), 0);
  });

  await t.test('Lanczos path: the density replaces the histogram, and the hypergradient-vs-δ chart is drawn', async () => {
    // Rendering only (the numbers' truth is test/session/hypergradient-refs.test.ts): a density of two bumps, a damping curve.
    const lanczos = structuredClone(report);
    lanczos.spectrum.eigenvalues = null;
    const grid = Array.from({ length: 200 }, (_, i) => -3 + (11 * i) / 199);
    const bump = (x: number, m: number, s: number) => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
    lanczos.spectrum.density = {
      method: 'slq', grid, values: grid.map((x) => 0.3 * bump(x, -1, 0.4) + 0.7 * bump(x, 2, 1)), sigma: 0.1, probes: 4, steps: 40, hvps: 160,
      negativeFraction: 0.3, negativeFractionStdErr: 0.04, negativeFractionInterval: [0.2, 0.4],
    };
    lanczos.hypergradient.reference = 'minres';
    lanczos.hypergradient.minres = { value: -10.22, residual: 4.9e-6, iterations: 83, converged: true, status: 'converged', conditionEstimate: 26.6 };
    lanczos.hypergradient.damped = [2.35, 2.49, 2.75, 3.37, 5.35, 10.4].map((damping) => ({ damping, value: 12 / (damping - 2.2), method: 'cg' as const, iterations: 10, residual: 3e-6, converged: true }));
    await post(page, [
      { type: 'sessionStarted', id: 5, name: 'lanczos path', experimentFile: null },
      { type: 'report', id: 5, report: lanczos },
      { type: 'sessionEnded', id: 5, outcome: 'completed', error: null },
    ]);
    await page.waitForFunction(() => document.querySelector('.session strong')?.textContent === 'lanczos path');
    assert.equal(await page.locator('#chart-histogram').isHidden(), true, 'no exact eigenvalues: no histogram');
    for (const id of ['chart-density', 'chart-damping']) {
      await waitForChart(page, id);
      const px = await chartPixels(page, id, [THEME_VARS.dark['--vscode-charts-blue']]);
      assert.ok(px.nonBlank > 1000 && px.matching[0] > 8, `${id} drawn (${px.nonBlank} non-blank, ${px.matching[0]} blue px)`);
    }
  });

  await t.test('a failed session shows the error with where it happened', async () => {
    const msgs: HostToPanel[] = [
      { type: 'sessionStarted', id: 2, name: 'broken', experimentFile: '/w/broken.neumann.json' },
      {
        type: 'sessionEnded',
        id: 2,
        outcome: 'failed',
        error: {
          message: 'unknown key "alpah"',
          code: 'input',
          where: { kind: 'json', path: 'neumann.alpah' },
          more: [{ message: 'must be >= 1 (got 0)', where: { kind: 'json', path: 'training.batchSize' } }, { message: "'x' is not a number", where: { kind: 'file', file: '/w/d.csv', line: 4, column: 2 } }],
        },
      },
    ];
    await post(page, msgs);
    await page.waitForSelector('#error');
    const err = await text(page, '#error');
    assert.match(err, /unknown key "alpah"/);
    assert.match(err, /neumann\.alpah/);
    // Every other problem of the run, each with its place.
    assert.deepEqual(await page.locator('#error .error-more li').allInnerTexts(), ['must be >= 1 (got 0) at training.batchSize', "'x' is not a number at /w/d.csv:4:2"]);
    assert.equal(await page.locator('#verdict-title').count(), 0, 'the old verdict is gone');
  });

  await t.test('in a half-width panel: the terms table fits, the spectrum axis ends at the data, a slow divergence and a disagreeing cross-check are flagged', async () => {
    const narrow = await browser.newPage({ viewport: { width: 520, height: 900 } });
    narrow.on('pageerror', (e) => errors.push(String(e)));
    await narrow.goto(server.url('dark'));
    await narrow.waitForFunction(() => (window as unknown as Win).__posted.some((m) => (m as { type: string }).type === 'ready'));
    const spectrumAxis = async (events: SessionEvent[], r: DiagnosisReport) => {
      const msgs = fullSession({ events, report: r });
      await post(narrow, JSON.parse(JSON.stringify(encodeNonFinite(msgs))) as unknown[]);
      await waitForChart(narrow, 'chart-spectrum');
      const model = spectrumData(msgs.reduce(reducePanelState, emptyPanelState()))!;
      // The chart redraws on its next tick; give up (and fail below) if it never shows the model's range.
      await narrow
        .waitForFunction(([lo, hi]) => {
          const d = document.querySelector<HTMLElement>('#chart-spectrum .plot')?.dataset;
          return d?.xMin === String(lo) && d?.xMax === String(hi);
        }, model.xRange, { timeout: 10_000 })
        .catch(() => undefined);
      const drawn = await narrow.evaluate(() => {
        const d = document.querySelector<HTMLElement>('#chart-spectrum .plot')!.dataset;
        return [Number(d.xMin), Number(d.xMax)];
      });
      return { model, drawn };
    };
    // As the worker streams a fast run: every Lanczos step (the recording), then only some of them.
    const all = await spectrumAxis(rec.events, report);
    assert.ok(all.model.x.length > 2);
    assert.deepEqual(all.drawn, all.model.xRange);
    assert.equal(all.drawn[1], all.model.x.at(-1), 'the axis ends at the last step');
    assert.equal(all.drawn[0], all.model.x[0]);
    const lanczos = rec.events.filter((e) => e.type === 'spectrumStep' && e.method === 'lanczos');
    const lastOnly = rec.events.filter((e) => e.type !== 'spectrumStep' || e === lanczos.at(-1));
    const one = await spectrumAxis(lastOnly, report);
    assert.deepEqual(one.model.x, [(lanczos.at(-1) as { step: number }).step]);
    const x0 = one.model.x[0];
    assert.deepEqual(one.drawn, [x0 - 0.5, x0 + 0.5], 'one step sits in the middle of a one-step axis, not at the end of an empty one');
    assert.ok(one.model.missingSteps > 0);
    assert.match((await narrow.locator('#chart-spectrum .plot').getAttribute('aria-label')) ?? '', /thinned while streaming/);

    // The terms table wraps inside the half-width panel instead of running off the side.
    const fit = await narrow.evaluate(() => {
      const t = document.querySelector('#terms-table') as HTMLElement;
      return { table: t.scrollWidth, box: (t.parentElement as HTMLElement).clientWidth, page: document.documentElement.scrollWidth, win: innerWidth };
    });
    assert.ok(fit.table <= fit.box, `terms table ${fit.table}px in a ${fit.box}px box`);
    assert.ok(fit.page <= fit.win, `page ${fit.page}px wide in a ${fit.win}px window`);

    // The tanh run in numbers: ρ = 1.005 with shrinking terms, power iteration's λ_min > 0 beside λ_min < 0.
    const tanh = structuredClone(report);
    tanh.neumann = { ...tanh.neumann, verdict: 'diverges-negative-curvature', rho: 1.005, rhoInterval: [1.005, 1.005], nonFiniteAtTerm: null,
      termNorms: Array.from({ length: 21 }, (_, j) => 0.06335 * Math.pow(0.9256, j)) };
    tanh.neumann.growthRatios = tanh.neumann.termNorms.slice(1).map(() => 0.9256);
    tanh.neumann.residuals = tanh.neumann.termNorms.map(() => 0.5);
    tanh.neumann.termHeads = tanh.neumann.termNorms.map(() => [0, 0, 0, 0, 0]);
    tanh.spectrum = { ...tanh.spectrum, lambdaMin: -0.004997, lambdaMinInterval: [-0.005004, -0.004991], lanczos: null,
      power: { lambdaMax: { value: tanh.spectrum.lambdaMax, interval: tanh.spectrum.lambdaMaxInterval, residual: 0, converged: true },
        lambdaMin: { value: 0.004843, interval: [-0.002907, 0.01259], residual: 0.0077, converged: false }, iterations: { max: 12, min: 23 }, hvps: 35 } };
    const notes = [slowDivergence(tanh.neumann)!.text, ...crossCheckFlags(tanh.spectrum).map((f) => f.text)];
    assert.equal(notes.length, 2);
    await post(narrow, JSON.parse(JSON.stringify(encodeNonFinite(fullSession({ events: [], report: tanh })))) as unknown[]);
    await narrow.waitForSelector('#notes [data-note=slow-divergence]');
    const shown = await narrow.locator('#notes li').allInnerTexts();
    assert.equal(shown.length, 2);
    notes.forEach((n, i) => assert.ok(shown[i].includes(n), `${shown[i]} shows ${n}`));
    await narrow.screenshot({ path: join(OUT, 'panel-half-width.png'), fullPage: true });
    assert.deepEqual(await narrow.evaluate(() => (window as unknown as Win).__violations), []);
    await narrow.close();
  });

  await t.test('a fresh panel shows the host\'s snapshot (what the host posts after ready or when the panel is shown again)', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    fresh.on('pageerror', (e) => errors.push(String(e)));
    await fresh.goto(server.url('dark'));
    await fresh.waitForFunction(() => (window as unknown as Win).__posted.length > 0);
    const state = fullSession(rec).reduce(reducePanelState, emptyPanelState());
    await post(fresh, [JSON.parse(JSON.stringify(encodeNonFinite({ type: 'snapshot', state })))]);
    await fresh.waitForSelector('#verdict-title');
    assert.equal(await text(fresh, '#summary'), report.advice.summary);
    await waitForChart(fresh, 'chart-neumann');
    assert.deepEqual(await fresh.evaluate(() => (window as unknown as Win).__violations), []);
    await fresh.close();
  });

  await t.test('a saved state that does not fit is not restored, and the host is told why', async () => {
    const fresh = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    fresh.on('pageerror', (e) => errors.push(String(e)));
    await fresh.goto(server.url('light'));
    await fresh.waitForFunction(() => (window as unknown as Win).__posted.length > 0);
    // A state of an older shape: everything there, but `session` is not what this panel expects.
    const old = { ...emptyPanelState(), session: 'x' };
    await fresh.evaluate((state) => sessionStorage.setItem('vscodeState', JSON.stringify(state)), old);
    await fresh.reload();
    await fresh.waitForFunction(() => (window as unknown as Win).__posted.some((m) => (m as { type: string }).type === 'ready'));
    const sent = await posted(fresh);
    assert.deepEqual(sent[0], { type: 'rejected', what: 'its saved state', problem: 'state.session: expected an object or null, got "x"' });
    assert.deepEqual(sent[1], { type: 'ready' });
    assert.equal(await fresh.evaluate(() => document.body.dataset.status), 'empty');
    await fresh.close();
  });

  await t.test('the hyperparameter loop streams into its view, the report completes it; 520 px wide; screenshot', async () => {
    assert.equal(await page.locator('#hyper').isHidden(), true, 'no hyper block in the seed experiment: no loop view');
    const hx = hyperFixturePaths();
    const loop = loadRecording(hx.events, hx.report);
    const h = loop.report.hyper!;
    const narrow = await browser.newPage({ viewport: { width: 520, height: 900 } });
    narrow.on('pageerror', (e) => errors.push(String(e)));
    await narrow.goto(server.url('dark'));
    await narrow.waitForFunction(() => (window as unknown as Win).__posted.some((m) => (m as { type: string }).type === 'ready'));
    const series = (id: string) => narrow.locator(`#${id} .plot`).getAttribute('data-series').then(Number);
    const dark = THEME_VARS.dark;
    const runColors = [dark['--vscode-charts-blue'], dark['--vscode-charts-orange'], dark['--vscode-charts-green']];

    // Live: the loop's own run and the first steps of the exact one.
    const cut = loop.events.findIndex((e) => e.type === 'hyperStep' && e.inverse === 'exact' && e.step.step === 5);
    await post(narrow, [startMessage(loop), ...eventMessages(loop.events.slice(0, cut))]);
    await waitForChart(narrow, 'chart-hyper-decay');
    await narrow.waitForFunction(() => /exact \(?\w*\)? ?4 steps/.test(document.getElementById('hyper-summary')?.textContent ?? ''));
    assert.match(await text(narrow, '#hyper-summary'), /^Running: neumann \(the loop\) 15 steps, exact 4 steps\.$/);
    assert.equal(await series('chart-hyper-decay'), 2);
    assert.equal(await series('chart-hyper-loss'), 4);
    assert.equal(await series('chart-hyper-rho'), 2);
    // The loop's own run is drawn last, on top of the exact run that nearly coincides with it.
    const livePx = await chartPixels(narrow, 'chart-hyper-rho', runColors.slice(0, 1));
    assert.ok(livePx.matching[0] > 20, `live ρ of the loop drawn (${livePx.matching[0]} px)`);
    // The session warned at step 9 (its hyperWarning event): the view says so, without the steps still to come.
    const warningItems = '#hyper-warnings > li';
    assert.deepEqual(await narrow.locator(warningItems).evaluateAll((ls) => ls.map((l) => [(l as HTMLElement).dataset.steps, (l as HTMLElement).dataset.kind ?? null])), [['9', null]]);
    assert.match(await text(narrow, `${warningItems} .msg-text`), /^from step 9: Hyper-step 9 \(neumann run\): the hypergradient is 10 % off/);

    // The rest of the stream, then the report.
    await post(narrow, [...eventMessages(loop.events.slice(cut)), { type: 'report', id: SESSION_ID, report: loop.report }, { type: 'sessionEnded', id: SESSION_ID, outcome: 'completed', error: null }]);
    await narrow.waitForFunction(() => (document.getElementById('hyper-summary')?.textContent ?? '').startsWith('global'));
    assert.equal(await text(narrow, '#hyper-summary'), 'global weight decay (1 group), reference exact: neumann (the loop) 15 steps, exact 15 steps, identity 15 steps.');
    const model = hyperModel(fullSession(loop).reduce(reducePanelState, emptyPanelState()))!;
    const charts: [string, number][] = [['chart-hyper-decay', 3], ['chart-hyper-loss', 6], ['chart-hyper-rho', 3], ['chart-hyper-error', 3]];
    for (const [id, n] of charts) {
      await waitForChart(narrow, id);
      await narrow.waitForFunction(([id, n]) => document.querySelector(`#${id} .plot`)?.getAttribute('data-series') === String(n), [id, n] as const);
      const px = await chartPixels(narrow, id, runColors);
      assert.ok(px.width <= 520, `${id} fits: ${px.width}px`);
      // The exact run coincides with the loop's own in places (it is under it); identity is apart from both.
      for (const k of [0, 2]) assert.ok(px.matching[k] > 20, `${id}: run ${h.compare[k - 1]?.inverse ?? h.inverse} drawn (${px.matching[k]} px)`);
      if (id === 'chart-hyper-error') assert.ok(px.matching[1] < 5, `the exact run's error is 0, not drawn on a log axis (${px.matching[1]} px)`);
      const label = (await narrow.locator(`#${id} .plot`).getAttribute('aria-label')) ?? '';
      assert.match(label, /15 hyper-steps/, `${id} described for screen readers: ${label}`);
    }
    assert.equal(weightDecayData(model).series.length, 3);
    assert.match((await narrow.locator('#chart-hyper-error .plot').getAttribute('aria-label')) ?? '', /exact error 0 \(it is the reference\)/);
    assert.deepEqual(await narrow.locator('#chart-hyper-error .legend li').allInnerTexts(),
      ['neumann (the loop)', 'exact: error 0, it is the reference', 'identity', `threshold ${fmtNum(100 * hyperErrorData(model).threshold)} %`]);
    assert.deepEqual(await narrow.locator('#chart-hyper-rho .legend li').allInnerTexts(), ['neumann (the loop)', 'exact', 'identity', 'ρ = 1 (diverges above)']);
    // The session's warnings (report.hyper.warnings), each with its steps and the recommendations under it.
    const shown = await narrow.locator(warningItems).evaluateAll((ls) => ls.map((l) => {
      const e = l as HTMLElement;
      return { inverse: e.dataset.inverse, kind: e.dataset.kind, steps: e.dataset.steps, cls: e.className, text: e.querySelector('.msg-text')?.textContent, recs: Array.from(e.querySelectorAll('.hyper-recommendations li'), (r) => r.textContent) };
    }));
    const want = hyperWarningsOf(fullSession(loop).reduce(reducePanelState, emptyPanelState()));
    assert.deepEqual(want.map((w) => [w.inverse, w.condition]), [['neumann', 'error']], 'the loop\'s own error only: the compared identity run is a baseline');
    assert.deepEqual(shown, want.map((w) => ({
      inverse: w.inverse, kind: w.condition, steps: stepRanges(w.steps), cls: `msg msg-${w.messages[0].severity}`,
      text: `${stepsLabel(w)}: ${w.messages[0].text}`, recs: recommendationsOf(w).map((m) => m.text),
    })));
    assert.match(shown[0].text!, /^steps 9–15: /);
    // Its fix is a Recommendation of the panel, as in Problems; the sentence stands once, under the warning.
    const rec = want[0].messages[1];
    const actions = await narrow.locator('#actions li').evaluateAll((ls) => ls.map((l) => [(l.querySelector('button') as HTMLElement).dataset.fixPath, l.querySelector('.action-why')?.textContent]));
    assert.deepEqual(actions.map(([path]) => path), [...loop.report.advice.messages.filter((m) => m.fix).map((m) => m.fix!.path.join('.')), 'neumann.terms']);
    assert.equal(actions.at(-1)![1], 'For the hyperparameter loop\'s warning (neumann run, steps 9–15): see Hyperparameter loop.');
    assert.equal((await narrow.evaluate(() => document.body.innerText)).split(rec.text).length - 1, 1, rec.text);
    const fit = await narrow.evaluate(() => ({ page: document.documentElement.scrollWidth, win: innerWidth }));
    assert.ok(fit.page <= fit.win, `page ${fit.page}px wide in a ${fit.win}px window`);
    const shot = join(OUT, 'panel-hyper.png');
    await narrow.locator('#hyper').screenshot({ path: shot });
    // The README's picture of the view: refreshed on request, not by every run.
    if (process.env.NEUMANN_UPDATE_DOCS_IMAGES === '1') {
      mkdirSync(join(ROOT, 'docs/images'), { recursive: true });
      copyFileSync(shot, join(ROOT, 'docs/images/panel-hyper.png'));
    }
    assert.deepEqual(await narrow.evaluate(() => (window as unknown as Win).__violations), []);
    await narrow.close();
  });

  await t.test('no CSP violations, no page errors', async () => {
    assert.deepEqual(await page.evaluate(() => (window as unknown as Win).__violations), []);
    assert.deepEqual(errors, []);
  });
});
