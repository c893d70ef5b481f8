/**
 * Everything before the analysis: data, model, training (MLP experiments) or the closed-form
 * problem, ending at the point w where H = ∇²L_T(w) is analysed and the right-hand side b.
 */
import { lanczos } from '../core/algorithms/lanczos';
import type { Experiment, MlpExperiment, ProblemExperiment } from '../core/config/experiment';
import { loadExperimentData } from '../core/config/load';
import type { EpochSpectrum } from '../core/diagnosis/report';
import { resolveAlpha, spectralRadius } from '../core/diagnosis/spectral-radius';
import { InputError } from '../core/errors';
import { initParams, type MlpSpec } from '../core/model/mlp';
import { MlpObjective } from '../core/model/mlp-objective';
import { buildProblem } from '../core/model/problems';
import { parameterTensors, readStateDictFile } from '../core/model/state-dict';
import { resumedSgd } from '../core/hyper/inner-sgd';
import { train } from '../core/model/train';
import { subSeed } from '../core/util/rng';
import { norm } from '../core/util/vec';
import type { PythonChoices, SessionEvent } from '../protocol/messages';
import type { AnalysisTarget } from './analysis-target';
import { preparePytorch } from './prepare-pytorch';
import type { ProgressReporter } from './progress';
import { allowanceFor, FLOAT64_UNIT_ROUNDOFF, gamma, mlpRelativeRounding, widen } from './rounding';

interface Ctx {
  emit: (e: SessionEvent) => void;
  progress: ProgressReporter;
  signal?: AbortSignal;
  python?: PythonChoices;
}

export async function prepareTarget(exp: Experiment, ctx: Ctx): Promise<AnalysisTarget> {
  switch (exp.kind) {
    case 'problem':
      return prepareProblem(exp);
    case 'pytorch':
      return preparePytorch(exp, ctx);
    default:
      return prepareMlp(exp, ctx);
  }
}

async function prepareProblem(exp: ProblemExperiment): Promise<AnalysisTarget> {
  const problem = buildProblem(exp.problem);
  const n = problem.objective.size;
  const vector = exp.neumann.vector ?? new Array<number>(n).fill(1);
  if (vector.length !== n) {
    throw new InputError(`neumann.vector has ${vector.length} entries but the problem has ${n} parameters`, { kind: 'json', path: 'neumann.vector' });
  }
  const g = await problem.objective.gradient(problem.point);
  return {
    objective: problem.objective,
    w: problem.point,
    b: Float64Array.from(vector),
    hypergradientWeights: null,
    loss: { train: g.loss, validation: null },
    gradientNorm: { train: norm(g.grad), validation: null },
    training: null,
    epochs: null,
    closedFormHessian: problem.hessian,
    operatorKind: 'analytic',
    relativeRounding: gamma(n, FLOAT64_UNIT_ROUNDOFF),
    hyperProblem: null,
    dispose: () => problem.objective.dispose(),
  };
}

async function prepareMlp(exp: MlpExperiment, ctx: Ctx): Promise<AnalysisTarget> {
  const { train: trainData, validation: valData } = loadExperimentData(exp);
  const spec: MlpSpec = { layers: exp.model.layers, activation: exp.model.activation, loss: exp.loss, weightDecay: exp.weightDecay };
  const objective = new MlpObjective(spec, trainData, 'train');
  let validation: MlpObjective | null = null;
  try {
    validation = MlpObjective.validation(spec, valData);
    const w0 = exp.model.stateDict ? readStateDictFile(exp.model.stateDict, spec.layers) : initParams(spec.layers, subSeed(exp.seed, 'init'));
    const val = validation;
    const relativeRounding = mlpRelativeRounding(trainData.rows, spec.layers);

    ctx.progress.enter('train');
    const epochs: EpochSpectrum[] = [];
    const total = Math.max(1, exp.training.epochs);
    const result = await train(objective, w0, exp.training, subSeed(exp.seed, 'shuffle'), {
      signal: ctx.signal,
      onStep: (s) => {
        ctx.emit({ type: 'trainStep', ...s });
        ctx.progress.within((s.epoch - 1 + s.step / s.stepsPerEpoch) / total);
      },
      onEpoch: async ({ epoch, trainLoss, w }) => {
        const validationLoss = await val.loss(w);
        if (!exp.analysis.trackEpochs) {
          ctx.emit({ type: 'epoch', epoch, trainLoss, validationLoss });
          return;
        }
        const tracked = await epochSpectrum(objective, w, exp, epoch, trainLoss, relativeRounding, ctx.signal);
        epochs.push(tracked);
        ctx.emit({ type: 'epoch', epoch, trainLoss, validationLoss, lambdaMax: tracked.lambdaMax, lambdaMin: tracked.lambdaMin, rho: tracked.rho });
      },
    });

    const w = result.w;
    const gT = await objective.gradient(w);
    const gV = await val.gradient(w);
    return {
      objective,
      w,
      b: gV.grad,
      hypergradientWeights: w,
      loss: { train: gT.loss, validation: gV.loss },
      gradientNorm: { train: norm(gT.grad), validation: norm(gV.grad) },
      training: { epochs: exp.training.epochs, steps: result.steps, lossCurve: result.lossCurve },
      epochs: exp.analysis.trackEpochs ? epochs : null,
      closedFormHessian: null,
      operatorKind: 'r-operator',
      relativeRounding,
      hyperProblem: { train: objective.base, validation: val, w, startInner: resumedSgd(objective.base, result.order), tensors: parameterTensors(spec.layers), relativeRounding },
      dispose: () => {
        objective.dispose();
        val.dispose();
      },
    };
  } catch (e) {
    objective.dispose();
    validation?.dispose();
    throw e;
  }
}

/** A few Lanczos steps at the end of an epoch: enough to see λ drift, not a converged spectrum. */
async function epochSpectrum(objective: MlpObjective, w: Float64Array, exp: MlpExperiment, epoch: number, trainLoss: number, relativeRounding: number, signal?: AbortSignal): Promise<EpochSpectrum> {
  const op = await objective.hessianAt(w);
  try {
    const r = await lanczos(op, { maxSteps: Math.min(exp.analysis.epochLanczosSteps, op.size), tol: exp.analysis.tolerance, seed: subSeed(exp.seed, 'epochSpectrum') + epoch, signal });
    const by = allowanceFor(relativeRounding, r.lambdaMin.interval[0], r.lambdaMax.interval[1]);
    const top = widen(r.lambdaMax, by).interval;
    const { rho } = spectralRadius(resolveAlpha(exp.neumann.alpha, top, exp.neumann.damping), widen(r.lambdaMin, by).interval, top, exp.neumann.damping);
    return { epoch, trainLoss, lambdaMax: r.lambdaMax.value, lambdaMin: r.lambdaMin.value, rho };
  } finally {
    op.dispose();
  }
}
