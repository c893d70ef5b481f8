/**
 * Neumann Lens specifics for the end-to-end scenarios: a code-server with the built extension
 * installed the way the .vsix would lay it out and a workspace holding copies of the examples,
 * and readers for what the panel and the status bar show.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import { CodeServer, sleep } from './code-server';
import { repoRoot } from './prerequisites';
import type { Workbench } from './workbench';

/** What the packaged extension holds (see .vscodeignore): no node_modules, like a user's install. */
const PACKAGED = ['package.json', 'dist', 'media', 'schemas', 'examples', 'resources', 'README.md', 'LICENSE', 'CHANGELOG.md'];

export const PANEL_ROOT = 'main#app';
export const STATUS_ITEM = 'neumannLens.status';

export const CMD = {
  run: 'Neumann Lens: Run Diagnosis',
  stop: 'Neumann Lens: Stop Session',
  showPanel: 'Neumann Lens: Show Panel',
  newExperiment: 'Neumann Lens: New Experiment',
  exportReport: 'Neumann Lens: Export Report',
} as const;

export async function startNeumannServer(opts: {
  settings?: Record<string, unknown>;
  /** Copy examples/ into the workspace (default true). */
  examples?: boolean;
  extraFiles?: Record<string, { text: string } | { from: string }>;
}): Promise<CodeServer> {
  const examples = join(repoRoot, 'examples');
  const workspaceFiles: Record<string, { from: string } | { text: string }> = {};
  for (const f of opts.examples === false ? [] : readdirSync(examples, { recursive: true, withFileTypes: true })) {
    if (!f.isFile()) continue;
    const abs = join(f.parentPath, f.name);
    workspaceFiles[abs.slice(examples.length + 1)] = { from: abs };
  }
  Object.assign(workspaceFiles, opts.extraFiles);
  return CodeServer.start({
    extensions: [{ root: repoRoot, include: PACKAGED }],
    settings: opts.settings,
    workspaceFiles,
  });
}

/** The panel's frame (created on first use; after a reload VS Code recreates it). */
export function panelFrame(wb: Workbench, timeoutMs = 60_000): Promise<Frame> {
  return wb.findFrame(PANEL_ROOT, timeoutMs);
}

export async function panelText(frame: Frame): Promise<string> {
  return ((await frame.textContent(PANEL_ROOT)) ?? '').replace(/\s+/g, ' ');
}

/**
 * Waits until the panel's text matches `pattern` (re-finding the frame: it may be replaced), and
 * returns the frame and text. On timeout the error carries what the panel showed last.
 */
export async function waitForPanel(wb: Workbench, pattern: RegExp, timeoutMs = 120_000): Promise<{ frame: Frame; text: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const frame = await panelFrame(wb, Math.max(1000, deadline - Date.now()));
      last = await panelText(frame);
      if (pattern.test(last)) return { frame, text: last };
    } catch {
      /* frame detached while reading */
    }
    await sleep(500);
  }
  throw new Error(`the panel never matched ${pattern}; it showed: ${last.slice(0, 1500)}`);
}

/** Polls a condition until it holds; the error names what was awaited. */
export async function eventually<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      lastError = e;
    }
    await sleep(300);
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** The first number after `label` in `text` (accepts −, e-notation), or null. */
export function numberAfter(text: string, label: string | RegExp): number | null {
  const src = typeof label === 'string' ? label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') : label.source;
  const m = new RegExp(`${src}\\s*[=:≈]?\\s*([−-]?\\d+(?:\\.\\d+)?(?:[eE][−-]?\\d+)?)`).exec(text);
  return m ? Number(m[1].replace(/−/g, '-')) : null;
}
