/**
 * The few pieces TypeBox lacks for declaring a file format once: string enums written as JSON
 * Schema `enum` (VS Code completes them, ajv says "must be one of"), defaults whose value also
 * ends the key's hover text, keys that belong to some kinds of file only (turned into the
 * if/then/else rules VS Code and ajv both read), the type of a value once its defaults are
 * applied, and the plain JSON Schema a declaration stands for.
 */
import { Type, type SchemaOptions, type Static, type TArray, type TObject, type TOptional, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { formatJsonPath, type JsonPath } from './json-path';

/** Every key's hover text: plain (for tools without Markdown) and Markdown (VS Code). */
export interface Doc {
  description: string;
  markdownDescription: string;
}

export function doc(description: string, markdownDescription: string = description): Doc {
  return { description, markdownDescription };
}

/** A string that is one of `values`, typed as their union; `values` stay readable at run time. */
export function StringEnum<const V extends readonly string[]>(values: V, options: Doc & SchemaOptions): TUnsafe<V[number]> & { enum: V } {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options }) as TUnsafe<V[number]> & { enum: V };
}

/** An optional key with a default: the value is in the schema, the type knows it is there. */
export type Defaulted<T extends TSchema> = TOptional<T> & { default: Static<T> };

/**
 * `schema` with a default, appended to its hover texts ("Default `0`."), so the value is written
 * once. `lead` words the default ("for MLPs" → "Default for MLPs: …"); `silent` skips the sentence
 * (an object whose keys each carry their own default).
 */
export function withDefault<T extends TSchema>(schema: T, value: Static<T>, opts: { lead?: string; silent?: boolean } = {}): Defaulted<T> {
  const lead = opts.lead ? `Default ${opts.lead}: ` : 'Default ';
  const texts = opts.silent
    ? {}
    : {
        description: `${schema.description ?? ''} ${lead}${plainValue(value)}.`.trim(),
        markdownDescription: `${schema.markdownDescription ?? schema.description ?? ''} ${lead}${markdownValue(value)}.`.trim(),
      };
  return Type.Optional({ ...schema, default: value, ...texts }) as unknown as Defaulted<T>;
}

/** How a default reads in prose: `0.001` as `1e-3`, objects as `alpha: 1, terms: 10`. */
export function plainValue(v: unknown): string {
  if (typeof v === 'number') {
    const exp = v.toExponential().replace('e+', 'e');
    return Math.abs(v) < 1 && v !== 0 && exp.length <= String(v).length ? exp : String(v);
  }
  if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
    return Object.entries(v).map(([k, x]) => `${k}: ${plainValue(x)}`).join(', ');
  }
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export function markdownValue(v: unknown): string {
  return `\`${typeof v === 'string' ? JSON.stringify(v) : plainValue(v)}\``;
}

/**
 * A value of `T` after its defaults are applied: keys with a default are always present, other
 * optional keys stay optional. This is the type `applyDefaults` returns.
 */
export type Resolved<T extends TSchema> =
  T extends TObject<infer P>
    ? Flat<
        { -readonly [K in keyof P as P[K] extends { default: unknown } ? K : P[K] extends TOptional<TSchema> ? never : K]-?: Resolved<P[K]> } & {
          -readonly [K in keyof P as P[K] extends { default: unknown } ? never : P[K] extends TOptional<TSchema> ? K : never]?: Resolved<P[K]>;
        }
      >
    : T extends TArray<infer I>
      ? Resolved<I>[]
      : Static<T>;
type Flat<T> = { [K in keyof T]: T[K] };

/**
 * A validated value with every declared default filled in, recursively into objects and arrays
 * (a defaulted object gets its own keys' defaults too). Keys come in declaration order, whatever
 * the file's order, so every consumer sees one shape. The input is not changed.
 */
export function applyDefaults<T extends TSchema>(schema: T, value: Static<T>): Resolved<T> {
  return fill(schema, value) as Resolved<T>;
}

function fill(schema: TSchema, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => (schema.items ? fill(schema.items as TSchema, v) : structuredClone(v)));
  if (typeof value !== 'object' || value === null || schema.type !== 'object' || !schema.properties) return structuredClone(value);
  const given = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties as Record<string, TSchema>)) {
    const v = k in given ? given[k] : s.default;
    if (v !== undefined) out[k] = fill(s, v);
  }
  for (const [k, v] of Object.entries(given)) if (!(k in out)) out[k] = structuredClone(v);
  return out;
}

/** The property defaults of an object declaration, as a value (e.g. every analysis default). */
export function defaultsOf<P extends TObject>(schema: P): Resolved<P> {
  const out: Record<string, unknown> = {};
  for (const [k, s] of Object.entries(schema.properties)) if ((s as TSchema).default !== undefined) out[k] = structuredClone((s as TSchema).default);
  return out as Resolved<P>;
}

// ---------------------------------------------------------------------------------------------
// Kinds of file: one format, several shapes (an MLP experiment, an analytic problem, …).

/**
 * One shape of the format. The first kind whose `marker` key is present is the file's kind; the
 * kind without a marker is the default. `needs` are its required top-level keys; `subject` and
 * `place` word the messages ("an analytic problem needs …", "not allowed in an analytic problem
 * experiment").
 */
export interface KindRule<K extends string = string> {
  kind: K;
  marker: string | null;
  needs: readonly string[];
  subject: string;
  place: string;
}

/** Marks a key as belonging to some kinds only; `notAllowed` replaces the generated message. */
export function onlyIn<T extends TSchema, K extends string>(kinds: readonly K[], schema: T, notAllowed?: string): T {
  return { ...schema, [KINDS]: kinds, ...(notAllowed ? { [NOT_ALLOWED]: notAllowed } : {}) };
}
// Symbols, so they never reach the JSON Schema (JSON.stringify and ajv see string keys only).
const KINDS = Symbol('kinds');
const NOT_ALLOWED = Symbol('notAllowed');

