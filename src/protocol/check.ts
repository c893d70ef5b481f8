/**
 * Checks a received value against its declaration (a TypeBox schema from ./messages.ts,
 * ./webview.ts or the report) and words the first problem with the field's path in the project's
 * one path format (core/config/json-path.ts: keys joined by dots, array indices in brackets, other
 * keys quoted in brackets: `report.neumann.termNorms[3]`, `message.options`). Interpretive (Check/Errors), so it runs
 * under the panel's CSP, which forbids generated code.
 *
 * TypeBox reports a failed union as a whole; for the unions the protocol uses this descends into
 * the branch that was meant — the variant whose `type` the message names, the non-null side of a
 * nullable — so the problem names the field, not just the message.
 */
import { Kind, type TLiteral, type TObject, type TSchema, type TUnion } from '@sinclair/typebox';
import { Errors, ValueErrorType, type ValueError } from '@sinclair/typebox/errors';
import { Check } from '@sinclair/typebox/value';
import { formatJsonPath, pointerToJsonPath, type JsonPath } from '../core/config/json-path';
import { ANY_NUMBER_KIND } from '../core/util/typebox';

/** null when `value` is a `schema`; else `<root><path>: <what was expected>, got <what came>`. */
export function problemIn(schema: TSchema, value: unknown, root: string): string | null {
  if (Check(schema, value)) return null;
  const p = firstProblem(schema, value, []);
  return `${formatJsonPath([root, ...p.path])}: ${p.message}`;
}

interface Found {
  path: JsonPath;
  message: string;
}

function firstProblem(schema: TSchema, value: unknown, at: JsonPath): Found {
  const e = Errors(schema, value).First();
  if (!e) return { path: at, message: `expected ${expected(schema)}` };
  const path = [...at, ...pointerToJsonPath(e.path, value)];
  if (e.type === ValueErrorType.Union) return inUnion(e.schema as TUnion, e.value, path);
  return { path, message: describe(e) };
}

function inUnion(union: TUnion, value: unknown, path: JsonPath): Found {
  const key = discriminator(union);
  if (key !== null) {
    const tags = union.anyOf.map((m) => ((m as TObject).properties[key] as TLiteral).const);
    const names = tags.map((t) => JSON.stringify(t)).join(', ');
    if (!isRecord(value)) return { path, message: `expected an object with "${key}" one of ${names}, got ${show(value)}` };
    const tag = value[key];
    if (tag === undefined) return { path: [...path, key], message: `missing (expected one of ${names})` };
    const i = tags.indexOf(tag as string);
    if (i < 0) {
      const what = typeof tag === 'string' ? `unknown ${key} ${JSON.stringify(tag)}` : `got ${show(tag)}`;
      return { path: [...path, key], message: `${what} (expected one of ${names})` };
    }
    return firstProblem(union.anyOf[i], value, path);
  }
  const others = union.anyOf.filter((s) => s[Kind] !== 'Null');
  if (value !== null && others.length === 1 && others.length < union.anyOf.length) {
    const inner = firstProblem(others[0], value, path);
    // The value itself is of the wrong kind: say that null would do too.
    return inner.path.length === path.length ? { path, message: `expected ${expected(union)}, got ${show(value)}` } : inner;
  }
  return { path, message: `expected ${expected(union)}, got ${show(value)}` };
}

/** The key (`type`, `kind`) whose string literal tells a tagged union's members apart, else null. */
function discriminator(union: TUnion): string | null {
  if (!union.anyOf.every((m) => m[Kind] === 'Object')) return null;
  const literal = (m: TSchema, k: string): string | null => {
    const p = (m as TObject).properties[k] as TSchema | undefined;
    return p?.[Kind] === 'Literal' && typeof (p as TLiteral).const === 'string' ? ((p as TLiteral).const as string) : null;
  };
  for (const k of ['type', 'kind']) {
    const tags = union.anyOf.map((m) => literal(m, k));
    if (tags.every((t) => t !== null) && new Set(tags).size === tags.length) return k;
  }
  return null;
}

function describe(e: ValueError): string {
  if (e.type === ValueErrorType.ObjectRequiredProperty) return `missing (expected ${expected(e.schema)})`;
  if (e.type === ValueErrorType.ObjectAdditionalProperties) {
    const known = Object.keys((e.schema as TObject).properties).map((k) => JSON.stringify(k));
    return `unknown field (expected one of ${known.join(', ')})`;
  }
  if (e.type === ValueErrorType.TupleLength && Array.isArray(e.value)) return `expected ${expected(e.schema)}, got ${e.value.length} entries`;
  const kindMismatch = [
    ValueErrorType.Array, ValueErrorType.Boolean, ValueErrorType.Integer, ValueErrorType.Kind, ValueErrorType.Literal,
    ValueErrorType.Null, ValueErrorType.Number, ValueErrorType.Object, ValueErrorType.String, ValueErrorType.Tuple,
  ];
  if (kindMismatch.includes(e.type)) return `expected ${expected(e.schema)}, got ${show(e.value)}`;
  return `${e.message.charAt(0).toLowerCase()}${e.message.slice(1)}, got ${show(e.value)}`;
}

/** What a schema accepts, in words. */
function expected(s: TSchema): string {
  switch (s[Kind]) {
    case ANY_NUMBER_KIND:
    case 'Number':
      return 'a number';
    case 'Integer':
      return 'an integer';
    case 'String':
      return 'a string';
    case 'Boolean':
      return 'a boolean';
    case 'Null':
      return 'null';
    case 'Literal':
      return JSON.stringify((s as TLiteral).const);
    case 'Array':
      return 'an array';
    case 'Tuple':
      return `an array of ${s.maxItems ?? 0} entries${s.description ? ` (${s.description})` : ''}`;
    case 'Object':
    case 'Record':
      return 'an object';
    case 'Union': {
      const members = (s as TUnion).anyOf;
      if (members.every((m) => m[Kind] === 'Literal')) return `one of ${members.map(expected).join(', ')}`;
      return members.map(expected).join(' or ');
    }
    default:
      return 'a value';
  }
}

/** A received value, briefly: never its whole content (a report can be megabytes). */
function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (typeof v === 'string') return v.length > 40 ? `${JSON.stringify(v.slice(0, 40))}…` : JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `an array of ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
