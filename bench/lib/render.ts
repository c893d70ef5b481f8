/** Markdown for each benchmark's results file (see readme.ts), with when, where and how it was measured. */
import type { BridgeBenchRow } from '../bridge';
import type { DistributedBenchRow } from '../distributed';
import type { HyperBenchRow } from '../hyper';
import type { SpectrumBenchRow } from '../spectrum';
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
const mb = (x: number | null) => (x === null ? null : `${x} MB`);

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
  const of = <K extends BridgeBenchRow['kind']>(kind: K) => r.results.filter((x): x is Extract<BridgeBenchRow, { kind: K }> => x.kind === kind);
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  const engine = (e: string) => (e === 'bridge' ? 'PyTorch through the bridge' : `TF.js (${e.replace('tfjs-', '')})`);
  const spectrum = [
    ...of('spectrum').map((x) => [
      engine(x.engine), x.model, thousands(x.params), String(x.tolerance), `${(x.totalMs / 1000).toFixed(1)} s`, x.hvps, ms(x.totalMs / x.hvps),
      x.lambdaMax.toPrecision(5), x.lambdaMin.toPrecision(5), `${yes(x.converged.max)}, ${yes(x.converged.min)}`, mb(x.clientPeakRssMb), mb(x.serverPeakRssMb),
    ]),
    ...of('spectrum-failed').map((x) => [engine(x.engine), x.model, thousands(x.params), null, `could not run: ${x.reason}`, null, null, null, null, null, null, null]),
  ];
  const lines = [
    table(
      ['model', 'rows', 'params', 'H·v through the bridge', 'H·v in-process (Python)', 'bridge / in-process', 'the bridge adds', 'echo of the bytes alone'],
      of('hvp').map((x) => [x.model, thousands(x.rows), thousands(x.params), ms(x.bridgeMs), ms(x.inProcessMs), `${x.ratio.toFixed(2)}×`, ms(x.overheadMs), ms(x.echoMs)]),
    ),
    '',
    table(['engine', 'model', 'params', 'both ends to', 'time', 'HVPs', 'per HVP', 'λ_max', 'λ_min', 'converged (max, min)', 'peak memory: Node', 'Python'], spectrum),
  ];
  for (const a of of('agreement')) {
    lines.push(
      '',
      `Both engines start from the same ${thousands(of('spectrum')[0].rows)} rows and weights, so they diagonalise the same Hessian: their λ_max differ by ${a.lambdaMaxRelDiff.toPrecision(2)} and their λ_min by ${a.lambdaMinRelDiff.toPrecision(2)} relative.`,
    );
  }
  return `${lines.join('\n')}\n\n${provenance(r)}\n`;
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

/** Issue 3's target for the seed example on this machine, CLI process start to report. */
const SEED_CLI_TARGET_SECONDS = 3;

