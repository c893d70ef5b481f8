/**
 * A PyTorch experiment up to the analysis point: start (or reach) the bridge for the user's
 * problem file, train through its train op when `training` is given, and hand the analysis an
 * Objective over the bridge (weight decay added in TypeScript), and the hyperparameter loop its
 * problem on the same bridge (bridge-hyper.ts). The bridge process is closed by
 * the target's dispose() on every path, and at once when the session's signal fires, so a
 * cancelled run leaves no Python process behind even while an HVP is under way.
 */
import { BridgeClient } from '../bridge/client';
import { BridgeError } from '../bridge/errors';
import type { PytorchExperiment } from '../core/config/experiment';
import { checkHyperSize } from '../core/config/load';
import type { TorchRuntime } from '../core/diagnosis/report';
import { DivergedTrainingError, InputError } from '../core/errors';
import { CancelledError, checkpoint } from '../core/util/abort';
import { norm } from '../core/util/vec';
import { defaultFiniteDifferenceStep } from '../core/model/finite-difference';
import type { PythonChoices, SessionEvent } from '../protocol/messages';
import { bridgeHyperProblem } from './bridge-hyper';
import { BridgeObjective } from './bridge-objective';
import { chooseInterpreter, interpreterError, type ChosenInterpreter } from './interpreter';
import type { AnalysisTarget } from './analysis-target';
import type { ProgressReporter } from './progress';
import { FLOAT32_UNIT_ROUNDOFF, FLOAT64_UNIT_ROUNDOFF, gamma } from './rounding';

interface Ctx {
  emit: (e: SessionEvent) => void;
  progress: ProgressReporter;
  signal?: AbortSignal;
  python?: PythonChoices;
}

export async function preparePytorch(exp: PytorchExperiment, ctx: Ctx): Promise<AnalysisTarget> {
  await checkpoint(ctx.signal);
  const chosen = exp.pytorch.kind === 'spawn' ? await chooseInterpreter(exp, ctx.python) : null;
  await checkpoint(ctx.signal);
  const client = await open(exp, chosen, ctx);
  const stop = () => void client.close();
  ctx.signal?.addEventListener('abort', stop, { once: true });
  const dispose = async () => {
    ctx.signal?.removeEventListener('abort', stop);
    await client.close();
  };
  try {
    if (ctx.signal?.aborted) throw new CancelledError();
    const target = await onBridge(exp, client, chosen, ctx);
    return { ...target, dispose, explain: (err) => asSessionError(err, exp, chosen, ctx.signal) };
  } catch (e) {
    await dispose();
    throw asSessionError(e, exp, chosen, ctx.signal);
  }
}

async function open(exp: PytorchExperiment, chosen: ChosenInterpreter | null, ctx: Ctx): Promise<BridgeClient> {
  const onStderrLine = (line: string) => ctx.emit({ type: 'log', level: 'info', text: `[python] ${line}` });
  const src = exp.pytorch;
  try {
    if (src.kind === 'connect') return await BridgeClient.connectTo({ address: src.address, tokenFile: src.tokenFile, onStderrLine });
    ctx.emit({ type: 'log', level: 'info', text: `PyTorch bridge: ${chosen!.python} (${chosen!.source}) serving ${src.file}` });
    return await BridgeClient.spawn({
      python: chosen!.python,
      problem: src.file,
      dtype: src.dtype,
      device: src.device,
      ...(src.distributed && src.distributed.worldSize > 1 ? { distributed: src.distributed } : {}),
      onStderrLine,
    });
  } catch (e) {
    throw asSessionError(e, exp, chosen, ctx.signal);
  }
}

type Prepared = Omit<AnalysisTarget, 'dispose'>;

