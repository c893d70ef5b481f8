// End to end in real VS Code (code-server) and Chromium: a PyTorch experiment as a user meets it.
// The bridge is the packaged python/neumann_lens run by a real interpreter found by discovery (no
// setting: `python3` on PATH may lack torch, /usr/bin/python3 has it); numbers are checked against
// examples/pytorch-seed/torch-reference.json, written by float64 PyTorch outside the extension.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './harness/code-server';
import { e2eGate, repoRoot } from './harness/prerequisites';
import { CMD, eventually, startNeumannServer, STATUS_ITEM } from './harness/neumann';
import { shownStatus, waitForVerdict } from './harness/panel-read';
import { launchBrowser, Workbench, type Problem } from './harness/workbench';

const gate = e2eGate({ extension: true });
const BRIDGE_SEED = 'bridge.neumann.json';

interface TorchReference {
  lambdaMin: number;
  lambdaMax: number;
}

/** A user's problem whose loss takes its time: each training epoch waits, so the run lasts until stopped. */
const SLOW_PROBLEM = `import time
import torch
import torch.nn as nn


def neumann_problem():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=g)
    y = torch.randn(64, 1, generator=g)
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 1))

    def slow_loss(m):
        time.sleep(0.2)
        return ((m(x) - y) ** 2).mean()

    return {'model': model, 'train_loss': slow_loss, 'val_loss': slow_loss}
`;

/** A user's problem that raises in their own code, at a line the test knows. */
const RAISING_PROBLEM = `import torch


def neumann_problem():
    data = torch.zeros(3)
    raise ValueError('the data folder is empty')
`;
const RAISING_LINE = RAISING_PROBLEM.split('\n').findIndex((l) => l.includes('raise ValueError')) + 1;

const experiment = (name: string, file: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ name, seed: 0, pytorch: { file, dtype: 'float64' }, weightDecay: 0.01, neumann: { alpha: 1, terms: 10 }, ...extra }, null, 2);

/** Python processes serving this code-server's extension (the packaged python/neumann_lens). */
function bridgeProcesses(server: CodeServer) {
  return server.processes().filter((p) => /neumann_lens/.test(p.args));
}

describe('e2e: a PyTorch experiment in VS Code', () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;
  const reference = JSON.parse(readFileSync(join(repoRoot, 'examples', 'pytorch-seed', 'torch-reference.json'), 'utf8')) as TorchReference;

  before(async () => {
    if (gate.skip) return;
    gate.assertReady();
    server = await startNeumannServer({
      settings: { 'workbench.colorTheme': 'Default Dark Modern' },
      extraFiles: {
        'slow/problem.py': { text: SLOW_PROBLEM },
        'slow/slow.neumann.json': { text: experiment('slow PyTorch model (to be stopped)', 'problem.py', { training: { epochs: 100000, learningRate: 0.01 } }) },
        'raising/problem.py': { text: RAISING_PROBLEM },
        'raising/raising.neumann.json': { text: experiment('a problem.py that raises', 'problem.py') },
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

  test("the seed model through the bridge: PyTorch's eigenvalues in the panel, torch named as the backend, Problems on the file", { skip: gate.skip }, async () => {
    await wb.openFile(BRIDGE_SEED);
    await wb.runCommand(CMD.run);
    const v = await waitForVerdict(wb);
    await wb.screenshot('pytorch-seed-dark');
    assert.match(v.title, /^Diverges/);
    // The panel shows 4 significant digits; the reference is float64 PyTorch run outside the extension.
    for (const [shown, ref] of [[v.num.lambdaMin, reference.lambdaMin], [v.num.lambdaMax, reference.lambdaMax]] as const)
      assert.ok(Math.abs(shown - ref) <= 5e-4 * Math.abs(ref), `shown ${shown} vs PyTorch ${ref}`);
    assert.match(v.text, /torch \d+\.\d+[^ ]* · float64 on cpu · \S*python3?\S* \(Python 3\.\d+/, 'the backend line names torch, dtype, device and interpreter');
    const status = await eventually('the status bar verdict', async () => {
      const t = await wb.statusBarText(STATUS_ITEM);
      return /ρ/.test(t) ? t : null;
    });
    assert.match(status, /✗/);
    const isOurs = (p: Problem) => p.file === BRIDGE_SEED && p.source === 'Neumann Lens';
    const problems = await eventually('the diagnosis in Problems', async () => {
      const r = await wb.problems();
      return r.some(isOurs) ? r : null;
    }, 30_000);
    assert.ok(problems.filter(isOurs).some((p) => /negative curvature|Diverges/.test(p.message)), JSON.stringify(problems.filter(isOurs)));
    await eventually('no Python process once the run is over', async () => bridgeProcesses(server).length === 0, 30_000);
    assert.deepEqual(wb.pageErrors, [], 'no uncaught errors in the workbench or the panel');
    assert.deepEqual(wb.webviewErrors, [], 'no errors logged by the panel');
  });

  test('Stop during a slow PyTorch run ends the worker and the Python process', { skip: gate.skip }, async () => {
    await wb.openFile('slow.neumann.json');
    await wb.runCommand(CMD.run);
    await eventually('a running bridge process and a running panel', async () =>
      bridgeProcesses(server).length > 0 && (await shownStatus(wb)) === 'running',
    90_000);
    await wb.runCommand(CMD.stop);
    await eventually('the panel to say the session stopped', async () => (await shownStatus(wb)) === 'stopped', 30_000);
    await eventually('no Python process', async () => bridgeProcesses(server).length === 0, 15_000);
    await eventually('no worker process', async () => server.workerProcesses().length === 0, 30_000);
  });

  test("an exception in the user's problem.py: its file:line and message in the panel, the extension still works", { skip: gate.skip }, async () => {
    await wb.openFile('raising.neumann.json');
    await wb.runCommand(CMD.run);
    const shown = await eventually('the panel to show the error', async () => {
      for (const f of wb.page.frames()) {
        const t = await f.evaluate(() => document.querySelector('#error')?.textContent ?? '').catch(() => '');
        if (/the data folder is empty/.test(t)) return t;
      }
      return null;
    }, 90_000);
    assert.match(shown, new RegExp(`problem\\.py:${RAISING_LINE}\\b`), `the user's own line: ${shown}`);
    assert.match(shown, /ValueError/);
    assert.doesNotMatch(shown, /neumann_lens[\\/]/, "not the bridge's internals");
    await wb.screenshot('pytorch-user-exception');
    await eventually('the status bar to say failed', async () => /failed/i.test(await wb.statusBarText(STATUS_ITEM)));
    await eventually('no Python process', async () => bridgeProcesses(server).length === 0, 15_000);
    await wb.runCommand(CMD.showPanel);
    await eventually('the panel to show the failed run', async () => (await shownStatus(wb)) === 'failed');
  });
});
