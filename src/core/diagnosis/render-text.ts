/**
 * The report as terminal text (the CLI's stdout): the verdict and the sentence that explains it
 * first, then the numbers it rests on. Pure; no colours (stdout is often a file or a pipe).
 */
import { backendText, fmtHead, fmtInterval, fmtNum, fmtPercent, headline, shownRows } from './format';
import { HYPER_COLUMNS, hyperRuns } from './hyper-table';
import type { HyperReport } from './hyper-report';
import type { DiagnosisReport } from './report';
import { dampingRows, densityLine, minresLine, negativeCountText, referenceLine, shareText } from './report-facts';
import { crossCheckFlags } from './cross-check';
import { slowDivergence } from './slow-divergence';
import { fixLabels } from './report-messages';
import { messagesBesideSummary } from './shown-once';

const SEVERITY_MARK = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderText(r: DiagnosisReport): string {
  const out: string[] = [];
  const n = r.neumann;
  const s = r.spectrum;
  const top = headline(r.advice);
  out.push(`${top.symbol} ${top.title} — ${r.name}`);
  out.push(r.advice.summary);
  out.push(
    `ρ(I − α(H + δI)) = ${fmtNum(n.rho)} ${fmtInterval(n.rhoInterval)} at α = ${fmtNum(n.alpha)}, δ = ${fmtNum(n.damping)}, K = ${n.terms} terms` +
      (n.nonFiniteAtTerm !== null ? `; the series overflowed at term ${n.nonFiniteAtTerm}` : ''),
  );
  const slow = slowDivergence(n);
  if (slow) out.push(`⚠ ${slow.text}`);

  out.push('', 'Recommendations');
  // The summary is printed above: the verdict message comes without it.
  for (const m of messagesBesideSummary(r.advice)) {
    out.push(`  ${SEVERITY_MARK[m.severity]} ${m.text}` + (m.fix ? `  [fix: ${m.fix.label}]` : ''));
  }
  const a = r.advice;
  const recs: string[] = [];
  if (a.alphaMax !== null) recs.push(`α_max = ${fmtNum(a.alphaMax)}`);
  if (a.alphaSuggested !== null) recs.push(`suggested α = ${fmtNum(a.alphaSuggested)}`);
  if (a.alphaOptimal !== null) recs.push(`α* = ${fmtNum(a.alphaOptimal)} (ρ* = ${fmtNum(a.rhoOptimal)})`);
  if (a.termsNeeded !== null) recs.push(`terms needed K = ${fmtNum(a.termsNeeded)}`);
  if (recs.length) out.push(`  ${recs.join(' · ')}`);
  if (a.damping) {
    out.push(
      `  damping δ = ${fmtNum(a.damping.delta)} at α = ${fmtNum(a.damping.alpha)} gives ρ = ${fmtNum(a.damping.rho)}` +
        (a.damping.termsNeeded !== null ? `, K = ${fmtNum(a.damping.termsNeeded)} terms` : ''),
    );
  }

  out.push('', `Spectrum of H (${s.method}, ${r.params} parameters, ${s.hvps} Hessian-vector products)`);
  out.push(`  λ_max = ${fmtNum(s.lambdaMax)}  ${fmtInterval(s.lambdaMaxInterval)}${s.converged.max ? '' : '  (not converged)'}`);
  out.push(`  λ_min = ${fmtNum(s.lambdaMin)}  ${fmtInterval(s.lambdaMinInterval)}${s.converged.min ? '' : '  (not converged)'}`);
  const negatives = negativeCountText(r);
  if (negatives) out.push(`  negative eigenvalues: ${negatives}`);
  const density = densityLine(r);
  if (density) out.push(`  ${density}`);
  for (const [label, e] of [['λ_min', s.bottomEigenvector], ['λ_max', s.topEigenvector]] as const) {
    const share = shareText(e);
    if (share) out.push(`  ${label} eigenvector by tensor: ${share}`);
  }
  if (s.conditionNumber !== null) out.push(`  condition number: ${fmtNum(s.conditionNumber)}`);
  if (s.trace !== null) out.push(`  trace ≈ ${fmtNum(s.trace)} ± ${fmtNum(s.traceStdErr)} (Hutchinson)`);
  if (s.lanczos && s.method !== 'lanczos') {
    out.push(`  Lanczos cross-check: λ_max ${fmtNum(s.lanczos.lambdaMax.value)}, λ_min ${fmtNum(s.lanczos.lambdaMin.value)} in ${s.lanczos.steps} steps`);
  }
  if (s.power) {
    out.push(
      `  power iteration cross-check: λ_max ${fmtNum(s.power.lambdaMax.value)}, λ_min ${fmtNum(s.power.lambdaMin.value)} in ${s.power.hvps} HVPs`,
    );
  }
  for (const f of crossCheckFlags(s)) out.push(`  ⚠ ${f.text}`);

  out.push('', `Neumann series x_K = α Σ (I − αH)^j b`);
  out.push(`  ${pad('j', 4)}${pad('‖v_j‖', 12)}${pad('residual', 12)}${pad('growth', 10)}v_j[:5]`);
  const rows = shownRows(n.termNorms.length);
  for (const j of rows) {
    if (j === null) {
      out.push(`  …   ${n.termNorms.length - (rows.length - 1)} terms not shown (all are in --json)`);
      continue;
    }
    const growth = j > 0 ? fmtNum(n.growthRatios[j - 1]) : '';
    const headText = fmtHead(n.termHeads[j]);
    out.push(`  ${pad(String(j), 4)}${pad(fmtNum(n.termNorms[j]), 12)}${pad(fmtNum(n.residuals[j]), 12)}${pad(growth, 10)}${headText}`);
  }
  out.push(`  solution head: ${fmtHead(n.solutionHead)}`);
  if (r.exactSolutionHead) out.push(`  exact H⁻¹b head: ${fmtHead(r.exactSolutionHead)}`);

  const h = r.hypergradient;
  if (h.neumann !== null || h.cg !== null || h.exact !== null) {
    out.push('', 'Hypergradient dL_V/dλ = −∇_w L_Vᵀ H⁻¹ w');
    out.push(`  Neumann: ${fmtNum(h.neumann)}${h.relErrorNeumann !== null ? ` (rel. error ${fmtPercent(h.relErrorNeumann)})` : ''}`);
    out.push(
      `  CG: ${fmtNum(h.cg)} (${h.cgStatus}${h.cgIterations !== null ? `, ${h.cgIterations} iterations` : ''})` +
        (h.relErrorCg !== null ? ` (rel. error ${fmtPercent(h.relErrorCg)})` : ''),
    );
    out.push(`  exact: ${fmtNum(h.exact)}`);
    for (const line of [minresLine(r), referenceLine(r)]) if (line) out.push(`  ${line}`);
    const rows = dampingRows(r);
    if (rows.length) {
      out.push(`  with damping, (H + δI)⁻¹b:`);
      out.push(`    ${pad('δ', 12)}${pad('value', 26)}${pad('solve', 14)}${pad('residual', 10)}`);
      for (const d of rows) out.push(`    ${pad(d.damping, 12)}${pad(d.value, 26)}${pad(d.solve, 14)}${pad(d.residual, 10)}${d.notes}`);
    }
  }

  if (r.hyper) out.push(...hyperText(r.hyper));

  out.push('', 'Run');
  if (r.loss.train !== null || r.loss.validation !== null) {
    out.push(`  loss: train ${fmtNum(r.loss.train)}, validation ${fmtNum(r.loss.validation)}`);
    out.push(`  ‖∇L‖: train ${fmtNum(r.gradientNorm.train)}, validation ${fmtNum(r.gradientNorm.validation)}`);
  }
  if (r.training) out.push(`  training: ${r.training.epochs} epoch(s), ${r.training.steps} steps`);
  if (r.epochs?.length) {
    for (const e of r.epochs) {
      out.push(`  epoch ${e.epoch}: loss ${fmtNum(e.trainLoss)}, λ_max ${fmtNum(e.lambdaMax)}, λ_min ${fmtNum(e.lambdaMin)}, ρ ${fmtNum(e.rho)}`);
    }
  }
  const c = r.hvpSelfCheck;
  out.push(`  HVP self-check: relative error ${fmtNum(c.relativeError)} (${c.passed ? 'passed' : 'FAILED'}, tolerance ${fmtNum(c.tolerance)}; operator ${c.operator})`);
  const totalMs = r.timings.totalMs;
  out.push(`  backend ${backendText(r)}${totalMs !== undefined ? ` · ${fmtNum(totalMs / 1000, 3)} s` : ''}`);
  return out.join('\n') + '\n';
}

/** The loop's runs as aligned columns. */
function hyperText(h: HyperReport): string[] {
  const out: string[] = [];
  for (const run of hyperRuns(h)) {
    out.push('', `Hyperparameter loop: ${run.title}`);
    const cells = [HYPER_COLUMNS, ...run.rows];
    const widths = HYPER_COLUMNS.map((_, c) => Math.max(...cells.map((row) => row[c].length)));
    for (const row of cells) out.push(`  ${row.map((x, c) => pad(x, widths[c])).join('  ')}`.trimEnd());
    if (run.stopped) out.push(`  ${run.stopped}`);
    for (const m of run.warnings) out.push(`  ${SEVERITY_MARK[m.severity]} ${m.text}${fixLabels(m) ? `  [fix: ${fixLabels(m)}]` : ''}`);
  }
  return out;
}
