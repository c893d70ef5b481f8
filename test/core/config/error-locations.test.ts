// End to end: an experiment file with a mistake → the loader's error path (ajv's and load.ts's own
// checks) → the place in the file's text that path maps to, as the CLI and the editor show it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkExperiment } from '../../../src/core/config/load';
import { locateJsonPath, parseJsonStrict } from '../../../src/core/config/json-location';

const dir = mkdtempSync(join(tmpdir(), 'nl-locations-'));
writeFileSync(join(dir, 'train.csv'), 'a,b,y\n1,2,3\n');
const file = join(dir, 'e.neumann.json');

const mlp = (patch: Record<string, unknown>) => ({
  data: { synthetic: { kind: 'seed-regression', n: 100 } },
  model: { layers: [1, 8, 1], activation: 'relu' },
  loss: 'mse',
  training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
  ...patch,
});
const problem = (p: Record<string, unknown>) => ({ problem: p, neumann: { alpha: 1, terms: 5 } });

/** Every problem of the experiment as [path, the text at the place it maps to]. */
function places(value: unknown): Array<[string, string]> {
  const text = JSON.stringify(value, null, 2);
  const { problems } = checkExperiment(parseJsonStrict(text, file), file);
  return problems.map((e) => {
    assert.equal(e.where?.kind, 'json');
    const path = e.where?.kind === 'json' ? e.where.path : '';
    assert.ok(e.message.includes(` at ${path}: `), e.message);
    const r = locateJsonPath(text, path)!;
    const lines = text.split('\n');
    return [path, r.line === r.endLine ? lines[r.line].slice(r.column, r.endColumn) : `${lines[r.line].slice(r.column)}…`];
  });
}

test('schema errors inside arrays land on the element', () => {
  assert.deepEqual(places(mlp({ model: { layers: [1, 8, 0], activation: 'relu' } })), [['model.layers[2]', '0']]);
  assert.deepEqual(places(problem({ kind: 'quadratic', matrix: [[1, 'x'], [0, 1]], vector: [1, 1] })), [['problem.matrix[0][1]', '"x"']]);
});

test("load.ts's own checks land on the element too", () => {
  assert.deepEqual(places(mlp({ model: { layers: [1, 3], activation: 'relu' }, loss: 'binary-cross-entropy' })).slice(0, 1), [['model.layers[1]', '3']]);
  assert.deepEqual(places(problem({ kind: 'quadratic', matrix: [[1, 2], [3, 4]], vector: [1, 1] })), [['problem.matrix[0][1]', '2']]);
  assert.deepEqual(places(problem({ kind: 'quadratic', matrix: [[1, 2], [2]], vector: [1, 1] })), [['problem.matrix[1]', '[']]);
  const csv = mlp({ data: { train: { csv: 'train.csv', features: ['a'] }, validation: { csv: 'missing.csv' } }, model: { layers: [2, 1], activation: 'relu' } });
  assert.deepEqual(places(csv), [
    ['data.train.features', '"features"'],
    ['data.validation.csv', '"csv": "missing.csv"'],
  ]);
});

test('keys that are not plain names are quoted in the path and found in the file', () => {
  assert.deepEqual(places(mlp({ 'my key': 1 })), [['["my key"]', '"my key": 1']]);
  assert.deepEqual(places(mlp({ neumann: { alpha: 1, terms: 2, '0.weight': [1] } })), [['neumann["0.weight"]', '"0.weight"']]);
});

test('a missing key maps to its nearest existing parent', () => {
  assert.deepEqual(places(mlp({ training: { epochs: 1, batchSize: 2 } })), [['training.learningRate', '"training"']]);
  assert.deepEqual(places(problem({ kind: 'quadratic', matrix: [[1]] })), [['problem.vector', '"problem"']]);
});
