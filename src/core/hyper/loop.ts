/**
 * Lorraine, Vicol & Duvenaud (2020), Algorithm 1, with per-hyper-step diagnostics. From the start
 * weights w and φ = log(weightDecay), for t = 1..steps:
 *   1. innerSteps SGD steps on L_T(w) = loss(train) + ½ Σ λ_i w_i², λ_i = exp(φ_group(i)), the
 *      shuffled batch order continuing across hyper-steps;
 *   2. at the new w: b = ∇_w L_V(w), x ≈ H⁻¹b with the chosen inverse;
 *   3. g_group = −Σ_{i ∈ group} x_i·λ_i·w_i;
 *   4. record the step, then φ ← optimizer step on g.
 * Each step also measures λ_min, λ_max, α, ρ(I − α(H+δI)) and the hypergradient of a reference
 * inverse, so the user sees where along the loop the approximation went wrong. A step whose
 * inverse gave no finite solution is recorded and ends the loop (φ is not moved by garbage); an
 * inner SGD step that diverges ends it before its step is recorded.
 */
import { assembleDense, factorSymmetric, type SymmetricFactorization } from '../algorithms/dense-eigen';
import type { AdviceMessage } from '../diagnosis/advice-message';
import type { HyperReport, HyperRun, HyperStep, HyperStop } from '../diagnosis/hyper-report';
import { DivergedTrainingError } from '../errors';
import type { ParameterTensor } from '../model/state-dict';
import type { Objective } from '../model/objective';
import { addDecayTimes, WeightDecayObjective } from '../model/weight-decay';
import { checkpoint } from '../util/abort';
import { dot, norm } from '../util/vec';
import { buildGroups, decayVector, groupHypergradient, type HyperGroups } from './groups';
import type { StartInnerSgd } from './inner-sgd';
import { solveInverse, type InverseResult } from './inverse';
import { createOptimizer } from './optimizers';
import { resolveReference, type HyperSettings, type InverseKind, type ResolvedReference } from './settings';
import { denseStepSpectrum, lanczosStepSpectrum, stepRadius, type StepSpectrum } from './step-spectrum';
import { HyperWarningLog } from './warnings';

/** What the loop runs on: data objectives (no decay: the loop sets λ), where training stopped. */
export interface HyperProblem {
  /** The training set's data loss: its value, gradient and Hessian at each hyper-step. */
  train: Objective;
  /** L_V. */
  validation: Objective;
  /** Start weights (not modified). */
  w: Float64Array;
  /** The inner SGD steps of one run, from the batch position where ordinary training left it (inner-sgd.ts). */
  startInner: StartInnerSgd;
  /** The parameter tensors (names, shapes, offsets), for per-tensor and per-parameter groups. */
  tensors: readonly ParameterTensor[];
  /** Relative rounding of the HVPs (diagnosis/rounding.ts), widening the spectrum's intervals. */
  relativeRounding: number;
}

export interface HyperHooks {
  /** After each recorded step, with the inverse of the run it belongs to. */
  onStep?: (inverse: InverseKind, step: HyperStep) => void;
  /** What a step (or the run's stop) raised first (hyper/warnings.ts), after that step's onStep. */
  onWarning?: (inverse: InverseKind, step: number, messages: AdviceMessage[]) => void;
  signal?: AbortSignal;
}

/** The loop with `settings.inverse`, then once more from the same start for each compared inverse. */
export async function runHyper(problem: HyperProblem, settings: HyperSettings, hooks: HyperHooks = {}): Promise<HyperReport> {
  const groups = buildGroups(settings.granularity, problem.tensors, problem.w.length);
  const reference = resolveReference(settings.reference, problem.w.length, settings.exactMaxParams);
  const logs = [settings.inverse, ...settings.compare].map((kind) => new HyperWarningLog(kind, settings, reference));
  const main = await runHyperLoop(problem, settings, settings.inverse, hooks, logs[0]);
  const compare: HyperRun[] = [];
  for (const [i, kind] of settings.compare.entries()) compare.push(await runHyperLoop(problem, settings, kind, hooks, logs[i + 1]));
  return {
    granularity: settings.granularity,
    groups: groups.names,
    optimizer: settings.optimizer.kind,
    inverse: settings.inverse,
    reference,
    trajectory: main.trajectory,
    final: main.final,
    stopped: main.stopped,
    compare,
    warnings: logs.flatMap((l) => l.warnings()),
  };
}

