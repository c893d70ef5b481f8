/**
 * The hyperparameter view's four charts as uPlot specs: weight decay (log), losses, ρ with the
 * line ρ = 1, and the hypergradient's relative error (log) with the warning threshold. Every run
 * of the loop shares the axes in its own colour; groups of one run differ by dash pattern.
 */
import type uPlot from 'uplot';
import type { ChartSpec, LegendEntry } from './chart-host';
import { stepRange } from './chart-data';
import { drawOrder, type HyperChartData, type HyperErrorData, type HyperSeries, type WeightDecayData } from '../core/diagnosis/hyper-series';
import { axis, base, dash, intAxis, lastOf, line, logAxis, markersHook } from './charts';
import { fmtNum, fmtPercent } from '../core/diagnosis/format';
import { withAlpha, type Palette } from './theme';

/** Run colours in run order (the loop's own inverse first); red is kept for the reference lines. */
export function runColor(p: Palette, run: number): string {
  return [p.blue, p.orange, p.green, p.purple, p.yellow][run % 5];
}

/** One pattern per group of a run (at most MAX_GROUP_LINES groups are drawn as lines). */
export const GROUP_DASHES: number[][] = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 5], [14, 4]];
const groupDash = (i: number) => GROUP_DASHES[i % GROUP_DASHES.length];

const firstOf = (c: (number | null)[]) => c.find((v) => v !== null) ?? null;

function uSeries(p: Palette, d: HyperChartData, s: HyperSeries): uPlot.Series {
  const stroke = runColor(p, s.run);
  // Gaps stay gaps: a step whose value was not finite must not be bridged by a line.
  if (s.role === 'edge') return { label: s.label, stroke: 'transparent', width: 0, points: { show: false }, spanGaps: false };
  const pattern = s.role === 'dashed' ? dash : s.dash !== undefined ? groupDash(s.dash) : [];
  const main = d.runs[s.run]?.main ?? false;
  return line(s.label, stroke, { spanGaps: false, width: main ? 2 : 1.5, dash: pattern, points: { show: d.x.length <= 30, size: 4, width: 1, fill: stroke } });
}

function columns(d: HyperChartData): uPlot.AlignedData {
  return [d.x, ...drawOrder(d).map((i) => d.series[i].values)];
}

function options(p: Palette, d: HyperChartData, yAxis: uPlot.Axis, y: uPlot.Scale, markers: Parameters<typeof markersHook>[1] = []): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    ...base(),
    // From the data (setData keeps these options while the loop streams), like the spectrum chart's axis.
    scales: { x: { time: false, range: (u) => stepRange(u.data[0][0] ?? null, u.data[0].at(-1) ?? null) }, y },
    axes: [intAxis(p, 'hyper-step'), yAxis],
    series: [{}, ...drawOrder(d).map((i) => uSeries(p, d, d.series[i]))],
    bands: d.bands.map((b) => {
      const at = (i: number) => drawOrder(d).indexOf(i) + 1;
      return { series: [at(b.upper), at(b.lower)] as [number, number], fill: withAlpha(runColor(p, b.run), p.highContrast ? 0.4 : 0.22) };
    }),
    hooks: markersHook(p, markers),
  };
}

function runLegend(p: Palette, d: HyperChartData): LegendEntry[] {
  return d.runs.map((r, i) => ({ label: `${r.inverse}${r.main ? ' (the loop)' : ''}`, color: runColor(p, i) }));
}

const shapeOf = (d: HyperChartData, extra = '') => `${d.series.map((s) => `${s.label}:${s.role}`).join('|')}#${extra}`;
const stepsText = (d: HyperChartData) => `${d.x.length} hyper-step${d.x.length === 1 ? '' : 's'}`;
const change = (c: (number | null)[]) => `${fmtNum(firstOf(c))} → ${fmtNum(lastOf(c))}`;

export const weightDecayChart: ChartSpec<WeightDecayData> = {
  id: 'chart-hyper-decay',
  title: 'Weight decay per hyper-step',
  height: 210,
  describe: (d) => {
    const perRun = d.runs.map((r, i) => {
      const mine = d.series.filter((s) => s.run === i);
      if (d.mode === 'global') return `${r.inverse} ${change(mine[0].values)}`;
      if (d.mode === 'lines') return `${r.inverse}: ${mine.map((s, g) => `${d.groups[g]} ${change(s.values)}`).join(', ')}`;
      return `${r.inverse} median ${change(mine[2].values)}, last range ${fmtNum(lastOf(mine[1].values))} to ${fmtNum(lastOf(mine[0].values))}`;
    });
    const how = d.mode === 'global' ? 'one weight decay' : d.mode === 'lines' ? `one line per tensor (${d.groups.length})` : `min–max band and median over ${d.groups.length} groups`;
    return `${stepsText(d)}, log scale, ${how}; ${perRun.join('; ')}`;
  },
  shape: (d) => shapeOf(d, `${d.mode}:${d.groups.join(',')}`),
  options: (p, d) => options(p, d, logAxis(p, 'weight decay λ (log)'), { distr: 3 }),
  data: columns,
  legend: (p, d): LegendEntry[] => [
    ...runLegend(p, d),
    ...(d.mode === 'lines' ? d.groups.map((g, i) => ({ label: g, color: p.muted, dash: groupDash(i) })) : []),
    ...(d.mode === 'band' ? [{ label: `min–max over ${d.groups.length} groups`, color: withAlpha(p.muted, 0.5), band: true }, { label: 'median', color: p.muted }] : []),
  ],
};

