/**
 * `neumann-lens diagnose`: the CLI is a thin consumer of the same session runner the worker uses
 * (in-process here). Exit codes are declared in flags.ts; outputs are replaced only after a
 * successful run (outputs.ts).
 */
import { resolve } from 'node:path';
import { bridgePythonPath } from '../bridge/python-env';
import type { BackendChoice, Experiment } from '../core/config/experiment';
import { parseExperimentText, readExperimentText } from '../core/config/load';
import { locateJsonPath } from '../core/config/json-location';
import type { DiagnosisReport } from '../core/diagnosis/report';
import { renderMarkdown } from '../core/diagnosis/render-markdown';
import { exportNamedTensors, exportStateDict } from '../core/model/state-dict';
import { isDivergent } from '../core/diagnosis/format';
import { hyperDiverged } from '../core/diagnosis/hyper-table';
import { renderText } from '../core/diagnosis/render-text';
import { InputError, formatLocation } from '../core/errors';
import { CancelledError } from '../core/util/abort';
import type { PythonChoices, SessionEvent } from '../protocol/messages';
import { UsageError, parseArgs, type DiagnoseArgs } from './args';
import { EXIT } from './flags';
import { hyperEventText, isHyperEvent } from './hyper-lines';
import { OutputFiles, type OutputRequest } from './outputs';
import { ProgressBars } from './progress';
import { commandUsage, topUsage } from './usage';

export type SessionRunner = (
  experiment: Experiment,
  options: { backend: BackendChoice; exactMaxParams?: number; python?: PythonChoices },
  hooks: {
    onEvent: (e: SessionEvent) => void;
    signal?: AbortSignal;
    onWeights?: (w: Float64Array, tensors?: readonly { name: string; shape: number[] }[]) => void;
  },
) => Promise<DiagnosisReport>;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  version: string;
  /** Stops the session (SIGINT, SIGTERM: the abort reason is the signal's name); absent in tests. */
  interrupt?: AbortSignal;
  /** Where NEUMANN_LENS_PYTHON is read; default process.env. */
  env?: NodeJS.ProcessEnv;
}

export async function runCli(argv: readonly string[], io: CliIo, runSession: SessionRunner): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    const help = e.topic ? `neumann-lens ${e.topic} --help` : 'neumann-lens --help';
    io.stderr.write(`neumann-lens: ${e.message}\nRun "${help}" for the usage.\n`);
    return EXIT.input;
  }
  if (args.command === 'help') {
    io.stdout.write(args.topic ? commandUsage(args.topic) : topUsage());
    return 0;
  }
  if (args.command === 'python-path') {
    io.stdout.write(`${bridgePythonPath()}\n`);
    return 0;
  }
  if (args.command === 'version') {
    io.stdout.write(`${io.version}\n`);
    return 0;
  }
  return diagnose(args, io, runSession);
}

/** The exit code of a run stopped through `io.interrupt`, whose reason is the signal's name. */
export function exitForSignal(reason: unknown): number {
  return reason === 'SIGTERM' ? EXIT.terminated : EXIT.interrupted;
}

