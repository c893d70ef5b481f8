/**
 * The report as terminal text (the CLI's stdout): the verdict and the sentence that explains it
 * first, then the numbers it rests on. Pure; no colours (stdout is often a file or a pipe).
 */
import type { DiagnosisReport, Verdict } from './report';

/** 4 significant digits, no trailing zeros; keeps NaN/±Infinity and null readable. */
export function formatNumber(x: number | null | undefined, digits = 4): string {
  if (x === null || x === undefined) return '—';
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '−∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  const s = a >= 1e-4 && a < 1e7 ? Number(x.toPrecision(digits)).toString() : x.toExponential(digits - 1).replace(/\.?0+e/, 'e');
  return s.replace(/^-/, '−');
}

export function formatInterval(iv: readonly [number, number]): string {
  return `[${formatNumber(iv[0])}, ${formatNumber(iv[1])}]`;
}

export function verdictTitle(v: Verdict): string {
  switch (v) {
    case 'converges':
      return 'CONVERGES';
    case 'slow':
      return 'CONVERGES SLOWLY (needs more terms than configured)';
    case 'diverges-step-too-large':
      return 'DIVERGES: step size α too large';
    case 'diverges-negative-curvature':
      return 'DIVERGES: negative curvature (λ_min < 0)';
  }
}

export function isDivergent(v: Verdict): boolean {
  return v === 'diverges-step-too-large' || v === 'diverges-negative-curvature';
}

