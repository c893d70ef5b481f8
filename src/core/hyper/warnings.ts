/**
 * The hyperparameter loop's warnings, as they happen: ρ(I − α(H + δI)) ≥ 1 at a step of a Neumann
 * run, the loop's own hypergradient further than hyper.errorThreshold from the reference, and a
 * run that stopped. Each is an advice message followed by the recommendations that address it,
 * each with its fix (α = 1/(λ_max,upper + δ), neumann.alpha "auto", damping, terms, inner steps,
 * rates), the messages the diagnosis gives, so Problems and Quick Fixes take them unchanged. Every
 * number is the step's own. A condition is announced at the first step it holds; the record keeps
 * every step it held at.
 */
import type { AdviceMessage, ConfigFix } from '../diagnosis/advice-message';
import { NEUMANN_TERMS_MAX, recommendDamping } from '../diagnosis/advice';
import { fmtInterval, fmtNum, fmtPercent, roundSig } from '../diagnosis/format';
import type { HyperStep, HyperStop, HyperWarning } from '../diagnosis/hyper-report';
import type { ExtremeEstimate } from '../diagnosis/report';
import { autoAlpha, spectralRadius, termsNeeded } from '../diagnosis/spectral-radius';
import type { HyperSettings, InverseKind, ResolvedReference } from './settings';

/** hyper.innerSteps' schema maximum: a fix beyond it would not load. */
const INNER_STEPS_MAX = 1_000_000;

const fix = (path: string[], value: number | 'auto'): ConfigFix => ({
  path,
  value,
  label: `Set ${path.join('.')} to ${value === 'auto' ? '"auto"' : Number.isInteger(value) && value > 1 ? String(value) : fmtNum(value)}`,
});

const estimate = (value: number, interval: [number, number]): ExtremeEstimate => ({ value, interval, residual: (interval[1] - interval[0]) / 2, converged: true });

/** ρ at this step's spectrum for another α and δ. */
const rhoAt = (e: HyperStep, alpha: number, damping: number) => spectralRadius(alpha, e.lambdaMinInterval, e.lambdaMaxInterval, damping).rho;

/** ρ ≥ 1: its cause from the step's spectrum, then the fixes that bring ρ below 1 at this step. */
function rhoMessages(e: HyperStep, run: InverseKind, s: HyperSettings): AdviceMessage[] {
  const { damping } = s.neumann;
  const definite = e.rhoInterval[0] >= 1;
  const lo = e.lambdaMinInterval[0];
  const hi = e.lambdaMaxInterval[1];
  const negative = lo + damping <= 0;
  const cause = negative
    ? `λ_min,lower + δ = ${fmtNum(lo + damping)} ≤ 0 (negative curvature: no α makes it converge)`
    : `α(λ_max,upper + δ) = ${fmtNum(e.alpha * (hi + damping))} ≥ 2 (λ_max = ${fmtNum(e.lambdaMax)} at this step, α = ${fmtNum(e.alpha)})`;
  const head: AdviceMessage = {
    kind: 'hyper-diverges',
    severity: definite ? 'error' : 'warning',
    text:
      `Hyper-step ${e.step} (${run} run): the Neumann series ${definite ? 'diverges' : 'may diverge'}, ρ(I − α(H + δI)) ∈ ${fmtInterval(e.rhoInterval)}: ${cause}. ` +
      `The hypergradient this step moved the weight decay with is not the implicit function theorem's.`,
    key: negative ? 'neumann.damping' : 'neumann.alpha',
  };
  const out = [head, ...(negative ? dampingFixes(e, s) : alphaFixes(e, s))];
  const inner = innerStepsFix(e, s);
  if (negative && inner) out.push(inner);
  return out;
}

/** Too large a step: α scaled to this step's λ_max, or α that follows the curvature at every step. */
function alphaFixes(e: HyperStep, s: HyperSettings): AdviceMessage[] {
  const { damping, alpha: configured } = s.neumann;
  // With "auto", α(λ_max,upper + δ) = 1 at every step: the step size is never the cause.
  if (configured === 'auto') return [];
  const top = e.lambdaMaxInterval[1] + damping;
  const scaled = roundSig(1 / top, 3);
  const auto = autoAlpha(e.lambdaMaxInterval[1], damping);
  return [
    {
      kind: 'set-alpha',
      severity: 'info',
      text:
        `Scale α to this step's curvature: α = 1/(λ_max,upper + δ) = 1/${fmtNum(top)} ≈ ${fmtNum(scaled)} gives ρ = ${fmtNum(rhoAt(e, scaled, damping))} here; ` +
        `the curvature drifts along the loop, so a fixed α may fail again at a later step.`,
      key: 'neumann.alpha',
      fix: fix(['neumann', 'alpha'], scaled),
    },
    {
      kind: 'set-alpha',
      severity: 'info',
      text: `Let α follow the curvature: neumann.alpha "auto" sets α = 1/(λ_max,upper + δ) afresh at every hyper-step from warm-started Lanczos steps (ρ = ${fmtNum(rhoAt(e, auto, damping))} at this one).`,
      key: 'neumann.alpha',
      fix: fix(['neumann', 'alpha'], 'auto'),
    },
  ];
}

