/**
 * From the two ends of the spectrum to a verdict and recommendations that cite this run's numbers.
 * The series on A = H + δI multiplies the eigen-component of λ by (1 − α(λ + δ)) per term, so it
 * converges iff every such factor is < 1 in size: λ_min + δ ≤ 0 can never be fixed by α (negative
 * curvature), α(λ_max + δ) ≥ 2 can (step too large).
 *
 * Problem messages (verdict, negative-curvature, step-too-large, slow, not-stationary) carry no fix;
 * recommendation messages (set-alpha, set-damping, set-terms, train-longer, use-cg) carry the fix.
 */
import type { CgStatus } from '../algorithms/cg';
import { InputError } from '../errors';
import { fmtNum, roundSig } from './format';
import type { Advice, AdviceMessage, DampingAdvice, ExtremeEstimate, Interval, Verdict } from './report';
import { contraction, spectralRadius, termsNeeded } from './spectral-radius';

export interface DiagnoseInput {
  alpha: number;
  terms: number;
  damping: number;
  lambdaMin: ExtremeEstimate;
  lambdaMax: ExtremeEstimate;
  /** Target relative accuracy of the series (analysis.tolerance). */
  tolerance: number;
  /** ‖∇L_T(w)‖ at the trained weights; null for analytic problems. */
  gradNormTrain: number | null;
  stationarityTolerance: number;
  /** The CG run on H (undamped), if any. */
  cg: { status: CgStatus; iterations: number } | null;
  /** Configured training epochs; null when there is nothing to train. */
  epochs: number | null;
  /** analysis.maxLanczosSteps, for the fix when an end did not converge (null: not a Lanczos spectrum). */
  maxLanczosSteps?: number | null;
  /** Last observed growth ratio ‖v_K‖/‖v_{K−1}‖ of the series run, cited next to ρ. */
  observedGrowth?: number | null;
  /**
   * Recommended damping is δ = −λ_min,lower + margin·(λ_max,upper − λ_min,lower). The default 0.1
   * bounds the condition number of H + δI by (1 + margin)/margin = 11, so ρ ≤ 1 − 1/11 at
   * α = 1/(λ_max,upper + δ), while keeping δ (and the bias it adds to the solution) small.
   */
  dampingMargin?: number;
}

interface Shifted {
  min: Interval;
  max: Interval;
}

function check(input: DiagnoseInput): void {
  if (!(input.alpha > 0) || !Number.isFinite(input.alpha)) {
    throw new InputError(`α must be a positive number, got ${input.alpha}`, { kind: 'json', path: 'neumann.alpha' });
  }
  if (!(input.damping >= 0) || !Number.isFinite(input.damping)) {
    throw new InputError(`damping must be ≥ 0, got ${input.damping}`, { kind: 'json', path: 'neumann.damping' });
  }
  if (!(input.tolerance > 0 && input.tolerance < 1)) {
    throw new InputError(`tolerance must be in (0, 1), got ${input.tolerance}`, { kind: 'json', path: 'analysis.tolerance' });
  }
  for (const [name, e] of [['λ_min', input.lambdaMin], ['λ_max', input.lambdaMax]] as const) {
    if (![e.value, e.interval[0], e.interval[1]].every(Number.isFinite)) {
      throw new RangeError(`diagnose: ${name} estimate is not finite (${e.value} in [${e.interval[0]}, ${e.interval[1]}])`);
    }
  }
}

/** The experiment schema's maxima for neumann.terms and analysis.maxLanczosSteps: fixes never exceed them. */
export const NEUMANN_TERMS_MAX = 100000;
export const LANCZOS_STEPS_MAX = 10000;