const SEVERITY_MARK = { error: '✖', warning: '⚠', info: 'ℹ' } as const;

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderText(r: DiagnosisReport): string {
  const out: string[] = [];
  const n = r.neumann;
  const s = r.spectrum;
  out.push(`${verdictTitle(r.advice.verdict)} — ${r.name}`);
  out.push(r.advice.summary);
  out.push(
    `ρ(I − α(H + δI)) = ${formatNumber(n.rho)} ${formatInterval(n.rhoInterval)} at α = ${formatNumber(n.alpha)}, δ = ${formatNumber(n.damping)}, K = ${n.terms} terms` +
      (n.nonFiniteAtTerm !== null ? `; the series overflowed at term ${n.nonFiniteAtTerm}` : ''),
  );

  out.push('', 'Recommendations');
  // The verdict message repeats the summary printed above.
  for (const m of r.advice.messages.filter((m) => m.text !== r.advice.summary)) {
    out.push(`  ${SEVERITY_MARK[m.severity]} ${m.text}` + (m.fix ? `  [fix: ${m.fix.label}]` : ''));
  }
  const a = r.advice;
  const recs: string[] = [];
  if (a.alphaMax !== null) recs.push(`α_max = ${formatNumber(a.alphaMax)}`);
  if (a.alphaSuggested !== null) recs.push(`suggested α = ${formatNumber(a.alphaSuggested)}`);
  if (a.alphaOptimal !== null) recs.push(`α* = ${formatNumber(a.alphaOptimal)} (ρ* = ${formatNumber(a.rhoOptimal)})`);
  if (a.termsNeeded !== null) recs.push(`terms needed K = ${formatNumber(a.termsNeeded)}`);
  if (recs.length) out.push(`  ${recs.join(' · ')}`);
  if (a.damping) {
    out.push(
      `  damping δ = ${formatNumber(a.damping.delta)} at α = ${formatNumber(a.damping.alpha)} gives ρ = ${formatNumber(a.damping.rho)}` +
        (a.damping.termsNeeded !== null ? `, K = ${formatNumber(a.damping.termsNeeded)} terms` : ''),
    );
  }

  out.push('', `Spectrum of H (${s.method}, ${r.params} parameters, ${s.hvps} Hessian-vector products)`);
  out.push(`  λ_max = ${formatNumber(s.lambdaMax)}  ${formatInterval(s.lambdaMaxInterval)}${s.converged.max ? '' : '  (not converged)'}`);
  out.push(`  λ_min = ${formatNumber(s.lambdaMin)}  ${formatInterval(s.lambdaMinInterval)}${s.converged.min ? '' : '  (not converged)'}`);
  if (s.negativeCount !== null) out.push(`  negative eigenvalues: ${s.negativeCount} of ${s.eigenvalues?.length ?? r.params}`);
  if (s.conditionNumber !== null) out.push(`  condition number: ${formatNumber(s.conditionNumber)}`);
  if (s.trace !== null) out.push(`  trace ≈ ${formatNumber(s.trace)} ± ${formatNumber(s.traceStdErr)} (Hutchinson)`);
  if (s.lanczos && s.method !== 'lanczos') {
    out.push(`  Lanczos cross-check: λ_max ${formatNumber(s.lanczos.lambdaMax.value)}, λ_min ${formatNumber(s.lanczos.lambdaMin.value)} in ${s.lanczos.steps} steps`);
  }
  if (s.power) {
    out.push(
      `  power iteration cross-check: λ_max ${formatNumber(s.power.lambdaMax.value)}, λ_min ${formatNumber(s.power.lambdaMin.value)} in ${s.power.hvps} HVPs`,
    );
  }

  out.push('', `Neumann series x_K = α Σ (I − αH)^j b`);
  out.push(`  ${pad('j', 4)}${pad('‖v_j‖', 12)}${pad('residual', 12)}${pad('growth', 10)}v_j[:5]`);
  for (let j = 0; j < n.termNorms.length; j++) {
    const growth = j > 0 ? formatNumber(n.growthRatios[j - 1]) : '';
    const headText = (n.termHeads[j] ?? []).map((x) => formatNumber(x)).join(', ');
    out.push(`  ${pad(String(j), 4)}${pad(formatNumber(n.termNorms[j]), 12)}${pad(formatNumber(n.residuals[j]), 12)}${pad(growth, 10)}[${headText}]`);
  }
  out.push(`  solution head: [${n.solutionHead.map((x) => formatNumber(x)).join(', ')}]`);
  if (r.exactSolutionHead) out.push(`  exact H⁻¹b head: [${r.exactSolutionHead.map((x) => formatNumber(x)).join(', ')}]`);

  const h = r.hypergradient;
  if (h.neumann !== null || h.cg !== null || h.exact !== null) {
    out.push('', 'Hypergradient dL_V/dλ = −∇_w L_Vᵀ H⁻¹ w');
    out.push(`  Neumann: ${formatNumber(h.neumann)}${h.relErrorNeumann !== null ? ` (rel. error ${formatNumber(h.relErrorNeumann)})` : ''}`);
    out.push(
      `  CG: ${formatNumber(h.cg)} (${h.cgStatus}${h.cgIterations !== null ? `, ${h.cgIterations} iterations` : ''})` +
        (h.relErrorCg !== null ? ` (rel. error ${formatNumber(h.relErrorCg)})` : ''),
    );
    out.push(`  exact: ${formatNumber(h.exact)}`);
  }

  out.push('', 'Run');
  if (r.loss.train !== null || r.loss.validation !== null) {
    out.push(`  loss: train ${formatNumber(r.loss.train)}, validation ${formatNumber(r.loss.validation)}`);
    out.push(`  ‖∇L‖: train ${formatNumber(r.gradientNorm.train)}, validation ${formatNumber(r.gradientNorm.validation)}`);
  }
  if (r.training) out.push(`  training: ${r.training.epochs} epoch(s), ${r.training.steps} steps`);
  if (r.epochs?.length) {
    for (const e of r.epochs) {
      out.push(`  epoch ${e.epoch}: loss ${formatNumber(e.trainLoss)}, λ_max ${formatNumber(e.lambdaMax)}, λ_min ${formatNumber(e.lambdaMin)}, ρ ${formatNumber(e.rho)}`);
    }
  }
  const c = r.hvpSelfCheck;
  out.push(`  HVP self-check: relative error ${formatNumber(c.relativeError)} (${c.passed ? 'passed' : 'FAILED'}, tolerance ${formatNumber(c.tolerance)}; operator ${c.operator})`);
  const totalMs = r.timings.totalMs;
  out.push(`  backend ${r.backend}${totalMs !== undefined ? ` · ${formatNumber(totalMs / 1000, 3)} s` : ''}`);
  return out.join('\n') + '\n';
}
