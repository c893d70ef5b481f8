/**
 * Command-line parsing for `neumann-lens`, on node:util's strict parseArgs with the flags
 * declared in flags.ts. Every mistake is a UsageError (exit 2) naming the flag and the form
 * it expects; `--help` anywhere in a command's arguments shows that command's help.
 */
import { parseArgs as nodeParseArgs } from 'node:util';
import type { BackendChoice } from '../core/config/experiment';
import { COMMANDS, DIAGNOSE_FLAGS, PYTHON_PATH_FLAGS, TOP_FLAGS, type CommandName, type FlagSpec } from './flags';
import { closest } from '../core/util/nearest';
import { flagLabel, synopsis } from './usage';

export interface DiagnoseArgs {
  command: 'diagnose';
  experiment: string;
  json?: string;
  markdown?: string;
  events?: string;
  saveWeights?: string;
  backend: BackendChoice;
  python?: string;
  quiet: boolean;
}
/** `topic`: the command whose help to show (none: the top-level help). */
export type CliArgs = DiagnoseArgs | { command: 'python-path' } | { command: 'help'; topic?: CommandName } | { command: 'version' };

export class UsageError extends Error {
  /** The command whose `--help` the message should point to (none: the top level). */
  constructor(
    message: string,
    readonly topic?: CommandName,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

type Flags = Readonly<Record<string, FlagSpec>>;

const commandNames = Object.keys(COMMANDS) as CommandName[];
const isCommand = (s: string): s is CommandName => (commandNames as string[]).includes(s);
const expectedCommand = `expected ${commandNames.map((c) => `"${c}"`).join(' or ')}`;

export function parseArgs(argv: readonly string[]): CliArgs {
  const [first, ...rest] = argv;
  if (first === undefined) throw new UsageError(`missing command (${expectedCommand})`);
  if (first.startsWith('-')) return parseTopLevel(argv);
  if (first === 'help') return parseHelpCommand(rest);
  if (!isCommand(first)) throw new UsageError(`unknown command "${first}" (${expectedCommand}${didYouMean(first, commandNames)})`);
  return first === 'python-path' ? parsePythonPath(rest) : parseDiagnose(rest);
}

/** `neumann-lens --help`, `-h diagnose`, `--version`; any other flag belongs after a command. */
function parseTopLevel(argv: readonly string[]): CliArgs {
  const asked = requested(argv, TOP_FLAGS);
  if (asked) {
    const topic = asked === 'help' ? argv.find(isCommand) : undefined;
    return asked === 'help' ? { command: 'help', ...(topic ? { topic } : {}) } : { command: 'version' };
  }
  const at = argv.findIndex(isCommand);
  if (at > 0) {
    const cmd = argv[at] as CommandName;
    throw new UsageError(`options go after the command: neumann-lens ${cmd} ${argv.slice(at + 1).join(' ')} ${argv.slice(0, at).join(' ')}`.replace(/  +/g, ' '), cmd);
  }
  const { positionals } = strictParse(argv, TOP_FLAGS, undefined);
  throw new UsageError(positionals.length > 0 ? `unknown command "${positionals[0]}" (${expectedCommand})` : `missing command (${expectedCommand})`);
}

function parseHelpCommand(rest: readonly string[]): CliArgs {
  const { positionals } = strictParse(rest, TOP_FLAGS, undefined);
  if (positionals.length === 0) return { command: 'help' };
  const [topic, ...extra] = positionals;
  if (!isCommand(topic)) throw new UsageError(`unknown command "${topic}" (${expectedCommand}${didYouMean(topic, commandNames)})`);
  if (extra.length > 0) throw new UsageError(`"help" takes one command name, got ${positionals.length}: ${positionals.join(' ')}`);
  return { command: 'help', topic };
}

function parseDiagnose(rest: readonly string[]): CliArgs {
  const asked = requested(rest, DIAGNOSE_FLAGS);
  if (asked === 'help') return { command: 'help', topic: 'diagnose' };
  if (asked === 'version') return { command: 'version' };
  const { values, positionals } = strictParse(rest, DIAGNOSE_FLAGS, 'diagnose');
  if (positionals.length === 0) throw new UsageError(`missing the experiment file (${synopsis('diagnose')})`, 'diagnose');
  if (positionals.length > 1) {
    throw new UsageError(`expected one experiment file, got ${positionals.length}: ${positionals.join(' ')} (${synopsis('diagnose')})`, 'diagnose');
  }
  return {
    command: 'diagnose',
    experiment: positionals[0],
    json: values.json,
    markdown: values.markdown,
    events: values.events,
    saveWeights: values['save-weights'],
    backend: values.backend as BackendChoice,
    python: values.python,
    quiet: values.quiet ?? false,
  };
}

function parsePythonPath(rest: readonly string[]): CliArgs {
  const asked = requested(rest, PYTHON_PATH_FLAGS);
  if (asked) return asked === 'help' ? { command: 'help', topic: 'python-path' } : { command: 'version' };
  const { positionals } = strictParse(rest, PYTHON_PATH_FLAGS, 'python-path');
  if (positionals.length > 0) throw new UsageError(`"python-path" takes no arguments, got ${positionals.join(' ')}`, 'python-path');
  return { command: 'python-path' };
}

/**
 * Which of help/version the arguments ask for (help first), read leniently so that
 * `diagnose --fast --help` still shows the help. A value (`--json --help`) is not a request.
 */
function requested(args: readonly string[], flags: Flags): 'help' | 'version' | null {
  const { tokens } = nodeParseArgs({ args: [...args], options: flags, strict: false, allowPositionals: true, tokens: true });
  const names = new Set(tokens.filter((t) => t.kind === 'option').map((t) => t.name));
  return names.has('help') ? 'help' : names.has('version') ? 'version' : null;
}

/** node:util parseArgs (strict), then what it does not check: empty values, repeats, choices. */
function strictParse<F extends Flags>(args: readonly string[], flags: F, topic: CommandName | undefined) {
  let parsed;
  try {
    parsed = nodeParseArgs({ args: [...args], options: flags, strict: true, allowPositionals: true, tokens: true });
  } catch (e) {
    if (!isParseArgsError(e)) throw e;
    throw new UsageError(explain(args, flags, topic) ?? e.message, topic);
  }
  const seen = new Map<string, string>();
  for (const t of parsed.tokens) {
    if (t.kind !== 'option') continue;
    const f = flags[t.name];
    const label = flagLabel(t.name, f);
    if (f.type === 'string' && t.value === '') throw new UsageError(`--${t.name} needs a value (${label})`, topic);
    const before = seen.get(t.name);
    if (before !== undefined) throw new UsageError(`--${t.name} is given twice (${before} and ${t.value ?? t.rawName}): give it once`, topic);
    seen.set(t.name, t.value ?? t.rawName);
    if (f.choices && t.value !== undefined && !f.choices.includes(t.value)) {
      throw new UsageError(`--${t.name} must be one of ${f.choices.join(', ')} (got "${t.value}")`, topic);
    }
  }
  return parsed;
}

/** The message for the token parseArgs rejected, found by re-reading the arguments leniently. */
function explain(args: readonly string[], flags: Flags, topic: CommandName | undefined): string | null {
  const { tokens } = nodeParseArgs({ args: [...args], options: flags, strict: false, allowPositionals: true, tokens: true });
  const where = topic ? ` for "${topic}"` : '';
  for (const t of tokens) {
    if (t.kind !== 'option') continue;
    const f: FlagSpec | undefined = Object.hasOwn(flags, t.name) ? flags[t.name] : undefined;
    if (!f) {
      const names = Object.keys(flags).map((n) => `--${n}`);
      return `unknown option ${t.rawName}${where}${didYouMean(t.rawName, names)}`;
    }
    const label = flagLabel(t.name, f);
    if (f.type === 'boolean' && t.value !== undefined) return `${t.rawName} takes no value (got ${t.rawName}=${t.value})`;
    if (f.type === 'string' && t.value === undefined) return `--${t.name} needs a value (${label})`;
    if (f.type === 'string' && !t.inlineValue && t.value?.startsWith('-')) {
      return `--${t.name} needs a value (${label}), but the next argument is the option ${t.value}; a value that starts with '-' is written --${t.name}=${t.value}`;
    }
  }
  return null;
}

function didYouMean(word: string, candidates: readonly string[]): string {
  const near = closest(word, candidates);
  return near ? `; did you mean ${near}?` : '';
}

function isParseArgsError(e: unknown): e is Error {
  const code: unknown = e instanceof Error ? (e as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_');
}
