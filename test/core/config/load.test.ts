import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  InvalidExperimentError,
  checkExperiment,
  checkHyperSize,
  loadExperimentData,
  parseExperimentText,
  readExperimentFile,
  validateExperiment,
} from '../../../src/core/config/load';
import { InputError } from '../../../src/core/errors';
import type { MlpExperiment, ProblemExperiment, PytorchExperiment } from '../../../src/core/config/experiment';
import { EXPERIMENT_JSON_SCHEMA } from '../../../src/core/config/experiment-schema';

const dir = mkdtempSync(join(tmpdir(), 'nl-load-'));
mkdirSync(join(dir, 'data'));
writeFileSync(join(dir, 'data', 'train.csv'), 'a,b,y\n1,2,3\n4,5,6\n');
writeFileSync(join(dir, 'data', 'val.csv'), 'a,b,y\n7,8,9\n');
writeFileSync(join(dir, 'w.json'), '{}');
const file = join(dir, 'exp.neumann.json');

const csvExperiment = () => ({
  data: { train: { csv: 'data/train.csv' }, validation: { csv: 'data/val.csv', target: 'y', features: ['b', 'a'] } },
  model: { layers: [2, 4, 1], activation: 'tanh', init: { stateDict: 'w.json' } },
  loss: 'mse',
  training: { epochs: 2, batchSize: 8, learningRate: 0.1 },
});

/** The problems of `raw` as [path, message] pairs. */
function problems(raw: unknown): Array<[string, string]> {
  return checkExperiment(raw, file).problems.map((e) => [e.where?.kind === 'json' ? e.where.path : '?', e.message]);
}
function hasProblem(raw: unknown, path: string, fragment: string): void {
  const ps = problems(raw);
  assert.ok(ps.some(([p, m]) => p === path && m.includes(fragment)), `expected ${path} ~ '${fragment}', got ${JSON.stringify(ps)}`);
}

test('defaults are applied and relative paths resolve against the experiment folder', () => {
  const e = validateExperiment(csvExperiment(), file) as MlpExperiment;
  assert.equal(e.kind, 'mlp');
  assert.equal(e.name, 'exp');
  assert.equal(e.file, file);
  assert.equal(e.seed, 0);
  assert.equal(e.weightDecay, 0);
  assert.deepEqual(e.neumann, { alpha: 1, terms: 10, damping: 0 });
  assert.deepEqual(e.analysis, {
    exactMaxParams: 2000,
    tolerance: 1e-3,
    maxLanczosSteps: 80,
    powerIteration: true,
    hutchinsonSamples: 20,
    trackEpochs: false,
    epochLanczosSteps: 20,
    selfCheckTolerance: 1e-3,
    stationarityTolerance: 1e-2,
  });
  assert.deepEqual(e.data, {
    kind: 'csv',
    train: { csv: join(dir, 'data', 'train.csv'), target: 'y' },
    validation: { csv: join(dir, 'data', 'val.csv'), target: 'y', features: ['b', 'a'] },
  });
  assert.equal(e.model.stateDict, join(dir, 'w.json'));
  const { train, validation } = loadExperimentData(e);
  assert.deepEqual(Array.from(train.x), [1, 2, 4, 5]);
  assert.deepEqual(Array.from(validation.x), [8, 7]);
});

test('every default the declaration states is the value the loader applies', () => {
  const e = validateExperiment(csvExperiment(), file) as unknown as Record<string, unknown>;
  type S = { default?: unknown; properties?: Record<string, S> };
  const checked: string[] = [];
  const walk = (s: S, value: unknown, path: string[]) => {
    for (const [k, child] of Object.entries(s.properties ?? {})) {
      const v = (value as Record<string, unknown> | undefined)?.[k];
      if (child.default !== undefined) {
        // An object default is a starting point its own keys' defaults complete.
        if (typeof child.default === 'object') for (const [dk, dv] of Object.entries(child.default as object)) assert.equal((v as Record<string, unknown>)[dk], dv, [...path, k, dk].join('.'));
        else assert.deepEqual(v, child.default, [...path, k].join('.'));
        checked.push([...path, k].join('.'));
      }
      if (v !== undefined) walk(child, v, [...path, k]);
    }
  };
  walk(EXPERIMENT_JSON_SCHEMA as S, e, []);
  assert.deepEqual(checked.sort(), [
    'analysis', 'analysis.epochLanczosSteps', 'analysis.exactMaxParams', 'analysis.hutchinsonSamples', 'analysis.maxLanczosSteps',
    'analysis.powerIteration', 'analysis.selfCheckTolerance', 'analysis.stationarityTolerance', 'analysis.tolerance', 'analysis.trackEpochs',
    'data.train.target', 'data.validation.target', 'neumann', 'neumann.damping', 'seed', 'weightDecay',
  ]);
});

