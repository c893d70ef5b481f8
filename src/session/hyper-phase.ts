/**
 * The session's hyperparameter-loop phase: after the diagnosis of the trained point, Lorraine et
 * al.'s loop continues from there (core/hyper/loop.ts), one `hyperStep` event per recorded step,
 * and a `hyperWarning` event the moment a step breaks (ρ ≥ 1, hypergradient error above the
 * threshold, the loop stopping: core/hyper/warnings.ts), the warning with the fixes that address it.
 */
import type { HyperSpec, MlpExperiment } from '../core/config/experiment';
import type { HyperReport } from '../core/diagnosis/hyper-report';
import { runHyper, type HyperProblem } from '../core/hyper/loop';
import type { HyperSettings, InverseKind } from '../core/hyper/settings';
import { subSeed } from '../core/util/rng';
import type { SessionEvent } from '../protocol/messages';
import type { ProgressReporter } from './progress';

/** The loop's settings from the experiment (its `hyper` block with the keys it reads elsewhere). */
export function hyperSettings(
  exp: Pick<MlpExperiment, 'weightDecay' | 'neumann' | 'analysis' | 'seed'> & { hyper: HyperSpec; training: { learningRate: number } },
  exactMaxParams: number,
): HyperSettings {
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
  return runHyper(problem, settings, {
    signal: ctx.signal,
    onStep: (inverse, step) => {
      ctx.emit({ type: 'hyperStep', inverse, step });
      done.set(inverse, step.step);
      const steps = [...done.values()].reduce((a, b) => a + b, 0);
      ctx.progress.within(steps / (runs * settings.steps), `${inverse} hyper-step ${step.step}/${settings.steps}`);
    },
    onWarning: (inverse, step, messages) => ctx.emit({ type: 'hyperWarning', inverse, step, messages }),
  });
}