/** Negative curvature: damping makes H + δI definite; with a fixed α that is then too large, together with "auto". */
function dampingFixes(e: HyperStep, s: HyperSettings): AdviceMessage[] {
  const { alpha: configured } = s.neumann;
  const d = recommendDamping({ alpha: e.alpha, lambdaMin: estimate(e.lambdaMin, e.lambdaMinInterval), lambdaMax: estimate(e.lambdaMax, e.lambdaMaxInterval), tolerance: s.tolerance });
  const auto = autoAlpha(e.lambdaMaxInterval[1], d.delta);
  const alpha = configured === 'auto' ? auto : configured;
  const rho = rhoAt(e, alpha, d.delta);
  const setDamping = fix(['neumann', 'damping'], d.delta);
  const out: AdviceMessage[] = [
    {
      kind: 'set-damping',
      severity: 'info',
      text:
        `Damp the Hessian: δ = ${fmtNum(d.delta)} makes H + δI positive definite at this step (λ_min,lower = ${fmtNum(e.lambdaMinInterval[0])}); the loop then uses (H + δI)⁻¹b, a biased but finite hypergradient. ` +
        (rho < 1 ? `At α = ${fmtNum(alpha)}, ρ = ${fmtNum(rho)}.` : `At α = ${fmtNum(alpha)} it still diverges (ρ = ${fmtNum(rho)}): α must shrink with it.`),
      key: 'neumann.damping',
      fix: setDamping,
    },
  ];
  if (configured !== 'auto' && !(rho < 1)) {
    const fixes = [setDamping, fix(['neumann', 'alpha'], 'auto')];
    out.push({
      kind: 'apply-all',
      severity: 'info',
      text: `Apply both: δ = ${fmtNum(d.delta)} and neumann.alpha "auto" (α = 1/(λ_max,upper + δ) at every step) give ρ = ${fmtNum(rhoAt(e, auto, d.delta))} at this step.`,
      key: 'neumann.damping',
      fixes,
    });
  }
  return out;
}

/** w far from stationary: more inner steps bring it nearer the minimum the IFT assumes. */
function innerStepsFix(e: HyperStep, s: HyperSettings): AdviceMessage | null {
  if (!(e.gradientNorm > s.stationarityTolerance)) return null;
  const inner = Math.min(Math.max(1, 2 * s.innerSteps), INNER_STEPS_MAX);
  if (inner <= s.innerSteps) return null;
  return {
    kind: 'set-inner-steps',
    severity: 'info',
    text:
      `‖∇L_T(w)‖ = ${fmtNum(e.gradientNorm)} > ${fmtNum(s.stationarityTolerance)} (analysis.stationarityTolerance) at this step: the implicit function theorem assumes w at a minimum of L_T, ` +
      `so train more between hyper-steps (hyper.innerSteps ${s.innerSteps} → ${inner}).`,
    key: 'hyper.innerSteps',
    fix: fix(['hyper', 'innerSteps'], inner),
  };
}

/** The loop's hypergradient is off: more terms when the series converges but is cut short, more inner steps when w is not stationary. */
function errorMessages(e: HyperStep, run: InverseKind, reference: ResolvedReference, s: HyperSettings): AdviceMessage[] {
  const diverging = run === 'neumann' && !(e.rho < 1);
  const out: AdviceMessage[] = [
    {
      kind: 'hyper-error',
      severity: 'warning',
      text:
        `Hyper-step ${e.step} (${run} run): the hypergradient is ${fmtPercent(e.relativeError as number)} off the ${reference} one (cosine ${fmtNum(e.cosine)}), ` +
        `above hyper.errorThreshold = ${fmtPercent(s.errorThreshold)}: the weight decay moves by the wrong amount${e.cosine !== null && e.cosine < 0 ? ', in the wrong direction' : ''}` +
        (diverging ? ', as the series diverges at this step (its warning has the fixes).' : '.'),
      key: run !== 'neumann' ? 'hyper.inverse' : diverging ? 'neumann.alpha' : 'neumann.terms',
    },
  ];
  if (run === 'neumann' && !diverging) {
    const k = termsNeeded(e.rho, s.tolerance);
    if (k !== null && k > s.neumann.terms && k <= NEUMANN_TERMS_MAX) {
      out.push({
        kind: 'set-terms',
        severity: 'info',
        text: `The series converges at this step (ρ = ${fmtNum(e.rho)}) but stops at K = ${s.neumann.terms} terms; ρ^K reaches analysis.tolerance = ${fmtNum(s.tolerance)} at K = ${k}.`,
        key: 'neumann.terms',
        fix: fix(['neumann', 'terms'], k),
      });
    }
  }
  const inner = innerStepsFix(e, s);
  if (inner) out.push(inner);
  return out;
}

