/**
 * Data-parallel HVPs through the bridge (`node --import tsx bench/distributed.ts [--rounds N]`):
 * one H·v on a 1,060,170-parameter MLP over 20,000 training rows (bench/peer/distributed_problem.py,
 * float64) served by 1 process and by 2 local gloo ranks, measured side by side in interleaved rounds,
 * each contestant its own process per round, every rank on one thread (OMP_NUM_THREADS=1: on this
 * 2-core machine 2 ranks use both cores, as 2 one-core nodes would); also 1 process on 2 threads.
 *
 * The projection to N nodes needs the compute per row apart from the fixed cost of an H·v. The fixed
 * cost is measured directly: the client ↔ rank 0 round trip of P values (setParams then getParams,
 * no autograd); the compute per row is the rest of the 1-rank H·v over its rows. A 1-process run on
 * 1,000 rows checks that split (predicted vs measured), and bench/peer/allreduce.py times the two
 * collectives of one H·v alone (broadcast of v, all-reduce of H·v) between 2 loopback ranks, which
 * with the split predicts the 2-rank H·v (predicted vs measured). bench/lib/hvp-projection.ts then
 * projects the H·v on N nodes at 10 and 100 Gbit/s: a projection, labelled as one.
 * Writes bench/results/distributed.json.
 */
import { join } from 'node:path';
import { BridgeClient } from '../src/bridge/client';
import { projectHvp, type ProjectionRow } from './lib/hvp-projection';
import { torchPython } from './lib/python';
import { interleave, median, round, startLoad, writeResults } from './lib/results';

const PROBLEM = join(__dirname, 'peer', 'distributed_problem.py');
const ROWS = 20_000;
const SMALL_ROWS = 1_000;
const HVPS = 3;
const NODES = [1, 2, 4, 8, 16, 32, 64, 128];
const BANDWIDTHS_GBIT = [10, 100];

interface Contestant {
  key: string;
  ranks: number;
  threads: number;
  rows: number;
}

const CONTESTANTS: Contestant[] = [
  { key: '1 rank', ranks: 1, threads: 1, rows: ROWS },
  { key: '2 ranks', ranks: 2, threads: 1, rows: ROWS },
  { key: '1 rank, 2 threads', ranks: 1, threads: 2, rows: ROWS },
  { key: `1 rank, ${SMALL_ROWS} rows`, ranks: 1, threads: 1, rows: SMALL_ROWS },
];

export type DistributedBenchRow =
  | {
      kind: 'measured';
      contestant: string;
      ranks: number;
      threadsPerRank: number;
      rows: number;
      params: number;
      /** Median over rounds of each process's median H·v at a fixed w (double-backward graph cached). */
      hvpMs: number;
      /** The first H·v at w: building the double-backward graph, then the product. */
      firstHvpMs: number;
      /** spawn → ready (start the ranks, import torch, join the group, load the shards). */
      startMs: number;
      /** Median of setParams + getParams: P values to rank 0 and back, no autograd. */
      roundTripMs: number;
      hvpMsPerRound: number[];
    }
  | { kind: 'collectives'; ranks: number; values: number; broadcastMs: number; allReduceMs: number }
  | {
      kind: 'model';
      /** (1-rank H·v − overhead) / rows. */
      computeMsPerRow: number;
      /** The 1-rank round trip of P values: the part of an H·v that does not shrink with the rows. */
      overheadMs: number;
      /** overhead + compute of 1,000 rows, vs the measured 1-rank H·v on 1,000 rows. */
      predictedSmallMs: number;
      measuredSmallMs: number;
      smallRows: number;
      /** overhead + compute of half the rows + the measured collectives, vs the measured 2-rank H·v. */
      predictedTwoRanksMs: number;
      measuredTwoRanksMs: number;
    }
  | ({ kind: 'projection' } & ProjectionRow);

