/**
 * The dense path (`npm run bench`): seconds for a symmetric eigendecomposition and solve at
 * n = 500, 1210, 2000, candidates interleaved round by round (rotating order), medians of wall
 * and CPU seconds. Candidates:
 * - `householder-values`: this repo's factorSymmetric (blocked Householder + QL), all eigenvalues;
 * - `householder-exact-path`: the same plus what the exact path needs: H⁻¹b, a damping sweep of
 *   8 shifts and the eigenvectors of λ_min and λ_max;
 * - `ml-matrix`: EigenvalueDecomposition (JAMA tred2/tql2, always with vectors), the old path;
 * - `emlapack` (CLAPACK compiled with emscripten, npm `emlapack`): only when NEUMANN_BENCH_EMLAPACK
 *   points at an unpacked copy of the package (it is not a dependency; see the README of the row).
 * Then the session's own analyse() on a 64-16-10 tanh classifier (1210 parameters) on sklearn's
 * digits (via /usr/bin/python3; random data of that shape when sklearn is missing, and the result
 * says so), exact path (exactMaxParams 2000) vs Lanczos path (exactMaxParams 0), interleaved, and
 * the exact path's parts on that Hessian (assembly from n HVPs, factorisation, solve + sweep + vectors).
 * Writes bench/results/dense.json. `--rounds R` (default 3), `--sizes 500,1210`, `--skip-session`,
 * `--candidates householder-values,householder-exact-path` (default: all; ml-matrix alone takes minutes at 2000).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { dampingGrid, denseDampingSweep } from '../src/core/algorithms/damping-sweep';
import { assembleDense, factorSymmetric } from '../src/core/algorithms/dense-eigen';
import { initBackend } from '../src/core/model/backend';
import { readExperimentFile } from '../src/core/config/load';
import { Rng } from '../src/core/util/rng';
import { analyse } from '../src/session/analyse';
import { prepareTarget } from '../src/session/prepare';
import { ProgressReporter } from '../src/session/progress';

interface Sample {
  wall: number;
  cpu: number;
}
type Run = () => Promise<{ lambdaMin: number; lambdaMax: number } | { failed: string }>;

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const rounds = Number(arg('--rounds') ?? 3);
const sizes = (arg('--sizes') ?? '500,1210,2000').split(',').map(Number);
const only = arg('--candidates')?.split(',');

function randomSymmetric(n: number, seed: number): Float64Array {
  const rng = new Rng(seed);
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rng.normal() / Math.sqrt(n);
  return a;
}

async function timed<T>(f: () => Promise<T>): Promise<{ value: T; sample: Sample }> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await f();
  const c = process.cpuUsage(c0);
  return { value, sample: { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 } };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : 0.5 * (s[s.length / 2 - 1] + s[s.length / 2]);
};

function householderValues(a: Float64Array, n: number): Run {
  return async () => {
    const f = factorSymmetric(a, n);
    return { lambdaMin: f.values[0], lambdaMax: f.values[n - 1] };
  };
}

function householderExactPath(a: Float64Array, n: number): Run {
  return async () => {
    const f = factorSymmetric(a, n);
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    f.solve(b);
    const dampings = dampingGrid({ lambdaMinLower: f.values[0], lambdaMaxUpper: f.values[n - 1], includeZero: true });
    denseDampingSweep(f, b, { dampings, functional: (x) => x[0] });
    f.eigenvector(0);
    f.eigenvector(n - 1);
    return { lambdaMin: f.values[0], lambdaMax: f.values[n - 1] };
  };
}

function mlMatrix(a: Float64Array, n: number): Run {
  return async () => {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m.set(i, j, a[i * n + j]);
    const ev = new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues;
    return { lambdaMin: Math.min(...ev), lambdaMax: Math.max(...ev) };
  };
}

/** emlapack's dsyevd, loaded from an unpacked package (not a dependency: see the header). */
interface Emscripten {
  _malloc(bytes: number): number;
  _free(p: number): void;
  setValue(p: number, v: number, type: string): void;
  getValue(p: number, type: string): number;
  HEAPF64: Float64Array;
  cwrap(name: string, ret: null, args: string[]): (...a: number[]) => void;
}
async function loadEmlapack(dir: string): Promise<Emscripten> {
  const src = readFileSync(join(dir, 'wasm.js'), 'utf8');
  return new Promise((resolve) => {
    const module: Record<string, unknown> = { wasmBinary: readFileSync(join(dir, 'emlapack.wasm')), print: () => {}, printErr: () => {} };
    module.onRuntimeInitialized = () => resolve(module as unknown as Emscripten);
    // The emscripten glue declares `var Module`; handing it ours as a parameter is how its
    // options (the binary) reach it without a global.
    new Function('Module', 'require', 'module', '__dirname', 'process', src)(module, require, { exports: {} }, dir, process);
  });
}
function emlapack(em: Emscripten, a: Float64Array, n: number): Run {
  return async () => {
    const dsyevd = em.cwrap('dsyevd_', null, Array(11).fill('number'));
    const ptrs: number[] = [];
    const alloc = (bytes: number) => {
      const p = em._malloc(bytes);
      if (p === 0) throw new Error(`malloc(${bytes}) failed`);
      ptrs.push(p);
      return p;
    };
    try {
      const [pj, pu, pn, plda, plw, pliw, pinfo, pwo, piwo] = [1, 1, 4, 4, 4, 4, 4, 8, 4].map(alloc);
      const pa = alloc(n * n * 8);
      const pw = alloc(n * 8);
      em.setValue(pj, 'N'.charCodeAt(0), 'i8');
      em.setValue(pu, 'L'.charCodeAt(0), 'i8');
      for (const [p, v] of [[pn, n], [plda, n], [plw, -1], [pliw, -1]]) em.setValue(p, v, 'i32');
      dsyevd(pj, pu, pn, pa, plda, pw, pwo, plw, piwo, pliw, pinfo);
      const lw = em.getValue(pwo, 'double');
      const liw = em.getValue(piwo, 'i32');
      const pwork = alloc(lw * 8);
      const piwork = alloc(liw * 4);
      em.setValue(plw, lw, 'i32');
      em.setValue(pliw, liw, 'i32');
      new Float64Array(em.HEAPF64.buffer, pa, n * n).set(a);
      dsyevd(pj, pu, pn, pa, plda, pw, pwork, plw, piwork, pliw, pinfo);
      const w = new Float64Array(em.HEAPF64.buffer, pw, n);
      return { lambdaMin: w[0], lambdaMax: w[n - 1] };
    } catch (e) {
      return { failed: String(e).split('\n')[0].slice(0, 200) };
    } finally {
      for (const p of ptrs) em._free(p);
    }
  };
}

