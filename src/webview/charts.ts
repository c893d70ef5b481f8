/** The panel's charts as uPlot specs (options are rebuilt from the palette on theme change), and their parts. */
import uPlot from 'uplot';
import type { ChartSpec, LegendEntry } from './chart-host';
import { stepRange, type DampingData, type DensityData, type EpochSpectrumData, type HistogramData, type LossData, type NeumannData, type SpectrumData } from './chart-data';
import { spreadLabels } from './label-layout';
import { fmtNum, fmtPercent } from '../core/diagnosis/format';
import { withAlpha, type Palette } from './theme';

/** How many points have a value. */
export const countValues = (c: (number | null)[]) => c.filter((v) => v !== null).length;
export const lastOf = (c: (number | null)[]) => [...c].reverse().find((v) => v !== null) ?? null;

export function axis(p: Palette, label: string, extra: Partial<uPlot.Axis> = {}): uPlot.Axis {
  const font = `11px ${p.fontFamily}`;
  return {
    label,
    stroke: p.foreground,
    font,
    labelFont: font,
    grid: { stroke: p.grid, width: 1 },
    ticks: { stroke: p.grid, width: 1 },
    values: (_u, splits) => splits.map((v) => (v === null || v === undefined ? '' : fmtNum(v, 3))),
    ...extra,
  };
}

/** Steps, terms and epochs are integers: no 0.2-step ticks when only a few points exist. */
const INTEGER_INCRS = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
export const intAxis = (p: Palette, label: string) => axis(p, label, { incrs: INTEGER_INCRS });

/** Log axes: label and grid only powers of ten (uPlot's default also lines every 2…9 × 10^k). */
export function logAxis(p: Palette, label: string): uPlot.Axis {
  return axis(p, label, {
    splits: (_u, _i, min, max) => {
      if (!(min > 0) || !(max > min)) return [min, max];
      const lo = Math.ceil(Math.log10(min) - 1e-9);
      const hi = Math.floor(Math.log10(max) + 1e-9);
      const every = Math.max(1, Math.ceil((hi - lo + 1) / 6));
      const out: number[] = [];
      for (let e = lo; e <= hi; e += every) out.push(Math.pow(10, e));
      return out.length > 0 ? out : [min, max];
    },
    // These splits are thinned already: uPlot's own log filter would drop every other one again by the spacing of a decade.
    filter: (_u, splits) => splits,
  });
}

export function base(): Pick<uPlot.Options, 'legend' | 'cursor' | 'pxAlign'> {
  return { legend: { show: false }, cursor: { drag: { x: false, y: false }, points: { show: false } }, pxAlign: 0 };
}

export const line = (label: string, stroke: string, extra: Partial<uPlot.Series> = {}): uPlot.Series => ({
  label,
  stroke,
  width: 2,
  spanGaps: true,
  points: { show: false },
  ...extra,
});
export const hiddenEdge = (label: string): uPlot.Series => ({ label, stroke: 'transparent', width: 0, points: { show: false }, spanGaps: true });
export const dash = [6, 4];

export interface Marker {
  at: number;
  label: string;
  color: string;
  orientation: 'x' | 'y';
  scale?: string;
}

/** Labelled reference lines (0, 2/α, ρ = 1 …) drawn on the canvas after the series. */
export function markersHook(p: Palette, markers: Marker[]): uPlot.Hooks.Arrays {
  return {
    draw: [
      (u: uPlot) => {
        const ctx = u.ctx;
        const { left, top, width, height } = u.bbox;
        ctx.save();
        ctx.font = `${Math.round(11 * devicePixelRatio)}px ${p.fontFamily}`;
        ctx.lineWidth = Math.max(1, devicePixelRatio);
        ctx.setLineDash(dash.map((d) => d * devicePixelRatio));
        const dpr = devicePixelRatio;
        const lineHeight = 13 * dpr;
        const shown = markers
          .map((m) => ({ m, pos: u.valToPos(m.at, m.scale ?? m.orientation, true) }))
          .filter(({ m, pos }) => Number.isFinite(pos) && (m.orientation === 'x' ? pos >= left - 1 && pos <= left + width + 1 : pos >= top - 1 && pos <= top + height + 1));
        for (const { m, pos } of shown) {
          ctx.strokeStyle = m.color;
          ctx.beginPath();
          if (m.orientation === 'x') {
            ctx.moveTo(pos, top);
            ctx.lineTo(pos, top + height);
          } else {
            ctx.moveTo(left, pos);
            ctx.lineTo(left + width, pos);
          }
          ctx.stroke();
        }
        // Labels of lines close together would overprint each other: spread them along the line's axis.
        const vertical = shown.filter((s) => s.m.orientation === 'y');
        const ys = spreadLabels(vertical.map((s) => ({ at: s.pos - 4 * dpr - lineHeight, size: lineHeight })), top, top + height);
        ctx.textAlign = 'right';
        vertical.forEach((s, i) => {
          ctx.fillStyle = s.m.color;
          // Right-aligned: the left end sits next to the axis tick labels; baseline at the slot's bottom.
          ctx.fillText(s.m.label, left + width - 4 * dpr, ys[i] + lineHeight - 2 * dpr);
        });
        ctx.textAlign = 'left';
        const across = shown.filter((s) => s.m.orientation === 'x');
        const xs = spreadLabels(across.map((s) => ({ at: s.pos + 3 * dpr, size: ctx.measureText(s.m.label).width + 6 * dpr })), left, left + width);
        across.forEach((s, i) => {
          ctx.fillStyle = s.m.color;
          ctx.fillText(s.m.label, xs[i], top + 12 * dpr);
        });
        ctx.restore();
      },
    ],
  };
}

