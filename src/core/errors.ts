/**
 * A problem with what the user gave us (config, data, weights). `where` locates it: a JSON path
 * such as `neumann.alpha`, or `file:line:column` for data files. Exit code 2 in the CLI; a
 * diagnostic at that place in the editor. The location travels as data (InputLocation, declared
 * once here; the protocol's ErrorInfo carries it), never inside the message text.
 */
import type { Static } from '@sinclair/typebox';
import { T } from './util/typebox';

export const JsonLocation = T.Object({
  kind: T.Literal('json'),
  /** The JSON file; absent → the experiment file. */
  file: T.Optional(T.String()),
  path: T.String({ description: 'keys joined by dots, array indices in brackets: neumann.alpha, model.layers[2]; "" is the root' }),
});

export const FileLocation = T.Object({
  kind: T.Literal('file'),
  file: T.String(),
  /** 1-based, as editors and compilers print them. */
  line: T.Optional(T.Integer()),
  column: T.Optional(T.Integer()),
});

export const InputLocation = T.Union([JsonLocation, FileLocation]);
export type InputLocation = Static<typeof InputLocation>;

/** One located problem, as a message without its place and the place. */
export const Problem = T.Object({
  message: T.String(),
  where: T.Optional(InputLocation),
});
export type Problem = Static<typeof Problem>;

export class InputError extends Error {
  /** The message without its location (`message` is `<location>: <detail>` for logs and stack traces). */
  readonly detail: string;

  constructor(
    detail: string,
    readonly where?: InputLocation,
  ) {
    super(where ? `${formatLocation(where)}: ${detail}` : detail);
    this.name = 'InputError';
    this.detail = detail;
  }
}

/** `file at path`, `path` or `file:line:col`: how a location reads in a message. */
export function formatLocation(w: InputLocation): string {
  if (w.kind === 'json') return w.file ? `${w.file} at ${w.path || '(root)'}` : w.path || '(root)';
  let s = w.file;
  if (w.line !== undefined) s += `:${w.line}`;
  if (w.column !== undefined) s += `:${w.column}`;
  return s;
}

/** A problem as one line of text: `<location>: <message>`. */
export function formatProblem(p: Problem): string {
  return p.where ? `${formatLocation(p.where)}: ${p.message}` : p.message;
}

/**
 * The problems an InputError stands for, each with its own place. An error that collects several
 * (InvalidExperimentError: every schema error of an experiment) lists them in `problems`, its own
 * place being the first's; any other InputError is one problem.
 */
export function inputProblems(e: InputError): Problem[] {
  const list = 'problems' in e && Array.isArray(e.problems) && e.problems.length > 0 ? (e.problems as unknown[]) : [e];
  return list.map((p) => (p instanceof InputError ? located(p.detail, p.where) : { message: String(p) }));
}

function located(message: string, where: InputLocation | undefined): Problem {
  return where ? { message, where } : { message };
}

/** Training produced a non-finite loss. */
export class DivergedTrainingError extends InputError {
  constructor(
    readonly epoch: number,
    readonly step: number,
    loss: number,
  ) {
    super(
      `training loss became ${loss} at epoch ${epoch}, step ${step}: lower training.learningRate`,
      { kind: 'json', path: 'training.learningRate' },
    );
    this.name = 'DivergedTrainingError';
  }
}