interface Row {
  candidate: string;
  n: number;
  rounds: number;
  wallSeconds: number[];
  cpuSeconds: number[];
  medianWallSeconds: number | null;
  medianCpuSeconds: number | null;
  /** max(|λ_min − ref|, |λ_max − ref|) against householder-values. */
  extremesDiff: number | null;
  failed: string | null;
}

async function denseRows(): Promise<Row[]> {
  const emDir = process.env.NEUMANN_BENCH_EMLAPACK;
  const em = emDir ? await loadEmlapack(emDir) : null;
  const rows: Row[] = [];
  const matrices = new Map(sizes.map((n) => [n, randomSymmetric(n, n)]));
  const candidates = (n: number): [string, Run][] => {
    const a = matrices.get(n) as Float64Array;
    const list: [string, Run][] = [
      ['householder-values', householderValues(a, n)],
      ['householder-exact-path', householderExactPath(a, n)],
      ['ml-matrix', mlMatrix(a, n)],
    ];
    if (em) list.push(['emlapack', emlapack(em, a, n)]);
    return only ? list.filter(([name]) => only.includes(name)) : list;
  };
  const refs = new Map<number, { lambdaMin: number; lambdaMax: number }>();
  for (let round = 0; round < rounds; round++) {
    for (const n of sizes) {
      const list = candidates(n);
      // Rotate the order each round so no candidate always runs first (warm caches, JIT).
      for (let k = 0; k < list.length; k++) {
        const [name, run] = list[(k + round) % list.length];
        let row = rows.find((r) => r.candidate === name && r.n === n);
        if (!row) {
          row = { candidate: name, n, rounds: 0, wallSeconds: [], cpuSeconds: [], medianWallSeconds: null, medianCpuSeconds: null, extremesDiff: null, failed: null };
          rows.push(row);
        }
        if (row.failed) continue;
        const { value, sample } = await timed(run);
        if ('failed' in value) {
          row.failed = value.failed;
          continue;
        }
        if (name === 'householder-values') refs.set(n, value);
        row.rounds++;
        row.wallSeconds.push(sample.wall);
        row.cpuSeconds.push(sample.cpu);
        const ref = refs.get(n);
        if (ref) row.extremesDiff = Math.max(row.extremesDiff ?? 0, Math.abs(value.lambdaMin - ref.lambdaMin), Math.abs(value.lambdaMax - ref.lambdaMax));
        console.log(`round ${round + 1} n=${n} ${name}: ${sample.wall.toFixed(3)} s wall, ${sample.cpu.toFixed(3)} s cpu`);
      }
    }
  }
  for (const r of rows) {
    if (r.rounds) {
      r.medianWallSeconds = median(r.wallSeconds);
      r.medianCpuSeconds = median(r.cpuSeconds);
    }
  }
  return rows;
}

