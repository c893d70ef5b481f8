/** Markdown for each benchmark's results file (see readme.ts), with when, where and how it was measured. */
import type { BridgeBenchRow } from '../bridge';
import type { DistributedBenchRow } from '../distributed';
import type { HyperBenchRow } from '../hyper';
import type { BenchResults } from './results';

type Renderer = (r: BenchResults<never>) => string;

/** One line saying when, where and how: every README figure carries it. */
export function provenance(r: BenchResults<unknown>): string {
  const m = r.machine;
  return (
    `Measured ${r.date.slice(0, 10)} by \`${r.benchmark === 'hvp' ? 'npm run bench' : `node --import tsx bench/${r.benchmark}.ts`}\` on ${m.cpus} cores (${m.cpuModel.trim()}), ` +
    `${m.memoryGb} GB, Node ${m.node}, 1-min load ${m.load.before} → ${m.load.after}; ${r.rounds} interleaved round${r.rounds === 1 ? '' : 's'}. ${r.method}`
  );
}

export function table(head: string[], rows: (string | number | null)[][]): string {
  const cell = (x: string | number | null) => (x === null ? '–' : String(x));
  return [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`)].join('\n');
}

const ms = (x: number | null) => (x === null ? null : x >= 100 ? `${Math.round(x)} ms` : `${x.toPrecision(3)} ms`);
const thousands = (n: number) => n.toLocaleString('en-US');

interface HvpRow {
  model: string;
  rows: number;
  params: number;
  engine: string;
  gradMs: number;
  hvpMs: number;
  hvpOverGrad: number;
  tapeMs: number | null;
  peakRssMb: number | null;
}

function renderHvp(r: BenchResults<HvpRow>): string {
  const rows = r.results.map((x) => [x.model, x.rows, thousands(x.params), x.engine, ms(x.gradMs), ms(x.hvpMs), x.hvpOverGrad.toFixed(2), ms(x.tapeMs), x.peakRssMb === null ? null : `${x.peakRssMb} MB`]);
  return `${table(['model', 'rows', 'params', 'engine', 'gradient', 'HVP', 'HVP/grad', 'tape once per w', 'peak RSS'], rows)}\n\n${provenance(r)}\n`;
}

function renderDistributed(r: BenchResults<DistributedBenchRow>): string {
  const of = <K extends DistributedBenchRow['kind']>(kind: K) => r.results.filter((x): x is Extract<DistributedBenchRow, { kind: K }> => x.kind === kind);
  const measured = of('measured');
  const rows = Math.max(...measured.map((x) => x.rows));
  const one = measured.find((m) => m.ranks === 1 && m.threadsPerRank === 1 && m.rows === rows)!;
  const lines = [
    table(
      ['contestant', 'ranks × threads', 'rows', 'params', 'H·v', 'speed-up', 'first H·v (graph)', 'P values to rank 0 and back', 'start'],
      measured.map((m) => [
        m.contestant, `${m.ranks} × ${m.threadsPerRank}`, thousands(m.rows), thousands(m.params), ms(m.hvpMs),
        m.rows === rows ? `${(one.hvpMs / m.hvpMs).toFixed(2)}×` : null, ms(m.firstHvpMs), ms(m.roundTripMs), ms(m.startMs),
      ]),
    ),
    '',
  ];
  const [c] = of('collectives');
  const [model] = of('model');
  lines.push(
    `Split of the 1-rank H·v: ${ms(model.overheadMs)} that do not shrink with the rows (the measured round trip of P values between the client and rank 0) and ` +
      `${model.computeMsPerRow.toPrecision(3)} ms of compute per training row (the rest, over ${thousands(rows)} rows). ` +
      `Checks: it predicts ${ms(model.predictedSmallMs)} for ${thousands(model.smallRows)} rows (measured ${ms(model.measuredSmallMs)}); ` +
      `with the collectives of one H·v timed alone between ${c.ranks} loopback ranks (gloo: broadcast of v ${ms(c.broadcastMs)}, all-reduce of H·v ${ms(c.allReduceMs)}, ${thousands(c.values)} float64 values) ` +
      `it predicts ${ms(model.predictedTwoRanksMs)} for 2 ranks (measured ${ms(model.measuredTwoRanksMs)}).`,
  );
  const projection = of('projection');
  const bandwidths = [...new Set(projection.map((p) => p.bandwidthGbit))];
  const nodes = [...new Set(projection.map((p) => p.nodes))];
  const at = (n: number, b: number) => projection.find((p) => p.nodes === n && p.bandwidthGbit === b)!;
  lines.push(
    '',
    `**Projection, not a measurement**: one H·v on N one-core nodes for the same ${thousands(rows)} rows = overhead + compute per row × rows/N + broadcast of v (P·8 bytes) + ring all-reduce of H·v (2(N−1)/N·P·8 bytes per node) at the stated bandwidth; latency and overlap left out (bench/lib/hvp-projection.ts).`,
    '',
    table(
      ['nodes', 'compute', ...bandwidths.flatMap((b) => [`comm @ ${b} Gbit/s`, `H·v @ ${b} Gbit/s`, `speed-up @ ${b}`])],
      nodes.map((n) => [
        n, ms(at(n, bandwidths[0]).computeMs),
        ...bandwidths.flatMap((b) => {
          const p = at(n, b);
          return [p.nodes === 1 ? null : ms(p.broadcastMs + p.allReduceMs), ms(p.hvpMs), `${p.speedup.toFixed(1)}×`];
        }),
      ]),
    ),
  );
  return `${lines.join('\n')}\n\n${provenance(r)}\n`;
}

function renderBridge(r: BenchResults<BridgeBenchRow>): string {
  const hvp = r.results.filter((x): x is Extract<BridgeBenchRow, { kind: 'hvp' }> => x.kind === 'hvp');
  const spectrum = r.results.filter((x): x is Extract<BridgeBenchRow, { kind: 'spectrum' }> => x.kind === 'spectrum');
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  return [
    table(
      ['model', 'rows', 'params', 'H·v through the bridge', 'H·v in-process (Python)', 'bridge / in-process'],
      hvp.map((x) => [x.model, thousands(x.rows), thousands(x.params), ms(x.bridgeMs), ms(x.inProcessMs), `${x.ratio.toFixed(2)}×`]),
    ),
    '',
    table(
      ['model', 'rows', 'params', 'both ends to', 'time', 'HVPs', 'λ_max', 'λ_min', 'converged (max, min)', 'server start'],
      spectrum.map((x) => [
        x.model, thousands(x.rows), thousands(x.params), String(x.tolerance), ms(x.totalMs), x.hvps,
        x.lambdaMax.toPrecision(4), x.lambdaMin.toPrecision(4), `${yes(x.converged.max)}, ${yes(x.converged.min)}`, ms(x.startMs),
      ]),
    ),
    '',
    provenance(r),
    '',
  ].join('\n');
}

function renderHyper(r: BenchResults<HyperBenchRow>): string {
  const seconds = (x: number) => (x >= 1 ? `${x.toPrecision(3)} s` : ms(x * 1000));
  const rows = r.results.map((x) => [
    `\`${x.example.replace(/\.neumann\.json$/, '')}\``,
    `${x.granularity}${x.variant === 'as shipped' ? '' : ' (bench variant)'}`,
    thousands(x.params),
    x.groups,
    `${x.inverse}${x.compared ? ' (compared)' : ''}`,
    `${x.steps} × ${x.innerSteps}`,
    x.hvpsPerStep,
    seconds(x.secondsPerStep),
    x.backend,
  ]);
  return `${table(['example', 'weight decay', 'params', 'groups', 'run', 'hyper-steps × inner steps', 'HVPs per hyper-step', 'time per hyper-step', 'backend'], rows)}\n\n${provenance(r)}\n`;
}

export const RENDERERS: Record<string, Renderer> = {
  hvp: renderHvp as Renderer,
  distributed: renderDistributed as Renderer,
  bridge: renderBridge as Renderer,
  hyper: renderHyper as Renderer,
};
