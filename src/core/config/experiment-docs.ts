/**
 * docs/experiment.md, rendered from the declaration: every key with its type, range, default,
 * which kinds of experiment take it, and its Markdown description. Pure; the generator script
 * writes it and a test checks the committed page is this text.
 */
import { EXPERIMENT_JSON_SCHEMA, EXPERIMENT_KINDS, ExperimentFile } from './experiment-schema';
import { formatJsonPath } from './json-path';
import { markdownValue, ownedKeys } from './schema-kit';

type Schema = Record<string, unknown> & { properties?: Record<string, Schema>; items?: Schema; required?: string[] };

export function renderExperimentDocs(): string {
  const root = EXPERIMENT_JSON_SCHEMA as Schema;
  const owned = new Map(ownedKeys(ExperimentFile).map((o) => [formatJsonPath(o.path), o.kinds]));
  const out: string[] = [
    '# The experiment file (`*.neumann.json`)',
    '',
    '<!-- Generated from src/core/config/experiment-schema.ts by scripts/gen-experiment-files.ts (npm run build). Do not edit. -->',
    '',
    String(root.markdownDescription),
    '',
    'VS Code reads the same declaration from `schemas/experiment.schema.json` for completion, hover and',
    'validation. Errors name the place as a path: keys joined by dots, array indices in brackets',
    '(`neumann.alpha`, `model.layers[2]`, `problem.matrix[0][1]`).',
    '',
    '## Kinds of experiment',
    '',
    '| kind | chosen when | required keys |',
    '|---|---|---|',
    ...EXPERIMENT_KINDS.map((k) => {
      const when = k.marker === null ? `no ${others(k.kind)} key` : `\`${k.marker}\` is present`;
      return `| ${k.subject.replace(/^an? /, '')} | ${when} | ${k.needs.map((n) => `\`${n}\``).join(', ')} |`;
    }),
    '',
    'A key listed for some kinds only is rejected in the others.',
    '',
    '## Keys',
    '',
  ];
  for (const [key, s] of Object.entries(root.properties ?? {})) section([key], s, root, owned, out);
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function others(kind: string): string {
  return EXPERIMENT_KINDS.filter((k) => k.kind !== kind && k.marker !== null)
    .map((k) => `\`${k.marker}\``)
    .join(' or ');
}

function section(path: string[], s: Schema, parent: Schema, owned: Map<string, readonly string[]>, out: string[]): void {
  const p = formatJsonPath(path);
  const facts = [typeOf(s)];
  if (parent.required?.includes(path[path.length - 1])) facts.push('required');
  if (s.default !== undefined && !(typeof s.default === 'object' && s.default !== null && Object.keys(s.default).length === 0)) {
    facts.push(`default ${markdownValue(s.default)}`);
  }
  const allowed = owned.get(p);
  const requiredIn = path.length === 1 ? EXPERIMENT_KINDS.filter((k) => (k.needs as readonly string[]).includes(p)) : [];
  const rejectedIn = allowed ? EXPERIMENT_KINDS.filter((k) => !allowed.includes(k.kind)) : [];
  if (requiredIn.length > 0) facts.push(`required in ${requiredIn.map((k) => k.place).join(', ')}`);
  if (rejectedIn.length > 0) facts.push(`not allowed in ${rejectedIn.map((k) => k.place).join(', ')}`);
  out.push(`${'#'.repeat(Math.min(path.length + 2, 6))} \`${p}\``, '', facts.join(' · '), '', String(s.markdownDescription ?? s.description ?? ''), '');
  for (const [key, child] of Object.entries(s.properties ?? {})) section([...path, key], child, s, owned, out);
}

/** `integer, 1 … 100000`, `array of number, at least 1 entry`, `one of "relu", "tanh"`. */
function typeOf(s: Schema): string {
  if (Array.isArray(s.enum)) return `one of ${s.enum.map((v) => `\`${JSON.stringify(v)}\``).join(', ')}`;
  const type = String(s.type ?? 'any');
  const item = s.items ? typeOf(s.items) : '';
  const parts: string[] = [s.items ? `array of ${item.includes(',') ? `(${item})` : item}` : type];
  const bounds: string[] = [];
  if (s.minimum !== undefined) bounds.push(`≥ ${s.minimum}`);
  if (s.exclusiveMinimum !== undefined) bounds.push(`> ${s.exclusiveMinimum}`);
  if (s.maximum !== undefined) bounds.push(`≤ ${s.maximum}`);
  if (s.exclusiveMaximum !== undefined) bounds.push(`< ${s.exclusiveMaximum}`);
  if (bounds.length > 0) parts.push(bounds.join(', '));
  if (s.minLength === 1) parts.push('non-empty');
  if (typeof s.minItems === 'number') parts.push(`at least ${s.minItems} entr${s.minItems === 1 ? 'y' : 'ies'}`);
  if (s.uniqueItems === true) parts.push('no repeats');
  return parts.join(', ');
}
