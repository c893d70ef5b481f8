/**
 * The HTML export: one self-contained file (inline CSS, hand-generated inline SVG charts, no
 * scripts, no external references), readable in any browser and in light or dark mode.
 * Number formatting is src/core/diagnosis/format.ts, shared with the panel, so the export and the panel agree.
 */
import type { AdviceMessage } from './advice-message';
import type { HyperReport, HyperRun, HyperStep } from './hyper-report';
import { HYPER_COLUMNS, hyperRuns } from './hyper-table';
import type { DiagnosisReport } from './report';
import { backendText, fmtHead, fmtInterval, fmtNum, fmtPercent, headline, shownRows } from './format';
import { dampingRows, densityLine, minresLine, negativeCountText, referenceLine, shareText } from './report-facts';
import { crossCheckFlags } from './cross-check';
import { slowDivergence } from './slow-divergence';
import { fixLabels, fixValueText } from './report-messages';
import { messagesBesideSummary } from './shown-once';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function renderHtml(report: DiagnosisReport): string {
  const n = report.neumann;
  const sp = report.spectrum;
  const top = headline({ verdict: n.verdict, hypergradient: report.advice.hypergradient });
  const tone = top.tone;
  const rows: [string, string][] = [
    ['λ_min', `${fmtNum(sp.lambdaMin)} <span class="iv">${esc(fmtInterval(sp.lambdaMinInterval))}</span>`],
    ['λ_max', `${fmtNum(sp.lambdaMax)} <span class="iv">${esc(fmtInterval(sp.lambdaMaxInterval))}</span>`],
    ['α', fmtNum(n.alpha)],
    ['2/α', n.alpha > 0 ? fmtNum(2 / n.alpha) : '—'],
    ['δ (damping)', fmtNum(n.damping)],
    [n.damping > 0 ? 'ρ(I−α(H+δI))' : 'ρ(I−αH)', `${fmtNum(n.rho)} <span class="iv">${esc(fmtInterval(n.rhoInterval))}</span>`],
    ['K (terms)', String(n.terms)],
  ];
  if (report.advice.termsNeeded !== null) rows.push(['terms needed', String(report.advice.termsNeeded)]);
  if (n.nonFiniteAtTerm !== null) rows.push(['non-finite at term', String(n.nonFiniteAtTerm)]);
  const check = report.hvpSelfCheck;
  const meta: [string, string][] = [
    ['experiment', report.experimentFile ?? '(in memory)'],
    ['created', report.createdAt],
    ['backend', backendText(report)],
    ['parameters', String(report.params)],
    ['spectrum', `${sp.method}${sp.lanczosSteps !== null ? `, ${sp.lanczosSteps} Lanczos steps` : ''}, ${sp.hvps} HVPs`],
    ['time', report.timings.totalMs !== undefined ? `${fmtNum(report.timings.totalMs / 1000, 3)} s` : '—'],
    ['HVP self-check', `${check.passed ? 'passed' : 'FAILED'} (rel. error ${fmtNum(check.relativeError, 3)} vs tol ${fmtNum(check.tolerance, 3)}; ${check.operator})`],
  ];
  const slow = slowDivergence(n);
  const notes = [...(slow ? [slow.text] : []), ...crossCheckFlags(sp).map((f) => f.text)];
  const charts = [termNormsSvg(report), histogramSvg(report), lossSvg(report), epochsSvg(report)].filter(Boolean).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Neumann Lens — ${esc(report.name)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<h1>Neumann Lens — ${esc(report.name)}</h1>
<section class="verdict ${tone}">
<p class="title"><span aria-hidden="true">${top.symbol}</span> ${esc(top.title)}</p>
<p class="summary">${esc(report.advice.summary)}</p>
<table class="nums"><tbody>${rows.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${v}</td></tr>`).join('')}</tbody></table>
${notes.length ? `<ul class="notes">${notes.map((t) => `<li>${esc(t)}</li>`).join('\n')}</ul>` : ''}
</section>
<table class="meta"><tbody>${meta.map(([k, v]) => `<tr><th scope="row">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>
<h2>Recommendations and findings</h2>
<ul class="messages">${messagesBesideSummary(report.advice).map(messageItem).join('\n')}</ul>
<h2>Charts</h2>
<div class="charts">${charts}</div>
<h2>Hypergradient dL_V/dλ</h2>
${hypergradientTable(report)}
<h2>Neumann terms</h2>
${termsTable(report)}
${report.hyper ? hyperSection(report.hyper) : ''}
</main>
</body>
</html>
`;
}

/** An advice message with the fixes it proposes, each with the value it writes. */
function messageItem(m: AdviceMessage): string {
  const fixes = m.fixes ?? (m.fix ? [m.fix] : []);
  const fix = fixes.length
    ? `<br><span class="fix">Fix: ${esc(fixLabels(m))} (${fixes.map((f) => `<code>${esc(f.path.join('.'))} = ${esc(fixValueText(f.value))}</code>`).join(', ')})</span>`
    : '';
  return `<li class="${m.severity}"><strong>${m.severity}</strong> ${esc(m.text)}${m.key ? ` <code>${esc(m.key)}</code>` : ''}${fix}</li>`;
}

/** The loop: its charts, then per run the table the text and Markdown show (hyper-table.ts), its stop and its warnings. */
function hyperSection(h: HyperReport): string {
  const runs = hyperRuns(h);
  const head = `<tr>${HYPER_COLUMNS.map((c) => `<th scope="col">${esc(c)}</th>`).join('')}</tr>`;
  const tables = runs.map(
    (r) =>
      `<h3>${esc(r.title)}</h3>\n<div class="scroll"><table class="hyper"><thead>${head}</thead><tbody>${r.rows.map((row) => `<tr>${row.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`).join('')}</tbody></table></div>` +
      (r.stopped ? `\n<p class="stopped">${esc(r.stopped)}</p>` : '') +
      (r.warnings.length ? `\n<ul class="messages">${r.warnings.map(messageItem).join('\n')}</ul>` : ''),
  );
  return [`<h2>Hyperparameter loop</h2>`, `<div class="charts">${hyperCharts(runs.map((r) => r.run)).join('\n')}</div>`, ...tables].join('\n');
}

/** One chart per quantity along the loop, a line per run (the runs may stop at different steps). */
function hyperCharts(runs: HyperRun[]): string[] {
  const xs = Array.from({ length: Math.max(0, ...runs.map((r) => r.trajectory.length)) }, (_, i) => i + 1);
  const chart = (title: string, yLabel: string, pick: (s: HyperStep) => number | null, o: { logY?: boolean; hLines?: LineSpec['hLines'] } = {}) =>
    lineChart({
      title,
      xs,
      series: runs.map((r, i) => ({ ys: xs.map((t) => (r.trajectory[t - 1] ? pick(r.trajectory[t - 1]) : null)), cls: `s${i % 4}`, label: r.inverse })),
      xLabel: 'hyper-step',
      yLabel,
      ...o,
    });
  // Several groups: their geometric mean, the centre of φ = log λ.
  const decay = (s: HyperStep) => Math.exp(s.weightDecay.reduce((a, v) => a + Math.log(v), 0) / s.weightDecay.length);
  const groups = runs[0]?.trajectory[0]?.weightDecay.length ?? 1;
  return [
    chart(groups > 1 ? 'Weight decay per hyper-step (geometric mean of the groups, log scale)' : 'Weight decay per hyper-step (log scale)', 'λ', decay, { logY: true }),
    chart('Validation loss per hyper-step', 'L_V', (s) => s.validationLoss),
    chart('ρ(I − α(H + δI)) per hyper-step', 'ρ', (s) => s.rho, { hLines: [{ at: 1, cls: 'two', label: 'ρ = 1' }] }),
    chart('Hypergradient error against the reference (log scale)', 'relative error', (s) => s.relativeError, { logY: true }),
  ].filter(Boolean);
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1f2328;--bg:#fff;--muted:#59636e;--line:#d0d7de;--good:#1a7f37;--warn:#9a6700;--bad:#cf222e;--blue:#0969da;--orange:#bc4c00;--purple:#8250df}
@media (prefers-color-scheme:dark){:root{--fg:#e6edf3;--bg:#0d1117;--muted:#9198a1;--line:#3d444d;--good:#3fb950;--warn:#d29922;--bad:#f85149;--blue:#4493f8;--orange:#f0883e;--purple:#ab7df8}}
body{font-family:system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:0;padding:16px;line-height:1.45}
main{max-width:1100px;margin:0 auto}
h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.6em}
.verdict{border:1px solid var(--line);border-left:6px solid var(--line);padding:8px 14px;border-radius:4px}
.verdict.converges{border-left-color:var(--good)}.verdict.slow{border-left-color:var(--warn)}.verdict.diverges{border-left-color:var(--bad)}
.verdict .title{font-size:1.3em;font-weight:600;margin:4px 0}
.converges .title{color:var(--good)}.slow .title{color:var(--warn)}.diverges .title{color:var(--bad)}
.summary{font-size:1.05em}
table{border-collapse:collapse;margin:8px 0}th,td{padding:3px 10px;border-bottom:1px solid var(--line);text-align:right;white-space:nowrap}
th[scope=row]{text-align:left;color:var(--muted);font-weight:600}
.nums td{font-family:ui-monospace,monospace}.iv{color:var(--muted);font-size:.9em}
.meta td{text-align:left;white-space:normal}
.messages li{margin:4px 0}.messages .error strong{color:var(--bad)}.messages .warning strong{color:var(--warn)}.messages .info strong{color:var(--blue)}
.notes{padding-left:1.2em}.notes li{color:var(--warn);margin:4px 0}
.fix{color:var(--muted)}code{font-family:ui-monospace,monospace}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(420px,1fr));gap:16px}
figure{margin:0;border:1px solid var(--line);border-radius:4px;padding:8px}figcaption{font-weight:600}
svg{width:100%;height:auto;font-size:11px}svg text{fill:var(--fg)}
.ax{stroke:var(--muted);stroke-width:1}.grid{stroke:var(--line);stroke-width:.5}
.s0{stroke:var(--blue);fill:none;stroke-width:2}.s1{stroke:var(--bad);fill:none;stroke-width:1.5;stroke-dasharray:6 4}
.s2{stroke:var(--orange);fill:none;stroke-width:2}.s3{stroke:var(--good);fill:none;stroke-width:2}
.pt{stroke-dasharray:none;fill:var(--bg)}
.bar{fill:var(--blue);fill-opacity:.55}.mk{stroke:var(--purple);stroke-dasharray:5 3}.mk.zero{stroke:var(--muted)}.mk.two{stroke:var(--bad)}
.scroll{max-height:480px;overflow:auto}
h3{font-size:1em;margin-top:1.2em}.stopped{color:var(--bad)}
`;

function hypergradientTable(r: DiagnosisReport): string {
  const g = r.hypergradient;
  const row = (m: string, v: number | null, e: number | null, note: string) =>
    `<tr><th scope="row">${m}</th><td>${fmtNum(v)}</td><td>${fmtPercent(e)}</td><td>${esc(note)}</td></tr>`;
  return `<table><thead><tr><th scope="col">method</th><th scope="col">dL_V/dλ</th><th scope="col">relative error</th><th scope="col">note</th></tr></thead><tbody>
${row('Neumann', g.neumann, g.relErrorNeumann, `α = ${fmtNum(r.neumann.alpha)}, K = ${r.neumann.terms}`)}
${row('CG', g.cg, g.relErrorCg, g.cgStatus === 'not-run' ? 'not run' : `${g.cgStatus}${g.cgIterations !== null ? `, ${g.cgIterations} iterations` : ''}`)}
${row('exact', g.exact, null, g.exact === null ? 'not available' : 'dense solve')}
</tbody></table>${curvatureNotes(r)}${dampingTable(r)}`;
}

function curvatureNotes(r: DiagnosisReport): string {
  const s = r.spectrum;
  const negatives = negativeCountText(r);
  const lines = [
    minresLine(r),
    referenceLine(r),
    negatives && `negative eigenvalues: ${negatives}`,
    densityLine(r),
    shareText(s.bottomEigenvector) && `λ_min eigenvector by tensor: ${shareText(s.bottomEigenvector)}`,
    shareText(s.topEigenvector) && `λ_max eigenvector by tensor: ${shareText(s.topEigenvector)}`,
  ].filter((x): x is string => !!x);
  return lines.length ? `\n<ul class="notes">${lines.map((l) => `<li>${esc(l)}</li>`).join('')}</ul>` : '';
}

function dampingTable(r: DiagnosisReport): string {
  const rows = dampingRows(r);
  if (!rows.length) return '';
  return `\n<p>With damping: the hypergradient of (H + δI)⁻¹b, the limit the series converges to at that δ.</p>
<table class="damped"><thead><tr><th scope="col">δ</th><th scope="col">dL_V/dλ</th><th scope="col">solve</th><th scope="col">residual</th><th scope="col"></th></tr></thead><tbody>
${rows.map((d) => `<tr><td>${esc(d.damping)}</td><td>${esc(d.value)}</td><td>${esc(d.solve)}</td><td>${esc(d.residual)}</td><td>${esc(d.notes)}</td></tr>`).join('\n')}
</tbody></table>`;
}

function termsTable(r: DiagnosisReport): string {
  const n = r.neumann;
  const rows = shownRows(n.termNorms.length);
  const body = rows
    .map((j) =>
      j === null
        ? `<tr><th scope="row">…</th><td colspan="4">${n.termNorms.length - (rows.length - 1)} terms not shown</td></tr>`
        : `<tr><th scope="row">${j}</th><td>${fmtNum(n.termNorms[j])}</td><td>${j > 0 ? fmtNum(n.growthRatios[j - 1]) : '—'}</td><td>${fmtNum(n.residuals[j])}</td><td><code>${esc(fmtHead(n.termHeads[j]))}</code></td></tr>`,
    )
    .join('\n');
  return `<div class="scroll"><table><thead><tr><th scope="col">j</th><th scope="col">‖v_j‖</th><th scope="col">growth</th><th scope="col">residual ‖Hx_j − b‖/‖b‖</th><th scope="col">v_j[:5]</th></tr></thead><tbody>
${body}</tbody></table></div>`;
}

// ---- inline SVG charts -------------------------------------------------------------------------

interface Series {
  ys: (number | null)[];
  cls: string;
  label: string;
}
interface LineSpec {
  title: string;
  xs: number[];
  series: Series[];
  logY?: boolean;
  xLabel: string;
  yLabel: string;
  hLines?: { at: number; cls: string; label: string }[];
}

const W = 520;
const H = 260;
const PAD = { l: 62, r: 14, t: 30, b: 40 };

function ticks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const step = Math.pow(10, Math.floor(Math.log10((hi - lo) / count)));
  const mult = [1, 2, 5, 10].find((m) => (hi - lo) / (m * step) <= count) ?? 10;
  const s = mult * step;
  const out: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + 1e-9 * s; t += s) out.push(Math.abs(t) < 1e-12 * s ? 0 : t);
  return out;
}

function frame(title: string, xLabel: string, yLabel: string, body: string, desc: string): string {
  return `<figure><figcaption>${esc(title)}</figcaption><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(`${title}: ${desc}`)}">
${body}
<line class="ax" x1="${PAD.l}" y1="${H - PAD.b}" x2="${W - PAD.r}" y2="${H - PAD.b}"/><line class="ax" x1="${PAD.l}" y1="${PAD.t}" x2="${PAD.l}" y2="${H - PAD.b}"/>
<text x="${(PAD.l + W - PAD.r) / 2}" y="${H - 6}" text-anchor="middle">${esc(xLabel)}</text>
<text transform="translate(12 ${(PAD.t + H - PAD.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>
</svg></figure>`;
}

/** [min, max] by a loop: spreading a 100 000-term series into Math.min overflows the call stack. */
function extent(xs: ArrayLike<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < xs.length; i++) {
    if (xs[i] < lo) lo = xs[i];
    if (xs[i] > hi) hi = xs[i];
  }
  return [lo, hi];
}

