/** Markdown for each benchmark's results file (see readme.ts), with when, where and how it was measured. */
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

export const RENDERERS: Record<string, Renderer> = {
  hvp: renderHvp as Renderer,
};