export function diagnose(input: DiagnoseInput): Advice {
  check(input);
  const { alpha, terms, damping: delta, lambdaMin, lambdaMax, tolerance: tol } = input;
  const A = delta === 0 ? 'H' : 'H + δI';
  const rhoName = delta === 0 ? 'ρ(I−αH)' : 'ρ(I−α(H+δI))';
  const lmin = (x: number) => (delta === 0 ? `λ_min = ${fmtNum(x)}` : `λ_min + δ = ${fmtNum(x + delta)}`);
  const lmax = (x: number) => (delta === 0 ? `λ_max = ${fmtNum(x)}` : `λ_max + δ = ${fmtNum(x + delta)}`);
  const shifted: Shifted = {
    min: [lambdaMin.interval[0] + delta, lambdaMin.interval[1] + delta],
    max: [lambdaMax.interval[0] + delta, lambdaMax.interval[1] + delta],
  };
  const { rho, rhoInterval } = spectralRadius(alpha, lambdaMin.interval, lambdaMax.interval, delta);
  const cMin = Math.max(...lambdaMin.interval.map((l) => contraction(alpha, l, delta)));
  const cMax = Math.max(...lambdaMax.interval.map((l) => contraction(alpha, l, delta)));
  const negCurvature = lambdaMin.value + delta < 0;
  const stepTooLarge = alpha * (lambdaMax.value + delta) >= 2;
  const positiveDefinite = shifted.min[0] > 0;
  const kNow = termsNeeded(rho, tol);

  // The verdict names the end that sets ρ. It is only as strong as the bounds: "diverges" needs ρ's
  // lower bound ≥ 1 (an interval holds an eigenvalue, so that is rigorous even for an unconverged
  // end); "converges" needs the upper bound < 1 and both ends converged (an unconverged Ritz value
  // lies inside the spectrum, so the true extreme may be further out).
  const unconverged = [!lambdaMin.converged && 'λ_min', !lambdaMax.converged && 'λ_max'].filter((x): x is string => !!x);
  let verdict: Verdict;
  if (rhoInterval[0] >= 1) {
    // On a tie the λ_min end wins: no α can fix it, so it is the cause to act on first.
    verdict = cMin >= cMax && shifted.min[0] <= 0 ? 'diverges-negative-curvature' : 'diverges-step-too-large';
  } else if (rho >= 1 || unconverged.length > 0) {
    verdict = 'inconclusive';
  } else {
    verdict = (kNow as number) > terms ? 'slow' : 'converges';
  }
  const diverges = verdict.startsWith('diverges');

  const negPhrase = negCurvature
    ? `${lmin(lambdaMin.value)} < 0 (negative curvature)`
    : `${lmin(lambdaMin.value)} ± ${fmtNum(lambdaMin.residual)} reaches 0 (singular, or negative curvature)`;
  const stepPhrase = stepTooLarge
    ? `${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)} (step too large)`
    : `${lmax(lambdaMax.value)} + ${fmtNum(lambdaMax.residual)} can reach 2/α = ${fmtNum(2 / alpha)} (step too large)`;

  let summary: string;
  if (verdict === 'diverges-negative-curvature') {
    summary = `Diverges: ${rhoName} = ${fmtNum(rho)} because ${negPhrase}${stepTooLarge ? `; ${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)} as well` : ''}.`;
  } else if (verdict === 'diverges-step-too-large') {
    summary = `Diverges: ${rhoName} = ${fmtNum(rho)} because ${stepPhrase}${negCurvature ? `; ${lmin(lambdaMin.value)} < 0 (negative curvature) as well` : ''}.`;
  } else if (verdict === 'inconclusive') {
    summary =
      unconverged.length > 0
        ? `Inconclusive: Lanczos did not converge at ${unconverged.join(' and ')}, so ${rhoName} is not bounded from above ` +
          `(the estimates give ${fmtNum(rho)}); raise analysis.maxLanczosSteps.`
        : `Inconclusive: ${rhoName} lies in [${fmtNum(rhoInterval[0])}, ${fmtNum(rhoInterval[1])}], which straddles 1 at this run's precision ` +
          `(λ_min ∈ [${fmtNum(lambdaMin.interval[0])}, ${fmtNum(lambdaMin.interval[1])}], λ_max ∈ [${fmtNum(lambdaMax.interval[0])}, ${fmtNum(lambdaMax.interval[1])}]).`;
  } else if (verdict === 'slow') {
    summary = `Converges slowly: ${rhoName} = ${fmtNum(rho)} < 1, but tolerance ${fmtNum(tol)} needs K = ${kNow} terms and ${terms} are configured.`;
  } else {
    summary = `Converges: ${rhoName} = ${fmtNum(rho)} < 1, so K = ${kNow} terms reach tolerance ${fmtNum(tol)} (${terms} configured).`;
  }

  const messages: AdviceMessage[] = [];
  const growth =
    input.observedGrowth != null && Number.isFinite(input.observedGrowth)
      ? ` The series run shows ‖v_K‖/‖v_{K−1}‖ = ${fmtNum(input.observedGrowth)}.`
      : '';
  messages.push({
    kind: 'verdict',
    severity: diverges ? 'error' : verdict === 'slow' || verdict === 'inconclusive' ? 'warning' : 'info',
    text: `${summary} ${rhoName} lies in [${fmtNum(rhoInterval[0])}, ${fmtNum(rhoInterval[1])}] given the error bars of λ_min and λ_max.${growth}`,
    key: diverges ? 'neumann.alpha' : 'neumann.terms',
  });

  // Every cause that holds, with its own growth factor, whichever one sets ρ.
  // An inconclusive verdict still names each end whose error bar reaches a growth factor ≥ 1.
  const undecided = verdict === 'inconclusive';
  if (negCurvature || verdict === 'diverges-negative-curvature' || (undecided && cMin >= 1)) {
    const cgNote =
      input.cg?.status === 'indefinite' ? ` CG on H confirms it: it met pᵀHp ≤ 0 at iteration ${input.cg.iterations}.` : '';
    messages.push({
      kind: 'negative-curvature',
      severity: diverges ? 'error' : 'warning',
      text: negCurvature
        ? `${lmin(lambdaMin.value)} < 0: ${A} is indefinite, so its component along that eigenvector grows by ` +
          `|1 − α·(${fmtNum(lambdaMin.value + delta)})| = ${fmtNum(contraction(alpha, lambdaMin.value, delta))} per term at α = ${fmtNum(alpha)}, ` +
          `and by more than 1 for every α > 0: no step size makes the series converge.${cgNote}`
        : `${lmin(lambdaMin.value)} ± ${fmtNum(lambdaMin.residual)} reaches 0: ${A} may be singular or indefinite, and along that ` +
          `eigenvector the series shrinks by no factor below 1 (up to ${fmtNum(cMin)} per term) for any α > 0.${cgNote}`,
      key: 'neumann.damping',
    });
  }
  if (stepTooLarge || verdict === 'diverges-step-too-large' || (undecided && cMax >= 1)) {
    messages.push({
      kind: 'step-too-large',
      severity: diverges ? 'error' : 'warning',
      text: stepTooLarge
        ? `${lmax(lambdaMax.value)} > 2/α = ${fmtNum(2 / alpha)}: the top eigen-direction grows by ` +
          `|1 − α·${fmtNum(lambdaMax.value + delta)}| = ${fmtNum(contraction(alpha, lambdaMax.value, delta))} per term at α = ${fmtNum(alpha)}.`
        : `${lmax(lambdaMax.value)} + ${fmtNum(lambdaMax.residual)} can reach 2/α = ${fmtNum(2 / alpha)}: within its error bar the top ` +
          `eigen-direction may grow by up to ${fmtNum(cMax)} per term at α = ${fmtNum(alpha)}.`,
      key: 'neumann.alpha',
    });
  }
  if (verdict === 'slow') {
    messages.push({
      kind: 'slow',
      severity: 'warning',
      text:
        `${rhoName} = ${fmtNum(rho)}: after the configured ${terms} terms the error is still up to ρ^${terms + 1} = ${fmtNum(rho ** (terms + 1))} ` +
        `of ‖H⁻¹b‖; tolerance ${fmtNum(tol)} needs K = ⌈log(${fmtNum(tol)})/log(${fmtNum(rho)})⌉ = ${kNow}.`,
      key: 'neumann.terms',
    });
  }

  if (unconverged.length > 0 && input.maxLanczosSteps) {
    const steps = Math.min(2 * input.maxLanczosSteps, LANCZOS_STEPS_MAX);
    if (steps > input.maxLanczosSteps) {
      messages.push({
        kind: 'more-lanczos-steps',
        severity: 'info',
        text: `Lanczos stopped at analysis.maxLanczosSteps = ${input.maxLanczosSteps} before ${unconverged.join(' and ')} converged; allow ${steps} steps.`,
        key: 'analysis.maxLanczosSteps',
        fix: { path: ['analysis', 'maxLanczosSteps'], value: steps, label: `Set analysis.maxLanczosSteps to ${steps}` },
      });
    }
  }

  // Step-size numbers, from the conservative upper end of λ_max (+ δ).
  const lmaxUpper = shifted.max[1];
  const upperName = delta === 0 ? 'λ_max,upper' : '(λ_max,upper + δ)';
  const alphaMax = lmaxUpper > 0 ? 2 / lmaxUpper : null;
  const alphaSuggested = lmaxUpper > 0 ? 1 / lmaxUpper : null;
  let alphaOptimal: number | null = null;
  let rhoOptimal: number | null = null;
  let termsNeededOut: number | null = kNow;
  let damping: DampingAdvice | null = null;

  if (positiveDefinite) {
    alphaOptimal = 2 / (lambdaMax.value + lambdaMin.value + 2 * delta);
    rhoOptimal = spectralRadius(alphaOptimal, lambdaMin.interval, lambdaMax.interval, delta).rho;
    // α* balances both ends exactly; when the error bars make it unsafe, fall back to 1/λ_max,upper.
    const useOptimal = rhoOptimal < 1;
    const aRec = roundSig(useOptimal ? alphaOptimal : (alphaSuggested as number), 3);
    const rhoRec = spectralRadius(aRec, lambdaMin.interval, lambdaMax.interval, delta).rho;
    const kRec = termsNeeded(rhoRec, tol);
    if (diverges) termsNeededOut = kRec;
    const improves = kRec !== null && (kNow === null || kRec < kNow);
    if (improves && aRec !== alpha) {
      const why = useOptimal
        ? `α* = 2/(λ_max + λ_min${delta ? ' + 2δ' : ''}) = 2/(${fmtNum(lambdaMax.value)} + ${fmtNum(lambdaMin.value)}${delta ? ` + ${fmtNum(2 * delta)}` : ''})`
        : `1/${upperName} = 1/${fmtNum(lmaxUpper)}`;
      messages.push({
        kind: 'set-alpha',
        severity: 'info',
        text:
          `Set α = ${fmtNum(aRec)} (${why}): ${rhoName} = ${fmtNum(rhoRec)} and K = ${kRec} terms reach tolerance ${fmtNum(tol)}` +
          `${kNow !== null ? ` (${kNow} at α = ${fmtNum(alpha)})` : ''}. Every α < α_max = 2/${upperName} = ${fmtNum(alphaMax as number)} converges.`,
        key: 'neumann.alpha',
        fix: { path: ['neumann', 'alpha'], value: aRec, label: `Set neumann.alpha to ${fmtNum(aRec)}` },
      });
      if (kRec > terms) messages.push(setTerms(kRec, `at α = ${fmtNum(aRec)}`));
    }
  } else {
    damping = recommendDamping(input);
    const d: DampingAdvice = damping;
    if (diverges) termsNeededOut = d.termsNeeded;
    const width = dampingWidth(lambdaMin, lambdaMax, alpha);
    messages.push({
      kind: 'set-damping',
      severity: 'info',
      text:
        `Damp the Hessian: set δ = ${fmtNum(d.delta)} = −λ_min,lower + ${fmtNum(input.dampingMargin ?? 0.1)}·${width.label} ` +
        `= ${fmtNum(-lambdaMin.interval[0])} + ${fmtNum((input.dampingMargin ?? 0.1) * width.value)}, so H + δI is positive definite; with ` +
        `α = ${fmtNum(d.alpha)} = 1/(λ_max,upper + δ), ρ(I−α(H+δI)) = ${fmtNum(d.rho)}` +
        `${d.termsNeeded !== null ? ` and K = ${d.termsNeeded} terms reach tolerance ${fmtNum(tol)}` : ''}. ` +
        `The series then approximates (H + δI)⁻¹b, not H⁻¹b: a larger δ converges faster but biases the hypergradient more.`,
      key: 'neumann.damping',
      fix: { path: ['neumann', 'damping'], value: d.delta, label: `Set neumann.damping to ${fmtNum(d.delta)}` },
    });
    if (d.alpha !== alpha) {
      messages.push({
        kind: 'set-alpha',
        severity: 'info',
        text: `With δ = ${fmtNum(d.delta)}, set α = ${fmtNum(d.alpha)} = 1/(λ_max,upper + δ) = 1/${fmtNum(lambdaMax.interval[1] + d.delta)}: ρ = ${fmtNum(d.rho)}.`,
        key: 'neumann.alpha',
        fix: { path: ['neumann', 'alpha'], value: d.alpha, label: `Set neumann.alpha to ${fmtNum(d.alpha)}` },
      });
    }
    if (d.termsNeeded !== null && d.termsNeeded > terms) messages.push(setTerms(d.termsNeeded, `with δ = ${fmtNum(d.delta)}, α = ${fmtNum(d.alpha)}`));
  }

  if (verdict === 'slow' && !messages.some((m) => m.kind === 'set-terms')) {
    messages.push(setTerms(kNow as number, `at α = ${fmtNum(alpha)}`));
  }

  const useCg = input.cg?.status === 'converged' && (diverges || verdict === 'slow');
  if (useCg && input.cg) {
    messages.push({
      kind: 'use-cg',
      severity: 'info',
      text:
        `Conjugate gradient solved Hx = b in ${input.cg.iterations} iterations (one HVP each), while the ` +
        `Neumann series ${diverges ? `diverges (${rhoName} = ${fmtNum(rho)})` : `needs K = ${kNow} terms`}: use CG for H⁻¹b.`,
      key: 'neumann',
    });
  }

  const notStationary = input.gradNormTrain !== null && input.gradNormTrain > input.stationarityTolerance;
  if (notStationary) {
    messages.push({
      kind: 'not-stationary',
      severity: 'warning',
      text:
        `‖∇L_T(w)‖ = ${fmtNum(input.gradNormTrain as number)} > ${fmtNum(input.stationarityTolerance)} (analysis.stationarityTolerance): ` +
        `the implicit-function hypergradient −∇L_Vᵀ H⁻¹ w assumes ∇L_T(w) = 0, so it is unreliable here; train longer.`,
      key: 'training.epochs',
    });
    if (input.epochs !== null) {
      const epochs = Math.max(1, input.epochs) * 2;
      messages.push({
        kind: 'train-longer',
        severity: 'info',
        text:
          input.epochs === 0
            ? `Train from the given weights (training.epochs is 0, so they are analysed as they are): ${epochs} epochs, then check ‖∇L_T(w)‖ again (now ${fmtNum(input.gradNormTrain as number)}).`
            : `Train longer: ${epochs} epochs instead of ${input.epochs}, then check ‖∇L_T(w)‖ again (now ${fmtNum(input.gradNormTrain as number)}).`,
        key: 'training.epochs',
        fix: { path: ['training', 'epochs'], value: epochs, label: `Set training.epochs to ${epochs}` },
      });
    }
  }

  return {
    verdict,
    summary,
    messages,
    alphaMax,
    alphaSuggested,
    alphaOptimal,
    rhoOptimal,
    termsNeeded: termsNeededOut,
    damping,
    useCg,
    notStationary,
  };

  function setTerms(k: number, condition: string): AdviceMessage {
    // A count the experiment schema would reject is no fix: say so and point at the alternatives.
    if (k > NEUMANN_TERMS_MAX) {
      return {
        kind: 'set-terms',
        severity: 'warning',
        text:
          `Tolerance ${fmtNum(tol)} needs K = ${k} terms ${condition}, beyond the ${NEUMANN_TERMS_MAX} an experiment allows: ` +
          `the series is too slow here; damp H, or use CG for H⁻¹b.`,
        key: 'neumann.terms',
      };
    }
    return {
      kind: 'set-terms',
      severity: 'info',
      text: `Set terms = ${k}: the number of terms that reaches tolerance ${fmtNum(tol)} ${condition} (${terms} configured).`,
      key: 'neumann.terms',
      fix: { path: ['neumann', 'terms'], value: k, label: `Set neumann.terms to ${k}` },
    };
  }
}