function lineChart(spec: LineSpec): string {
  const tf = (y: number) => (spec.logY ? Math.log10(y) : y);
  const ok = (y: number | null): y is number => y !== null && Number.isFinite(y) && (!spec.logY || y > 0);
  const vals = spec.series.flatMap((s) => s.ys.filter(ok).map(tf));
  for (const l of spec.hLines ?? []) if (ok(l.at)) vals.push(tf(l.at));
  if (vals.length === 0 || spec.xs.length === 0) return '';
  let [y0, y1] = extent(vals);
  if (y1 - y0 < 1e-12) [y0, y1] = [y0 - 1, y1 + 1];
  const padY = 0.05 * (y1 - y0);
  [y0, y1] = [y0 - padY, y1 + padY];
  const [xMin, xMax] = extent(spec.xs);
  const [x0, x1] = [xMin, xMax === xMin ? xMin + 1 : xMax];
  const px = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const py = (y: number) => H - PAD.b - ((tf(y) - y0) / (y1 - y0)) * (H - PAD.t - PAD.b);
  const yt = spec.logY ? ticks(Math.ceil(y0), Math.floor(y1), 6).filter(Number.isInteger).map((e) => Math.pow(10, e)) : ticks(y0, y1);
  let body = yt.map((t) => `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/><text x="${PAD.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${esc(fmtNum(t, 3))}</text>`).join('');
  body += ticks(x0, x1).map((t) => `<text x="${px(t).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${esc(fmtNum(t, 3))}</text>`).join('');
  for (const l of spec.hLines ?? []) {
    if (!ok(l.at)) continue;
    body += `<line class="mk ${l.cls}" x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(l.at).toFixed(1)}" y2="${py(l.at).toFixed(1)}"/><text x="${PAD.l + 4}" y="${(py(l.at) - 4).toFixed(1)}">${esc(l.label)}</text>`;
  }
  let legendX = PAD.l;
  spec.series.forEach((s) => {
    const pts = spec.xs.map((x, i) => (ok(s.ys[i]) ? `${px(x).toFixed(1)},${py(s.ys[i] as number).toFixed(1)}` : null)).filter((p): p is string => p !== null);
    if (pts.length > 1) body += `<polyline class="${s.cls}" points="${pts.join(' ')}"><title>${esc(s.label)}</title></polyline>`;
    // Few points (e.g. one epoch) would draw no line at all: mark them.
    if (pts.length <= 20) body += pts.map((pt) => `<circle class="${s.cls} pt" cx="${pt.split(',')[0]}" cy="${pt.split(',')[1]}" r="3"/>`).join('');
    body += `<line class="${s.cls}" x1="${legendX}" x2="${legendX + 18}" y1="12" y2="12"/><text x="${legendX + 22}" y="16">${esc(s.label)}</text>`;
    legendX += 34 + 6.2 * s.label.length;
  });
  return frame(spec.title, spec.xLabel, spec.yLabel, body, `${spec.series.map((s) => s.label).join(', ')} over ${spec.xs.length} points`);
}

