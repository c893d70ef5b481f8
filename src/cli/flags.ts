/**
 * The one declaration of the CLI's commands, flags and exit codes. The parser (args.ts), the
 * `--help` text and the README's flag and exit-code lists (usage.ts) are all derived from it, so
 * a flag cannot exist in one and be missing from another.
 */
import type { BackendChoice } from '../core/config/experiment';

export interface FlagSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Placeholder for a string flag's value in usage lines, e.g. `file` → `--json <file>`. */
  value?: string;
  /** The only accepted values of a string flag. */
  choices?: readonly string[];
  default?: string;
  help: string;
}

export interface CommandSpec {
  /** What follows `neumann-lens <command>` in the usage line. */
  synopsis: string;
  /** One line for the command list. */
  brief: string;
  summary: string;
  /** The positional arguments, by placeholder. */
  positionals: readonly { name: string; help: string }[];
  flags: Readonly<Record<string, FlagSpec>>;
  /** Paragraphs printed after the flags in `--help`; one starting with two spaces is code, not wrapped. */
  notes?: readonly string[];
}

const BACKENDS: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

const HELP = { type: 'boolean', short: 'h', help: 'show this help' } as const satisfies FlagSpec;
const VERSION = { type: 'boolean', short: 'v', help: 'show the version' } as const satisfies FlagSpec;

export const PYTHON_PATH_FLAGS = { help: HELP, version: VERSION } as const satisfies Record<string, FlagSpec>;

export const DIAGNOSE_FLAGS = {
  json: { type: 'string', value: 'file', help: 'write the report as JSON (schemaVersion 1)' },
  markdown: { type: 'string', value: 'file', help: 'write the report as a Markdown document' },
  events: { type: 'string', value: 'file', help: 'write every session event as JSON lines, as the run goes' },
  'save-weights': {
    type: 'string',
    value: 'file',
    help: 'write the analysed (trained) weights as a PyTorch state_dict JSON: nn.Sequential keys for an MLP (the format model.init.stateDict reads), the model’s own parameter names for a PyTorch experiment',
  },
  backend: { type: 'string', value: 'name', choices: BACKENDS, default: 'auto', help: 'the TF.js backend; auto picks tensorflow if it loads, else wasm, else cpu' },
  python: {
    type: 'string',
    value: 'path',
    help: 'the Python interpreter (with torch ≥ 1.13) for a PyTorch experiment; overrides NEUMANN_LENS_PYTHON and the experiment’s pytorch.python (default: the first of python3, python, /usr/bin/python3 with torch)',
  },
  quiet: { type: 'boolean', short: 'q', help: 'no progress bar or warnings on stderr' },
  help: HELP,
  version: VERSION,
} as const satisfies Record<string, FlagSpec>;

export const COMMANDS = {
  diagnose: {
    synopsis: 'diagnose <experiment.neumann.json> [options]',
    brief: 'diagnose the Neumann series of an experiment (train, spectrum, advice)',
    summary:
      'Trains the experiment’s model, measures both ends of the Hessian spectrum and explains whether the truncated Neumann series α Σ (I − αH)^j b converges, and what to change if it does not.',
    positionals: [{ name: '<experiment.neumann.json>', help: 'the experiment file (see schemas/experiment.schema.json)' }],
    flags: DIAGNOSE_FLAGS,
    notes: [
      'Output files are written to a temporary file beside the target and renamed over it only when the run succeeded: a failed or interrupted run leaves existing files as they were.',
      'Load saved weights in PyTorch:',
      '  model.load_state_dict({k: torch.tensor(v) for k, v in json.load(f).items()})',
    ],
  },
  'python-path': {
    synopsis: 'python-path',
    brief: 'print the folder of the shipped Python package (PYTHONPATH for cluster ranks)',
    summary:
      'Prints the folder that holds the neumann_lens Python package shipped with Neumann Lens: set PYTHONPATH to it on the nodes where you start cluster ranks yourself (python -m neumann_lens serve --listen …).',
    positionals: [],
    flags: PYTHON_PATH_FLAGS,
  },
} as const satisfies Record<string, CommandSpec>;

export type CommandName = keyof typeof COMMANDS;

/** Flags of `neumann-lens` itself, before a command. */
export const TOP_FLAGS = { help: HELP, version: VERSION } as const satisfies Record<string, FlagSpec>;

/** Exit codes, in the order the help lists them. */
export const EXIT_CODES = {
  converges: { code: 0, meaning: 'the series converges (also when slowly: a note on stderr says so)' },
  internal: { code: 1, meaning: 'internal error (a bug: the message has the stack)' },
  input: {
    code: 2,
    meaning: 'bad input or usage: the message gives the place (JSON path, file:line:column, flag or output path) and the expected form',
  },
  diverges: { code: 3, meaning: 'the series diverges (with a `hyper` block also: the loop’s Neumann series diverged at some hyper-step)' },
  inconclusive: { code: 4, meaning: 'inconclusive: this run’s bounds cannot decide ρ against 1 (the advice says what to raise)' },
  interrupted: { code: 130, meaning: 'stopped by SIGINT (Ctrl+C); a second Ctrl+C exits at once' },
  terminated: { code: 143, meaning: 'stopped by SIGTERM' },
} as const;

export const EXIT = Object.fromEntries(Object.entries(EXIT_CODES).map(([k, v]) => [k, v.code])) as {
  readonly [K in keyof typeof EXIT_CODES]: (typeof EXIT_CODES)[K]['code'];
};
