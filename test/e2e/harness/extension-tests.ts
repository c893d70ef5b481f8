/**
 * Runs an extension's integration tests inside code-server's extension host, the way VS Code's
 * own browser integration tests do (microsoft/vscode, test/integration/browser): the workbench URL
 * carries a `payload` naming the extension under development and the tests module (vscode-remote
 * URIs of server paths). The remote extension host loads that extension, requires the module and
 * awaits its run(); when run() settles, the host hands its exit code (0, or 1 when run() rejected
 * or the module did not load) to the workbench, which calls window.codeAutomationExit(code).
 */
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import type { CodeServer } from './code-server';

export interface ExtensionTestsOptions {
  /** Server path of the folder holding the extension's package.json. */
  developmentPath: string;
  /** Server path of the CommonJS module exporting run(). */
  testsPath: string;
  /** Guards against a hang (no exit code at all), not a timing assertion. */
  timeoutMs: number;
}

export interface ExtensionTestsRun {
  exitCode: number;
  /** The workbench's console, which the extension host's console output is forwarded to. */
  console: string[];
}

export async function runExtensionTests(browser: Browser, server: CodeServer, opts: ExtensionTestsOptions): Promise<ExtensionTestsRun> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const lines: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  try {
    const page = await context.newPage();
    page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => lines.push(`pageerror: ${String(e)}`));
    let onExit!: (code: number) => void;
    let onFail!: (e: Error) => void;
    const exited = new Promise<number>((resolve, reject) => ([onExit, onFail] = [resolve, reject]));
    await page.exposeFunction('codeAutomationExit', (code: number) => onExit(code));
    page.on('crash', () => onFail(new Error('the workbench page crashed')));
    timer = setTimeout(() => onFail(new Error(`no exit code from the extension host after ${opts.timeoutMs / 1000} s`)), opts.timeoutMs);
    const remote = (path: string) => `vscode-remote://127.0.0.1:${server.port}${pathToFileURL(path).pathname}`;
    const payload = [
      ['extensionDevelopmentPath', remote(opts.developmentPath)],
      ['extensionTestsPath', remote(opts.testsPath)],
      ['skipWelcome', 'true'],
    ];
    await page.goto(`${server.url}&payload=${encodeURIComponent(JSON.stringify(payload))}`);
    try {
      return { exitCode: await exited, console: lines };
    } catch (e) {
      const tail = (s: string) => s.slice(-4000);
      throw new Error(`${(e as Error).message}\n--- workbench console ---\n${tail(lines.join('\n'))}\n--- code-server log ---\n${tail(server.log())}`);
    }
  } finally {
    clearTimeout(timer);
    await context.close();
  }
}
