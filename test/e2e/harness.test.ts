// The harness checked against a tiny probe extension (test/e2e/probe): a palette command forks a
// child process whose answer (1² + … + 10² = 385) is shown in a webview with a drawn canvas.
// If this fails, the fault is in the harness or the code-server install, not in Neumann Lens.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { CodeServer } from './harness/code-server';
import { e2eGate } from './harness/prerequisites';
import { canvasIsDrawn, launchBrowser, Workbench } from './harness/workbench';

const gate = e2eGate();

describe('e2e harness (probe extension in code-server)', () => {
  let server: CodeServer;
  let browser: Browser;
  let wb: Workbench;

  before(async () => {
    if (gate.skip) return;
    gate.assertReady();
    server = await CodeServer.start({
      extensions: [{ root: join(__dirname, 'probe') }],
      workspaceFiles: { 'notes.txt': { text: 'hello from the workspace\n' } },
    });
    browser = await launchBrowser();
    wb = await Workbench.open(browser, server);
  });

  after(async () => {
    await wb?.close().catch(() => {});
    await browser?.close().catch(() => {});
    await server?.stop();
  });

  test('Quick Open shows a workspace file in an editor', { skip: gate.skip }, async () => {
    await wb.openFile('notes.txt');
    assert.match(await wb.editorText(), /hello from the workspace/);
  });

  test('a palette command runs a forked child process and its webview shows the result', { skip: gate.skip }, async () => {
    await wb.runCommand('Neumann Probe: Run');
    const frame = await wb.findFrame('#probe-root', 30_000);
    assert.equal((await frame.textContent('#result'))?.trim(), '385');
    assert.ok(await canvasIsDrawn(frame, '#c'), 'the canvas has drawn pixels');
    await wb.screenshot('harness-probe');
  });

  test('stopping the server ends its whole process group', { skip: gate.skip }, async () => {
    const before = server.processes();
    assert.ok(before.length >= 2, `code-server runs several processes (got ${before.length})`);
    await wb.close();
    await server.stop({ keepTemp: true });
    assert.deepEqual(server.processes(), []);
  });
});