async function onBridge(exp: PytorchExperiment, client: BridgeClient, chosen: ChosenInterpreter | null, ctx: Ctx): Promise<Prepared> {
  const info = client.info;
  // The size "exact" needs is known now: refuse before training, at the experiment's keys.
  if (exp.hyper) checkHyperSize(exp.hyper, info.params.count, exp.analysis.exactMaxParams, exp.file);
  const objective = new BridgeObjective(client, exp.weightDecay);
  const validation = objective.validation();
  ctx.emit({
    type: 'log',
    level: 'info',
    text: `PyTorch ${info.torch.version} (Python ${info.python.version}), ${info.dtype} on ${info.device}: ${info.params.count} parameters in ${info.params.tensors.length} tensors`,
  });
  const training = exp.training && exp.training.epochs > 0 ? await trainOnBridge(exp, client, objective, validation, ctx) : null;
  const w = await client.getParams();
  objective.movedTo(w);
  const gT = await objective.gradient(w);
  const gV = await validation.gradient(w);
  const float64 = info.dtype === 'float64';
  // The longest sums of an HVP run over the training rows (a mean) or a tensor's widest dimension.
  const widest = Math.max(1, ...info.params.tensors.flatMap((t) => t.shape));
  const relativeRounding = gamma((info.trainSize ?? 0) + widest, float64 ? FLOAT64_UNIT_ROUNDOFF : FLOAT32_UNIT_ROUNDOFF);
  const runtime: TorchRuntime = {
    interpreter: info.python.executable,
    interpreterSource: chosen?.source ?? `the server at ${exp.pytorch.kind === 'connect' ? exp.pytorch.address : ''}`,
    pythonVersion: info.python.version,
    torch: info.torch.version,
    dtype: info.dtype,
    device: info.device,
    worldSize: info.distributed?.worldSize ?? 1,
    parameterNames: info.params.tensors.map((t) => t.name),
  };
  return {
    objective,
    w,
    b: gV.grad,
    hypergradientWeights: w,
    loss: { train: gT.loss, validation: gV.loss },
    gradientNorm: { train: norm(gT.grad), validation: norm(gV.grad) },
    training: exp.training ? { epochs: exp.training.epochs, steps: training?.steps ?? 0, lossCurve: training?.lossCurve ?? [] } : null,
    epochs: null,
    closedFormHessian: null,
    operatorKind: 'autograd',
    relativeRounding,
    finiteDifferenceStep: defaultFiniteDifferenceStep(w, float64 ? Number.EPSILON : 2 ** -23),
    runtime,
    tensors: info.params.tensors,
    hyperProblem: exp.hyper ? bridgeHyperProblem(client, objective, { w, runs: 1 + exp.hyper.compare.length, relativeRounding }) : null,
  };
}

/** Epoch by epoch through the bridge's train op (its minibatches, or full-batch descent), with the MLP's events. */
async function trainOnBridge(
  exp: PytorchExperiment,
  client: BridgeClient,
  objective: BridgeObjective,
  validation: BridgeObjective,
  ctx: Ctx,
): Promise<{ steps: number; lossCurve: number[] }> {
  const spec = exp.training!;
  ctx.progress.enter('train');
  const lossCurve: number[] = [];
  let steps = 0;
  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
    await checkpoint(ctx.signal);
    const r = await client.train({ epochs: 1, learningRate: spec.learningRate, weightDecay: exp.weightDecay });
    const n = r.losses.length;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const loss = r.losses[i] + r.decayTerms[i];
      if (r.stopped && i === n - 1) throw new DivergedTrainingError(epoch, i + 1, loss);
      sum += loss;
      ctx.emit({ type: 'trainStep', epoch, step: i + 1, stepsPerEpoch: n, loss });
    }
    steps += n;
    lossCurve.push(sum / Math.max(1, n));
    const w = await client.getParams();
    objective.movedTo(w);
    ctx.emit({ type: 'epoch', epoch, trainLoss: sum / Math.max(1, n), validationLoss: await validation.loss(w) });
    ctx.progress.within(epoch / spec.epochs);
  }
  return { steps, lossCurve };
}

/**
 * A bridge failure as the session reports it: the user's code, the interpreter or the server's
 * address are input (exit 2, at their place); a cancelled run is a cancellation, whatever the
 * closed bridge said; anything else is the bridge's fault and stays an internal error.
 */
function asSessionError(e: unknown, exp: PytorchExperiment, chosen: ChosenInterpreter | null, signal?: AbortSignal): unknown {
  if (signal?.aborted) return new CancelledError();
  if (!(e instanceof BridgeError)) return e;
  const rank = e.rank !== undefined && !e.message.includes(`rank ${e.rank}`) ? ` (rank ${e.rank})` : '';
  switch (e.code) {
    case 'input':
      if (e.where) return new InputError(`${e.message}${rank}`, { kind: 'file', file: e.where.file, ...(e.where.line ? { line: e.where.line } : {}) });
      return new InputError(`${e.message}${rank}`, exp.pytorch.kind === 'spawn' ? { kind: 'file', file: exp.pytorch.file } : at(exp, /token/i.test(e.message) ? 'tokenFile' : 'connect'));
    case 'no-torch':
    case 'python-missing':
      return chosen ? interpreterError(e, chosen) : new InputError(e.message, at(exp, 'connect'));
    case 'auth':
      return new InputError(`${e.message}: the token file's content must be the server's --token-file's`, at(exp, 'tokenFile'));
    case 'unreachable':
      return new InputError(`${e.message} (is rank 0 running python -m neumann_lens serve --listen there?)`, at(exp, 'connect'));
    default:
      return e;
  }
}

function at(exp: PytorchExperiment, key: string): { kind: 'json'; file?: string; path: string } {
  return { kind: 'json', ...(exp.file ? { file: exp.file } : {}), path: `pytorch.${key}` };
}
