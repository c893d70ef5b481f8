import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaErrors } from '../../../src/core/config/schema';
import { Activation, EXPERIMENT_JSON_SCHEMA, Loss } from '../../../src/core/config/experiment-schema';
import { readExperimentFile } from '../../../src/core/config/load';
import { ACTIVATIONS, LOSSES } from '../../../src/core/model/mlp';

const root = join(__dirname, '..', '..', '..');
type Schema = Record<string, unknown> & { properties?: Record<string, Schema> };

/** Every object schema reachable through properties and items. */
function objectSchemas(s: unknown, path: string, out: Array<{ path: string; schema: Schema }> = []): typeof out {
  if (typeof s !== 'object' || s === null) return out;
  const o = s as Schema;
  if (o.type === 'object') out.push({ path, schema: o });
  for (const [k, v] of Object.entries(o.properties ?? {})) objectSchemas(v, path === '' ? k : `${path}.${k}`, out);
  if (o.items) objectSchemas(o.items, `${path}[]`, out);
  return out;
}

test('every object forbids unknown keys and every property has description and markdownDescription', () => {
  const objects = objectSchemas(EXPERIMENT_JSON_SCHEMA, '');
  assert.ok(objects.length >= 10, `found ${objects.length} object schemas`);
  let properties = 0;
  for (const { path, schema } of objects) {
    assert.equal(schema.additionalProperties, false, `${path || '(root)'} must set additionalProperties: false`);
    for (const [key, prop] of Object.entries(schema.properties ?? {})) {
      properties++;
      assert.equal(typeof prop.description, 'string', `${path}.${key} needs a description`);
      assert.equal(typeof prop.markdownDescription, 'string', `${path}.${key} needs a markdownDescription`);
    }
  }
  assert.ok(properties >= 40, `only ${properties} properties`);
});

test('a declared default ends its hover text, in both forms', () => {
  const p = (EXPERIMENT_JSON_SCHEMA as Schema).properties!;
  assert.match(String(p.seed.description), /\. Default 0\.$/);
  assert.match(String(p.seed.markdownDescription), /\. Default `0`\.$/);
  const analysis = p.analysis.properties!;
  assert.match(String(analysis.tolerance.description), / Default 1e-3\.$/);
  assert.match(String(analysis.stationarityTolerance.markdownDescription), / Default `1e-2`\.$/);
  assert.match(String(analysis.powerIteration.markdownDescription), / Default `true`\.$/);
  const csv = p.data.properties!.train.properties!;
  assert.match(String(csv.target.markdownDescription), / Default `"y"`\.$/);
  assert.match(String(p.neumann.description), / Default for MLPs \(the motivating snippet\): alpha: 1, terms: 10\.$/);
});

test('the model code accepts exactly the declared activations and losses', () => {
  assert.deepEqual([...ACTIVATIONS], [...Activation.enum]);
  assert.deepEqual([...LOSSES], [...Loss.enum]);
});

test('every example validates and carries no relative $schema (copies would not resolve it; the extension attaches the schema)', () => {
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.neumann.json'));
  assert.deepEqual(examples.sort(), [
    'hyper-logistic-regression.neumann.json',
    'logistic-regression.neumann.json',
    'pytorch-model.neumann.json',
    'seed-regression.neumann.json',
    'seed-toy-cubic.neumann.json',
    'tanh-classifier.neumann.json',
  ]);
  for (const f of [...examples, 'pytorch-seed/pytorch-seed.neumann.json', 'pytorch-seed/bridge.neumann.json']) {
    const file = join(root, 'examples', f);
    const raw = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(raw.$schema, undefined, f);
    assert.deepEqual(schemaErrors(raw, file), [], f);
    readExperimentFile(file); // semantic checks and file existence too
  }
});

const mlp = () => ({
  data: { synthetic: { kind: 'seed-regression', n: 100 } },
  model: { layers: [1, 8, 1], activation: 'relu' },
  loss: 'mse',
  training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
});

function errorsOf(raw: unknown): Array<[string, string]> {
  return schemaErrors(raw, 'e.json').map((e) => [e.where?.kind === 'json' ? e.where.path : '?', e.message]);
}

function hasError(raw: unknown, path: string, fragment: string): void {
  const errs = errorsOf(raw);
  assert.ok(
    errs.some(([p, m]) => p === path && m.includes(fragment)),
    `expected an error at ${path} containing '${fragment}', got ${JSON.stringify(errs)}`,
  );
}

test('unknown keys are rejected at their own path, with a suggestion', () => {
  hasError({ ...mlp(), colour: 1 }, 'colour', "unknown key 'colour'");
  hasError({ ...mlp(), training: { epochs: 1, batchSize: 32, learningrate: 0.1 } }, 'training.learningrate', "did you mean 'learningRate'");
  hasError({ ...mlp(), analysis: { lanczos: 3 } }, 'analysis.lanczos', 'unknown key');
  hasError({ ...mlp(), data: { train: { csv: 'a.csv', colum: 'y' }, validation: { csv: 'b.csv' } } }, 'data.train.colum', 'unknown key');
});

