/**
 * The few TypeBox pieces the report and the protocol messages are declared with. Each declaration
 * is one TypeBox schema: its Static type is the TypeScript type, the schema itself validates
 * (interpretively, `Check`/`Errors` from '@sinclair/typebox/value': the panel's CSP forbids
 * generated code) and becomes the published JSON Schema.
 */
import {
  Array as ArrayOf,
  Boolean as BooleanType,
  Integer,
  Kind,
  Literal,
  Null,
  Number as NumberType,
  Object as ObjectOf,
  Optional,
  Record,
  String as StringType,
  Tuple,
  TypeRegistry,
  Union,
  Unknown,
  Unsafe,
  type SchemaOptions,
  type TNull,
  type TSchema,
  type TUnion,
  type TUnsafe,
} from '@sinclair/typebox';

/**
 * The TypeBox builders the declarations use. Imported one by one because TypeBox's `Type`
 * namespace drags its whole type algebra (Extends, Omit, TemplateLiteral…) into the panel's bundle.
 */
export const T = {
  Array: ArrayOf,
  Boolean: BooleanType,
  Integer,
  Literal,
  Null,
  Number: NumberType,
  Object: ObjectOf,
  Optional,
  Record,
  String: StringType,
  Tuple,
  Union,
  Unknown,
};

/**
 * A number that may be ±Infinity or NaN. TypeBox's Number rejects them (its global
 * TypeSystemPolicy.AllowNaN, which is left alone so that other declarations keep finite numbers),
 * yet a diverging series measures exactly those (‖v_j‖ = Infinity) and the report must be able
 * to say so. In memory and on the worker channel (structured clone) they are numbers; JSON has no
 * such values and JSON.stringify writes null, which is why the published schema allows null.
 */
export const ANY_NUMBER_KIND = 'NeumannLens:AnyNumber';
if (!TypeRegistry.Has(ANY_NUMBER_KIND)) TypeRegistry.Set(ANY_NUMBER_KIND, (_schema, value) => typeof value === 'number');

export function AnyNumber(options: SchemaOptions = {}): TUnsafe<number> {
  return Unsafe<number>({ ...options, [Kind]: ANY_NUMBER_KIND, type: ['number', 'null'] });
}

/** `schema` or null. */
export function Nullable<T extends TSchema>(schema: T, options: SchemaOptions = {}): TUnion<[T, TNull]> {
  return Union([schema, Null()], options);
}

/** One of the given strings, typed as their union. */
export function OneOf<const V extends readonly [string, ...string[]]>(values: V, options: SchemaOptions = {}): TUnsafe<V[number]> {
  return Union(
    values.map((v) => Literal(v)),
    options,
  ) as unknown as TUnsafe<V[number]>;
}