test('given values win over defaults; analysis keys merge one by one', () => {
  const raw = { ...csvExperiment(), name: 'n', seed: 9, weightDecay: 0.5, neumann: { alpha: 0.5, terms: 3, damping: 0.2 }, analysis: { tolerance: 1e-4, trackEpochs: true } };
  const e = validateExperiment(raw, file) as MlpExperiment;
  assert.equal(e.name, 'n');
  assert.equal(e.seed, 9);
  assert.equal(e.weightDecay, 0.5);
  assert.deepEqual(e.neumann, { alpha: 0.5, terms: 3, damping: 0.2 });
  assert.equal(e.analysis.tolerance, 1e-4);
  assert.equal(e.analysis.trackEpochs, true);
  assert.equal(e.analysis.maxLanczosSteps, 80);
});

test('problem experiments: default right-hand sides and semantic checks', () => {
  const cubic = validateExperiment({ problem: { kind: 'sum-of-cubes', point: [0.05, 0.05, 1] }, neumann: { alpha: 1, terms: 50 } }, null) as ProblemExperiment;
  assert.equal(cubic.kind, 'problem');
  assert.equal(cubic.name, 'experiment');
  assert.equal(cubic.file, undefined);
  assert.deepEqual(cubic.neumann.vector, [1, 1, 1]);
  const quad = validateExperiment({ problem: { kind: 'quadratic', matrix: [[2, 1], [1, 3]], vector: [1, 2] }, neumann: { alpha: 0.5, terms: 5 } }, null) as ProblemExperiment;
  assert.deepEqual(quad.neumann.vector, [1, 2]);
  assert.deepEqual(quad.problem, { kind: 'quadratic', matrix: [[2, 1], [1, 3]], vector: [1, 2] });

  hasProblem({ problem: { kind: 'sum-of-cubes', point: [1, 2] }, neumann: { alpha: 1, terms: 1, vector: [1] } }, 'neumann.vector', "must have 2 entries, the problem's dimension (got 1)");
  hasProblem({ problem: { kind: 'quadratic', matrix: [[1, 2], [3, 4]], vector: [1, 1] }, neumann: { alpha: 1, terms: 1 } }, 'problem.matrix[0][1]', 'symmetric');
  hasProblem({ problem: { kind: 'quadratic', matrix: [[1, 2], [2]], vector: [1, 1] }, neumann: { alpha: 1, terms: 1 } }, 'problem.matrix[1]', 'square 2×2');
  hasProblem({ problem: { kind: 'quadratic', matrix: [[1]], vector: [1, 1] }, neumann: { alpha: 1, terms: 1 } }, 'problem.vector', 'must have 1 entries');
  hasProblem({ problem: { kind: 'quadratic', matrix: [[1, 0], [0, 1]], vector: [1, 1] }, neumann: { alpha: 1, terms: 1, vector: [1, 1, 1] } }, 'neumann.vector', 'must have 2 entries');
});

test('MLP semantic checks: widths against loss and data', () => {
  const withModel = (layers: number[], loss: string) => ({ ...csvExperiment(), model: { layers, activation: 'relu' }, loss });
  hasProblem(withModel([2, 3], 'binary-cross-entropy'), 'model.layers[1]', 'last width must be 1 (got 3)');
  hasProblem(withModel([2, 1], 'cross-entropy'), 'model.layers[1]', 'at least 2 (got 1)');
  hasProblem(withModel([3, 1], 'mse'), 'data.validation.features', 'lists 2 features but model.layers[0] (the input width) is 3');
  const synth = { data: { synthetic: { kind: 'seed-regression', n: 10 } }, model: { layers: [2, 2], activation: 'relu' }, loss: 'cross-entropy', training: { epochs: 0, batchSize: 1, learningRate: 1 } };
  hasProblem(synth, 'model.layers[0]', 'first width must be 1 (got 2)');
  hasProblem(synth, 'loss', 'use "mse"');
});

