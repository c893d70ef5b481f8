/**
 * Shared by the worker and CLI tests: build the bundles when missing or stale, write experiment
 * files into a temporary folder, and watch processes come and go.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../../src/worker/orphan-guard';

export const ROOT = join(__dirname, '..', '..');
export const WORKER = join(ROOT, 'dist', 'worker.js');
export const CLI = join(ROOT, 'dist', 'cli.js');

function newestMtime(dir: string): number {
  let t = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    t = Math.max(t, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return t;
}

const isFresh = (): boolean => {
  const src = newestMtime(join(ROOT, 'src'));
  return [WORKER, CLI].every((f) => existsSync(f) && statSync(f).mtimeMs >= src);
};

/**
 * Builds dist/ (≈1 s) unless both bundles are newer than every source file. Test files run in
 * parallel, so a lock directory keeps two of them from rewriting the bundles at the same time.
 */
export function ensureBuilt(): void {
  if (isFresh()) return;
  const lock = join(ROOT, 'dist', '.test-build.lock');
  mkdirSync(join(ROOT, 'dist'), { recursive: true });
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // Someone else is building; a lock older than a minute is left over from a killed run.
      if (waited > 60_000) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    if (isFresh()) return;
    const r = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`build failed:\n${r.stdout}\n${r.stderr}`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'neumann-lens-test-'));
}

export function writeJson(dir: string, name: string, value: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value, null, 2));
  return p;
}

/** A 1-4-1 tanh net on 200 synthetic rows: a full session in well under a second. */
export function tinyMlp(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'tiny 1-4-1',
    seed: 7,
    data: { synthetic: { kind: 'seed-regression', n: 200 } },
    model: { layers: [1, 4, 1], activation: 'tanh' },
    loss: 'mse',
    weightDecay: 0.1,
    training: { epochs: 2, batchSize: 32, learningRate: 0.05 },
    neumann: { alpha: 0.5, terms: 10 },
    ...overrides,
  };
}

/**
 * Long enough to cancel in either phase: many epochs over 5000 rows, then an exact spectrum of
 * ~4.4k parameters (thousands of HVPs). It is never run to the end.
 */
export function longMlp(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: 'long 1-64-64-1',
    seed: 1,
    data: { synthetic: { kind: 'seed-regression', n: 5000 } },
    model: { layers: [1, 64, 64, 1], activation: 'tanh' },
    loss: 'mse',
    weightDecay: 0.1,
    training: { epochs: 200, batchSize: 32, learningRate: 0.01 },
    neumann: { alpha: 0.5, terms: 10 },
    analysis: { exactMaxParams: 5000 },
    ...overrides,
  };
}

/** Resolves true as soon as the process is gone, false if it is still there after `ms`. */
export async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return !isProcessAlive(pid);
}

/** The report as the JSON file would hold it, without what legitimately differs between runs. */
export function comparable(report: unknown): unknown {
  const r = JSON.parse(JSON.stringify(report)) as Record<string, unknown>;
  delete r.timings;
  delete r.createdAt;
  return r;
}
