/**
 * What every benchmark writes to bench/results/<name>.json: the figures together with when, where
 * and how they were measured (date, machine, load before and after, rounds), so a figure in the
 * README can always be traced to the run that produced it. The README's tables are rendered from
 * these files (bench/lib/render.ts), never typed in.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  os: string;
  node: string;
  /** 1-minute load average when the benchmark started and when it ended (the machine is shared). */
  load: { before: number; after: number };
}

export interface BenchResults<T> {
  benchmark: string;
  date: string;
  machine: Machine;
  /** Rounds of the interleaved measurement (each round runs every contestant once, in rotating order). */
  rounds: number;
  /** How the figures were obtained, in one or two sentences. */
  method: string;
  results: T[];
}

export function machineNow(loadBefore: number): Machine {
  const c = cpus();
  return {
    cpus: c.length,
    cpuModel: c[0]?.model ?? 'unknown',
    memoryGb: Math.round(totalmem() / 2 ** 30),
    os: `${platform()} ${release()}`,
    node: process.version,
    load: { before: loadBefore, after: round(loadavg()[0], 2) },
  };
}

export function startLoad(): number {
  return round(loadavg()[0], 2);
}

export function writeResults<T>(name: string, r: Omit<BenchResults<T>, 'benchmark' | 'date' | 'machine'>, loadBefore: number): string {
  const out: BenchResults<T> = { benchmark: name, date: new Date().toISOString(), machine: machineNow(loadBefore), ...r };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
  return file;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function round(x: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/**
 * Runs `contestants` `rounds` times, each round in a rotated order (A B C, B C A, …), so that
 * a load spike from other processes falls on every contestant alike. Each contestant is one child
 * process per round that prints its measurement as the last JSON line of stdout.
 */
export function interleave<K extends string>(
  rounds: number,
  contestants: { key: K; command: string; args: string[]; cwd?: string }[],
  onSample?: (key: K, round: number, sample: Record<string, unknown>) => void,
): Map<K, Record<string, unknown>[]> {
  const samples = new Map<K, Record<string, unknown>[]>(contestants.map((c) => [c.key, []]));
  for (let r = 0; r < rounds; r++) {
    const order = contestants.map((_, i) => contestants[(i + r) % contestants.length]);
    for (const c of order) {
      const p = spawnSync(c.command, c.args, { cwd: c.cwd, encoding: 'utf8', timeout: 20 * 60_000 });
      if (p.status !== 0) throw new Error(`${c.key} (round ${r + 1}) failed (${p.status ?? p.signal}):\n${p.stderr.slice(-3000)}`);
      const line = p.stdout.trim().split('\n').filter((l) => l.startsWith('{')).pop();
      if (!line) throw new Error(`${c.key} (round ${r + 1}) printed no JSON result:\n${p.stdout.slice(-2000)}`);
      const sample = JSON.parse(line) as Record<string, unknown>;
      samples.get(c.key)!.push(sample);
      onSample?.(c.key, r + 1, sample);
    }
  }
  return samples;
}