export const lossChart: ChartSpec<LossData> = {
  id: 'chart-loss',
  title: 'Training loss',
  height: 220,
  describe: (d) => `${countValues(d.stepLoss)} steps, last loss ${fmtNum(lastOf(d.stepLoss))}; ${countValues(d.epochTrain)} epochs`,
  shape: (d) => (useLog(d) ? 'log' : 'lin'),
  options: (p, d) => ({
    ...base(),
    scales: { x: { time: false }, y: { distr: useLog(d) ? 3 : 1 } },
    axes: [intAxis(p, 'step'), useLog(d) ? logAxis(p, 'loss (log)') : axis(p, 'loss')],
    series: [
      {},
      line('train loss per step', p.blue, { width: 1.5 }),
      line('train loss per epoch', p.orange, { width: 0, points: { show: true, size: 7, fill: p.orange } }),
      line('validation loss per epoch', p.green, { width: 0, points: { show: true, size: 7, fill: p.green } }),
    ],
  }),
  data: (d) => [d.x, d.stepLoss, d.epochTrain, d.epochValidation],
  legend: (p) => [
    { label: 'train loss per step', color: p.blue },
    { label: 'train loss per epoch', color: p.orange },
    { label: 'validation loss per epoch', color: p.green },
  ],
};

function useLog(d: LossData): boolean {
  const all = [...d.stepLoss, ...d.epochTrain, ...d.epochValidation].filter((v): v is number => v !== null);
  return all.length > 1 && all.every((v) => v > 0) && Math.max(...all) / Math.min(...all) > 20;
}

/** λ estimates per step with their intervals; `alpha` adds the 2/α line (divergence threshold). */
export function spectrumChart(alpha: () => number | null): ChartSpec<SpectrumData> {
  return {
    id: 'chart-spectrum',
    title: 'Extreme eigenvalues per step',
    height: 240,
    describe: (d) =>
      `${d.method}, ${d.x.length} steps${d.missingSteps > 0 ? ` (${d.missingSteps} more were thinned while streaming)` : ''}, ` +
      `λ_max ${fmtNum(lastOf(d.max))}, λ_min ${fmtNum(lastOf(d.min))}`,
    shape: (d) => `${d.method}:${alpha() ?? ''}:${d.exact?.max ?? ''}:${d.exact?.min ?? ''}`,
    options: (p, d) => {
      const a = alpha();
      // The lines that must stay in view; the estimates themselves come from uPlot's data extent, so
      // the range follows a live Lanczos run (setData keeps the chart, and with it this function).
      const refs = [0, ...(a && a > 0 ? [2 / a] : []), d.exact?.max ?? null, d.exact?.min ?? null].filter((v): v is number => v !== null && Number.isFinite(v));
      const yRange = (_u: unknown, dataMin: number | null, dataMax: number | null): [number, number] => {
        let lo = refs.reduce((m, v) => Math.min(m, v), dataMin ?? Infinity);
        let hi = refs.reduce((m, v) => Math.max(m, v), dataMax ?? -Infinity);
        if (!Number.isFinite(lo) || !Number.isFinite(hi)) [lo, hi] = [-1, 1];
        const pad = 0.12 * (hi - lo || Math.abs(hi) || 1);
        return [lo - pad, hi + pad];
      };
      const markers: Marker[] = [{ at: 0, label: '0', color: p.muted, orientation: 'y' }];
      if (a && a > 0) markers.push({ at: 2 / a, label: `2/α = ${fmtNum(2 / a)}`, color: p.red, orientation: 'y' });
      if (d.exact?.max != null) markers.push({ at: d.exact.max, label: `exact λ_max = ${fmtNum(d.exact.max)}`, color: p.orange, orientation: 'y' });
      if (d.exact?.min != null) markers.push({ at: d.exact.min, label: `exact λ_min = ${fmtNum(d.exact.min)}`, color: p.blue, orientation: 'y' });
      return {
        ...base(),
        // From the data itself (uPlot pads a single x before the range function sees it), so it follows a live
        // run (setData keeps these options), by the same rule as the model's xRange.
        scales: { x: { time: false, range: (u) => stepRange(u.data[0][0] ?? null, u.data[0].at(-1) ?? null) }, y: { range: yRange } },
        axes: [intAxis(p, d.method === 'exact' ? 'exact' : `${d.method} step`), axis(p, 'eigenvalue')],
        series: [
          {},
          line('λ_max', p.orange, { points: { show: true, size: 4 } }),
          hiddenEdge('λ_max lower'),
          hiddenEdge('λ_max upper'),
          line('λ_min', p.blue, { points: { show: true, size: 4 } }),
          hiddenEdge('λ_min lower'),
          hiddenEdge('λ_min upper'),
        ],
        bands: [
          { series: [3, 2], fill: withAlpha(p.orange, p.highContrast ? 0.4 : 0.25) },
          { series: [6, 5], fill: withAlpha(p.blue, p.highContrast ? 0.4 : 0.25) },
        ],
        hooks: markersHook(p, markers),
      };
    },
    data: (d) => [d.x, d.max, d.maxLo, d.maxHi, d.min, d.minLo, d.minHi],
    legend: (p, d): LegendEntry[] => [
      { label: 'λ_max', color: p.orange },
      { label: 'λ_max interval', color: withAlpha(p.orange, 0.35), band: true },
      { label: 'λ_min', color: p.blue },
      { label: 'λ_min interval', color: withAlpha(p.blue, 0.35), band: true },
      ...(alpha() ? [{ label: '2/α', color: p.red, dashed: true }] : []),
      ...(d.exact ? [{ label: 'exact λ (dense)', color: p.muted, dashed: true }] : []),
    ],
  };
}

