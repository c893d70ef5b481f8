import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportStateDict, importStateDict, parameterTensors, readStateDictFile } from '../../../src/core/model/state-dict';
import { paramCount } from '../../../src/core/model/mlp';
import { InputError } from '../../../src/core/errors';
import { Rng } from '../../../src/core/util/rng';

const F = 'weights.json';

function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.where?.kind === 'file' && e.where.file, F);
    for (const f of fragments) assert.ok(e.message.includes(f), `'${e.message}' should contain '${f}'`);
    return true;
  });
}

test('PyTorch order: weight [out,in] row-major then bias, per Linear layer', () => {
  // nn.Sequential(Linear(2,3), ReLU(), Linear(3,1)) as json.dump({k: v.tolist()}) writes it.
  const dict = {
    '0.weight': [[1, 2], [3, 4], [5, 6]],
    '0.bias': [7, 8, 9],
    '2.weight': [[10, 11, 12]],
    '2.bias': [13],
  };
  const w = importStateDict(dict, [2, 3, 1], F);
  assert.deepEqual(Array.from(w), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.equal(paramCount([2, 3, 1]), 13);
  assert.equal(paramCount([1, 8, 4, 1]), 16 + 36 + 5);
});

test('matches real PyTorch: the seed model state_dict imports to torch.cat(p.view(-1) for p in parameters())', () => {
  // Written by fixtures/make_torch_state_dict.py with PyTorch itself (see there).
  const fixture = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'torch-seed-model.json'), 'utf8'));
  const w = importStateDict(fixture.stateDict, fixture.layers, F);
  assert.equal(w.length, 57);
  assert.deepEqual(Array.from(w), fixture.flat);
  assert.deepEqual(exportStateDict(w, fixture.layers), fixture.stateDict);
});

test('round trip export → JSON → import gives the same vector', () => {
  const layers = [1, 8, 4, 1];
  const w = new Rng(1).normalVector(paramCount(layers));
  const dict = exportStateDict(w, layers);
  assert.deepEqual(Object.keys(dict), ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  assert.equal((dict['2.weight'] as number[][]).length, 4);
  assert.equal((dict['2.weight'] as number[][])[0].length, 8);
  const back = importStateDict(JSON.parse(JSON.stringify(dict)), layers, F);
  assert.deepEqual(Array.from(back), Array.from(w));
});

test('parameter tensors: the exported names and shapes, tiling the flat vector in order', () => {
  const layers = [3, 4, 2];
  const tensors = parameterTensors(layers);
  const dict = exportStateDict(new Rng(2).normalVector(paramCount(layers)), layers);
  assert.deepEqual(tensors.map((t) => t.name), Object.keys(dict));
  assert.deepEqual(tensors.map((t) => t.shape), [[4, 3], [4], [2, 4], [2]]);
  let next = 0;
  for (const t of tensors) {
    assert.equal(t.offset, next);
    assert.equal(t.size, t.shape.reduce((a, b) => a * b, 1));
    next += t.size;
  }
  assert.equal(next, paramCount(layers));
});

test('any increasing integer prefixes, taken in numeric order whatever the key order', () => {
  const dict = { '10.bias': [4], '10.weight': [[3]], '1.weight': [[1]], '1.bias': [2] };
  assert.deepEqual(Array.from(importStateDict(dict, [1, 1, 1], F)), [1, 2, 3, 4]);
});

test('shape mismatch names the key and both shapes', () => {
  const layers = [2, 3, 1];
  const good = exportStateDict(new Float64Array(paramCount(layers)), layers);
  throwsWith(() => importStateDict({ ...good, '0.weight': [[1, 2, 3], [4, 5, 6]] }, layers, F), "'0.weight'", 'expected shape [3, 2]', 'found [2, 3]');
  throwsWith(() => importStateDict({ ...good, '2.bias': [1, 2] }, layers, F), "'2.bias'", 'expected shape [1]', 'found [2]');
  throwsWith(() => importStateDict({ ...good, '0.bias': [[1, 2, 3]] }, layers, F), "'0.bias'", 'expected shape [3]', 'found [1, 3]');
  throwsWith(() => importStateDict({ ...good, '0.weight': [[1, 2], [3], [4, 5]] }, layers, F), "'0.weight'", 'ragged');
});

test('missing, extra and malformed keys', () => {
  const layers = [2, 3, 1];
  const good = exportStateDict(new Float64Array(paramCount(layers)), layers);
  const { ['2.bias']: _, ...noBias } = good;
  throwsWith(() => importStateDict(noBias, layers, F), "missing key '2.bias'");
  const { ['2.bias']: _b, ['2.weight']: _w, ...oneLayer } = good;
  throwsWith(() => importStateDict(oneLayer, layers, F), 'missing keys', '2 Linear layers', 'layer indices: 0');
  throwsWith(() => importStateDict({ ...good, '4.weight': [[1]], '4.bias': [1] }, layers, F), "extra keys '4.weight', '4.bias'");
  throwsWith(() => importStateDict({ ...good, 'fc.weight': [[1]] }, layers, F), "unexpected key 'fc.weight'");
  throwsWith(() => importStateDict([1, 2], layers, F), 'must be a JSON object');
});

test('non-numeric entries are named by position', () => {
  const layers = [2, 1];
  throwsWith(() => importStateDict({ '0.weight': [[1, 'a']], '0.bias': [0] }, layers, F), "'0.weight'", 'entry [0][1]', 'the string "a"');
  throwsWith(() => importStateDict({ '0.weight': [[1, 2]], '0.bias': [null] }, layers, F), "'0.bias'", 'entry [0] is null');
});

test('readStateDictFile: missing file and JSON syntax errors are located', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-sd-'));
  const missing = join(dir, 'none.json');
  assert.throws(() => readStateDictFile(missing, [1, 1]), (e: unknown) => e instanceof InputError && e.where?.kind === 'file' && e.where.file === missing);
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, '{\n  "0.weight": [[1]],\n  "0.bias": [1],\n}\n');
  assert.throws(
    () => readStateDictFile(bad, [1, 1]),
    (e: unknown) => e instanceof InputError && e.where?.kind === 'file' && e.where.line === 4 && e.where.column === 1,
  );
  const ok = join(dir, 'ok.json');
  writeFileSync(ok, JSON.stringify({ '0.weight': [[0.5]], '0.bias': [-1] }));
  assert.deepEqual(Array.from(readStateDictFile(ok, [1, 1])), [0.5, -1]);
});