function renderSpectrum(r: BenchResults<SpectrumBenchRow>): string {
  const of = <K extends SpectrumBenchRow['kind']>(kind: K) => r.results.filter((x): x is Extract<SpectrumBenchRow, { kind: K }> => x.kind === kind);
  const extremes = of('extremes');
  const seconds = (x: number) => (x >= 1 ? `${x.toPrecision(3)} s` : ms(x * 1000));
  const rel = (x: number | null) => (x === null ? null : x === 0 ? '0' : x.toExponential(1));
  const percent = (x: number) => `${(x * 100).toPrecision(2)} %`;
  const label = { reference: 'reference', lanczos: 'Lanczos', power: 'power + shifted power' } as const;
  const lines = [
    table(
      ['model', 'params', 'method', 'HVPs (own stopping rule)', 'converged', 'HVPs to both ends within 1e-3', 'rel. error λ_max', 'rel. error λ_min', 'time'],
      extremes.map((x) => [x.model, thousands(x.params), label[x.method], x.hvps, x.method === 'reference' ? null : x.converged ? 'yes' : '**no**', x.hvpsTo1e3, rel(x.relErrorMax), rel(x.relErrorMin), seconds(x.seconds)]),
    ),
    '',
  ];
  for (const model of new Set(extremes.map((x) => x.model))) {
    const l = extremes.find((x) => x.model === model && x.method === 'lanczos')!;
    const p = extremes.find((x) => x.model === model && x.method === 'power')!;
    const o = p.oracle!;
    const lanczosTo = l.hvpsTo1e3 === null ? `Lanczos did not get both ends within 10⁻³ in its ${l.hvps} products` : `Lanczos needs ${l.hvpsTo1e3} HVPs`;
    const missed = (['max', 'min'] as const).filter((end) => o[end] === null);
    const powerTo =
      p.hvpsTo1e3 !== null
        ? `power iteration + shifted power iteration: ${p.hvpsTo1e3}${l.hvpsTo1e3 === null ? '' : `, ${(p.hvpsTo1e3 / l.hvpsTo1e3).toFixed(1)}×`}`
        : `power iteration did not get ${missed.map((end) => `λ_${end}`).join(' or ')} within 10⁻³ in ${o.budgetPerEnd} products per end` +
          (l.hvpsTo1e3 === null ? '' : `, so more than ${(((o.max ?? o.budgetPerEnd) + (o.min ?? o.budgetPerEnd)) / l.hvpsTo1e3).toFixed(1)}× Lanczos`);
    const worst = p.relErrorMax! >= p.relErrorMin! ? { end: 'λ_max', err: p.relErrorMax! } : { end: 'λ_min', err: p.relErrorMin! };
    const rule = `PyHessian's stopping rule stopped it after ${p.hvps} products with ${worst.end} ${percent(worst.err)} off`;
    lines.push(`- ${model}: both ends to 10⁻³ relative: ${lanczosTo} (${powerTo}); ${rule}.`);
  }
  lines.push('', "Power iteration's HVPs, convergence, errors and time are those of PyHessian's stopping rule; its HVPs to both ends within 1e-3 come from the oracle run (not timed).");
  const slq = of('slq');
  const fraction = (x: number) => x.toFixed(3);
  lines.push(
    '',
    table(
      ['model', 'SLQ probes × steps', 'HVPs', 'negative fraction ± s.e.', 'Gauss-rule bracket', 'dense fraction', 'time'],
      slq.map((x) => [
        x.model, `${x.probes} × ${x.steps}`, x.hvps, `${fraction(x.negativeFraction)}${x.negativeFractionStdErr === null ? '' : ` ± ${x.negativeFractionStdErr.toPrecision(2)}`}`,
        `[${x.negativeFractionBounds.map(fraction).join(', ')}]`, x.referenceNegativeFraction === null ? null : fraction(x.referenceNegativeFraction), seconds(x.seconds),
      ]),
    ),
  );
  const [cli] = of('cli');
  const met = cli.seconds <= SEED_CLI_TARGET_SECONDS ? 'within' : '**over**';
  lines.push(
    '',
    `The seed example (\`${cli.example}\`) runs from CLI process start to report in ${seconds(cli.seconds)} (median; rounds ${cli.secondsPerRound.map(seconds).join(', ')}), ` +
      `${met} the target of ${SEED_CLI_TARGET_SECONDS} s. TF.js backend: ${[...new Set([...extremes, ...slq].map((x) => x.backend))].join(', ')}.`,
  );
  if ([...extremes, ...slq].some((x) => !x.identicalAcrossRounds)) lines.push('', '**The product counts or eigenvalues differed between rounds**: the first round is shown.');
  return `${lines.join('\n')}\n\n${provenance(r)}\n`;
}

export const RENDERERS: Record<string, Renderer> = {
  hvp: renderHvp as Renderer,
  distributed: renderDistributed as Renderer,
  bridge: renderBridge as Renderer,
  hyper: renderHyper as Renderer,
  spectrum: renderSpectrum as Renderer,
};