/** sklearn digits as CSVs (features /16), or null when /usr/bin/python3 has no sklearn. */
function writeDigits(dir: string): boolean {
  const py = `
import csv, sys
from sklearn.datasets import load_digits
d = load_digits()
for name, lo, hi in (("train", 0, 1200), ("val", 1200, len(d.target))):
    with open(sys.argv[1] + "/digits." + name + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["x%d" % i for i in range(64)] + ["class"])
        for x, y in zip(d.data[lo:hi], d.target[lo:hi]):
            w.writerow(["%.4f" % (v / 16) for v in x] + [int(y)])
`;
  const r = spawnSync('/usr/bin/python3', ['-c', py, dir], { encoding: 'utf8' });
  return r.status === 0;
}

function writeRandomDigitsShape(dir: string): void {
  const rng = new Rng(3);
  for (const [name, rows] of [['train', 1200], ['val', 597]] as const) {
    const lines = [[...Array.from({ length: 64 }, (_, i) => `x${i}`), 'class'].join(',')];
    for (let r = 0; r < rows; r++) lines.push([...Array.from({ length: 64 }, () => rng.uniform().toFixed(4)), String(rng.int(10))].join(','));
    writeFileSync(join(dir, `digits.${name}.csv`), lines.join('\n') + '\n');
  }
}

interface SessionRow {
  path: 'exact' | 'lanczos';
  wallSeconds: number[];
  medianWallSeconds: number;
  /** analyse()'s own phase timings (ms), median per phase. */
  medianTimingsMs: Record<string, number>;
  hvps: number;
}

/** Medians of the exact path's parts on the model's own Hessian: assembly from HVPs, factorisation, the rest. */
interface ExactParts {
  assembleSeconds: number;
  factorSeconds: number;
  solveSweepVectorsSeconds: number;
  hvps: number;
}

