/**
 * PyTorch `nn.Sequential` state_dict ⇄ the flat parameter vector in PyTorch order (for each
 * Linear layer: weight [out, in] row-major, then bias). The JSON is what
 * `json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)` writes. Linear layers
 * sit at increasing integer prefixes (0, 2, 4 … when activations are between them); any
 * increasing prefixes are accepted and taken in numeric order.
 */
import { InputError } from '../errors';
import { readInputFile } from '../config/input-file';
import { parseJsonStrict } from '../config/json-location';
import { checkParamVector, layerSlots, paramCount } from './mlp';

/** Reads a state_dict JSON file (see importStateDict); unreadable files and bad JSON are InputErrors naming it. */
export function readStateDictFile(file: string, layers: number[]): Float64Array {
  return importStateDict(parseJsonStrict(readInputFile(file, 'state_dict file'), file), layers, file);
}

/**
 * Reads a state_dict object into the flat vector. `file` names the source in messages. Every
 * key must be `<index>.weight` or `<index>.bias`; each index needs both; shapes are checked
 * against `layers` and every entry must be a finite number.
 */
export function importStateDict(json: unknown, layers: number[], file: string): Float64Array {
  const where = { kind: 'file' as const, file };
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InputError(`a state_dict must be a JSON object of tensors (keys like '0.weight'), found ${describe(json)}`, where);
  }
  const dict = json as Record<string, unknown>;
  const byIndex = new Map<number, { weight?: string; bias?: string }>();
  for (const key of Object.keys(dict)) {
    const m = /^(\d+)\.(weight|bias)$/.exec(key);
    if (!m) {
      throw new InputError(`unexpected key '${key}': expected '<layer index>.weight' or '<layer index>.bias' of nn.Linear layers`, where);
    }
    const entry = byIndex.get(Number(m[1])) ?? {};
    entry[m[2] as 'weight' | 'bias'] = key;
    byIndex.set(Number(m[1]), entry);
  }
  const indices = [...byIndex.keys()].sort((a, b) => a - b);
  const linears = layers.length - 1;
  const expectedKeys = () => expectedIndexHint(linears);
  if (indices.length < linears) {
    const have = indices.length === 0 ? 'none' : indices.map((i) => `${i}`).join(', ');
    throw new InputError(
      `missing keys: the model [${layers.join(', ')}] has ${linears} Linear layers but the state_dict has ${indices.length} (layer indices: ${have}); expected keys like ${expectedKeys()}`,
      where,
    );
  }
  if (indices.length > linears) {
    const extra = indices.slice(linears).flatMap((i) => keysOf(byIndex.get(i)!));
    throw new InputError(
      `extra keys ${extra.map((k) => `'${k}'`).join(', ')}: the model [${layers.join(', ')}] has only ${linears} Linear layers`,
      where,
    );
  }

  const w = new Float64Array(paramCount(layers));
  let offset = 0;
  indices.forEach((index, l) => {
    const entry = byIndex.get(index)!;
    const out = layers[l + 1];
    const inp = layers[l];
    for (const part of ['weight', 'bias'] as const) {
      const key = entry[part];
      if (key === undefined) throw new InputError(`missing key '${index}.${part}' (layer ${index} has only '${keysOf(entry).join("', '")}')`, where);
      const expected = part === 'weight' ? [out, inp] : [out];
      offset = copyTensor(dict[key], key, expected, w, offset, where);
    }
  });
  return w;
}

/** One tensor of the flat vector: its state_dict name, where it sits, and its shape. */
export interface ParameterTensor {
  name: string;
  offset: number;
  size: number;
  shape: number[];
}

/** Named tensors in flattening order (e.g. a PyTorch model's named_parameters()), each after the one before. */
export function tensorsInOrder(named: readonly { name: string; shape: readonly number[] }[]): ParameterTensor[] {
  let offset = 0;
  return named.map(({ name, shape }) => {
    const size = shape.reduce((n, d) => n * d, 1);
    const t = { name, offset, size, shape: [...shape] };
    offset += size;
    return t;
  });
}

/**
 * The MLP's tensors in vector order, named as the exported state_dict names them (Linear layers
 * at 0, 2, 4 … with activations between): '0.weight' [out, in], '0.bias' [out], '2.weight', …
 */