export const neumannChart: ChartSpec<NeumannData> = {
  id: 'chart-neumann',
  title: 'Neumann term norms ‖v_j‖',
  height: 240,
  describe: (d) => `${d.x.length} terms, last ‖v_j‖ ${fmtNum(lastOf(d.norms))}` + (d.rho !== null ? `, predicted ρ = ${fmtNum(d.rho)}` : ''),
  shape: (d) => (d.rho === null ? 'live' : 'predicted'),
  options: (p, d) => ({
    ...base(),
    scales: { x: { time: false }, y: { distr: 3 } },
    axes: [intAxis(p, 'term j'), logAxis(p, '‖v_j‖ (log)')],
    series: [
      {},
      line('‖v_j‖', p.blue, { points: { show: d.x.length <= 60, size: 5 } }),
      line(`ρ^j·‖v_0‖`, p.red, { dash, width: 1.5 }),
    ],
  }),
  data: (d) => [d.x, d.norms, d.predicted],
  legend: (p, d) => [
    { label: '‖v_j‖ measured', color: p.blue },
    ...(d.rho !== null ? [{ label: `ρ^j·‖v_0‖ predicted (ρ = ${fmtNum(d.rho)})`, color: p.red, dashed: true }] : []),
  ],
};

export const histogramChart: ChartSpec<HistogramData> = {
  id: 'chart-histogram',
  title: 'Exact Hessian spectrum',
  height: 220,
  describe: (d) => `${d.counts.reduce((a, b) => a + b, 0)} eigenvalues in ${d.counts.length} bins; marked ${d.markers.map((m) => m.label).join(', ')}`,
  shape: (d) => d.markers.map((m) => `${m.label}=${m.at}`).join('|') + `:${d.range.join(',')}`,
  options: (p, d) => ({
    ...base(),
    scales: { x: { time: false, range: d.range }, y: { range: (_u, _lo, hi) => [0, Math.max(1, hi) * 1.15] } },
    axes: [axis(p, 'eigenvalue λ'), axis(p, 'count')],
    series: [
      {},
      {
        label: 'eigenvalues',
        stroke: p.blue,
        fill: withAlpha(p.blue, p.highContrast ? 0.8 : 0.45),
        width: 1,
        paths: uPlot.paths.bars!({ size: [0.9, Infinity], align: 0 }),
        points: { show: false },
      },
    ],
    hooks: markersHook(
      p,
      d.markers.map((m) => ({ at: m.at, label: m.label, color: m.label === '0' ? p.muted : m.label.startsWith('2/α') ? p.red : p.purple, orientation: 'x' as const })),
    ),
  }),
  data: (d) => [d.x, d.counts],
  legend: (p, d) => [
    { label: 'eigenvalue count', color: withAlpha(p.blue, 0.6), band: true },
    ...d.markers.map((m) => ({ label: m.label === '0' ? 'λ = 0' : `${m.label} = ${fmtNum(m.at)}`, color: m.label === '0' ? p.muted : m.label.startsWith('2/α') ? p.red : p.purple, dashed: true })),
  ],
};

