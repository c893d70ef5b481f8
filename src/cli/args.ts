/**
 * Command-line parsing for `neumann-lens`. Hand-written: one command, a handful of flags, and
 * every mistake must be a clear usage error (exit 2), not a stack trace.
 */
import type { BackendChoice } from '../core/config/experiment';

export interface DiagnoseArgs {
  command: 'diagnose';
  experiment: string;
  json?: string;
  markdown?: string;
  events?: string;
  saveWeights?: string;
  backend: BackendChoice;
  quiet: boolean;
}
export type CliArgs = DiagnoseArgs | { command: 'help' } | { command: 'version' };

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = `Usage: neumann-lens diagnose <experiment.neumann.json> [options]

Trains the experiment's model, measures both ends of the Hessian spectrum and explains whether the
truncated Neumann series α Σ (I − αH)^j b converges, and what to change if it does not.

Options:
  --json <file>        write the report as JSON (schemaVersion 1)
  --markdown <file>    write the report as a Markdown document
  --events <file>      write every session event as JSON lines
  --save-weights <file>  write the analysed (trained) weights as a PyTorch state_dict JSON
                       (load in PyTorch: model.load_state_dict({k: torch.tensor(v) for k, v in json.load(f).items()}))
  --backend <name>     auto | tensorflow | wasm | cpu (default auto)
  --quiet              no progress bars or warnings on stderr
  --help, -h           show this help
  --version, -v        show the version

Exit codes: 0 the series converges (also when slowly), 3 it diverges, 4 inconclusive (this run's
bounds cannot decide; see the advice), 2 bad input, 1 internal error.
`;

const BACKENDS: readonly BackendChoice[] = ['auto', 'tensorflow', 'wasm', 'cpu'];
const VALUE_FLAGS = ['--json', '--markdown', '--events', '--save-weights', '--backend'] as const;

export function parseArgs(argv: readonly string[]): CliArgs {
  if (argv.includes('--help') || argv.includes('-h')) return { command: 'help' };
  if (argv.includes('--version') || argv.includes('-v')) return { command: 'version' };
  const [command, ...rest] = argv;
  if (command === undefined) throw new UsageError('missing command (expected "diagnose")');
  if (command === 'help') return { command: 'help' };
  if (command !== 'diagnose') throw new UsageError(`unknown command "${command}" (expected "diagnose")`);

  const values: Partial<Record<(typeof VALUE_FLAGS)[number], string>> = {};
  const positional: string[] = [];
  let quiet = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    if ((VALUE_FLAGS as readonly string[]).includes(flag)) {
      const value = eq > 0 && a.startsWith('--') ? a.slice(eq + 1) : rest[++i];
      if (value === undefined || value === '') throw new UsageError(`${flag} needs a value`);
      values[flag as (typeof VALUE_FLAGS)[number]] = value;
    } else if (a === '--quiet' || a === '-q') quiet = true;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (positional.length === 0) throw new UsageError('missing the experiment file');
  if (positional.length > 1) throw new UsageError(`expected one experiment file, got ${positional.length}: ${positional.join(' ')}`);
  const backend = (values['--backend'] ?? 'auto') as BackendChoice;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')} (got "${backend}")`);
  return {
    command: 'diagnose',
    experiment: positional[0],
    json: values['--json'],
    markdown: values['--markdown'],
    events: values['--events'],
    saveWeights: values['--save-weights'],
    backend,
    quiet,
  };
}