function termNormsSvg(r: DiagnosisReport): string {
  const norms = r.neumann.termNorms;
  if (norms.length === 0) return '';
  const xs = norms.map((_, j) => j);
  const rho = r.neumann.rho;
  const predicted = Number.isFinite(rho) ? xs.map((j) => norms[0] * Math.pow(rho, j)) : [];
  return lineChart({
    title: 'Neumann term norms ‖v_j‖ (log scale)',
    xs,
    series: [{ ys: norms, cls: 's0', label: '‖v_j‖ measured' }, { ys: predicted, cls: 's1', label: `ρ^j·‖v_0‖, ρ = ${fmtNum(rho)}` }],
    logY: true,
    xLabel: 'term j',
    yLabel: '‖v_j‖',
  });
}

function lossSvg(r: DiagnosisReport): string {
  const t = r.training;
  const curve = t?.lossCurve ?? [];
  if (!t || curve.length === 0) return '';
  // The curve has one value per epoch or per step; its length says which.
  const perEpoch = curve.length === t.epochs && t.epochs !== t.steps;
  return lineChart({
    title: 'Training loss',
    xs: curve.map((_, i) => i + 1),
    series: [{ ys: curve, cls: 's0', label: perEpoch ? 'training loss per epoch' : 'training loss per step' }],
    logY: curve.length > 1 && curve.every((v) => v > 0),
    xLabel: perEpoch ? 'epoch' : 'step',
    yLabel: 'loss',
  });
}