interface LoopState {
  w: Float64Array;
  phi: Float64Array;
  topVector: Float64Array | null;
}

/** One run of the loop with one inverse; its warnings go to `log`. */
export async function runHyperLoop(
  problem: HyperProblem,
  settings: HyperSettings,
  inverse: InverseKind,
  hooks: HyperHooks = {},
  log = new HyperWarningLog(inverse, settings, resolveReference(settings.reference, problem.w.length, settings.exactMaxParams)),
): Promise<HyperRun> {
  const n = problem.w.length;
  const groups = buildGroups(settings.granularity, problem.tensors, n);
  const reference = resolveReference(settings.reference, n, settings.exactMaxParams);
  const warn = (t: number, messages: AdviceMessage[]) => {
    if (messages.length > 0) hooks.onWarning?.(inverse, t, messages);
  };
  const inner = await problem.startInner(settings.trainingLearningRate);
  const optimizer = createOptimizer(settings.optimizer, groups.names.length);
  const state: LoopState = { w: Float64Array.from(problem.w), phi: new Float64Array(groups.names.length).fill(Math.log(settings.weightDecay)), topVector: null };
  const trajectory: HyperStep[] = [];
  let stopped: HyperStop | null = null;

  for (let t = 1; t <= settings.steps && !stopped; t++) {
    const started = performance.now();
    const lambda = decayVector(groups, state.phi);
    try {
      await inner.run(state.w, lambda, settings.innerSteps, hooks.signal);
    } catch (e) {
      if (!(e instanceof DivergedTrainingError)) throw e;
      // e.detail: the message without its location (the warning below carries the fixes).
      stopped = { step: t, cause: 'inner-sgd', reason: `the inner SGD steps diverged before hyper-step ${t}: ${e.detail}` };
      warn(t, log.stopped(stopped, trajectory.at(-1)));
      break;
    }
    await checkpoint(hooks.signal);
    const measured = await measureStep(problem, settings, { inverse, reference, groups, lambda, state, t, signal: hooks.signal });
    if (measured.x) optimizer.step(state.phi, measured.g);
    const entry: HyperStep = { ...measured.entry, step: t, weightDecay: Array.from(state.phi, Math.exp), seconds: (performance.now() - started) / 1000 };
    trajectory.push(entry);
    hooks.onStep?.(inverse, entry);
    stopped = stopReason(entry, measured.x !== null, inverse, t);
    warn(t, [...log.observe(entry), ...(stopped ? log.stopped(stopped, entry) : [])]);
  }
  return { inverse, trajectory, final: { weightDecay: Array.from(decayVector(groups, state.phi)) }, stopped };
}

function stopReason(entry: HyperStep, solved: boolean, inverse: InverseKind, t: number): HyperStop | null {
  if (!solved) return { step: t, cause: 'inverse', reason: `the ${inverse} inverse gave no finite solution at hyper-step ${t} (${entry.inverseStatus}), so there is no hypergradient to step with` };
  if (!entry.hypergradient.every(Number.isFinite)) return { step: t, cause: 'hypergradient', reason: `the hypergradient is not finite at hyper-step ${t}` };
  if (!entry.weightDecay.every((v) => v > 0 && Number.isFinite(v))) return { step: t, cause: 'weight-decay', reason: `the weight decay left the floating-point range at hyper-step ${t} (exp(φ) = ${entry.weightDecay.find((v) => !(v > 0 && Number.isFinite(v)))})` };
  return null;
}

