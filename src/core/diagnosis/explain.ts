/**
 * Classified facts and recommendations → the words: the one-sentence summary and one message per
 * fact, each written once here and shown once per surface (panel, CLI, Markdown, Problems).
 * Problem messages (verdict, negative-curvature, step-too-large, slow, not-stationary,
 * hypergradient) carry no fix; recommendation messages carry theirs; 'apply-all' carries the
 * fixes that only work together.
 */
import type { DiagnoseInput, SeriesClass } from './classify';
import { fmtNum, fmtPercent } from './format';
import { NEUMANN_TERMS_MAX, type HypergradientEffect, type Recommendation, type Recommendations } from './recommend';
import type { AdviceMessage, HypergradientVerdict } from './report';
import { contraction } from './spectral-radius';

interface Names {
  A: string;
  rhoName: string;
  lmin: (x: number) => string;
  lmax: (x: number) => string;
}

function names(delta: number): Names {
  return {
    A: delta === 0 ? 'H' : 'H + δI',
    rhoName: delta === 0 ? 'ρ(I−αH)' : 'ρ(I−α(H+δI))',
    lmin: (x) => (delta === 0 ? `λ_min = ${fmtNum(x)}` : `λ_min + δ = ${fmtNum(x + delta)}`),
    lmax: (x) => (delta === 0 ? `λ_max = ${fmtNum(x)}` : `λ_max + δ = ${fmtNum(x + delta)}`),
  };
}

export function explainSummary(input: DiagnoseInput, c: SeriesClass): string {
  const { alpha, terms, lambdaMin, lambdaMax, tolerance: tol } = input;
  const { rhoName, lmin, lmax } = names(input.damping);
  const { rho, rhoInterval } = c;
  const negPhrase = c.negCurvature
    ? `${lmin(lambdaMin.value)} < 0 (negative curvature)`
    : `${lmin(lambdaMin.value)} ± ${fmtNum(lambdaMin.residual)} reaches 0 (singular, or negative curvature)`;
  const stepPhrase = c.stepTooLarge
    ? `${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)} (step too large)`
    : `${lmax(lambdaMax.value)} + ${fmtNum(lambdaMax.residual)} can reach 2/α = ${fmtNum(2 / alpha)} (step too large)`;
  switch (c.verdict) {
    case 'diverges-negative-curvature':
      return `Diverges: ${rhoName} = ${fmtNum(rho)} because ${negPhrase}${c.stepTooLarge ? `; ${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)} as well` : ''}.`;
    case 'diverges-step-too-large':
      return `Diverges: ${rhoName} = ${fmtNum(rho)} because ${stepPhrase}${c.negCurvature ? `; ${lmin(lambdaMin.value)} < 0 (negative curvature) as well` : ''}.`;
    case 'inconclusive':
      return c.unconverged.length > 0
        ? `Inconclusive: Lanczos did not converge at ${c.unconverged.join(' and ')}, so ${rhoName} is not bounded from above ` +
            `(the estimates give ${fmtNum(rho)}); raise analysis.maxLanczosSteps.`
        : `Inconclusive: ${rhoName} lies in [${fmtNum(rhoInterval[0])}, ${fmtNum(rhoInterval[1])}], which straddles 1 at this run's precision ` +
            `(λ_min ∈ [${fmtNum(lambdaMin.interval[0])}, ${fmtNum(lambdaMin.interval[1])}], λ_max ∈ [${fmtNum(lambdaMax.interval[0])}, ${fmtNum(lambdaMax.interval[1])}]).`;
    case 'slow':
      return `Converges slowly: ${rhoName} = ${fmtNum(rho)} < 1, but tolerance ${fmtNum(tol)} needs K = ${c.kNow} terms and ${terms} are configured.`;
    default:
      return `Converges: ${rhoName} = ${fmtNum(rho)} < 1, so K = ${c.kNow} terms reach tolerance ${fmtNum(tol)} (${terms} configured).`;
  }
}