export const hyperLossChart: ChartSpec<HyperChartData> = {
  id: 'chart-hyper-loss',
  title: 'Train and validation loss per hyper-step',
  height: 210,
  describe: (d) =>
    `${stepsText(d)}; ` +
    d.runs.map((r, i) => {
      const [train, val] = d.series.filter((s) => s.run === i);
      return `${r.inverse} train ${change(train.values)}, validation ${change(val.values)}`;
    }).join('; '),
  shape: (d) => shapeOf(d),
  options: (p, d) => options(p, d, axis(p, 'data loss'), {}),
  data: columns,
  legend: (p, d) => [...runLegend(p, d), { label: 'train', color: p.muted }, { label: 'validation', color: p.muted, dash }],
};

export const hyperRhoChart: ChartSpec<HyperChartData> = {
  id: 'chart-hyper-rho',
  title: 'ρ(I − α(H + δI)) per hyper-step',
  height: 210,
  describe: (d) =>
    `${stepsText(d)}, the series converges below the line ρ = 1; ` +
    d.runs.map((r, i) => {
      const v = d.series[i].values.filter((x): x is number => x !== null);
      const over = v.filter((x) => !(x < 1)).length;
      return `${r.inverse} last ${fmtNum(lastOf(d.series[i].values))}, ${over === 0 ? 'below 1 at every step' : `at or above 1 at ${over} step${over > 1 ? 's' : ''}`}`;
    }).join('; '),
  shape: (d) => shapeOf(d),
  options: (p, d) => {
    // ρ = 1 always in view, so a run far below it still shows how far.
    const yRange = (_u: unknown, lo: number | null, hi: number | null): [number, number] => {
      const a = Math.min(lo ?? 1, 1);
      const b = Math.max(hi ?? 1, 1);
      const bottom = Math.max(0, a - 0.08 * (b - a || 1));
      // A fifth of the axis above the top: the label of ρ = 1 sits over its line, often the top of the data.
      return [bottom, b + 0.25 * (b - bottom)];
    };
    return options(p, d, axis(p, 'ρ'), { range: yRange }, [{ at: 1, label: 'ρ = 1', color: p.red, orientation: 'y' }]);
  },
  data: columns,
  legend: (p, d) => [...runLegend(p, d), { label: 'ρ = 1 (diverges above)', color: p.red, dashed: true }],
};

function thresholdLabel(d: HyperErrorData): string {
  return `${d.thresholdFromReport ? 'hyper.errorThreshold' : 'threshold'} ${fmtPercent(d.threshold)}`;
}

export const hyperErrorChart: ChartSpec<HyperErrorData> = {
  id: 'chart-hyper-error',
  title: 'Relative hypergradient error per hyper-step',
  height: 210,
  describe: (d) =>
    `${stepsText(d)}, log scale, ‖g − g_ref‖/‖g_ref‖ against the ${d.reference ?? 'run’s'} reference, ${thresholdLabel(d)}; ` +
    d.runs.map((r, i) => {
      const u = d.undrawn.find((x) => x.run === i);
      if (u) return `${r.inverse} ${u.why === 'zero' ? 'error 0 (it is the reference)' : 'no reference'}`;
      const v = d.series[i].values.filter((x): x is number => x !== null);
      return `${r.inverse} above the threshold at ${v.filter((x) => x > d.threshold).length} of ${v.length} steps, last ${fmtPercent(lastOf(d.series[i].values))}`;
    }).join('; '),
  shape: (d) => shapeOf(d, String(d.threshold)),
  options: (p, d) => {
    // The threshold stays in view: a run far below it is the good news.
    const yRange = (_u: unknown, lo: number | null, hi: number | null): [number, number] => {
      const a = Math.min(lo ?? d.threshold, d.threshold);
      const b = Math.max(hi ?? d.threshold, d.threshold);
      return [a / 2, b * 2];
    };
    return options(p, d, logAxis(p, 'relative error (log)'), { distr: 3, range: yRange }, [{ at: d.threshold, label: fmtPercent(d.threshold), color: p.red, orientation: 'y' }]);
  },
  data: columns,
  legend: (p, d) => [
    ...runLegend(p, d).map((e, i) => {
      const u = d.undrawn.find((x) => x.run === i);
      return u ? { ...e, label: `${e.label}: ${u.why === 'zero' ? 'error 0, it is the reference' : 'no reference'}` } : e;
    }),
    { label: thresholdLabel(d), color: p.red, dashed: true },
  ],
};