interface StepContext {
  inverse: InverseKind;
  reference: ResolvedReference;
  groups: HyperGroups;
  lambda: Float64Array;
  state: LoopState;
  t: number;
  signal?: AbortSignal;
}

type Measured = { entry: Omit<HyperStep, 'step' | 'weightDecay' | 'seconds'>; x: Float64Array | null; g: Float64Array };

/** Steps 2–3 at the current w, with the spectrum, ρ and the reference. */
async function measureStep(problem: HyperProblem, s: HyperSettings, c: StepContext): Promise<Measured> {
  const { w } = c.state;
  const trainData = await problem.train.gradient(w);
  const trainLoss = trainData.loss;
  const gradientNorm = norm(addDecayTimes(trainData.grad, w, c.lambda));
  const { loss: validationLoss, grad: b } = await problem.validation.gradient(w);
  const op = await new WeightDecayObjective(problem.train, c.lambda, false).hessianAt(w);
  try {
    const start = op.matvecCount;
    let factor: SymmetricFactorization | null = null;
    let spectrum: StepSpectrum;
    if (c.inverse === 'exact' || c.reference === 'exact') {
      const assembled = await assembleDense(op, { signal: c.signal });
      factor = factorSymmetric(assembled.matrix, op.size);
      spectrum = denseStepSpectrum(factor, Math.max(problem.relativeRounding, assembled.asymmetry));
    } else {
      spectrum = await lanczosStepSpectrum(op, { steps: s.spectrumSteps, tol: s.tolerance, seed: s.spectrumSeed + c.t, relativeRounding: problem.relativeRounding, start: c.state.topVector, signal: c.signal });
      c.state.topVector = spectrum.topVector;
    }
    const radius = stepRadius(spectrum, s.neumann.alpha, s.neumann.damping);
    const inputs = { op, b, factor, alpha: radius.alpha, terms: s.neumann.terms, damping: s.neumann.damping, cg: s.cg, signal: c.signal };
    const solved = await solveInverse(c.inverse, inputs);
    const ref: InverseResult | null = c.reference === 'none' ? null : c.reference === c.inverse ? solved : await solveInverse(c.reference, inputs);
    const g = solved.x ? groupHypergradient(c.groups, solved.x, c.lambda, w) : new Float64Array(c.groups.names.length).fill(NaN);
    const gRef = ref?.x ? groupHypergradient(c.groups, ref.x, c.lambda, w) : null;
    const entry: Measured['entry'] = {
      hypergradient: Array.from(g),
      trainLoss,
      validationLoss,
      gradientNorm,
      alpha: radius.alpha,
      rho: radius.rho,
      rhoInterval: radius.rhoInterval,
      lambdaMax: spectrum.lambdaMax.value,
      lambdaMin: spectrum.lambdaMin.value,
      lambdaMaxInterval: spectrum.lambdaMax.interval,
      lambdaMinInterval: spectrum.lambdaMin.interval,
      spectrumMethod: spectrum.method,
      spectrumConverged: spectrum.lambdaMax.converged && spectrum.lambdaMin.converged,
      inverseStatus: solved.status,
      referenceHypergradient: gRef ? Array.from(gRef) : null,
      ...comparison(solved.x ? g : null, gRef),
      hvps: op.matvecCount - start,
    };
    return { entry, x: solved.x, g };
  } finally {
    op.dispose();
  }
}

/** ‖g − g_ref‖/‖g_ref‖ and the cosine between them (null when either is missing). */
export function comparison(g: Float64Array | null, gRef: Float64Array | null): { relativeError: number | null; cosine: number | null } {
  if (!g || !gRef) return { relativeError: null, cosine: null };
  const diff = Float64Array.from(g, (v, i) => v - gRef[i]);
  const refNorm = norm(gRef);
  const relativeError = refNorm > 0 ? norm(diff) / refNorm : norm(diff);
  const denom = norm(g) * refNorm;
  return { relativeError, cosine: denom > 0 ? dot(g, gRef) / denom : null };
}
