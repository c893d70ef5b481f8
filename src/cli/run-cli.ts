/**
 * `neumann-lens diagnose`: the CLI is a thin consumer of the same session runner the worker uses
 * (in-process here). Exit codes: 0 converges (also 'slow'), 3 diverges, 4 inconclusive, 2 bad input, 1 internal.
 */
import { createWriteStream, readFileSync, writeFileSync, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';
import type { BackendChoice, Experiment } from '../core/config/experiment';
import { bareMessage, parseExperimentText } from '../core/config/load';
import { locateJsonPath } from '../core/config/json-location';
import type { DiagnosisReport } from '../core/diagnosis/report';
import { renderMarkdown } from '../core/diagnosis/render-markdown';
import { exportStateDict } from '../core/model/state-dict';
import { isDivergent } from '../core/diagnosis/format';
import { renderText } from '../core/diagnosis/render-text';
import { InputError, formatLocation } from '../core/errors';
import { CancelledError } from '../core/util/abort';
import type { SessionEvent } from '../protocol/messages';
import { USAGE, UsageError, parseArgs, type DiagnoseArgs } from './args';
import { ProgressBars } from './progress';

export type SessionRunner = (
  experiment: Experiment,
  options: { backend: BackendChoice; exactMaxParams?: number },
  hooks: { onEvent: (e: SessionEvent) => void; signal?: AbortSignal; onWeights?: (w: Float64Array) => void },
) => Promise<DiagnosisReport>;

export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  version: string;
  /** Cancels the session on Ctrl+C (exit 130); absent in tests. */
  interrupt?: AbortSignal;
}

export const EXIT = { converges: 0, internal: 1, input: 2, diverges: 3, inconclusive: 4, interrupted: 130 } as const;

export async function runCli(argv: readonly string[], io: CliIo, runSession: SessionRunner): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    io.stderr.write(`neumann-lens: ${e.message}\n\n${USAGE}`);
    return EXIT.input;
  }
  if (args.command === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (args.command === 'version') {
    io.stdout.write(`${io.version}\n`);
    return 0;
  }
  return diagnose(args, io, runSession);
}

async function diagnose(args: DiagnoseArgs, io: CliIo, runSession: SessionRunner): Promise<number> {
  const file = resolve(args.experiment);
  let text: string | null = null;
  const bars = !args.quiet && io.stderr.isTTY ? new ProgressBars(io.stderr) : null;
  let events: WriteStream | null = null;
  try {
    text = readExperimentText(file);
    const experiment = parseExperimentText(text, file);
    // Fail before the session, not after it: an unwritable output path is a usage problem.
    for (const out of [args.json, args.markdown, args.saveWeights, args.events]) if (out) writeOutput(out, '');
    let eventsError: Error | null = null;
    if (args.events) {
      events = createWriteStream(resolve(args.events));
      // A full disk mid-run must not become an uncaught exception: remember it, report it at the end.
      events.on('error', (e) => (eventsError ??= e));
    }
    const onEvent = (e: SessionEvent): void => {
      events?.write(JSON.stringify(e) + '\n');
      bars?.onEvent(e);
      if (e.type === 'log' && !args.quiet && (e.level === 'warn' || e.level === 'error')) {
        bars?.clear();
        io.stderr.write(`${e.level}: ${e.text}\n`);
      }
    };
    if (args.saveWeights && experiment.kind !== 'mlp') {
      throw new InputError('--save-weights needs an MLP experiment (analytic problems have no weights to save)', { kind: 'json', path: 'problem' });
    }
    let weights: Float64Array | null = null;
    const report = await runSession(experiment, { backend: args.backend }, { onEvent, signal: io.interrupt, onWeights: (w) => (weights = w) });
    bars?.clear();
    if (eventsError) throw new InputError(`could not write the events (${(eventsError as NodeJS.ErrnoException).code ?? String(eventsError)})`, { kind: 'file', file: resolve(args.events!) });
    if (args.json) writeOutput(args.json, JSON.stringify(report, null, 2) + '\n');
    if (args.markdown) writeOutput(args.markdown, renderMarkdown(report));
    if (args.saveWeights && weights && experiment.kind === 'mlp') {
      writeOutput(args.saveWeights, JSON.stringify(exportStateDict(weights, experiment.model.layers)) + '\n');
    }
    io.stdout.write(renderText(report));
    if (report.advice.verdict === 'slow') {
      io.stderr.write(`note: the series converges, but slowly (exit code 0): see the recommendations.\n`);
    }
    if (report.advice.verdict === 'inconclusive') return EXIT.inconclusive;
    return isDivergent(report.advice.verdict) ? EXIT.diverges : EXIT.converges;
  } catch (e) {
    bars?.clear();
    if (e instanceof InputError) {
      io.stderr.write(`neumann-lens: ${describeInputError(e, text)}\n`);
      return EXIT.input;
    }
    if (e instanceof CancelledError) {
      io.stderr.write('neumann-lens: interrupted\n');
      return EXIT.interrupted;
    }
    const err = e instanceof Error ? e : new Error(String(e));
    io.stderr.write(`neumann-lens: internal error: ${err.message}\n${err.stack ?? ''}\n`);
    return EXIT.internal;
  } finally {
    await new Promise<void>((done) => (events && !events.destroyed ? events.end(() => done()) : done()));
  }
}

function writeOutput(path: string, text: string): void {
  const file = resolve(path);
  try {
    writeFileSync(file, text);
  } catch (e) {
    throw new InputError(`cannot write this file (${(e as NodeJS.ErrnoException).code ?? String(e)})`, { kind: 'file', file });
  }
}

function readExperimentText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new InputError(code === 'ENOENT' ? 'experiment file not found' : `cannot read experiment file (${code})`, { kind: 'file', file });
  }
}

/**
 * "file:line:col (at json.path): message" when the path can be found in the text (so terminals
 * make it clickable), else the error's own location ("file at json.path: message").
 */
export function describeInputError(e: InputError, text: string | null): string {
  const w = e.where;
  if (w?.kind === 'json' && w.file && text !== null) {
    const at = locateJsonPath(text, w.path);
    if (at) return `${w.file}:${at.line + 1}:${at.column + 1} (at ${w.path || '(root)'}): ${bareMessage(e)}`;
  }
  return w ? `${formatLocation(w)}: ${bareMessage(e)}` : e.message;
}