test('missing data files are reported at their JSON path with the resolved path', () => {
  const raw = csvExperiment();
  raw.data.train.csv = 'nope/train.csv';
  raw.model.init.stateDict = 'missing.json';
  hasProblem(raw, 'data.train.csv', `CSV file not found: ${join(dir, 'nope', 'train.csv')}`);
  hasProblem(raw, 'model.init.stateDict', `state_dict not found: ${join(dir, 'missing.json')}`);
  const dirAsCsv = csvExperiment();
  dirAsCsv.data.validation.csv = 'data';
  hasProblem(dirAsCsv, 'data.validation.csv', 'is not a file');
});

test('validateExperiment throws one InputError located at the first problem and listing the rest', () => {
  const raw = { ...csvExperiment(), neumann: { alpha: 0, terms: -1 } };
  assert.throws(
    () => validateExperiment(raw, file),
    (e: unknown) => {
      assert.ok(e instanceof InvalidExperimentError && e instanceof InputError);
      assert.deepEqual(e.where, { kind: 'json', file, path: 'neumann.alpha' });
      assert.equal(e.problems.length, 2);
      assert.match(e.message, /^.*exp\.neumann\.json at neumann\.alpha: expected a number > 0 or "auto" \(got 0\)\n1 more problem:\n {2}.* at neumann\.terms: must be >= 1 \(got -1\)$/);
      return true;
    },
  );
});

test('parseExperimentText: JSON syntax errors, comments and trailing commas at file:line:column', () => {
  const at = (text: string, line: number, column: number, fragment: string) =>
    assert.throws(
      () => parseExperimentText(text, file),
      (e: unknown) =>
        e instanceof InputError &&
        e.where?.kind === 'file' &&
        e.where.file === file &&
        e.where.line === line &&
        e.where.column === column &&
        e.message.includes(fragment),
    );
  at('{\n  "seed": 1,\n}\n', 3, 1, 'trailing commas');
  at('{\n  // note\n  "seed": 1\n}', 2, 3, 'comments are not allowed');
  at('{\r\n  "seed": 1\r\n  "name": "x"\r\n}', 3, 3, "expected ','");
  at('{ "seed": [1, 2, ] }', 1, 18, 'expected a value');
  at('', 1, 1, 'empty file');
  at('{\n  "neumann": { "alpha": 1, "terms": 2, "alpha": 3 }\n}', 2, 40, 'duplicate key "alpha"');
  assert.throws(() => parseExperimentText('{"seed": 1}', null), (e: unknown) => e instanceof InputError && e.where?.kind === 'json');
  const ok = parseExperimentText('\uFEFF' + JSON.stringify({ problem: { kind: 'sum-of-cubes', point: [1] }, neumann: { alpha: 1, terms: 1 } }), null);
  assert.equal(ok.kind, 'problem');
});

test('readExperimentFile: missing file names it; a real file loads', () => {
  const missing = join(dir, 'absent.neumann.json');
  assert.throws(
    () => readExperimentFile(missing),
    (e: unknown) => e instanceof InputError && e.where?.kind === 'file' && e.where.file === missing && e.message.includes('not found'),
  );
  writeFileSync(file, JSON.stringify(csvExperiment(), null, 2));
  const e = readExperimentFile(file);
  assert.equal(e.kind, 'mlp');
  assert.equal(e.file, file);
});

