/**
 * Drives the VS Code workbench served by code-server in Debian's Chromium, the way a user does:
 * the command palette, Quick Open, the Problems panel, the status bar, webview panels.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Frame, type Page } from 'playwright-core';
import { chromiumPath, repoRoot } from './prerequisites';
import { sleep, type CodeServer } from './code-server';

export const resultsDir = join(repoRoot, 'test-results', 'e2e');

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

export interface Problem {
  /** File name as the Problems panel groups it. */
  file: string;
  severity: 'error' | 'warning' | 'info';
  message: string;
  /** 1-based, as shown. */
  line: number;
  column: number;
  /** "Neumann Lens", or '' for VS Code's own JSON validation. */
  source: string;
}

export class Workbench {
  /** Uncaught exceptions, in the workbench or in any webview frame (a panel script crash lands here). */
  readonly pageErrors: string[] = [];
  /** Console errors logged by webview frames, e.g. a Content-Security-Policy refusal. */
  readonly webviewErrors: string[] = [];

  private constructor(
    readonly page: Page,
    private readonly context: BrowserContext,
    readonly server: CodeServer,
  ) {
    page.on('pageerror', (e) => this.pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && /webview/.test(m.location().url)) this.webviewErrors.push(`${m.text()} (${m.location().url})`);
    });
  }

  static async open(browser: Browser, server: CodeServer): Promise<Workbench> {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const page = await context.newPage();
    const wb = new Workbench(page, context, server);
    await page.goto(server.url);
    await wb.waitReady();
    return wb;
  }

  async waitReady(): Promise<void> {
    await this.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    // The explorer shows the workspace once the remote file system answers.
    await this.page.waitForSelector('.explorer-folders-view, .explorer-viewlet', { timeout: 60_000 });
  }

  async close(): Promise<void> {
    await this.context.close();
  }

  /**
   * F1, the command's title as shown in the palette ("Category: Title"), Enter. Right after the
   * window opens the extension host may not have registered contributed commands yet, so the
   * palette is reopened until the command shows up.
   */
  async runCommand(title: string): Promise<void> {
    const rows = this.page.locator('.quick-input-widget .monaco-list-row');
    const row = rows.filter({ hasText: title }).first();
    const deadline = Date.now() + 45_000;
    for (;;) {
      const input = await this.openPalette();
      await input.fill(`>${title}`);
      try {
        await row.waitFor({ timeout: 5000 });
        break;
      } catch (e) {
        await this.page.keyboard.press('Escape');
        if (Date.now() > deadline) throw e;
      }
    }
    // Enter runs the focused (first) entry; make sure that is ours and not a fuzzy neighbour.
    const first = await rows.first().innerText();
    if (!first.includes(title)) await row.click();
    else await this.page.keyboard.press('Enter');
  }

  private openPalette() {
    return this.openQuickInput('F1');
  }

  /** Presses `key` until the quick input shows: focus may be in a webview, which swallows keys. */
  private async openQuickInput(key: string) {
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 0; attempt < 3; attempt++) {
      await this.page.keyboard.press(key);
      try {
        await input.waitFor({ state: 'visible', timeout: 3000 });
        return input;
      } catch {
        await this.page.locator('.monaco-workbench .part.statusbar').click({ position: { x: 2, y: 2 } }).catch(() => {});
      }
    }
    await input.waitFor({ state: 'visible', timeout: 3000 });
    return input;
  }

  /** Picks an entry of an open quick pick by (part of) its label. */
  async pickQuickItem(text: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 15_000 });
    await row.click();
  }

  /** Quick Open (Ctrl+P) a workspace file by name and wait for its editor tab. */
  async openFile(name: string): Promise<void> {
    // Always into the first group, so that files never open over the panel in the group beside it.
    await this.runCommand('View: Focus First Editor Group');
    const input = await this.openQuickInput('Control+P');
    await input.fill(name);
    await this.page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().waitFor({ timeout: 15_000 });
    await this.page.keyboard.press('Enter');
    await this.page.locator('.editor-group-container.active .tabs-container .tab.active', { hasText: name }).waitFor({ timeout: 15_000 });
    await this.page.waitForFunction(() => document.activeElement?.classList.contains('inputarea'), null, { timeout: 10_000 });
  }

  /** The frame (webviews live two iframes deep) whose document has `selector`. */
  async findFrame(selector: string, timeoutMs = 60_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      for (const f of this.page.frames()) {
        try {
          if (await f.$(selector)) return f;
        } catch {
          /* frame navigating or detached */
        }
      }
      await sleep(250);
    }
    throw new Error(`no frame has ${selector} after ${timeoutMs} ms`);
  }

  /** Text of a status bar entry whose DOM id ends with `itemId` (VS Code prefixes the extension id). */
  async statusBarText(itemId: string): Promise<string> {
    const item = this.page.locator(`.part.statusbar [id$="${itemId}"]`).first();
    if ((await item.count()) === 0) return '';
    return (await item.innerText()).trim();
  }

  /**
   * Opens the Problems panel and returns its entries, parsed from the rows' accessible labels
   * ("Error: <message> at line 23 and character 5. generated by Neumann Lens"), which carry the
   * severity, the 1-based position and the source that the icons and columns show.
   */
  async problems(): Promise<Problem[]> {
    await this.runCommand('View: Focus Problems');
    await this.page.locator('.markers-panel').waitFor({ timeout: 10_000 });
    await sleep(300);
    const rows = await this.page
      .locator('.markers-panel .monaco-list-row')
      .evaluateAll((els) => els.map((e) => ({ level: e.getAttribute('aria-level'), label: e.getAttribute('aria-label') ?? '' })));
    const out: Problem[] = [];
    let file = '';
    for (const r of rows) {
      if (r.level === '1') {
        file = /problems? in file (.+?) of folder/.exec(r.label)?.[1] ?? r.label;
        continue;
      }
      const m = /^(Error|Warning|Info): ([\s\S]*) at line (\d+) and character (\d+)\.(?: generated by (.*))?$/.exec(r.label);
      if (m) out.push({ file, severity: m[1].toLowerCase() as Problem['severity'], message: m[2], line: Number(m[3]), column: Number(m[4]), source: m[5] ?? '' });
    }
    return out;
  }

  /** The active editor's text as the user sees it (Monaco renders only visible lines: keep files short). */
  async editorText(): Promise<string> {
    const lines = this.page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
    await lines.first().waitFor({ timeout: 10_000 });
    // Monaco positions lines absolutely and may render them out of order: sort by their top.
    const rows = await lines.evaluateAll((els) =>
      els.map((e) => ({ top: parseFloat((e as HTMLElement).style.top) || 0, text: e.textContent ?? '' })),
    );
    return rows
      .sort((a, b) => a.top - b.top)
      .map((r) => r.text.replace(/\u00a0/g, ' '))
      .join('\n');
  }

  /**
   * Opens the Quick Fix menu (Ctrl+.) at the cursor of the focused editor and returns the
   * actions' titles. Retries: the editor may take a moment to take focus after a navigation.
   */
  async quickFixes(): Promise<string[]> {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    for (let attempt = 0; attempt < 5; attempt++) {
      await this.page.waitForFunction(() => document.activeElement?.classList.contains('inputarea'), null, { timeout: 10_000 });
      await this.page.keyboard.press('Control+Period');
      try {
        await rows.first().waitFor({ timeout: 3000 });
        return (await rows.locator('.title').allInnerTexts()).map((t) => t.trim());
      } catch {
        await this.page.keyboard.press('Escape');
      }
    }
    throw new Error('the Quick Fix menu did not open');
  }

  /** Runs an entry of the open Quick Fix menu, by keyboard (the menu blocks pointer events around it). */
  async chooseQuickFix(title: string): Promise<void> {
    const rows = this.page.locator('.action-widget .monaco-list-row.action');
    const n = await rows.count();
    for (let i = 0; i <= n; i++) {
      const focused = ((await this.page.locator('.action-widget .monaco-list-row.action.focused .title').first().innerText().catch(() => '')) ?? '').trim();
      if (focused === title) {
        await this.page.keyboard.press('Enter');
        await rows.first().waitFor({ state: 'detached', timeout: 10_000 });
        return;
      }
      await this.page.keyboard.press('ArrowDown');
    }
    throw new Error(`no Quick Fix titled ${title}`);
  }

  /** Texts of the notification toasts currently shown. */
  async notifications(): Promise<string[]> {
    return this.page.locator('.notifications-toasts .notification-toast').allInnerTexts();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(resultsDir, { recursive: true });
    const path = join(resultsDir, `${name}.png`);
    await this.page.screenshot({ path });
    return path;
  }

  /**
   * "Developer: Reload Window", as a user reloads VS Code: unlike a browser refresh it shuts the
   * workbench down first, which flushes its storage (webview and workspace state) to IndexedDB.
   */
  async reloadWindow(): Promise<void> {
    const navigated = this.page.waitForEvent('framenavigated', { predicate: (f) => f === this.page.mainFrame(), timeout: 30_000 });
    await this.runCommand('Developer: Reload Window');
    await navigated;
    await this.waitReady();
  }
}

/** Whether a canvas has been drawn on: some pixel differs from the first one. */
export async function canvasIsDrawn(frame: Frame, selector: string): Promise<boolean> {
  return frame.$eval(selector, (el) => {
    const c = el as HTMLCanvasElement;
    if (!c.width || !c.height) return false;
    const g = c.getContext('2d');
    if (!g) return false;
    const d = g.getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < d.length; i += 4)
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2] || d[i + 3] !== d[3]) return true;
    return false;
  });
}
