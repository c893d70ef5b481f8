/**
 * Shared by the bridge tests: an interpreter with torch found the way the product finds one
 * (NEUMANN_LENS_PYTHON, then python3 on PATH, then /usr/bin/python3; the first whose probe imports
 * torch), fixture paths, and small numeric helpers. Without such an interpreter the tests skip with
 * the reason, except under CI=true, where that is a failure.
 */
import type { TestContext } from 'node:test';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BridgeClient } from '../../src/bridge/client';
import { findPythonWithTorch } from '../../src/bridge/python-env';
import { CountingOperator } from '../../src/core/operators/linear-operator';

export const FIXTURES = join(__dirname, '..', 'fixtures', 'pytorch');
export const fixture = (name: string): string => join(FIXTURES, name);

let found: Promise<{ python: string | null; reason: string }> | null = null;

export function torchCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  return [...new Set([env.NEUMANN_LENS_PYTHON, 'python3', '/usr/bin/python3'].filter((c): c is string => !!c))];
}

function findOnce(): Promise<{ python: string | null; reason: string }> {
  found ??= findPythonWithTorch(torchCandidates()).then(({ found: f, tried }) => ({
    python: f ? f.python : null,
    reason: `no Python interpreter with torch >= 1.13: ${tried.map((t) => t.error).join('; ')}`,
  }));
  return found;
}

/** The interpreter to run the bridge with, or null after marking the test skipped (a failure under CI). */
export async function torchPython(t: TestContext): Promise<string | null> {
  const { python, reason } = await findOnce();
  if (python) return python;
  if (process.env.CI === 'true') throw new Error(`${reason} (CI=true: the PyTorch bridge tests may not be skipped)`);
  t.skip(reason);
  return null;
}

/** 1-based line of the only line of `file` containing `marker`. */
export function lineOf(file: string, marker = '# MARK'): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const hits = lines.flatMap((l, i) => (l.includes(marker) ? [i + 1] : []));
  if (hits.length !== 1) throw new Error(`${file}: expected one line with ${marker}, found ${hits.length}`);
  return hits[0];
}

export function runPython(python: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(python, args, { env: env ?? process.env, maxBuffer: 256 * 1024 * 1024 }, (err, stdout, stderr) =>
      err ? reject(new Error(`${python} ${args.join(' ')} failed: ${err.message}\n${stderr}`)) : resolve(stdout),
    );
  });
}

export function unit(n: number, i: number): Float64Array {
  const v = new Float64Array(n);
  v[i] = 1;
  return v;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until the pid is gone (no timing assertion: the test's own timeout bounds it). */
export async function waitGone(pid: number): Promise<void> {
  while (isPidAlive(pid) && !isZombie(pid)) await new Promise((r) => setTimeout(r, 20));
}

function isZombie(pid: number): boolean {
  try {
    return /^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The process group of a live pid (Linux /proc). */
export function pgidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // pid (comm) state ppid pgrp …; comm may hold spaces and parentheses, so split after the last ')'.
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
}

/** Pids of live (non-zombie) processes whose command line contains `marker` (Linux /proc). */
export function processesWith(marker: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      if (cmd.includes(marker) && !isZombie(Number(name))) out.push(Number(name));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** Polls until no process's command line contains `marker` (the test's timeout bounds it). */
export async function waitNoProcessWith(marker: string): Promise<void> {
  while (processesWith(marker).length > 0) await new Promise((r) => setTimeout(r, 20));
}

/** H_data + λI served by a bridge: the weight decay added on this side, as the product does. */
export class BridgeHessian extends CountingOperator {
  constructor(
    private readonly client: BridgeClient,
    private readonly weightDecay: number,
  ) {
    super();
  }
  get size(): number {
    return this.client.paramCount;
  }
  protected async product(v: Float64Array): Promise<Float64Array> {
    return (await this.products([v]))[0];
  }
  protected override async products(vs: Float64Array[]): Promise<Float64Array[]> {
    const hs = await this.client.hvp(vs);
    return hs.map((h, k) => h.map((x, i) => x + this.weightDecay * vs[k][i]));
  }
}