async function time(f: () => Promise<unknown>): Promise<number> {
  const t = process.hrtime.bigint();
  await f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

/** One contestant in this process: prints its measurement as a JSON line. */
async function child(python: string, c: Contestant): Promise<void> {
  const threads = String(c.threads);
  const env = { ...process.env, BENCH_ROWS: String(c.rows), OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads };
  let client!: BridgeClient;
  const startMs = await time(async () => {
    client = await BridgeClient.spawn({ python, problem: PROBLEM, dtype: 'float64', env, ...(c.ranks > 1 ? { distributed: { worldSize: c.ranks } } : {}) });
  });
  try {
    const n = client.paramCount;
    const vector = (k: number) => Float64Array.from({ length: n }, (_, i) => Math.sin(i * 0.37 + k));
    const firstHvpMs = await time(() => client.hvp([vector(0)]));
    const hvps: number[] = [];
    for (let k = 1; k <= HVPS; k++) hvps.push(await time(() => client.hvp([vector(k)])));
    // After the H·v: setParams drops the graph cached at w.
    const w = await client.getParams();
    const trips: number[] = [];
    for (let k = 0; k < HVPS; k++) trips.push(await time(async () => (await client.setParams(w), await client.getParams())));
    console.log(JSON.stringify({ params: n, startMs, firstHvpMs, hvpMs: median(hvps), hvps, roundTripMs: median(trips) }));
  } finally {
    await client.close();
  }
}

function summarise(samples: Map<string, Record<string, unknown>[]>, params: number): DistributedBenchRow[] {
  const pick = (key: string, field: string) => median(samples.get(key)!.map((s) => Number(s[field])));
  const rows: DistributedBenchRow[] = CONTESTANTS.map((c) => ({
    kind: 'measured',
    contestant: c.key,
    ranks: c.ranks,
    threadsPerRank: c.threads,
    rows: c.rows,
    params,
    hvpMs: round(pick(c.key, 'hvpMs')),
    firstHvpMs: round(pick(c.key, 'firstHvpMs')),
    startMs: round(pick(c.key, 'startMs')),
    roundTripMs: round(pick(c.key, 'roundTripMs')),
    hvpMsPerRound: samples.get(c.key)!.map((s) => round(Number(s.hvpMs))),
  }));
  const broadcastMs = pick('collectives', 'broadcastMs');
  const allReduceMs = pick('collectives', 'allReduceMs');
  rows.push({ kind: 'collectives', ranks: 2, values: params, broadcastMs: round(broadcastMs), allReduceMs: round(allReduceMs) });
  const overheadMs = pick('1 rank', 'roundTripMs');
  const computeMsPerRow = (pick('1 rank', 'hvpMs') - overheadMs) / ROWS;
  rows.push({
    kind: 'model',
    computeMsPerRow: round(computeMsPerRow, 5),
    overheadMs: round(overheadMs),
    predictedSmallMs: round(overheadMs + computeMsPerRow * SMALL_ROWS),
    measuredSmallMs: round(pick(`1 rank, ${SMALL_ROWS} rows`, 'hvpMs')),
    smallRows: SMALL_ROWS,
    predictedTwoRanksMs: round(overheadMs + (computeMsPerRow * ROWS) / 2 + broadcastMs + allReduceMs),
    measuredTwoRanksMs: round(pick('2 ranks', 'hvpMs')),
  });
  for (const gbit of BANDWIDTHS_GBIT) {
    for (const nodes of NODES) {
      const p = projectHvp({ params, rows: ROWS, computeMsPerRow, overheadMs }, nodes, gbit);
      rows.push({
        kind: 'projection',
        ...p,
        computeMs: round(p.computeMs),
        broadcastMs: round(p.broadcastMs),
        allReduceMs: round(p.allReduceMs),
        hvpMs: round(p.hvpMs),
        speedup: round(p.speedup, 2),
      });
    }
  }
  return rows;
}

async function main(): Promise<void> {
  const python = torchPython();
  if (!python) throw new Error('no Python with torch found (apt-get install -y python3-torch, or set NEUMANN_LENS_PYTHON)');
  const at = process.argv.indexOf('--child');
  if (at >= 0) return child(python, CONTESTANTS[Number(process.argv[at + 1])]);
  const rounds = Number(process.argv[process.argv.indexOf('--rounds') + 1]) || 3;
  // The collectives contestant needs P before any rank has built the model: checked against it below.
  const params = 64 * 1024 + 1024 + 1024 * 960 + 960 + 960 * 10 + 10;
  const loadBefore = startLoad();
  const samples = interleave(
    rounds,
    [
      ...CONTESTANTS.map((c, i) => ({ key: c.key, command: process.execPath, args: [...process.execArgv, __filename, '--child', String(i)] })),
      { key: 'collectives', command: python, args: [join(__dirname, 'peer', 'allreduce.py'), '--world', '2', '--params', String(params)] },
    ],
    (key, r, s) => console.log(`round ${r}: ${key}: ${s.hvpMs !== undefined ? `hvp ${round(Number(s.hvpMs))} ms` : `broadcast ${round(Number(s.broadcastMs))} ms, all-reduce ${round(Number(s.allReduceMs))} ms`}`),
  );
  const measuredParams = Number(samples.get('1 rank')![0].params);
  if (measuredParams !== params) throw new Error(`the model has ${measuredParams} parameters, the collectives were timed for ${params}`);
  const results = summarise(samples, params);
  for (const r of results) console.log(JSON.stringify(r));
  const file = writeResults(
    'distributed',
    {
      rounds,
      method:
        `Each round runs every contestant once as its own process, in rotated order; a process reports the median of ${HVPS} H·v at one w after a first one that builds the graph, and a figure is the median over rounds. ` +
        'Every rank runs on one thread unless stated. The N-node rows are a projection (bench/lib/hvp-projection.ts) from the measured compute per row and overhead, not a measurement.',
      results,
    },
    loadBefore,
  );
  console.log(`wrote ${file}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
