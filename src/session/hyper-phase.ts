/**
 * The session's hyperparameter-loop phase: after the diagnosis of the trained point, Lorraine et
 * al.'s loop continues from there (core/hyper/loop.ts), one `hyperStep` event per recorded step,
 * and a warning the moment a step breaks (ρ ≥ 1, hypergradient error above the threshold, the
 * loop stopping), each with the change that addresses it.
 */
import type { MlpExperiment } from '../core/config/experiment';
import { fmtNum, fmtPercent } from '../core/diagnosis/format';
import type { HyperReport, HyperStep } from '../core/diagnosis/hyper-report';
import { runHyper, type HyperProblem } from '../core/hyper/loop';
import type { HyperSettings, InverseKind } from '../core/hyper/settings';
import { subSeed } from '../core/util/rng';
import type { SessionEvent } from '../protocol/messages';
import type { ProgressReporter } from './progress';

/** The loop's settings from the experiment (its `hyper` block with the keys it reads elsewhere). */
export function hyperSettings(exp: MlpExperiment & { hyper: NonNullable<MlpExperiment['hyper']> }, exactMaxParams: number): HyperSettings {
  const h = exp.hyper;
  return {
    steps: h.steps,
    innerSteps: h.innerSteps,
    granularity: h.granularity,
    optimizer: { kind: h.optimizer.kind, learningRate: h.optimizer.learningRate },
    inverse: h.inverse,
    reference: h.reference,
    compare: [...h.compare],
    weightDecay: exp.weightDecay,
    trainingLearningRate: exp.training.learningRate,
    neumann: { alpha: exp.neumann.alpha, terms: exp.neumann.terms, damping: exp.neumann.damping },
    cg: { rtol: h.cg.rtol, maxIter: h.cg.maxIter },
    exactMaxParams,
    spectrumSteps: h.spectrumSteps,
    tolerance: exp.analysis.tolerance,
    stationarityTolerance: exp.analysis.stationarityTolerance,
    errorThreshold: h.errorThreshold,
    spectrumSeed: subSeed(exp.seed, 'hyperSpectrum'),
  };
}

interface Ctx {
  emit: (e: SessionEvent) => void;
  progress: ProgressReporter;
  signal?: AbortSignal;
}

export async function runHyperPhase(problem: HyperProblem, settings: HyperSettings, ctx: Ctx): Promise<HyperReport> {
  ctx.progress.enter('hyper');
  const runs = 1 + settings.compare.length;
  const done = new Map<InverseKind, number>();
  const report = await runHyper(problem, settings, {
    signal: ctx.signal,
    onStep: (inverse, step) => {
      ctx.emit({ type: 'hyperStep', inverse, step });
      for (const text of stepWarnings(inverse, step, settings)) ctx.emit({ type: 'log', level: 'warn', text });
      done.set(inverse, step.step);
      const steps = [...done.values()].reduce((a, b) => a + b, 0);
      ctx.progress.within(steps / (runs * settings.steps), `${inverse} hyper-step ${step.step}/${settings.steps}`);
    },
  });
  for (const run of [report, ...report.compare]) {
    if (run.stopped) {
      const inverse = run.inverse;
      ctx.emit({ type: 'log', level: 'warn', text: `hyperparameter loop (${inverse}) stopped at step ${run.stopped.step}: ${run.stopped.reason}` });
    }
  }
  return report;
}

/**
 * What went wrong at this step, in words with the fix. Only the loop's own inverse is judged on
 * ρ (the compared runs are there to be compared), but every run's error is.
 */
export function stepWarnings(inverse: InverseKind, s: HyperStep, settings: HyperSettings): string[] {
  const out: string[] = [];
  const at = `hyper-step ${s.step} (${inverse})`;
  if (inverse === 'neumann' && !(s.rho < 1)) {
    const fix =
      s.lambdaMin < 0
        ? `λ_min = ${fmtNum(s.lambdaMin)} < 0: add neumann.damping > ${fmtNum(-s.lambdaMinInterval[0])}, or more innerSteps so w nears a minimum`
        : settings.neumann.alpha === 'auto'
          ? 'raise neumann.terms or neumann.damping'
          : `α = ${fmtNum(s.alpha)} ≥ 2/λ_max = ${fmtNum(2 / s.lambdaMaxInterval[1])}: set neumann.alpha to "auto" (α = 1/λ_max at every step) or below ${fmtNum(2 / s.lambdaMaxInterval[1])}`;
    out.push(`${at}: the Neumann series diverges, ρ(I − α(H + δI)) = ${fmtNum(s.rho)} ≥ 1; ${fix}.`);
  }
  if (s.relativeError !== null && s.relativeError > settings.errorThreshold) {
    out.push(
      `${at}: the hypergradient is ${fmtPercent(s.relativeError)} off the reference (cosine ${s.cosine === null ? '—' : fmtNum(s.cosine)}), above hyper.errorThreshold = ${fmtPercent(settings.errorThreshold)}.`,
    );
  }
  return out;
}