async function sessionRows(): Promise<{ data: string; params: number; rows: SessionRow[]; ratio: number; exactParts: ExactParts }> {
  const dir = mkdtempSync(join(tmpdir(), 'neumann-dense-bench-'));
  try {
    const data = writeDigits(dir) ? 'sklearn digits (1200 train / 597 validation rows)' : (writeRandomDigitsShape(dir), 'random data of the digits shape (sklearn missing)');
    const expFile = join(dir, 'digits.neumann.json');
    writeFileSync(
      expFile,
      JSON.stringify({
        name: 'digits 64-16-10 tanh',
        seed: 1,
        data: { train: { csv: 'digits.train.csv', target: 'class' }, validation: { csv: 'digits.val.csv', target: 'class' } },
        model: { layers: [64, 16, 10], activation: 'tanh' },
        loss: 'cross-entropy',
        weightDecay: 1e-3,
        training: { epochs: 30, batchSize: 64, learningRate: 0.2 },
        neumann: { alpha: 1, terms: 50 },
      }),
    );
    const exp = readExperimentFile(expFile);
    const ctx = { emit: () => {}, progress: new ProgressReporter(() => {}) };
    const target = await prepareTarget(exp, ctx);
    const params = target.objective.size;
    const samples: Record<'exact' | 'lanczos', { wall: number; timings: Record<string, number>; hvps: number }[]> = { exact: [], lanczos: [] };
    for (let round = 0; round < rounds; round++) {
      for (const path of round % 2 ? (['lanczos', 'exact'] as const) : (['exact', 'lanczos'] as const)) {
        const t0 = performance.now();
        const r = await analyse(exp, target, { ...ctx, exactMaxParams: path === 'exact' ? 2000 : 0 });
        const wall = (performance.now() - t0) / 1000;
        if (r.spectrum.method !== path) throw new Error(`expected the ${path} path, got ${r.spectrum.method}`);
        samples[path].push({ wall, timings: r.timings, hvps: r.spectrum.hvps });
        console.log(`round ${round + 1} analyse (${path} path, ${params} parameters): ${wall.toFixed(2)} s`);
      }
    }
    const parts: ExactParts[] = [];
    const op = await target.objective.hessianAt(target.w);
    for (let round = 0; round < rounds; round++) {
      const asm = await timed(() => assembleDense(op));
      const fac = await timed(async () => factorSymmetric(asm.value.matrix, asm.value.size));
      const rest = await timed(async () => {
        const f = fac.value;
        f.solve(target.b);
        const dampings = dampingGrid({ lambdaMinLower: f.values[0], lambdaMaxUpper: f.values[params - 1], includeZero: true });
        denseDampingSweep(f, target.b, { dampings, functional: (x) => x[0] });
        f.eigenvector(0);
        f.eigenvector(params - 1);
      });
      parts.push({ assembleSeconds: asm.sample.wall, factorSeconds: fac.sample.wall, solveSweepVectorsSeconds: rest.sample.wall, hvps: asm.value.hvps });
      console.log(`round ${round + 1} exact-path parts: assemble ${asm.sample.wall.toFixed(2)} s, factor ${fac.sample.wall.toFixed(2)} s, solve + sweep + 2 vectors ${rest.sample.wall.toFixed(2)} s`);
    }
    op.dispose();
    target.dispose();
    const exactParts: ExactParts = {
      assembleSeconds: median(parts.map((p) => p.assembleSeconds)),
      factorSeconds: median(parts.map((p) => p.factorSeconds)),
      solveSweepVectorsSeconds: median(parts.map((p) => p.solveSweepVectorsSeconds)),
      hvps: parts[0].hvps,
    };
    const rows = (['exact', 'lanczos'] as const).map((path): SessionRow => {
      const s = samples[path];
      const keys = Object.keys(s[0].timings);
      return {
        path,
        wallSeconds: s.map((x) => x.wall),
        medianWallSeconds: median(s.map((x) => x.wall)),
        medianTimingsMs: Object.fromEntries(keys.map((k) => [k, median(s.map((x) => x.timings[k]))])),
        hvps: s[0].hvps,
      };
    });
    return { data, params, rows, ratio: rows[0].medianWallSeconds / rows[1].medianWallSeconds, exactParts };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const loadBefore = loadavg();
  const dense = await denseRows();
  let session: Awaited<ReturnType<typeof sessionRows>> | null = null;
  let backend: string | null = null;
  if (!process.argv.includes('--skip-session')) {
    backend = await initBackend('auto');
    session = await sessionRows();
  }
  console.log('\ncandidate                n     median wall s  median cpu s  rounds  |Δλ| vs householder');
  for (const r of dense) {
    const cell = (x: number | null) => (x === null ? 'n/a' : x.toFixed(3));
    console.log(`${r.candidate.padEnd(24)} ${String(r.n).padStart(5)} ${cell(r.medianWallSeconds).padStart(14)} ${cell(r.medianCpuSeconds).padStart(13)} ${String(r.rounds).padStart(7)}  ${r.failed ? `failed: ${r.failed}` : (r.extremesDiff ?? 0).toExponential(1)}`);
  }
  if (session) {
    for (const r of session.rows) console.log(`analyse ${r.path} path (${session.params} params, ${session.data}): median ${r.medianWallSeconds.toFixed(2)} s; ${JSON.stringify(r.medianTimingsMs)}`);
    console.log(`exact / Lanczos path: ${session.ratio.toFixed(2)}×; exact-path parts (medians): ${JSON.stringify(session.exactParts)}`);
  }
  const out = join(__dirname, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'dense.json'),
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, node: process.version, loadAverageBefore: loadBefore, loadAverageAfter: loadavg() },
        rounds,
        candidates: only ?? 'all',
        note: 'wall and CPU seconds per call, candidates interleaved round by round; a load average above 0 means other processes shared the cores',
        dense,
        session: session ? { backend, ...session } : null,
      },
      null,
      2,
    ) + '\n',
  );
  console.log(`wrote ${join('bench', 'results', 'dense.json')}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