test('hyper block: defaults applied; what the loop needs beyond the schema is named at its path', () => {
  const hyper = { steps: 3, optimizer: { kind: 'sgd', learningRate: 1 } };
  const ok = checkExperiment({ ...csvExperiment(), weightDecay: 0.01, hyper }, file);
  assert.deepEqual(ok.problems, []);
  const exp = validateExperiment({ ...csvExperiment(), weightDecay: 0.01, hyper }, file) as MlpExperiment;
  assert.equal(exp.hyper?.innerSteps, 10);
  assert.equal(exp.hyper?.granularity, 'global');
  assert.equal(exp.hyper?.inverse, 'neumann');
  assert.equal(exp.hyper?.reference, 'auto');
  assert.deepEqual(exp.hyper?.compare, []);
  hasProblem({ ...csvExperiment(), weightDecay: 0, hyper }, 'weightDecay', 'φ = log(weightDecay), so weightDecay must be > 0 (got 0)');
  hasProblem({ ...csvExperiment(), weightDecay: 0.01, hyper: { ...hyper, compare: ['exact', 'neumann'] } }, 'hyper.compare[1]', 'already the loop\'s inverse');
  hasProblem({ ...csvExperiment(), weightDecay: 0.01, hyper: { ...hyper, inverse: 'exact' }, analysis: { exactMaxParams: 5 } }, 'hyper.inverse', 'above analysis.exactMaxParams = 5');
  hasProblem({ ...csvExperiment(), weightDecay: 0.01, hyper: { ...hyper, granularity: 'per-row' } }, 'hyper.granularity', 'must be one of');
  hasProblem({ ...csvExperiment(), weightDecay: 0.01, hyper: { ...hyper, optimizer: { kind: 'sgd' } } }, 'hyper.optimizer.learningRate', '');
});

test('hyper block in a PyTorch experiment: taken with training; "exact" against exactMaxParams once the bridge knows the size, at the same paths', () => {
  writeFileSync(join(dir, 'problem.py'), 'def neumann_problem(): ...\n');
  const hyper = { steps: 3, optimizer: { kind: 'sgd', learningRate: 1 }, inverse: 'exact', compare: ['neumann', 'exact'] };
  const torch = { pytorch: { file: 'problem.py', dtype: 'float64' }, weightDecay: 0.01, training: { epochs: 0, learningRate: 0.1 } };
  const exp = validateExperiment({ ...torch, hyper: { ...hyper, compare: ['neumann'] } }, file) as PytorchExperiment;
  assert.equal(exp.kind, 'pytorch');
  assert.equal(exp.hyper?.inverse, 'exact');
  assert.equal(exp.hyper?.innerSteps, 10);
  hasProblem({ ...torch, training: undefined, hyper }, 'hyper', 'inner SGD steps take training.learningRate: add "training"');
  hasProblem({ ...torch, weightDecay: 0, hyper }, 'weightDecay', 'so weightDecay must be > 0 (got 0)');
  hasProblem({ ...torch, hyper: { ...hyper, compare: ['exact'] } }, 'hyper.compare[0]', 'already the loop\'s inverse');
  // The parameter count is the bridge's; the loader's paths and wording, in the experiment file.
  assert.doesNotThrow(() => checkHyperSize(exp.hyper!, 2000, 2000, file));
  const spec = { ...exp.hyper!, reference: 'exact' as const, compare: ['neumann' as const, 'exact' as const] };
  assert.throws(
    () => checkHyperSize(spec, 2001, 2000, file),
    (e: unknown) => {
      assert.ok(e instanceof InvalidExperimentError);
      const at = e.problems.map((p) => (p.where?.kind === 'json' ? `${p.where.file}:${p.where.path}` : '?'));
      assert.deepEqual(at, ['hyper.inverse', 'hyper.reference', 'hyper.compare[1]'].map((p) => `${file}:${p}`));
      assert.match(e.problems[0].detail, /^"exact" assembles the 2001×2001 Hessian at every hyper-step, above analysis\.exactMaxParams = 2000: use "cg"/);
      return true;
    },
  );
});

test('neumann.alpha takes "auto" and no other string', () => {
  assert.deepEqual(checkExperiment({ ...csvExperiment(), neumann: { alpha: 'auto', terms: 5 } }, file).problems, []);
  hasProblem({ ...csvExperiment(), neumann: { alpha: 'automatic', terms: 5 } }, 'neumann.alpha', 'expected a number > 0 or "auto" (got "automatic")');
});