export function parameterTensors(layers: readonly number[]): ParameterTensor[] {
  return layerSlots(layers).flatMap((s, l) => [
    { name: `${2 * l}.weight`, offset: s.weightOffset, size: s.inputs * s.outputs, shape: [s.outputs, s.inputs] },
    { name: `${2 * l}.bias`, offset: s.biasOffset, size: s.outputs, shape: [s.outputs] },
  ]);
}

/** The flat vector as a state_dict object with keys 0, 2, 4 … (Linear layers with activations between). */
export function exportStateDict(w: Float64Array, layers: number[]): Record<string, number[] | number[][]> {
  checkParamVector(layers, w, 'exportStateDict: the vector');
  const out: Record<string, number[] | number[][]> = {};
  for (const t of parameterTensors(layers)) {
    const data = w.subarray(t.offset, t.offset + t.size);
    if (t.shape.length === 1) {
      out[t.name] = Array.from(data);
      continue;
    }
    const [rows, cols] = t.shape;
    out[t.name] = Array.from({ length: rows }, (_, r) => Array.from(data.subarray(r * cols, (r + 1) * cols)));
  }
  return out;
}

function copyTensor(
  value: unknown,
  key: string,
  expected: number[],
  w: Float64Array,
  offset: number,
  where: { kind: 'file'; file: string },
): number {
  const found = shapeOf(value);
  if (found === null || found.length !== expected.length || found.some((d, i) => d !== expected[i])) {
    const foundText = found === null ? `a ragged or non-array value (${describe(value)})` : `[${found.join(', ')}]`;
    throw new InputError(`key '${key}': expected shape [${expected.join(', ')}], found ${foundText}`, where);
  }
  const flat = expected.length === 1 ? (value as unknown[]) : (value as unknown[][]).flat();
  for (let i = 0; i < flat.length; i++) {
    const v = flat[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      const pos = expected.length === 1 ? `[${i}]` : `[${Math.floor(i / expected[1])}][${i % expected[1]}]`;
      throw new InputError(`key '${key}': entry ${pos} is ${describe(v)}, expected a finite number`, where);
    }
    w[offset + i] = v;
  }
  return offset + flat.length;
}

/** Shape of a nested array of equal-length rows (scalars have shape []); null if ragged. */
function shapeOf(value: unknown): number[] | null {
  if (!Array.isArray(value)) return [];
  if (value.length === 0) return [0];
  const inner = shapeOf(value[0]);
  if (inner === null) return null;
  for (let i = 1; i < value.length; i++) {
    const s = shapeOf(value[i]);
    if (s === null || s.length !== inner.length || s.some((d, j) => d !== inner[j])) return null;
  }
  return [value.length, ...inner];
}

function keysOf(entry: { weight?: string; bias?: string }): string[] {
  return [entry.weight, entry.bias].filter((k): k is string => k !== undefined);
}

function expectedIndexHint(linears: number): string {
  const idx = Array.from({ length: Math.min(linears, 3) }, (_, l) => 2 * l);
  return idx.map((i) => `'${i}.weight', '${i}.bias'`).join(', ') + (linears > 3 ? ' …' : '');
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? v.slice(0, 20) + '…' : v)}`;
  if (typeof v === 'number') return String(v);
  return `a ${typeof v}`;
}

/**
 * The flat vector as named tensors (a PyTorch model's named_parameters(), in their order, each
 * row-major): what `model.load_state_dict({k: torch.tensor(v) …}, strict=False)` reads back
 * (strict=False because buffers such as BatchNorm's running statistics are not parameters).
 */
export function exportNamedTensors(w: Float64Array, tensors: readonly { name: string; shape: readonly number[] }[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (offset + size > w.length) throw new RangeError(`exportNamedTensors: ${t.name} [${t.shape.join(', ')}] runs past the ${w.length} values`);
    out[t.name] = nest(w.subarray(offset, offset + size), t.shape);
    offset += size;
  }
  if (offset !== w.length) throw new RangeError(`exportNamedTensors: the tensors hold ${offset} values, the vector ${w.length}`);
  return out;
}

function nest(flat: Float64Array, shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  if (shape.length === 1) return Array.from(flat);
  const inner = shape.slice(1);
  const stride = inner.reduce((a, b) => a * b, 1);
  return Array.from({ length: shape[0] }, (_, i) => nest(flat.subarray(i * stride, (i + 1) * stride), inner));
}