/** The kind of a parsed file, by the same rule the generated schema applies. */
export function kindOf<K extends string>(kinds: readonly KindRule<K>[], raw: Record<string, unknown>): K {
  const marked = kinds.find((k) => k.marker !== null && raw[k.marker] !== undefined);
  return (marked ?? kinds.find((k) => k.marker === null)!).kind;
}

/** "an MLP experiment needs data, model, loss and training; an analytic problem needs problem and neumann". */
export function kindsHint(kinds: readonly KindRule[]): string {
  const and = (xs: readonly string[]) => (xs.length < 2 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);
  return kinds.map((k) => `${k.subject} needs ${and(k.needs)}`).join('; ');
}

/** A schema that rejects `key` (when present) with `message`, which VS Code and the loader both show. */
export function forbid(key: string, message: string): Record<string, unknown> {
  return { properties: { [key]: false }, errorMessage: message };
}

/**
 * Rules for an object whose `key` picks a variant: each variant requires its own keys and rejects
 * the other variants' keys ("'point' belongs to kind \"sum-of-cubes\", not \"quadratic\"").
 */
export function variants<V extends string>(key: string, table: Record<V, readonly string[]>): { allOf: Record<string, unknown>[] } {
  const entries = Object.entries(table) as [V, readonly string[]][];
  return {
    allOf: entries.map(([v, own]) => ({
      if: { properties: { [key]: { const: v } }, required: [key] },
      then: {
        required: [...own],
        allOf: entries
          .filter(([o]) => o !== v)
          .flatMap(([o, keys]) => keys.filter((k) => !own.includes(k)).map((k) => forbid(k, `'${k}' belongs to ${key} "${o}", not "${v}"`))),
      },
    })),
  };
}

/**
 * The if/then/else chain that gives each kind its required keys and rejects keys of other kinds.
 * Markers of kinds tested earlier in the chain are absent by construction, so they are not
 * rejected again.
 */
export function kindRules(root: TObject, kinds: readonly KindRule[]): Record<string, unknown> {
  const owned = ownedKeys(root);
  const fallback = kinds.find((k) => k.marker === null);
  if (!fallback || kinds.filter((k) => k.marker === null).length !== 1) throw new Error('exactly one kind must have no marker');
  const chain = [...kinds.filter((k) => k.marker !== null), fallback];
  const branch = (k: KindRule, i: number) => {
    const earlier = new Set(chain.slice(0, i).map((c) => c.marker));
    const forbids = owned
      .filter((o) => !o.kinds.includes(k.kind) && !(o.path.length === 1 && earlier.has(o.path[0] as string)))
      .map((o) => nested(o.path, o.notAllowed ?? defaultNotAllowed(o.path, k, kinds)));
    return { required: [...k.needs], ...(forbids.length > 0 ? { allOf: forbids } : {}) };
  };
  let rules: Record<string, unknown> = branch(fallback, chain.length - 1);
  for (let i = chain.length - 2; i >= 0; i--) rules = { if: { required: [chain[i].marker] }, then: branch(chain[i], i), else: rules };
  return rules;
}

function defaultNotAllowed(path: JsonPath, k: KindRule, kinds: readonly KindRule[]): string {
  const p = formatJsonPath(path);
  return path.length === 1 ? `'${p}' is not allowed in ${k.place} (${kindsHint(kinds)})` : `'${p}' is not allowed in ${k.place}`;
}

function nested(path: JsonPath, message: string): Record<string, unknown> {
  let s = forbid(String(path[path.length - 1]), message);
  for (let i = path.length - 2; i >= 0; i--) s = { properties: { [String(path[i])]: s } };
  return s;
}

/** Every key marked with `onlyIn`, with the kinds that take it (for the rules and the docs). */
export function ownedKeys(s: TObject, path: string[] = [], out: { path: string[]; kinds: readonly string[]; notAllowed?: string }[] = []): typeof out {
  for (const [k, v] of Object.entries(s.properties)) {
    const marks = v as TSchema & { [KINDS]?: readonly string[]; [NOT_ALLOWED]?: string };
    if (marks[KINDS]) out.push({ path: [...path, k], kinds: marks[KINDS], notAllowed: marks[NOT_ALLOWED] });
    if (v.type === 'object' && v.properties) ownedKeys(v as TObject, [...path, k], out);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

/** Key order of the written schema: what a reader looks for first comes first. */
const ORDER = [
  '$schema', '$id', 'title', 'description', 'markdownDescription', 'type', 'enum', 'enumDescriptions', 'const',
  'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'minLength', 'minItems', 'uniqueItems', 'default',
  'items', 'additionalProperties', 'required', 'properties', 'errorMessage', 'if', 'then', 'else', 'allOf',
];

/**
 * The plain JSON Schema of a declaration: string keys only (TypeBox's symbols dropped), in a
 * stable, readable order, nothing shared between places (so editing one never edits another).
 */
export function plainSchema(s: unknown): unknown {
  if (Array.isArray(s)) return s.map(plainSchema);
  if (typeof s !== 'object' || s === null) return s;
  const o = s as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => rank(a) - rank(b));
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === 'properties' || k === 'definitions') out[k] = mapValues(o[k] as Record<string, unknown>);
    else if (k === 'default' || k === 'const' || k === 'enum') out[k] = structuredClone(o[k]); // values, not schemas
    else out[k] = plainSchema(o[k]);
  }
  return out;
}

function mapValues(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, plainSchema(v)]));
}

function rank(key: string): number {
  const i = ORDER.indexOf(key);
  return i === -1 ? ORDER.length : i;
}
