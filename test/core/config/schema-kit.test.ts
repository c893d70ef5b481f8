import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { compileSchema } from '../../../src/core/config/ajv';
import {
  applyDefaults,
  defaultsOf,
  doc,
  kindOf,
  kindRules,
  kindsHint,
  onlyIn,
  plainSchema,
  plainValue,
  StringEnum,
  variants,
  withDefault,
  type KindRule,
  type Resolved,
} from '../../../src/core/config/schema-kit';

test('a default is written once: in the schema and at the end of both hover texts', () => {
  const s = withDefault(Type.Number(doc('Step.', 'Step `α`.')), 0.001);
  assert.equal(s.default, 0.001);
  assert.equal(s.description, 'Step. Default 1e-3.');
  assert.equal(s.markdownDescription, 'Step `α`. Default `1e-3`.');
  assert.equal(withDefault(Type.String(doc('Column.')), 'y').markdownDescription, 'Column. Default `"y"`.');
  assert.equal(withDefault(Type.Object({}, doc('Block.')), { a: 1 }, { lead: 'for MLPs' }).description, 'Block. Default for MLPs: a: 1.');
  assert.equal(withDefault(Type.Object({}, doc('Block.')), {}, { silent: true }).description, 'Block.');
  assert.deepEqual([plainValue(500), plainValue(0.01), plainValue(0.5), plainValue(1e-12), plainValue(true)], ['500', '1e-2', '0.5', '1e-12', 'true']);
});

test('defaults fill in recursively, in declaration order, without touching the input', () => {
  const Inner = Type.Object({ a: Type.Number(), b: withDefault(Type.Number(doc('b')), 2) });
  const Outer = Type.Object({
    first: withDefault(Type.Integer(doc('f')), 0),
    inner: withDefault(Inner, { a: 1 }),
    rows: Type.Optional(Type.Array(Type.Object({ t: withDefault(Type.String(doc('t')), 'y') }))),
    plain: Type.Optional(Type.String()),
  });
  const given = { rows: [{}, { t: 'z' }], inner: { b: 5, a: 3 } };
  const out: Resolved<typeof Outer> = applyDefaults(Outer, given as never);
  // The type knows which keys a default guarantees (checked before deepEqual narrows `out`).
  const b: number = out.inner.b;
  const plain: string | undefined = out.plain;
  assert.equal(typeof b === 'number' && plain === undefined, true);
  assert.deepEqual(out, { first: 0, inner: { a: 3, b: 5 }, rows: [{ t: 'y' }, { t: 'z' }] });
  assert.deepEqual(Object.keys(out.inner), ['a', 'b']);
  assert.deepEqual(applyDefaults(Outer, {} as never), { first: 0, inner: { a: 1, b: 2 } });
  assert.deepEqual(given, { rows: [{}, { t: 'z' }], inner: { b: 5, a: 3 } });
  assert.deepEqual(defaultsOf(Inner), { b: 2 });
});

