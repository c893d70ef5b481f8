/**
 * The HTML export's charts of the hyperparameter loop: weight decay per hyper-step (log scale)
 * and ρ per hyper-step with the line ρ = 1, every run in its own colour, as inline SVG (no
 * scripts, colours from the page's light/dark variables). The series are the panel's
 * (hyper-series.ts), so both draw the same numbers the same way; a gap is a break in the path.
 */
import { fmtNum } from './format';
import { drawOrder, hyperModelOf, hyperRhoData, reportRuns, weightDecayData, type HyperChartData, type HyperSeries } from './hyper-series';
import type { DiagnosisReport } from './report';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const W = 520;
const H = 260;
const PAD = { l: 62, r: 14, t: 46, b: 40 };
/** The panel's run colours, as the export's CSS variables. */
const RUN_COLORS = ['--blue', '--orange', '--good', '--purple', '--warn'];
const GROUP_DASHES = ['', '6 4', '2 3', '10 3 2 3', '1 5', '14 4'];
const runColor = (run: number) => `var(${RUN_COLORS[run % RUN_COLORS.length]})`;

/** The loop's two charts, or '' when the report has no hyper block. */
export function hyperChartsHtml(report: DiagnosisReport): string {
  const h = report.hyper;
  const m = h && hyperModelOf(reportRuns(h), h);
  if (!m) return '';
  return `<h2>Hyperparameter loop: charts</h2>\n<div class="charts">${weightDecaySvg(weightDecayData(m))}\n${rhoSvg(hyperRhoData(m))}</div>`;
}

function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / count)));
  const s = ([1, 2, 5, 10].find((k) => (hi - lo) / (k * step) <= count) ?? 10) * step;
  const out: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + 1e-9 * s; t += s) out.push(Math.abs(t) < 1e-12 * s ? 0 : t);
  return out;
}

interface Plot {
  px: (x: number) => number;
  py: (y: number) => number;
  yTicks: number[];
}

/** The plot area's scales: x over the steps, y over the drawn values and `keep` (lines that must show), log10 or linear. */
function scales(d: HyperChartData, log: boolean, keep: number[]): Plot | null {
  const tf = (v: number) => (log ? Math.log10(v) : v);
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of d.series) for (const v of s.values) if (v !== null) [lo, hi] = [Math.min(lo, tf(v)), Math.max(hi, tf(v))];
  if (!Number.isFinite(lo) || d.x.length === 0) return null;
  for (const v of keep) [lo, hi] = [Math.min(lo, tf(v)), Math.max(hi, tf(v))];
  if (log) {
    // Whole decades, as the panel's log axes: each end has a labelled power of ten.
    [lo, hi] = [Math.floor(lo), Math.ceil(hi)];
    if (hi === lo) hi = lo + 1;
  } else {
    if (hi - lo < 1e-12) [lo, hi] = [lo - (0.5 * Math.abs(lo) || 1), hi + (0.5 * Math.abs(hi) || 1)];
    const pad = 0.06 * (hi - lo);
    [lo, hi] = [lo - pad, hi + pad];
  }
  const x0 = d.x[0];
  const x1 = d.x.length > 1 ? d.x[d.x.length - 1] : x0 + 1;
  const yTicks = log ? niceTicks(Math.ceil(lo), Math.floor(hi), 6).filter(Number.isInteger).map((e) => Math.pow(10, e)) : niceTicks(lo, hi);
  return {
    px: (x) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r),
    py: (y) => H - PAD.b - ((tf(y) - lo) / (hi - lo)) * (H - PAD.t - PAD.b),
    yTicks,
  };
}

