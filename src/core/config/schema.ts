/**
 * Structural validation of an experiment against schemas/experiment.schema.json (the same file
 * VS Code uses for hover docs and squiggles), with ajv's errors turned into InputErrors at dot
 * paths whose messages say what is expected and what was found.
 */
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import experimentSchema from '../../../schemas/experiment.schema.json';
import { InputError } from '../errors';

export { experimentSchema };

let compiled: ValidateFunction | null = null;

// Compiling takes a few milliseconds; a session validates one experiment, an editor many.
function validator(): ValidateFunction {
  if (!compiled) {
    const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false });
    ajv.addKeyword('markdownDescription');
    compiled = ajv.compile(experimentSchema);
  }
  return compiled;
}

/** Every structural problem of `raw`, in the order its keys appear; [] when it conforms. */
export function schemaErrors(raw: unknown, file: string | null): InputError[] {
  const validate = validator();
  if (validate(raw)) return [];
  const errors = validate.errors ?? [];
  // A key that is not allowed at all needs no report about what is wrong inside it.
  const banned = errors.filter((e) => e.keyword === 'false schema').map((e) => e.instancePath);
  const seen = new Set<string>();
  const out: InputError[] = [];
  for (const e of errors) {
    if (e.keyword !== 'false schema' && banned.some((b) => e.instancePath === b || e.instancePath.startsWith(`${b}/`))) continue;
    const t = translate(e);
    if (!t) continue;
    const id = `${t.path}\u0000${t.message}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(new InputError(t.message, { kind: 'json', file: file ?? undefined, path: t.path }));
  }
  // ajv reports unknown keys before bad values; a reader (and the CLI's first line) wants the file's order.
  const order = keyOrder(raw);
  const rank = (e: InputError) => {
    const parts = e.where?.kind === 'json' && e.where.path !== '' ? e.where.path.split('.') : [];
    for (let n = parts.length; n > 0; n--) {
      const r = order.get(parts.slice(0, n).join('.'));
      if (r !== undefined) return r;
    }
    return -1;
  };
  return out.map((e, i) => ({ e, i, r: rank(e) })).sort((a, b) => a.r - b.r || a.i - b.i).map((x) => x.e);
}

/** Dot path → position in a depth-first walk of the parsed value (JSON.parse keeps key order). */
function keyOrder(value: unknown, path = '', order = new Map<string, number>()): Map<string, number> {
  if (typeof value !== 'object' || value === null) return order;
  for (const [k, v] of Object.entries(value)) {
    const p = path === '' ? k : `${path}.${k}`;
    order.set(p, order.size);
    keyOrder(v, p, order);
  }
  return order;
}

/** `/model/layers/2` → `model.layers.2`. */
export function pointerToPath(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .join('.');
}

function join(path: string, key: string): string {
  return path === '' ? key : `${path}.${key}`;
}

const TOP_LEVEL_HINT =
  'an MLP experiment needs data, model, loss and training; an analytic problem needs problem and neumann';

function translate(e: ErrorObject): { path: string; message: string } | null {
  const path = pointerToPath(e.instancePath);
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
      return { path: join(path, key), message: `unknown key '${key}'${hint} (allowed here: ${allowed.join(', ')})` };
    }
    case 'required': {
      const key = String(p.missingProperty);
      const hint = path === '' ? ` (${TOP_LEVEL_HINT})` : '';
      return { path: join(path, key), message: `missing required key '${key}'${hint}` };
    }
    case 'false schema':
      return { path, message: notAllowed(path) };
    case 'type': {
      const want = String(p.type);
      const article = want === 'integer' || want === 'array' || want === 'object' ? 'an' : 'a';
      return { path, message: `must be ${article} ${want}${got}` };
    }
    case 'enum': {
      const options = (p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ');
      return { path, message: `must be one of ${options}${got}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path, message: `must be ${p.comparison} ${p.limit}${got}` };
    case 'minItems':
      return { path, message: `must have at least ${p.limit} entr${p.limit === 1 ? 'y' : 'ies'} (got ${(e.data as unknown[]).length})` };
    case 'minLength':
      return { path, message: 'must not be empty' };
    case 'uniqueItems':
      return { path, message: `must not repeat an entry (entries ${p.j} and ${p.i} are equal)` };
    default:
      return { path, message: `${e.message ?? 'is invalid'}${got}` };
  }
}

function notAllowed(path: string): string {
  const parts = path.split('.');
  const key = parts[parts.length - 1];
  if (parts.length === 1) return `'${key}' is not allowed in an analytic problem experiment (${TOP_LEVEL_HINT})`;
  if (path === 'neumann.vector') return "'neumann.vector' is only for problem experiments: an MLP's right-hand side is b = ∇_w L_V";
  if (path === 'data.train' || path === 'data.validation') return `'${key}' cannot be combined with 'data.synthetic': use CSV files or synthetic data`;
  if (path === 'problem.point') return "'point' belongs to kind \"sum-of-cubes\", not \"quadratic\"";
  if (path === 'problem.matrix' || path === 'problem.vector') return `'${key}' belongs to kind "quadratic", not "sum-of-cubes"`;
  return `'${key}' is not allowed here`;
}

/** A short rendering of a JSON value for messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
}

/** The allowed key within edit distance 2 of `key` (typos, wrong case), if any. */
function closest(key: string, allowed: string[]): string | null {
  let best: string | null = null;
  let bestD = 3;
  for (const a of allowed) {
    const d = editDistance(key.toLowerCase(), a.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = a;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
