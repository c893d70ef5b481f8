/**
 * Structural validation of an experiment against its declaration (experiment-schema.ts, the same
 * rules VS Code reads from schemas/experiment.schema.json for hover docs and squiggles), with ajv's
 * errors turned into InputErrors at paths (json-path.ts) whose messages say what is expected and
 * what was found.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { InputError } from '../errors';
import { closest } from '../util/nearest';
import { compileSchema } from './ajv';
import { EXPERIMENT_JSON_SCHEMA, EXPERIMENT_KINDS } from './experiment-schema';
import { formatJsonPath, pointerToJsonPath, type JsonPath } from './json-path';
import { kindsHint } from './schema-kit';

let compiled: ValidateFunction | null = null;

// Compiling takes a few milliseconds; a session validates one experiment, an editor many.
function validator(): ValidateFunction {
  compiled ??= compileSchema(EXPERIMENT_JSON_SCHEMA);
  return compiled;
}

/** Every structural problem of `raw`, in the order its keys appear; [] when it conforms. */
export function schemaErrors(raw: unknown, file: string | null): InputError[] {
  const validate = validator();
  if (validate(raw)) return [];
  const errors = validate.errors ?? [];
  // A key that is not allowed at all needs no report about what is wrong inside it.
  const banned = errors.filter((e) => e.keyword === 'false schema').map((e) => e.instancePath);
  // A value that fits no branch of an anyOf gets the anyOf's one message, not one per branch.
  const alternatives = errors.filter((e) => e.keyword === 'anyOf').map((e) => `${e.schemaPath}/`);
  const translated = errors.flatMap((e) => {
    if (e.keyword !== 'false schema' && banned.some((b) => e.instancePath === b || e.instancePath.startsWith(`${b}/`))) return [];
    if (alternatives.some((a) => e.schemaPath.startsWith(a))) return [];
    const t = translate(e, raw);
    return t ? [t] : [];
  });
  // A misspelt key ('flie', did you mean 'file'?) also leaves 'file' missing: the suggestion says it all.
  const suggested = new Set(translated.flatMap((t) => (t.suggests ? [formatJsonPath([...t.path.slice(0, -1), t.suggests])] : [])));
  const seen = new Set<string>();
  const found: { path: JsonPath; error: InputError }[] = [];
  for (const t of translated) {
    const path = formatJsonPath(t.path);
    if (t.missing && suggested.has(path)) continue;
    const id = `${path}\u0000${t.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    found.push({ path: t.path, error: new InputError(t.message, { kind: 'json', file: file ?? undefined, path }) });
  }
  // ajv reports unknown keys before bad values; a reader (and the CLI's first line) wants the file's order.
  const order = keyOrder(raw);
  const rank = (path: JsonPath) => {
    for (let n = path.length; n > 0; n--) {
      const r = order.get(formatJsonPath(path.slice(0, n)));
      if (r !== undefined) return r;
    }
    return -1;
  };
  return found
    .map((f, i) => ({ e: f.error, i, r: rank(f.path) }))
    .sort((a, b) => a.r - b.r || a.i - b.i)
    .map((x) => x.e);
}

/** Path → position in a depth-first walk of the parsed value (JSON.parse keeps key order). */
function keyOrder(value: unknown, path: JsonPath = [], order = new Map<string, number>()): Map<string, number> {
  if (typeof value !== 'object' || value === null) return order;
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  for (const [k, v] of entries) {
    const p = [...path, k];
    order.set(formatJsonPath(p), order.size);
    keyOrder(v, p, order);
  }
  return order;
}

const TOP_LEVEL_HINT = kindsHint(EXPERIMENT_KINDS);

/**
 * The message a rejected key carries in the schema: the `errorMessage` of the nearest schema on
 * the way to the `false` (VS Code shows the same text).
 */
function declaredMessage(schemaPath: string): string | null {
  let node: unknown = EXPERIMENT_JSON_SCHEMA;
  let message: string | null = null;
  for (const raw of schemaPath.replace(/^#\//, '').split('/')) {
    if (typeof node !== 'object' || node === null) break;
    const m = (node as { errorMessage?: unknown }).errorMessage;
    if (typeof m === 'string') message = m;
    node = (node as Record<string, unknown>)[raw.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return message;
}

interface Translated {
  path: JsonPath;
  message: string;
  /** An unknown key's nearest allowed key (the did-you-mean). */
  suggests?: string;
  /** A required key that is absent. */
  missing?: true;
}

function translate(e: ErrorObject, raw: unknown): Translated | null {
  const path = pointerToJsonPath(e.instancePath, raw);
  const got = ` (got ${show(e.data)})`;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'if':
    case 'allOf':
      return null; // the failing branch reports its own, more specific errors
    case 'additionalProperties': {
      const key = String(p.additionalProperty);
      const allowed = Object.keys((e.parentSchema?.properties as object | undefined) ?? {});
      const near = closest(key, allowed);
      const hint = near ? `; did you mean '${near}'?` : '';
      return { path: [...path, key], message: `unknown key '${key}'${hint} (allowed here: ${allowed.join(', ')})`, ...(near ? { suggests: near } : {}) };
    }
    case 'required': {
      const key = String(p.missingProperty);
      const hint = path.length === 0 ? ` (${TOP_LEVEL_HINT})` : '';
      return { path: [...path, key], message: `missing required key '${key}'${hint}`, missing: true };
    }
    case 'false schema':
      return { path, message: declaredMessage(e.schemaPath) ?? `'${formatJsonPath(path)}' is not allowed here` };
    case 'type': {
      const want = String(p.type);
      const article = want === 'integer' || want === 'array' || want === 'object' ? 'an' : 'a';
      return { path, message: `must be ${article} ${want}${got}` };
    }
    case 'enum': {
      const options = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, message: `must be one of ${options}${got}` };
    }
    case 'anyOf': {
      const declared = (e.parentSchema as { errorMessage?: unknown } | undefined)?.errorMessage;
      return { path, message: `${typeof declared === 'string' ? declared : 'is not any of the allowed forms'}${got}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${p.comparison} ${p.limit}${got}` };
    case 'minItems':
      return { path, message: `must have at least ${p.limit} entr${p.limit === 1 ? 'y' : 'ies'} (got ${(e.data as unknown[]).length})` };
    case 'pattern': {
      // VS Code shows the declaration's patternErrorMessage too; the pattern itself is no help to a reader.
      const hint = (e.parentSchema as { patternErrorMessage?: string } | undefined)?.patternErrorMessage;
      return { path, message: `${hint ?? `must match ${String(p.pattern)}`}${got}` };
    }
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'uniqueItems':
      return { path, message: `must not repeat an entry (entries ${p.j} and ${p.i} are equal)` };
    default:
      return { path, message: `${e.message ?? 'is invalid'}${got}` };
  }
}

/** A short rendering of a JSON value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