test('a misspelt required key is one problem, the misspelling with its suggestion, not also "missing"', () => {
  const only = (raw: unknown, path: string, fragment: string) => {
    const errs = errorsOf(raw);
    assert.equal(errs.length, 1, JSON.stringify(errs));
    assert.equal(errs[0][0], path);
    assert.ok(errs[0][1].includes(fragment), errs[0][1]);
  };
  only({ ...mlp(), training: { epochs: 1, batchSize: 32, learningrate: 0.1 } }, 'training.learningrate', "unknown key 'learningrate'; did you mean 'learningRate'?");
  only({ name: 't', pytorch: { flie: 'p.py' }, weightDecay: 0.1, neumann: { alpha: 1, terms: 5 } }, 'pytorch.flie', "did you mean 'file'?");
  // A suggestion for a key that is there already leaves a missing one alone.
  const both = errorsOf({ ...mlp(), training: { epochs: 1, epoch: 2, batchSize: 32 } });
  assert.deepEqual(both.map(([p]) => p).sort(), ['training.epoch', 'training.learningRate']);
});

test('wrong types and ranges name the path, the expected form and the value', () => {
  hasError({ ...mlp(), neumann: { alpha: -1, terms: 10 } }, 'neumann.alpha', 'expected a number > 0 or "auto" (got -1)');
  hasError({ ...mlp(), neumann: { alpha: 1, terms: 0 } }, 'neumann.terms', 'must be >= 1 (got 0)');
  hasError({ ...mlp(), neumann: { alpha: 1, terms: 2.5 } }, 'neumann.terms', 'must be an integer (got 2.5)');
  hasError({ ...mlp(), neumann: { alpha: '1', terms: 2 } }, 'neumann.alpha', 'expected a number > 0 or "auto" (got "1")');
  hasError({ ...mlp(), weightDecay: -0.1 }, 'weightDecay', 'must be >= 0 (got -0.1)');
  hasError({ ...mlp(), training: { epochs: 1, batchSize: 32, learningRate: 0 } }, 'training.learningRate', 'must be > 0 (got 0)');
  hasError({ ...mlp(), model: { layers: [1, 8, 0], activation: 'relu' } }, 'model.layers[2]', 'must be >= 1 (got 0)');
  hasError({ ...mlp(), model: { layers: [1], activation: 'relu' } }, 'model.layers', 'at least 2 entries (got 1)');
  hasError({ ...mlp(), model: { layers: [1, 2.5], activation: 'relu' } }, 'model.layers[1]', 'integer');
  hasError({ ...mlp(), model: { layers: [1, 1], activation: 'gelu' } }, 'model.activation', 'must be one of "relu"');
  hasError({ ...mlp(), loss: 'hinge' }, 'loss', '"binary-cross-entropy" (got "hinge")');
  hasError({ ...mlp(), neumann: { alpha: 1, terms: 3, damping: -1 } }, 'neumann.damping', 'must be >= 0');
  hasError([], '', 'must be an object');
});

test('missing keys and the MLP/problem split', () => {
  hasError({}, 'data', "missing required key 'data'");
  hasError({ ...mlp(), training: { epochs: 1, batchSize: 2 } }, 'training.learningRate', "missing required key 'learningRate'");
  hasError({ problem: { kind: 'sum-of-cubes', point: [1] } }, 'neumann', "missing required key 'neumann'");
  hasError({ ...mlp(), problem: { kind: 'sum-of-cubes', point: [1] }, neumann: { alpha: 1, terms: 1 } }, 'data', "'data' is not allowed in an analytic problem");
  hasError({ ...mlp(), neumann: { alpha: 1, terms: 1, vector: [1] } }, 'neumann.vector', 'only for problem experiments');
  hasError({ problem: { kind: 'quadratic', matrix: [[1]], vector: [1], point: [1] }, neumann: { alpha: 1, terms: 1 } }, 'problem.point', 'belongs to kind "sum-of-cubes"');
  hasError({ problem: { kind: 'quadratic', matrix: [[1]] }, neumann: { alpha: 1, terms: 1 } }, 'problem.vector', "missing required key 'vector'");
  hasError({ ...mlp(), data: { synthetic: { kind: 'seed-regression', n: 10 }, train: { csv: 'a' } } }, 'data.train', "cannot be combined with 'data.synthetic'");
  hasError({ ...mlp(), data: { train: { csv: 'a' } } }, 'data.validation', "missing required key 'validation'");
  // A banned key's insides are not reported on top.
  const errs = errorsOf({ problem: { kind: 'sum-of-cubes', point: [1] }, neumann: { alpha: 1, terms: 1 }, model: {} });
  assert.deepEqual(errs.map(([p]) => p), ['model']);
});

test('problems come in the order their keys appear in the file', () => {
  const raw = JSON.parse('{"problem": {"kind": "sum-of-cubes", "point": [1]}, "neumann": {"alpha": -1, "vektor": [1], "terms": 0}, "bogus": 1}');
  assert.deepEqual(errorsOf(raw).map(([p]) => p), ['neumann.alpha', 'neumann.vektor', 'neumann.terms', 'bogus']);
});