/**
 * The scale the damping margin is taken of: the spectral width λ_max,upper − λ_min,lower, at least
 * |λ_min,lower| (a negative multiple of I has zero width), and for H = 0 the configured step's 1/α.
 */
export function dampingWidth(lambdaMin: ExtremeEstimate, lambdaMax: ExtremeEstimate, alpha: number): { value: number; label: string } {
  const spread = lambdaMax.interval[1] - lambdaMin.interval[0];
  const magnitude = Math.abs(lambdaMin.interval[0]);
  if (spread > 0 && spread >= magnitude) return { value: spread, label: '(λ_max,upper − λ_min,lower)' };
  if (magnitude > 0) return { value: magnitude, label: '|λ_min,lower|' };
  return { value: 1 / alpha, label: '(1/α)' };
}

/** δ = −λ_min,lower + margin·width (replacing the configured δ), α = 1/(λ_max,upper + δ), both rounded as cited. */
export function recommendDamping(input: Pick<DiagnoseInput, 'alpha' | 'lambdaMin' | 'lambdaMax' | 'tolerance' | 'dampingMargin'>): DampingAdvice {
  const margin = input.dampingMargin ?? 0.1;
  const lo = input.lambdaMin.interval[0];
  const hi = input.lambdaMax.interval[1];
  const width = dampingWidth(input.lambdaMin, input.lambdaMax, input.alpha).value;
  const delta = roundSig(-lo + margin * width, 3);
  const alpha = roundSig(1 / (hi + delta), 3);
  const rho = spectralRadius(alpha, input.lambdaMin.interval, input.lambdaMax.interval, delta).rho;
  return { delta, alpha, rho, termsNeeded: termsNeeded(rho, input.tolerance) };
}
