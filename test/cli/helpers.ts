/** Running the built CLI (dist/cli.js) as a real child process, and checking what it left on disk. */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, ROOT } from '../worker/helpers';

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  done: Promise<CliResult>;
}

/** Starts `node dist/cli.js …` in the repository root (or `options.cwd`). */
export function startCli(args: readonly string[], options: SpawnOptions = {}): Running {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

export function cli(args: readonly string[], options: SpawnOptions = {}): Promise<CliResult> {
  return startCli(args, options).done;
}

/** Every file (with its bytes) and folder under `dir`, by relative path: compare before and after a run. */
export function snapshot(dir: string, prefix = '', into = new Map<string, Buffer | 'folder'>()): Map<string, Buffer | 'folder'> {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) {
      into.set(`${prefix}${name}/`, 'folder');
      snapshot(p, `${prefix}${name}/`, into);
    } else into.set(`${prefix}${name}`, readFileSync(p));
  }
  return into;
}

/** The CLI's temporary output files in `dir` (`.<name>.<pid>-<hex>.tmp`). */
export function tempFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => /^\..+\.\d+-[0-9a-f]+\.tmp$/.test(n));
}