/** The verdict and every cause that holds, with its own growth factor, whichever one sets ρ. */
export function explainProblems(input: DiagnoseInput, c: SeriesClass, summary: string): AdviceMessage[] {
  const { alpha, terms, damping: delta, lambdaMin, lambdaMax, tolerance: tol } = input;
  const { A, rhoName, lmin, lmax } = names(delta);
  const { rho, rhoInterval, diverges, verdict } = c;
  const messages: AdviceMessage[] = [];
  const growth =
    input.observedGrowth != null && Number.isFinite(input.observedGrowth) ? ` The series run shows ‖v_K‖/‖v_{K−1}‖ = ${fmtNum(input.observedGrowth)}.` : '';
  messages.push({
    kind: 'verdict',
    severity: diverges ? 'error' : verdict === 'slow' || verdict === 'inconclusive' ? 'warning' : 'info',
    text: `${summary} ${rhoName} lies in [${fmtNum(rhoInterval[0])}, ${fmtNum(rhoInterval[1])}] given the error bars of λ_min and λ_max.${growth}`,
    key: diverges ? 'neumann.alpha' : 'neumann.terms',
  });
  // An inconclusive verdict still names each end whose error bar reaches a growth factor ≥ 1.
  const undecided = verdict === 'inconclusive';
  if (c.negCurvature || verdict === 'diverges-negative-curvature' || (undecided && c.cMin >= 1)) {
    const cgNote = input.cg?.status === 'indefinite' ? ` CG on H confirms it: it met pᵀHp ≤ 0 at iteration ${input.cg.iterations}.` : '';
    messages.push({
      kind: 'negative-curvature',
      severity: diverges ? 'error' : 'warning',
      text:
        (c.negCurvature
          ? `${lmin(lambdaMin.value)} < 0: ${A} is indefinite, so its component along that eigenvector grows by ` +
            `|1 − α·(${fmtNum(lambdaMin.value + delta)})| = ${fmtNum(contraction(alpha, lambdaMin.value, delta))} per term at α = ${fmtNum(alpha)}, ` +
            `and by more than 1 for every α > 0: no step size makes the series converge.${cgNote}`
          : `${lmin(lambdaMin.value)} ± ${fmtNum(lambdaMin.residual)} reaches 0: ${A} may be singular or indefinite, and along that ` +
            `eigenvector the series shrinks by no factor below 1 (up to ${fmtNum(c.cMin)} per term) for any α > 0.${cgNote}`) + whereItLives(input.bottomTensorShare),
      key: 'neumann.damping',
    });
  }
  if (c.stepTooLarge || verdict === 'diverges-step-too-large' || (undecided && c.cMax >= 1)) {
    messages.push({
      kind: 'step-too-large',
      severity: diverges ? 'error' : 'warning',
      text: c.stepTooLarge
        ? `${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)}: the top eigen-direction grows by ` +
          `|1 − α·${fmtNum(lambdaMax.value + delta)}| = ${fmtNum(contraction(alpha, lambdaMax.value, delta))} per term at α = ${fmtNum(alpha)}.`
        : `${lmax(lambdaMax.value)} + ${fmtNum(lambdaMax.residual)} can reach 2/α = ${fmtNum(2 / alpha)}: within its error bar the top ` +
          `eigen-direction may grow by up to ${fmtNum(c.cMax)} per term at α = ${fmtNum(alpha)}.`,
      key: 'neumann.alpha',
    });
  }
  if (verdict === 'slow') {
    messages.push({
      kind: 'slow',
      severity: 'warning',
      text:
        `${rhoName} = ${fmtNum(rho)}: after the configured ${terms} terms the error is still up to ρ^${terms + 1} = ${fmtNum(rho ** (terms + 1))} ` +
        `of ‖H⁻¹b‖; tolerance ${fmtNum(tol)} needs K = ⌈log(${fmtNum(tol)})/log(${fmtNum(rho)})⌉ = ${c.kNow}.`,
      key: 'neumann.terms',
    });
  }
  return messages;
}

/** "97 % of the negative-curvature direction is in `0.weight`" (the largest share; named when ≥ 50 %). */
function whereItLives(share: Record<string, number> | null | undefined): string {
  if (!share) return '';
  const [name, top] = Object.entries(share).reduce((a, b) => (b[1] > a[1] ? b : a), ['', -1] as [string, number]);
  if (!name) return '';
  return top >= 0.5
    ? ` ${fmtPercent(top)} of the negative-curvature direction is in \`${name}\`: that tensor is where the loss curves downward.`
    : ` The negative-curvature direction is spread over the tensors (largest: \`${name}\`, ${fmtPercent(top)}).`;
}

const REFERENCE_NAME: Record<string, string> = { exact: 'exact', minres: 'MINRES', cg: 'CG', none: 'no' };