async function diagnose(args: DiagnoseArgs, io: CliIo, runSession: SessionRunner): Promise<number> {
  const file = resolve(args.experiment);
  let text: string | null = null;
  const bars = !args.quiet && io.stderr.isTTY ? new ProgressBars(io.stderr) : null;
  let outputs: OutputFiles | null = null;
  try {
    text = readExperimentText(file);
    const experiment = parseExperimentText(text, file);
    if (args.saveWeights && experiment.kind === 'problem') {
      throw new InputError('--save-weights needs an MLP experiment (analytic problems have no weights to save)', { kind: 'json', file, path: 'problem' });
    }
    // Before the session: an output that cannot be written is a usage problem, found in milliseconds.
    const out = OutputFiles.open(outputRequests(args), inputFiles(experiment));
    outputs = out;
    const onEvent = (e: SessionEvent): void => {
      if (args.events) out.append('--events', JSON.stringify(e) + '\n');
      // Before the bar redraws, so the bar stays below the loop's lines.
      if (isHyperEvent(e) && !args.quiet && experiment.kind === 'mlp' && experiment.hyper) {
        bars?.clear();
        io.stderr.write(hyperEventText(e, experiment.hyper.steps));
      }
      bars?.onEvent(e);
      if (e.type === 'log' && !args.quiet && (e.level === 'warn' || e.level === 'error')) {
        bars?.clear();
        io.stderr.write(`${e.level}: ${e.text}\n`);
      }
    };
    // A holder, not a `let`: TypeScript does not see the callback assign it.
    const weights: { saved: { w: Float64Array; tensors?: readonly { name: string; shape: number[] }[] } | null } = { saved: null };
    const report = await runSession(
      experiment,
      { backend: args.backend, python: pythonChoices(args, io.env ?? process.env) },
      { onEvent, signal: io.interrupt, onWeights: (w, tensors) => (weights.saved = { w, tensors }) },
    );
    bars?.clear();
    // A signal that arrived as the last step finished still means "stop": nothing is replaced.
    if (io.interrupt?.aborted) throw new CancelledError();
    const contents: Record<string, string> = {};
    if (args.json) contents['--json'] = JSON.stringify(report, null, 2) + '\n';
    if (args.markdown) contents['--markdown'] = renderMarkdown(report);
    if (args.saveWeights && experiment.kind !== 'problem') {
      const saved = weights.saved;
      if (!saved) throw new Error('the session reported no weights to save');
      const dict = experiment.kind === 'mlp' ? exportStateDict(saved.w, experiment.model.layers) : exportNamedTensors(saved.w, saved.tensors ?? []);
      contents['--save-weights'] = JSON.stringify(dict) + '\n';
    }
    out.commit(contents);
    outputs = null;
    io.stdout.write(renderText(report));
    if (report.advice.verdict === 'slow') {
      io.stderr.write(`note: the series converges, but slowly (exit code 0): see the recommendations.\n`);
    }
    if (report.hyper && hyperDiverged(report.hyper)) {
      io.stderr.write(`note: the hyperparameter loop's Neumann series diverged at some hyper-step (exit code ${EXIT.diverges}): see its table.\n`);
      return EXIT.diverges;
    }
    if (report.advice.verdict === 'inconclusive') return EXIT.inconclusive;
    return isDivergent(report.advice.verdict) ? EXIT.diverges : EXIT.converges;
  } catch (e) {
    outputs?.discard();
    bars?.clear();
    return reportFailure(e, text, file, io);
  }
}

function reportFailure(e: unknown, text: string | null, file: string, io: CliIo): number {
  if (e instanceof InputError) {
    io.stderr.write(`neumann-lens: ${describeInputError(e, text, file)}\n`);
    return EXIT.input;
  }
  if (e instanceof CancelledError) {
    const reason = io.interrupt?.reason;
    io.stderr.write(`neumann-lens: interrupted${typeof reason === 'string' ? ` by ${reason}` : ''}; existing output files are unchanged\n`);
    return exitForSignal(reason);
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr.write(`neumann-lens: internal error: ${err.message}\n${err.stack ?? ''}\n`);
  return EXIT.internal;
}

/** --python, else NEUMANN_LENS_PYTHON: both beat the experiment's pytorch.python (session/interpreter.ts). */
function pythonChoices(args: DiagnoseArgs, env: NodeJS.ProcessEnv): PythonChoices {
  if (args.python) return { override: { path: args.python, source: '--python' } };
  const fromEnv = env.NEUMANN_LENS_PYTHON;
  return fromEnv ? { override: { path: fromEnv, source: 'NEUMANN_LENS_PYTHON' } } : {};
}

function outputRequests(args: DiagnoseArgs): OutputRequest[] {
  const all: [string, string | undefined][] = [
    ['--json', args.json],
    ['--markdown', args.markdown],
    ['--events', args.events],
    ['--save-weights', args.saveWeights],
  ];
  return all.filter((r): r is [string, string] => r[1] !== undefined).map(([flag, path]) => ({ flag, path }));
}

/** Files the run reads that no output may replace (a state_dict may be: training it further in place is a workflow). */
function inputFiles(experiment: Experiment): string[] {
  const files = experiment.file ? [experiment.file] : [];
  if (experiment.kind === 'mlp' && experiment.data.kind === 'csv') files.push(experiment.data.train.csv, experiment.data.validation.csv);
  if (experiment.kind === 'pytorch') files.push(experiment.pytorch.kind === 'spawn' ? experiment.pytorch.file : experiment.pytorch.tokenFile);
  return files;
}

/**
 * "file:line:col (at json.path): message" when the path can be found in the text (so terminals
 * make it clickable), else the error's own location ("file at json.path: message"). A JSON path
 * without a file (an error raised during the session, e.g. training that diverged) is in the
 * experiment file.
 */
export function describeInputError(e: InputError, text: string | null, experimentFile: string | null = null): string {
  const w = e.where?.kind === 'json' && !e.where.file && experimentFile ? { ...e.where, file: experimentFile } : e.where;
  if (w?.kind === 'json' && w.file && text !== null) {
    const at = locateJsonPath(text, w.path);
    if (at) return `${w.file}:${at.line + 1}:${at.column + 1} (at ${w.path || '(root)'}): ${e.detail}`;
  }
  return w ? `${formatLocation(w)}: ${e.detail}` : e.detail;
}
