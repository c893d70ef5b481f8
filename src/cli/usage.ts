/**
 * Help text and the README's CLI lists, rendered from the declaration in flags.ts (a test keeps
 * the README equal to `readmeFlagTable()` and `readmeExitCodes()`).
 */
import { COMMANDS, EXIT_CODES, TOP_FLAGS, type CommandName, type CommandSpec, type FlagSpec } from './flags';

const WIDTH = 100;

/** `--json <file>`, `--quiet, -q`. */
export function flagLabel(name: string, f: FlagSpec): string {
  const value = f.type === 'string' ? ` <${f.value ?? 'value'}>` : '';
  return `--${name}${value}${f.short ? `, -${f.short}` : ''}`;
}

function flagHelp(f: FlagSpec): string {
  const extra = [f.choices?.join(' | '), f.default !== undefined ? `default ${f.default}` : undefined].filter((x) => x !== undefined);
  return extra.length > 0 ? `${f.help} (${extra.join('; ')})` : f.help;
}

export function synopsis(command: CommandName): string {
  return `neumann-lens ${COMMANDS[command].synopsis}`;
}

/** `neumann-lens --help`. */
export function topUsage(): string {
  const commands = Object.entries(COMMANDS as Record<string, CommandSpec>).map(([name, c]) => [name, c.brief] as const);
  return [
    'Usage: neumann-lens <command> [options]',
    '',
    'Commands:',
    ...columns([...commands, ['help [command]', 'show the help of a command']]),
    '',
    'Options:',
    ...columns(Object.entries(TOP_FLAGS).map(([n, f]) => [flagLabel(n, f), flagHelp(f)])),
    '',
    `Run "neumann-lens <command> --help" for a command's options.`,
    '',
    exitCodesText(),
  ].join('\n');
}

/** `neumann-lens <command> --help`: every flag with its meaning. */
export function commandUsage(command: CommandName): string {
  const c: CommandSpec = COMMANDS[command];
  return [
    `Usage: ${synopsis(command)}`,
    '',
    ...wrap(c.summary, WIDTH),
    '',
    ...(c.positionals.length > 0 ? ['Arguments:', ...columns(c.positionals.map((p) => [p.name, p.help])), ''] : []),
    'Options:',
    ...columns(Object.entries(c.flags).map(([n, f]) => [flagLabel(n, f), flagHelp(f)])),
    ...(c.notes ?? []).flatMap((n) => ['', ...(n.startsWith('  ') ? [n] : wrap(n, WIDTH))]),
    '',
    exitCodesText(),
  ].join('\n');
}

function exitCodesText(): string {
  const rows = Object.values(EXIT_CODES).map((e) => [String(e.code), e.meaning] as const);
  return ['Exit codes:', ...columns(rows)].join('\n') + '\n';
}

/** The README's flag table for a command. */
export function readmeFlagTable(command: CommandName): string {
  const rows = Object.entries(COMMANDS[command].flags as Record<string, FlagSpec>).map(
    ([n, f]) => `| \`${flagLabel(n, f)}\` | ${escapeCell(flagHelp(f))} |`,
  );
  return ['| option | meaning |', '|---|---|', ...rows].join('\n') + '\n';
}

/** The README's exit-code table. */
export function readmeExitCodes(): string {
  const rows = Object.values(EXIT_CODES).map((e) => `| ${e.code} | ${escapeCell(e.meaning)} |`);
  return ['| exit code | meaning |', '|---|---|', ...rows].join('\n') + '\n';
}

function escapeCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/** Two columns: labels padded to the widest, text wrapped with a hanging indent. */
function columns(rows: readonly (readonly [string, string])[]): string[] {
  const left = Math.max(...rows.map(([l]) => l.length)) + 2;
  const out: string[] = [];
  for (const [label, text] of rows) {
    wrap(text, WIDTH - left - 2).forEach((l, i) => out.push(`  ${(i === 0 ? label : '').padEnd(left)}${l}`));
  }
  return out;
}

function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  if (line !== '') lines.push(line);
  return lines;
}