function effectText(e: HypergradientEffect | null, what: string): string {
  if (!e) return '';
  if (e.reference === null || e.referenceName === 'none') return ` ${what} the hypergradient is ${fmtNum(e.value)}.`;
  const sign = Math.sign(e.value) !== Math.sign(e.reference) && e.reference !== 0 ? ': the opposite sign' : '';
  return ` ${what} the hypergradient is ${fmtNum(e.value)} vs ${fmtNum(e.reference)} undamped (${REFERENCE_NAME[e.referenceName]})${sign}.`;
}

export function explainRecommendation(input: DiagnoseInput, c: SeriesClass, r: Recommendation): AdviceMessage {
  const { alpha, terms, damping: delta, lambdaMin, lambdaMax, tolerance: tol } = input;
  const { rhoName } = names(delta);
  const upperName = delta === 0 ? 'λ_max,upper' : '(λ_max,upper + δ)';
  switch (r.kind) {
    case 'more-lanczos-steps':
      return {
        kind: r.kind,
        severity: 'info',
        text: `Lanczos stopped at analysis.maxLanczosSteps = ${r.current} before ${r.unconverged.join(' and ')} converged; allow ${r.steps} steps.`,
        key: 'analysis.maxLanczosSteps',
        fix: r.fix,
      };
    case 'set-alpha':
      if (r.mode === 'damped') {
        return {
          kind: r.kind,
          severity: 'info',
          text: `With δ = ${fmtNum(r.delta)}, set α = ${fmtNum(r.value)} = 1/(λ_max,upper + δ) = 1/${fmtNum(lambdaMax.interval[1] + r.delta)}: ρ = ${fmtNum(r.rho)}. α changes only how fast the series gets there, not its limit.`,
          key: 'neumann.alpha',
          fix: r.fix,
        };
      }
      return {
        kind: r.kind,
        severity: 'info',
        text:
          `Set α = ${fmtNum(r.value)} (${
            r.mode === 'optimal'
              ? `α* = 2/(λ_max + λ_min${delta ? ' + 2δ' : ''}) = 2/(${fmtNum(lambdaMax.value)} + ${fmtNum(lambdaMin.value)}${delta ? ` + ${fmtNum(2 * delta)}` : ''})`
              : `1/${upperName} = 1/${fmtNum(cShiftedUpper(input))}`
          }): ${rhoName} = ${fmtNum(r.rho)} and K = ${r.k} terms reach tolerance ${fmtNum(tol)}` +
          `${r.kNow !== null ? ` (${r.kNow} at α = ${fmtNum(alpha)})` : ''}. Every α < α_max = 2/${upperName} = ${fmtNum(r.alphaMax)} converges.` +
          effectText(r.effect, 'α does not change the limit:'),
        key: 'neumann.alpha',
        fix: r.fix,
      };
    case 'set-damping': {
      const d = r.advice;
      return {
        kind: r.kind,
        severity: 'info',
        text:
          `Damp the Hessian: set δ = ${fmtNum(d.delta)} = −λ_min,lower + ${fmtNum(r.margin)}·${r.width.label} ` +
          `= ${fmtNum(-lambdaMin.interval[0])} + ${fmtNum(r.margin * r.width.value)}, so H + δI is positive definite; with ` +
          `α = ${fmtNum(d.alpha)} = 1/(λ_max,upper + δ), ρ(I−α(H+δI)) = ${fmtNum(d.rho)}` +
          `${d.termsNeeded !== null ? ` and K = ${d.termsNeeded} terms reach tolerance ${fmtNum(tol)}` : ''}. ` +
          `The series then approximates (H + δI)⁻¹b, not H⁻¹b: a larger δ converges faster but biases the hypergradient more.` +
          effectText(r.effect, `At δ = ${fmtNum(d.delta)}`),
        key: 'neumann.damping',
        fix: r.fix,
      };
    }
    case 'set-terms':
      if (!r.fix) {
        return {
          kind: r.kind,
          severity: 'warning',
          text:
            `Tolerance ${fmtNum(tol)} needs K = ${r.k} terms ${r.condition}, beyond the ${NEUMANN_TERMS_MAX} an experiment allows: ` +
            `the series is too slow here; damp H, or use CG for H⁻¹b.`,
          key: 'neumann.terms',
        };
      }
      return {
        kind: r.kind,
        severity: 'info',
        text: `Set terms = ${r.k}: the number of terms that reaches tolerance ${fmtNum(tol)} ${r.condition} (${terms} configured). More terms only shrink the truncation error; the limit stays the same.`,
        key: 'neumann.terms',
        fix: r.fix,
      };
    case 'use-cg':
      return {
        kind: r.kind,
        severity: 'info',
        text:
          `Conjugate gradient solved Hx = b in ${r.iterations} iterations (one HVP each), while the ` +
          `Neumann series ${c.diverges ? `diverges (${rhoName} = ${fmtNum(c.rho)})` : `needs K = ${c.kNow} terms`}: use CG for H⁻¹b.`,
        key: 'neumann',
      };
    case 'train-longer':
      return {
        kind: r.kind,
        severity: 'info',
        text:
          r.current === 0
            ? `Train from the given weights (training.epochs is 0, so they are analysed as they are): ${r.epochs} epochs, then check ‖∇L_T(w)‖ again (now ${fmtNum(r.gradNorm)}).`
            : `Train longer: ${r.epochs} epochs instead of ${r.current}, then check ‖∇L_T(w)‖ again (now ${fmtNum(r.gradNorm)}).`,
        key: 'training.epochs',
        fix: r.fix,
      };
  }
}

