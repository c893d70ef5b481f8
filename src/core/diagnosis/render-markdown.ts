/**
 * The report as a Markdown document (CLI --markdown, the extension's Export). Pure. Same order as
 * the terminal text: verdict and its cause, what to change, then the evidence.
 */
import { HYPER_COLUMNS, hyperRuns } from './hyper-table';
import type { DiagnosisReport } from './report';
import { backendText, fmtInterval, fmtNum, fmtPercent, headline, shownRows } from './format';
import { dampingRows, densityLine, minresLine, negativeCountText, referenceLine, shareText } from './report-facts';
import { crossCheckFlags } from './cross-check';
import { slowDivergence } from './slow-divergence';
import { fixLabels } from './report-messages';
import { messagesBesideSummary } from './shown-once';

const SEVERITY_LABEL = { error: '**Error**', warning: '**Warning**', info: 'Info' } as const;

/** Escapes what would break a table cell or start Markdown syntax inside user-provided text. */
function md(text: string): string {
  return text.replace(/[\\`*_[\]|<>]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
}

function row(cells: string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function table(header: string[], rows: string[][]): string[] {
  return [row(header), row(header.map(() => '---')), ...rows.map(row)];
}

const list = (xs: number[]): string => `\`[${xs.map((x) => fmtNum(x)).join(', ')}]\``;

export function renderMarkdown(r: DiagnosisReport): string {
  const out: string[] = [];
  const n = r.neumann;
  const s = r.spectrum;
  const a = r.advice;
  out.push(`# Neumann Lens diagnosis: ${md(r.name)}`, '');
  out.push(`**${headline(a).title}.** ${md(a.summary)}`, '');
  out.push(
    `ρ(I − α(H + δI)) = **${fmtNum(n.rho)}** ${fmtInterval(n.rhoInterval)} at α = ${fmtNum(n.alpha)}, δ = ${fmtNum(n.damping)}, K = ${n.terms} terms` +
      (n.nonFiniteAtTerm !== null ? `; the series overflowed at term ${n.nonFiniteAtTerm}.` : '.'),
    '',
  );
  const slow = slowDivergence(n);
  if (slow) out.push(`> **Slow divergence.** ${md(slow.text)}`, '');

  out.push('## Recommendations', '');
  // The summary is printed above: the verdict message comes without it.
  for (const m of messagesBesideSummary(a)) out.push(`- ${SEVERITY_LABEL[m.severity]}: ${md(m.text)}` + (m.fix ? ` *Fix:* ${md(m.fix.label)}.` : ''));
  out.push('');
  const recs: string[][] = [];
  if (a.alphaMax !== null) recs.push(['Largest safe α (2/λ_max upper bound)', fmtNum(a.alphaMax)]);
  if (a.alphaSuggested !== null) recs.push(['Suggested α (1/λ_max upper bound)', fmtNum(a.alphaSuggested)]);
  if (a.alphaOptimal !== null) recs.push(['Optimal α* = 2/(λ_max + λ_min)', `${fmtNum(a.alphaOptimal)} (ρ* = ${fmtNum(a.rhoOptimal)})`]);
  if (a.termsNeeded !== null) recs.push(['Terms needed', fmtNum(a.termsNeeded)]);
  if (a.damping) {
    recs.push([
      'Damping δ > −λ_min',
      `δ = ${fmtNum(a.damping.delta)} at α = ${fmtNum(a.damping.alpha)}: ρ = ${fmtNum(a.damping.rho)}` +
        (a.damping.termsNeeded !== null ? `, K = ${fmtNum(a.damping.termsNeeded)}` : ''),
    ]);
  }
  if (a.useCg) recs.push(['Conjugate gradient', 'converges where the series needs too many terms: use CG']);
  if (recs.length) out.push(...table(['', 'Value'], recs), '');

  out.push('## Spectrum', '');
  const spec: string[][] = [
    ['Method', s.method],
    ['Parameters', String(r.params)],
    ['λ_max', `${fmtNum(s.lambdaMax)} ${fmtInterval(s.lambdaMaxInterval)}${s.converged.max ? '' : ' (not converged)'}`],
    ['λ_min', `${fmtNum(s.lambdaMin)} ${fmtInterval(s.lambdaMinInterval)}${s.converged.min ? '' : ' (not converged)'}`],
    ['Hessian-vector products', String(s.hvps)],
  ];
  const negatives = negativeCountText(r);
  if (negatives) spec.push(['Negative eigenvalues', negatives]);
  const density = densityLine(r);
  if (density) spec.push(['Density', density]);
  for (const [label, e] of [['λ_min eigenvector by tensor', s.bottomEigenvector], ['λ_max eigenvector by tensor', s.topEigenvector]] as const) {
    const share = shareText(e);
    if (share) spec.push([label, share]);
  }
  if (s.conditionNumber !== null) spec.push(['Condition number', fmtNum(s.conditionNumber)]);
  if (s.trace !== null) spec.push(['Trace (Hutchinson)', `${fmtNum(s.trace)} ± ${fmtNum(s.traceStdErr)}`]);
  if (s.lanczos && s.method !== 'lanczos') {
    spec.push(['Lanczos cross-check', `λ_max ${fmtNum(s.lanczos.lambdaMax.value)}, λ_min ${fmtNum(s.lanczos.lambdaMin.value)} (${s.lanczos.steps} steps)`]);
  }
  if (s.power) {
    spec.push(['Power iteration cross-check', `λ_max ${fmtNum(s.power.lambdaMax.value)}, λ_min ${fmtNum(s.power.lambdaMin.value)} (${s.power.hvps} HVPs)`]);
  }
  out.push(...table(['', 'Value'], spec), '');
  const flags = crossCheckFlags(s);
  if (flags.length) out.push(...flags.map((f) => `- **Cross-check disagreement:** ${md(f.text)}`), '');

  out.push('## Neumann series', '', 'x_K = α Σ_{j=0..K} (I − αH)^j b; v_j is the j-th term, heads in PyTorch parameter order.', '');
  const rows = shownRows(n.termNorms.length);
  const terms = rows.map((j) =>
    j === null
      ? ['…', `${n.termNorms.length - (rows.length - 1)} terms not shown`, '', '', '']
      : [String(j), fmtNum(n.termNorms[j]), fmtNum(n.residuals[j]), j > 0 ? fmtNum(n.growthRatios[j - 1]) : '', list(n.termHeads[j] ?? [])],
  );
  out.push(...table(['j', '‖v_j‖', '‖Hx_j − b‖/‖b‖', 'growth', 'v_j[:5]'], terms), '');
  out.push(`Solution head: ${list(n.solutionHead)}` + (r.exactSolutionHead ? `; exact H⁻¹b head: ${list(r.exactSolutionHead)}` : ''), '');

  const h = r.hypergradient;
  if (h.neumann !== null || h.cg !== null || h.exact !== null) {
    out.push('## Hypergradient dL_V/dλ', '');
    out.push(
      ...table(
        ['Method', 'Value', 'Relative error'],
        [
          ['Neumann', fmtNum(h.neumann), fmtPercent(h.relErrorNeumann)],
          [`CG (${h.cgStatus}${h.cgIterations !== null ? `, ${h.cgIterations} iterations` : ''})`, fmtNum(h.cg), fmtPercent(h.relErrorCg)],
          ['Exact', fmtNum(h.exact), ''],
        ],
      ),
      '',
    );
    const notes = [minresLine(r), referenceLine(r)].filter((x): x is string => !!x);
    if (notes.length) out.push(...notes.map((x) => `- ${x}`), '');
    const damped = dampingRows(r);
    if (damped.length) {
      out.push('With damping: the hypergradient of (H + δI)⁻¹b, the limit the series converges to at that δ.', '');
      out.push(...table(['δ', 'Value', 'Solve', 'Residual', ''], damped.map((d) => [d.damping, d.value, d.solve, d.residual, d.notes])), '');
    }
  }

  if (r.hyper) {
    for (const run of hyperRuns(r.hyper)) {
      out.push(`## Hyperparameter loop: ${md(run.title)}`, '', ...table(HYPER_COLUMNS, run.rows.map((row) => row.map(md))), '');
      if (run.stopped) out.push(md(run.stopped), '');
      if (run.warnings.length) out.push(...run.warnings.map((m) => `- ${SEVERITY_LABEL[m.severity]}: ${md(m.text)}` + (fixLabels(m) ? ` *Fix:* ${md(fixLabels(m))}.` : '')), '');
    }
  }
  out.push('## Run', '');
  const run: string[][] = [];
  if (r.loss.train !== null || r.loss.validation !== null) {
    run.push(['Loss (train / validation)', `${fmtNum(r.loss.train)} / ${fmtNum(r.loss.validation)}`]);
    run.push(['‖∇L‖ (train / validation)', `${fmtNum(r.gradientNorm.train)} / ${fmtNum(r.gradientNorm.validation)}`]);
  }
  if (r.training) run.push(['Training', `${r.training.epochs} epoch(s), ${r.training.steps} steps`]);
  const c = r.hvpSelfCheck;
  run.push(['HVP self-check', `relative error ${fmtNum(c.relativeError)}, ${c.passed ? 'passed' : 'failed'} (tolerance ${fmtNum(c.tolerance)}, ${c.operator})`]);
  run.push(['Backend', backendText(r)]);
  if (r.experimentFile) run.push(['Experiment', `\`${r.experimentFile}\``]);
  run.push(['Created', r.createdAt]);
  out.push(...table(['', 'Value'], run), '');
  if (r.epochs?.length) {
    out.push('### Spectrum per epoch', '');
    out.push(
      ...table(
        ['Epoch', 'Train loss', 'λ_max', 'λ_min', 'ρ'],
        r.epochs.map((e) => [String(e.epoch), fmtNum(e.trainLoss), fmtNum(e.lambdaMax), fmtNum(e.lambdaMin), fmtNum(e.rho)]),
      ),
      '',
    );
  }
  return out.join('\n');
}