/** A stopped run: what was not finite, and the change that addresses it (none of its own when the diverging series, already warned about, caused it). */
function stopMessages(stop: HyperStop, last: HyperStep | undefined, run: InverseKind, s: HyperSettings, seriesDiverged: boolean): AdviceMessage[] {
  const byDivergence = seriesDiverged && stop.cause !== 'inner-sgd';
  const head: AdviceMessage = {
    kind: 'hyper-stopped',
    severity: 'error',
    text: `The ${run} run stopped at hyper-step ${stop.step}: ${stop.reason}${byDivergence ? ', after its Neumann series diverged (see that warning for the fixes)' : ''}. The steps before it are kept.`,
    key: stop.cause === 'inner-sgd' ? 'training.learningRate' : stop.cause === 'weight-decay' ? 'hyper.optimizer.learningRate' : 'hyper',
  };
  if (byDivergence) return [head];
  if (stop.cause === 'inner-sgd') return [head, learningRateFix(last, s)];
  if (stop.cause === 'weight-decay') return [head, hyperRateFix(last, s)];
  if (stop.cause === 'inverse' && last && last.inverseStatus === 'indefinite') return [head, ...dampingFixes(last, s).slice(0, 1)];
  return [head];
}

/** Inner SGD diverged: a rate below 2/λ_max (gradient descent on a quadratic), 1/λ_max,upper of the last step, else half the rate. */
function learningRateFix(last: HyperStep | undefined, s: HyperSettings): AdviceMessage {
  const lr = s.trainingLearningRate;
  const curvature = last ? 1 / last.lambdaMaxInterval[1] : Infinity;
  const next = roundSig(Math.min(lr / 2, curvature), 3);
  const why = Number.isFinite(curvature) && curvature < lr / 2 ? `1/λ_max,upper = 1/${fmtNum(last?.lambdaMaxInterval[1])} at the last recorded step` : 'half the rate';
  return {
    kind: 'set-learning-rate',
    severity: 'info',
    text: `Lower the inner SGD rate: gradient descent on L_T is stable below 2/λ_max; training.learningRate ${fmtNum(lr)} → ${fmtNum(next)} (${why}).`,
    key: 'training.learningRate',
    fix: fix(['training', 'learningRate'], next),
  };
}

/** exp(φ) overflowed: for SGD on φ a rate at which this step's hypergradient moves φ by at most 1 (λ by a factor e), else a tenth. */
function hyperRateFix(last: HyperStep | undefined, s: HyperSettings): AdviceMessage {
  const eta = s.optimizer.learningRate;
  const gMax = last ? Math.max(...last.hypergradient.map(Math.abs)) : NaN;
  const bySize = s.optimizer.kind === 'sgd' && gMax > 0 && Number.isFinite(gMax);
  const next = roundSig(bySize ? Math.min(eta / 10, 1 / gMax) : eta / 10, 3);
  const why = bySize ? `|dL_V/dφ| reached ${fmtNum(gMax)}, so η·|g| = ${fmtNum(eta * gMax)}; at ${fmtNum(next)} a step changes λ by at most a factor e` : `${s.optimizer.kind} steps φ by about η per step`;
  return {
    kind: 'set-hyper-rate',
    severity: 'info',
    text: `Take smaller steps on φ = log λ: hyper.optimizer.learningRate ${fmtNum(eta)} → ${fmtNum(next)} (${why}).`,
    key: 'hyper.optimizer.learningRate',
    fix: fix(['hyper', 'optimizer', 'learningRate'], next),
  };
}

/**
 * One run's warnings, step by step. `observe` and `stopped` return what to announce now (a
 * condition's first step); `warnings` is the record, with every step each condition held at.
 */
export class HyperWarningLog {
  private readonly held = new Map<HyperWarning['condition'], HyperWarning>();

  constructor(
    private readonly run: InverseKind,
    private readonly settings: HyperSettings,
    private readonly reference: ResolvedReference,
  ) {}

  /** The loop's own run: its hypergradient error is what the user acts on (compared inverses are baselines). */
  private get main(): boolean {
    return this.run === this.settings.inverse;
  }

  observe(e: HyperStep): AdviceMessage[] {
    const fresh: AdviceMessage[] = [];
    if (this.run === 'neumann' && !(e.rho < 1)) fresh.push(...this.hold('rho', e.step, () => rhoMessages(e, this.run, this.settings)));
    if (this.main && e.relativeError !== null && e.relativeError > this.settings.errorThreshold) {
      fresh.push(...this.hold('error', e.step, () => errorMessages(e, this.run, this.reference, this.settings)));
    }
    return fresh;
  }

  stopped(stop: HyperStop, last: HyperStep | undefined): AdviceMessage[] {
    const diverged = this.held.get('rho')?.steps.includes(stop.step) ?? false;
    return this.hold('stopped', stop.step, () => stopMessages(stop, last, this.run, this.settings, diverged));
  }

  warnings(): HyperWarning[] {
    return [...this.held.values()];
  }

  private hold(condition: HyperWarning['condition'], step: number, make: () => AdviceMessage[]): AdviceMessage[] {
    const seen = this.held.get(condition);
    if (seen) {
      seen.steps.push(step);
      return [];
    }
    const messages = make();
    this.held.set(condition, { inverse: this.run, condition, steps: [step], messages });
    return messages;
  }
}