function epochsSvg(r: DiagnosisReport): string {
  const e = r.epochs;
  if (!e || e.length === 0) return '';
  return lineChart({
    title: 'λ and ρ per epoch',
    xs: e.map((x) => x.epoch),
    series: [
      { ys: e.map((x) => x.lambdaMax), cls: 's2', label: 'λ_max' },
      { ys: e.map((x) => x.lambdaMin), cls: 's0', label: 'λ_min' },
      { ys: e.map((x) => x.rho), cls: 's1', label: 'ρ' },
    ],
    xLabel: 'epoch',
    yLabel: 'value',
    hLines: [{ at: 0, cls: 'zero', label: '0' }, { at: 1, cls: 'two', label: 'ρ = 1' }],
  });
}

function histogramSvg(r: DiagnosisReport): string {
  const eig = r.spectrum.eigenvalues?.filter(Number.isFinite) ?? [];
  if (eig.length === 0) return '';
  const { alpha, damping } = r.neumann;
  const [lo, hi] = extent(eig);
  const span = Math.max(hi - lo, Math.abs(hi), 1e-12);
  const markers = [{ at: 0, cls: 'zero', label: '0' }];
  if (alpha > 0) markers.push({ at: 2 / alpha, cls: 'two', label: '2/α' });
  if (damping > 0) markers.push({ at: -damping, cls: '', label: '−δ' });
  const shown = markers.filter((m) => m.at >= lo - 3 * span && m.at <= hi + 3 * span);
  const x0 = Math.min(lo, ...shown.map((m) => m.at)) - 0.05 * span;
  const x1 = Math.max(hi, ...shown.map((m) => m.at)) + 0.05 * span;
  const bins = Math.min(60, Math.max(10, Math.ceil(2 * Math.sqrt(eig.length))));
  const bw = (hi - lo) / bins || span / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const e of eig) counts[Math.min(bins - 1, Math.floor((e - lo) / bw))]++;
  const cmax = extent(counts)[1];
  const px = (x: number) => PAD.l + ((x - x0) / (x1 - x0)) * (W - PAD.l - PAD.r);
  const py = (c: number) => H - PAD.b - (c / (cmax * 1.1)) * (H - PAD.t - PAD.b);
  let body = ticks(0, cmax).map((t) => `<line class="grid" x1="${PAD.l}" x2="${W - PAD.r}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}"/><text x="${PAD.l - 4}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${t}</text>`).join('');
  body += ticks(x0, x1).map((t) => `<text x="${px(t).toFixed(1)}" y="${H - PAD.b + 14}" text-anchor="middle">${esc(fmtNum(t, 3))}</text>`).join('');
  body += counts.map((c, i) => (c === 0 ? '' : `<rect class="bar" x="${px(lo + i * bw).toFixed(1)}" width="${Math.max(1, px(lo + (i + 1) * bw) - px(lo + i * bw) - 1).toFixed(1)}" y="${py(c).toFixed(1)}" height="${(H - PAD.b - py(c)).toFixed(1)}"><title>${c} in [${esc(fmtNum(lo + i * bw))}, ${esc(fmtNum(lo + (i + 1) * bw))})</title></rect>`)).join('');
  body += shown.map((m) => `<line class="mk ${m.cls}" x1="${px(m.at).toFixed(1)}" x2="${px(m.at).toFixed(1)}" y1="${PAD.t}" y2="${H - PAD.b}"/><text x="${(px(m.at) + 3).toFixed(1)}" y="${PAD.t + 10}">${esc(m.label === '0' ? '0' : `${m.label} = ${fmtNum(m.at)}`)}</text>`).join('');
  return frame('Exact Hessian spectrum', 'eigenvalue λ', 'count', body, `${eig.length} eigenvalues from ${fmtNum(lo)} to ${fmtNum(hi)}`);
}