/** Path data through the drawable points; a null starts a new piece, so a gap is never bridged. */
function pathData(p: Plot, xs: number[], values: (number | null)[]): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${p.px(xs[i]).toFixed(1)} ${p.py(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

function seriesPath(p: Plot, d: HyperChartData, s: HyperSeries): string {
  const dash = s.dash !== undefined && GROUP_DASHES[s.dash % GROUP_DASHES.length] ? ` stroke-dasharray="${GROUP_DASHES[s.dash % GROUP_DASHES.length]}"` : '';
  const width = d.runs[s.run].main ? 2 : 1.5;
  // One dot per point too: a run of one step, or one between two gaps, has no line to show it.
  const dots = s.values.map((v, i) => (v === null ? '' : `<circle cx="${p.px(d.x[i]).toFixed(1)}" cy="${p.py(v).toFixed(1)}" r="2" style="fill:${runColor(s.run)}"/>`)).join('');
  return `<path class="run" data-run="${esc(d.runs[s.run].inverse)}" d="${pathData(p, d.x, s.values)}" fill="none" stroke-width="${width}"${dash} style="stroke:${runColor(s.run)}"><title>${esc(s.label)}</title></path>${d.x.length <= 40 ? dots : ''}`;
}

/** A band between two edge series: the upper edge forward, the lower back, per piece without gaps. */
function bandPath(p: Plot, d: HyperChartData, upper: HyperSeries, lower: HyperSeries, run: number): string {
  const pieces: number[][] = [];
  d.x.forEach((_, i) => {
    if (upper.values[i] === null || lower.values[i] === null) return void pieces.push([]);
    if (pieces.length === 0) pieces.push([]);
    pieces[pieces.length - 1].push(i);
  });
  const dd = pieces
    .filter((ix) => ix.length > 0)
    .map((ix) => {
      const top = ix.map((i) => `${p.px(d.x[i]).toFixed(1)} ${p.py(upper.values[i]!).toFixed(1)}`);
      const bottom = [...ix].reverse().map((i) => `${p.px(d.x[i]).toFixed(1)} ${p.py(lower.values[i]!).toFixed(1)}`);
      return `M${[...top, ...bottom].join('L')}Z`;
    })
    .join('');
  return `<path class="band" data-run="${esc(d.runs[run].inverse)}" d="${dd}" style="fill:${runColor(run)};fill-opacity:.22;stroke:none"><title>${esc(d.runs[run].inverse)}: min–max</title></path>`;
}

function legend(d: HyperChartData, extra: { label: string; style: string; dash?: string }[]): string {
  let x = PAD.l;
  const items = [...d.runs.map((r, i) => ({ label: `${r.inverse}${r.main ? ' (the loop)' : ''}`, style: `stroke:${runColor(i)}`, dash: '' })), ...extra];
  let row = 0;
  return items
    .map((it) => {
      const width = 34 + 6.2 * it.label.length;
      if (x + width > W - PAD.r && x > PAD.l) [x, row] = [PAD.l, row + 1];
      const y = 12 + 16 * row;
      const out = `<line x1="${x}" x2="${x + 18}" y1="${y}" y2="${y}" stroke-width="2"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''} style="${it.style}"/><text x="${x + 22}" y="${y + 4}">${esc(it.label)}</text>`;
      x += width;
      return out;
    })
    .join('');
}

function frame(title: string, desc: string, p: Plot, d: HyperChartData, yLabel: string, body: string): string {
  const grid = p.yTicks
    .map((t) => `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${p.py(t).toFixed(1)}" y2="${p.py(t).toFixed(1)}"/><text x="${PAD.l - 4}" y="${(p.py(t) + 4).toFixed(1)}" text-anchor="end">${esc(fmtNum(t, 3))}</text>`)
    .join('');
  const x1 = d.x.length > 1 ? d.x[d.x.length - 1] : d.x[0] + 1;
  const xTicks = niceTicks(d.x[0], x1).filter(Number.isInteger)
    .map((t) => `<text x="${p.px(t).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${t}</text>`)
    .join('');
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${title}: ${desc}`)}">
${grid}${xTicks}${body}
<line class="ax" x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}"/><line class="ax" x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}"/>
<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 6}" text-anchor="middle">hyper-step</text>
<text transform="translate(12 ${(PAD.t + H - PAD.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
</svg></figure>`;
}

const lastValue = (c: (number | null)[]) => [...c].reverse().find((v) => v !== null) ?? null;

function weightDecaySvg(d: ReturnType<typeof weightDecayData>): string {
  const p = scales(d, true, []);
  if (!p) return '';
  const bands = d.bands.map((b) => bandPath(p, d, d.series[b.upper], d.series[b.lower], b.run)).join('');
  const lines = drawOrder(d).map((i) => d.series[i]).filter((s) => s.role !== 'edge').map((s) => seriesPath(p, d, s)).join('');
  const how = d.mode === 'global' ? 'one weight decay' : d.mode === 'lines' ? `a line per tensor (${d.groups.join(', ')})` : `the min–max band and median over ${d.groups.length} groups`;
  const extra = d.mode === 'lines' ? d.groups.map((g, i) => ({ label: g, style: 'stroke:var(--muted)', dash: GROUP_DASHES[i % GROUP_DASHES.length] })) : d.mode === 'band' ? [{ label: 'median; band min–max', style: 'stroke:var(--muted)' }] : [];
  const desc = `${d.x.length} hyper-steps, log scale, ${how}; ${d.runs.map((r, i) => `${r.inverse} last ${fmtNum(lastValue(d.series.filter((s) => s.run === i && s.role !== 'edge')[0].values))}`).join(', ')}`;
  return frame('Weight decay per hyper-step (log scale)', desc, p, d, 'weight decay λ', bands + lines + legend(d, extra));
}

function rhoSvg(d: HyperChartData): string {
  const p = scales(d, false, [1]);
  if (!p) return '';
  const one = `<line class="mk two" x1="${PAD.l}" x2="${W - PAD.r}" y1="${p.py(1).toFixed(1)}" y2="${p.py(1).toFixed(1)}"/><text x="${W - PAD.r - 4}" y="${(p.py(1) - 4).toFixed(1)}" text-anchor="end">ρ = 1</text>`;
  const lines = drawOrder(d).map((i) => seriesPath(p, d, d.series[i])).join('');
  const desc = `${d.x.length} hyper-steps, the series converges below ρ = 1; ${d.runs.map((r, i) => {
    const over = d.series[i].values.filter((v) => v !== null && !(v < 1)).length;
    return `${r.inverse} last ${fmtNum(lastValue(d.series[i].values))}${over > 0 ? `, ≥ 1 at ${over} steps` : ''}`;
  }).join(', ')}`;
  return frame('ρ(I − α(H + δI)) per hyper-step', desc, p, d, 'ρ', one + lines + legend(d, [{ label: 'ρ = 1', style: 'stroke:var(--bad)', dash: '5 3' }]));
}