export const epochSpectrumChart: ChartSpec<EpochSpectrumData> = {
  id: 'chart-epochs',
  title: 'λ and ρ per epoch',
  height: 220,
  describe: (d) => `${d.x.length} epochs, last ρ ${fmtNum(lastOf(d.rho))}`,
  shape: () => 'epochs',
  options: (p) => ({
    ...base(),
    scales: { x: { time: false }, y: {}, rho: {} },
    axes: [intAxis(p, 'epoch'), axis(p, 'eigenvalue'), axis(p, 'ρ', { side: 1, scale: 'rho', grid: { show: false } })],
    series: [
      {},
      line('λ_max', p.orange, { points: { show: true, size: 5 } }),
      line('λ_min', p.blue, { points: { show: true, size: 5 } }),
      line('ρ', p.red, { scale: 'rho', dash, points: { show: true, size: 5 } }),
    ],
    hooks: markersHook(p, [{ at: 1, label: 'ρ = 1', color: p.red, orientation: 'y', scale: 'rho' }]),
  }),
  data: (d) => [d.x, d.lambdaMax, d.lambdaMin, d.rho],
  legend: (p) => [
    { label: 'λ_max', color: p.orange },
    { label: 'λ_min', color: p.blue },
    { label: 'ρ (right axis)', color: p.red, dashed: true },
  ],
};

export const dampingChart: ChartSpec<DampingData> = {
  id: 'chart-damping',
  title: 'Hypergradient vs damping δ',
  height: 220,
  describe: (d) =>
    `${d.value.filter((v) => v !== null).length} converged values of the hypergradient of (H + δI)⁻¹b for δ from ${fmtNum(d.x[0])} to ${fmtNum(d.x[d.x.length - 1])}; ` +
    `Neumann ${fmtNum(d.neumann)}, undamped ${d.referenceName} ${fmtNum(d.reference)}`,
  shape: (d) => `${d.neumann !== null}|${d.reference !== null}`,
  options: (p, d) => ({
    ...base(),
    scales: { x: { time: false, distr: 3 }, y: {} },
    axes: [logAxis(p, 'damping δ (log)'), axis(p, 'dL_V/dλ')],
    series: [
      {},
      line('(H + δI)⁻¹b', p.blue, { points: { show: true, size: 6 } }),
      line('Neumann', p.orange, { dash, width: 1.5 }),
      line('undamped', p.green, { dash, width: 1.5 }),
    ],
    hooks: markersHook(p, d.configured > 0 ? [{ at: d.configured, label: 'δ configured', color: p.purple, orientation: 'x' }] : []),
  }),
  data: (d) => [d.x, d.value, d.x.map(() => d.neumann), d.x.map(() => d.reference)],
  legend: (p, d) => [
    { label: 'hypergradient of (H + δI)⁻¹b', color: p.blue },
    ...(d.neumann !== null ? [{ label: `Neumann (configured α, K, δ) = ${fmtNum(d.neumann)}`, color: p.orange, dashed: true }] : []),
    ...(d.reference !== null ? [{ label: `undamped (${d.referenceName}) = ${fmtNum(d.reference)}`, color: p.green, dashed: true }] : []),
  ],
};

export const densityChart: ChartSpec<DensityData> = {
  id: 'chart-density',
  title: 'Spectral density of H',
  height: 220,
  describe: (d) =>
    `${d.method === 'slq' ? 'stochastic Lanczos quadrature' : 'exact eigenvalues'}; negative fraction ${fmtPercent(d.negativeFraction)}` +
    `${d.negativeFractionStdErr !== null ? ` ± ${fmtPercent(d.negativeFractionStdErr)}` : ''}; marked ${d.markers.map((m) => m.label).join(', ')}`,
  shape: (d) => d.markers.map((m) => `${m.label}=${m.at}`).join('|'),
  options: (p, d) => ({
    ...base(),
    scales: { x: { time: false }, y: { distr: 3 } },
    axes: [axis(p, 'eigenvalue λ'), logAxis(p, 'density (log)')],
    series: [{}, line('density', p.blue, { fill: withAlpha(p.blue, p.highContrast ? 0.5 : 0.2) })],
    hooks: markersHook(p, d.markers.map((m) => ({ at: m.at, label: m.label, color: m.label === '0' ? p.muted : p.red, orientation: 'x' as const }))),
  }),
  data: (d) => [d.x, d.values],
  legend: (p, d) => [
    { label: `density (negative fraction ${fmtPercent(d.negativeFraction)})`, color: p.blue },
    ...d.markers.map((m) => ({ label: m.label === '0' ? 'λ = 0' : `2/α = ${fmtNum(m.at)}`, color: m.label === '0' ? p.muted : p.red, dashed: true })),
  ],
};
