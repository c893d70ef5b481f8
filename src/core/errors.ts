/**
 * A problem with what the user gave us (config, data, weights). `where` locates it: a JSON path
 * such as `neumann.alpha`, or `file:line:column` for data files. Exit code 2 in the CLI; a
 * diagnostic at that place in the editor.
 */
export class InputError extends Error {
  constructor(
    message: string,
    readonly where?: InputLocation,
  ) {
    super(where ? `${formatLocation(where)}: ${message}` : message);
    this.name = 'InputError';
  }
}

export type InputLocation =
  | { kind: 'json'; file?: string; path: string }
  | { kind: 'file'; file: string; line?: number; column?: number };

export function formatLocation(w: InputLocation): string {
  if (w.kind === 'json') return w.file ? `${w.file} at ${w.path || '(root)'}` : w.path || '(root)';
  let s = w.file;
  if (w.line !== undefined) s += `:${w.line}`;
  if (w.column !== undefined) s += `:${w.column}`;
  return s;
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
