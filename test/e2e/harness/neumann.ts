/**
 * Neumann Lens specifics for the end-to-end scenarios: a code-server with the built extension
 * installed the way the .vsix would lay it out and a workspace holding copies of the examples.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CodeServer, sleep } from './code-server';
import { repoRoot } from './prerequisites';

/** What the packaged extension holds (see .vscodeignore): no node_modules, like a user's install. */
export const PACKAGED = ['package.json', 'dist', 'media', 'schemas', 'examples', 'python/neumann_lens', 'resources', 'README.md', 'LICENSE', 'CHANGELOG.md'];

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