function cShiftedUpper(input: DiagnoseInput): number {
  return input.lambdaMax.interval[1] + input.damping;
}

/** The recommendations that only work together, as one fix ("Apply all: …"). */
export function explainTogether(fixes: NonNullable<Recommendations['together']>): AdviceMessage {
  const list = fixes.map((f) => `${f.path.join('.')} = ${f.label.replace(/^Set \S+ to /, '')}`).join(', ');
  return {
    kind: 'apply-all',
    severity: 'info',
    text: `These changes only work together (each alone leaves the series diverging or short of the tolerance): ${list}.`,
    key: fixes[0].path.join('.'),
    fixes,
  };
}

/**
 * The second part of the verdict in plain words: is the value the series gives (or converges to)
 * the hypergradient the user wants?
 */
export function explainHypergradient(input: DiagnoseInput, c: SeriesClass, v: HypergradientVerdict, minresNote: string): AdviceMessage | null {
  const ref = REFERENCE_NAME[v.reference];
  const delta = input.damping;
  const N = fmtNum(v.neumann);
  const R = fmtNum(v.referenceValue);
  const looks = c.verdict === 'converges' ? 'The series converges' : c.verdict === 'slow' ? 'The series converges slowly' : 'The series';
  const limitNote =
    delta > 0 && v.limit !== null
      ? ` With δ = ${fmtNum(delta)} the series converges to the hypergradient of (H + δI)⁻¹b, ${fmtNum(v.limit)}${v.dampingBias !== null ? ` (${fmtPercent(v.dampingBias)} from the undamped value)` : ''}: the damping, not the terms, sets that distance.`
      : '';
  switch (v.status) {
    case 'agrees':
      return { kind: 'hypergradient', severity: 'info', text: `The Neumann hypergradient ${N} agrees with the ${ref} value ${R} (error ${fmtPercent(v.relError)}).`, key: 'neumann' };
    case 'wrong-sign':
      return {
        kind: 'hypergradient',
        severity: 'error',
        text: `${looks}, but its hypergradient ${N} has the opposite sign of the ${ref} value ${R}: a hyperparameter step along it goes the wrong way.${limitNote}`,
        key: delta > 0 ? 'neumann.damping' : 'neumann.terms',
      };
    case 'biased':
      return {
        kind: 'hypergradient',
        severity: 'warning',
        text: `${looks}, but its hypergradient ${N} is ${fmtPercent(v.relError)} from the ${ref} value ${R}.${limitNote} A smaller δ reduces the bias but needs more terms (see the damping table).`,
        key: 'neumann.damping',
      };
    case 'far':
      return {
        kind: 'hypergradient',
        severity: 'warning',
        text: `${looks}, but its hypergradient ${N} is ${fmtPercent(v.relError)} from the ${ref} value ${R}: after ${input.terms} terms the series is not there yet.${limitNote}`,
        key: 'neumann.terms',
      };
    case 'no-reference':
      return {
        kind: 'hypergradient',
        severity: 'warning',
        text: `No converged reference for the hypergradient: the Neumann value ${N} cannot be checked.${minresNote} This usually means near-zero curvature, where H⁻¹b is ill-determined; compare the damped values in the damping table instead.`,
        key: 'neumann',
      };
    case 'diverged':
      return v.referenceValue === null
        ? null
        : { kind: 'hypergradient', severity: 'info', text: `The series diverges, so its hypergradient means nothing; the ${ref} value is ${R}.`, key: 'neumann' };
  }
}