// A format with a third kind, as the PyTorch bridge adds one: the block is declared with the kinds
// that take it, the kind is one row; the rules, messages and kind detection follow.
const kinds = [
  { kind: 'mlp', marker: null, needs: ['model'], subject: 'an MLP experiment', place: 'an MLP experiment' },
  { kind: 'problem', marker: 'problem', needs: ['problem'], subject: 'an analytic problem', place: 'an analytic problem experiment' },
  { kind: 'pytorch', marker: 'pytorch', needs: ['pytorch'], subject: 'a PyTorch experiment', place: 'a PyTorch experiment' },
] as const satisfies readonly KindRule[];
const root = Type.Object(
  {
    model: Type.Optional(onlyIn(['mlp'], Type.Object({ width: Type.Integer() }))),
    training: Type.Optional(onlyIn(['mlp', 'pytorch'], Type.Object({}))),
    problem: Type.Optional(onlyIn(['problem'], Type.Object({ kind: StringEnum(['a', 'b'], doc('k')), x: Type.Optional(Type.Number()), y: Type.Optional(Type.Number()) }, variants('kind', { a: ['x'], b: ['y'] })))),
    pytorch: Type.Optional(onlyIn(['pytorch'], Type.Object({ file: Type.String() }))),
    neumann: Type.Optional(Type.Object({ vector: Type.Optional(onlyIn(['problem'], Type.Array(Type.Number()), 'vector is for problems')) })),
  },
  { additionalProperties: false },
);
const schema = plainSchema(Object.assign(root, kindRules(root, kinds))) as Record<string, unknown>;
const validate = compileSchema(schema);
function rejections(value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword === 'false schema' || e.keyword === 'required')
    .map((e) => (e.keyword === 'required' ? `${e.instancePath} needs ${String(e.params.missingProperty)}` : `${e.instancePath} ${errorMessageAt(e.schemaPath)}`));
}
function errorMessageAt(schemaPath: string): string {
  let node: unknown = schema;
  let message = '';
  for (const s of schemaPath.slice(2).split('/')) {
    const m = (node as { errorMessage?: string } | undefined)?.errorMessage;
    if (m) message = m;
    node = (node as Record<string, unknown> | undefined)?.[s];
  }
  return message;
}

test('kinds: each requires its keys and rejects the keys of the others, with a message', () => {
  assert.deepEqual(rejections({ model: { width: 1 }, training: {} }), []);
  assert.deepEqual(rejections({ pytorch: { file: 'p.py' }, training: {} }), []);
  assert.deepEqual(rejections({ pytorch: { file: 'p.py' }, model: { width: 1 } }), [
    `/model 'model' is not allowed in a PyTorch experiment (${kindsHint(kinds)})`,
  ]);
  assert.deepEqual(rejections({ problem: { kind: 'a', x: 1 }, pytorch: { file: 'p.py' }, training: {} }).sort(), [
    `/pytorch 'pytorch' is not allowed in an analytic problem experiment (${kindsHint(kinds)})`,
    `/training 'training' is not allowed in an analytic problem experiment (${kindsHint(kinds)})`,
  ]);
  assert.deepEqual(rejections({ model: { width: 1 }, neumann: { vector: [1] } }), ['/neumann/vector vector is for problems']);
  assert.deepEqual(rejections({ pytorch: { file: 'p.py' }, neumann: { vector: [1] } }), ['/neumann/vector vector is for problems']);
  assert.deepEqual(rejections({}), [' needs model']);
  assert.deepEqual(rejections({ pytorch: {} }), ['/pytorch needs file']);
  assert.equal(kindsHint(kinds), 'an MLP experiment needs model; an analytic problem needs problem; a PyTorch experiment needs pytorch');
  assert.deepEqual([kindOf(kinds, {}), kindOf(kinds, { problem: {} }), kindOf(kinds, { pytorch: {} }), kindOf(kinds, { problem: {}, pytorch: {} })], ['mlp', 'problem', 'pytorch', 'problem']);
});

test('variants: the discriminator picks the required keys and rejects the others', () => {
  assert.deepEqual(rejections({ problem: { kind: 'a', x: 1 } }), []);
  assert.deepEqual(rejections({ problem: { kind: 'a', y: 1 } }).sort(), ['/problem needs x', `/problem/y 'y' belongs to kind "b", not "a"`]);
  assert.deepEqual(rejections({ problem: { kind: 'b', y: 1 } }), []);
});

test('the written schema holds no TypeBox internals and orders keys for readers', () => {
  const text = JSON.stringify(schema);
  assert.doesNotMatch(text, /kinds|notAllowed/);
  const e = plainSchema(StringEnum(['x'], { ...doc('d', 'm'), default: 'x' })) as object;
  assert.deepEqual(Object.keys(e), ['description', 'markdownDescription', 'type', 'enum', 'default']);
  assert.equal(Object.getOwnPropertySymbols(e).length, 0);
});
