/**
 * The one session code path, shared by the CLI (in-process) and the worker (child process):
 * backend → data/model/training → analysis → report, streaming events as it goes and honouring
 * an AbortSignal between steps and between HVPs. A cancelled session throws CancelledError and
 * produces no report; tensors are released on every path.
 */
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../core/model/backend';
import type { BackendChoice, Experiment } from '../core/config/experiment';
import type { HyperReport } from '../core/diagnosis/hyper-report';
import type { DiagnosisReport, ReportBackend } from '../core/diagnosis/report';
import type { PythonChoices, SessionEvent } from '../protocol/messages';
import { analyse } from './analyse';
import { hyperSettings, runHyperPhase } from './hyper-phase';
import { prepareTarget } from './prepare';
import { ProgressReporter } from './progress';

export interface SessionHooks {
  onEvent: (e: SessionEvent) => void;
  signal?: AbortSignal;
  /**
   * The analysed parameters in PyTorch order, e.g. to save them as a state_dict; `tensors` names
   * them for a PyTorch experiment (its named_parameters()), absent for an MLP (nn.Sequential keys).
   */
  onWeights?: (w: Float64Array, tensors?: readonly { name: string; shape: number[] }[]) => void;
}

export interface SessionOptions {
  backend: BackendChoice;
  /** Overrides analysis.exactMaxParams (the editor setting). */
  exactMaxParams?: number;
  /** PyTorch experiments: interpreters chosen outside the experiment (session/interpreter.ts). */
  python?: PythonChoices;
}

export async function runSession(experiment: Experiment, options: SessionOptions, hooks: SessionHooks): Promise<DiagnosisReport> {
  const t0 = performance.now();
  const emit = hooks.onEvent;
  const hyper = experiment.kind === 'problem' ? undefined : experiment.hyper;
  const progress = new ProgressReporter(emit, { hyper: hyper !== undefined });
  progress.enter('load');
  // A PyTorch experiment's numbers all come from torch: TF.js is not started for it.
  let backend: ReportBackend = 'torch';
  if (experiment.kind !== 'pytorch') {
    backend = await initBackend(options.backend);
    emit({ type: 'log', level: 'info', text: `TF.js backend: ${backend}` });
  }
  const tensorsBefore = experiment.kind === 'pytorch' ? null : tf.memory().numTensors;

  const tLoad = performance.now();
  const target = await prepareTarget(experiment, { emit, progress, signal: hooks.signal, python: options.python });
  try {
    if (target.hypergradientWeights) hooks.onWeights?.(Float64Array.from(target.w), target.tensors);
    const prepareMs = performance.now() - tLoad;
    const exactMaxParams = options.exactMaxParams ?? experiment.analysis.exactMaxParams;
    const result = await analyse(experiment, target, { emit, progress, signal: hooks.signal, exactMaxParams });
    let hyperReport: HyperReport | undefined;
    let hyperMs: number | undefined;
    // The loader has checked that a PyTorch experiment with `hyper` has `training`.
    if (experiment.kind !== 'problem' && experiment.hyper && experiment.training && target.hyperProblem) {
      const t = performance.now();
      const settings = hyperSettings({ ...experiment, hyper: experiment.hyper, training: experiment.training }, exactMaxParams);
      hyperReport = await runHyperPhase(target.hyperProblem, settings, { emit, progress, signal: hooks.signal });
      hyperMs = performance.now() - t;
    }
    progress.enter('report');
    const report: DiagnosisReport = {
      schemaVersion: 1,
      name: experiment.name,
      experimentFile: experiment.file ?? null,
      createdAt: new Date().toISOString(),
      backend,
      params: target.objective.size,
      timings: { prepareMs, ...result.timings, ...(hyperMs !== undefined ? { hyperMs } : {}), totalMs: performance.now() - t0 },
      loss: target.loss,
      gradientNorm: target.gradientNorm,
      training: target.training,
      hvpSelfCheck: result.hvpSelfCheck,
      spectrum: result.spectrum,
      neumann: result.neumann,
      advice: result.advice,
      hypergradient: result.hypergradient,
      epochs: target.epochs,
      exactSolutionHead: result.exactSolutionHead,
      ...(hyperReport ? { hyper: hyperReport } : {}),
      ...(target.runtime ? { runtime: target.runtime } : {}),
    };
    progress.within(1);
    return report;
  } catch (e) {
    throw target.explain ? target.explain(e) : e;
  } finally {
    await target.dispose();
    const leaked = tensorsBefore === null ? 0 : tf.memory().numTensors - tensorsBefore;
    if (leaked > 0) emit({ type: 'log', level: 'warn', text: `${leaked} tensors were not released by this session` });
  }
}
