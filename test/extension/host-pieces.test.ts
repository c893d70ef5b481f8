import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultTargetName, experimentCopyText, listTemplates, scaffoldCopies, templateDataFiles } from '../../src/extension/templates';

const examplesDir = join(__dirname, '../../examples');

test('templates: the six bundled examples, known ones first, with their data files', () => {
  const templates = listTemplates(examplesDir);
  const ids = templates.map((t) => t.id);
  const known = ['seed-regression', 'logistic-regression', 'hyper-logistic-regression', 'tanh-classifier', 'seed-toy-cubic', 'pytorch-model'];
  for (const id of known) assert.ok(ids.includes(id), id);
  assert.deepEqual(ids.slice(0, known.length), known);
  for (const t of templates) {
    const text = readFileSync(t.file, 'utf8');
    const parsed = JSON.parse(text) as { data?: { train?: { csv: string }; validation?: { csv: string } }; pytorch?: { file?: string } };
    const expected = [parsed.data?.train?.csv, parsed.data?.validation?.csv, parsed.pytorch?.file].filter((x): x is string => !!x);
    assert.deepEqual(templateDataFiles(text).sort(), [...new Set(expected)].sort(), t.id);
    for (const rel of templateDataFiles(text)) assert.ok(existsSync(join(examplesDir, rel)), `${t.id} ships ${rel}`);
  }
  assert.deepEqual(listTemplates('/nonexistent/folder'), []);
  const seed = templates[0];
  assert.equal(defaultTargetName(seed), 'seed-regression.neumann.json');
  const taken = new Set(['seed-regression.neumann.json', 'seed-regression-2.neumann.json']);
  assert.equal(defaultTargetName(seed, (n) => taken.has(n)), 'seed-regression-3.neumann.json');
});

test('template data files: only relative paths inside the template folder; copies go beside the target', () => {
  const text = JSON.stringify({
    data: { train: { csv: 'data/train.csv' }, validation: { csv: '../secret.csv' } },
    model: { init: { stateDict: '/abs/weights.json' } },
  });
  assert.deepEqual(templateDataFiles(text), [join('data', 'train.csv')]);
  assert.deepEqual(templateDataFiles('{ not json'), []);
  assert.deepEqual(scaffoldCopies('/ext/examples/x.neumann.json', text, '/ws/y.neumann.json'), [
    { from: '/ext/examples/x.neumann.json', to: '/ws/y.neumann.json' },
    { from: '/ext/examples/data/train.csv', to: '/ws/data/train.csv' },
  ]);
});

test('a copied experiment drops a relative $schema (it would not resolve) and keeps everything else', () => {
  for (const t of listTemplates(examplesDir)) {
    const text = readFileSync(t.file, 'utf8');
    const original = JSON.parse(text) as Record<string, unknown>;
    const copy = experimentCopyText(text);
    const parsed = JSON.parse(copy) as Record<string, unknown>;
    const expected = { ...original };
    if (typeof original.$schema === 'string' && !/^https?:/.test(original.$schema)) delete expected.$schema;
    assert.deepEqual(parsed, expected, t.id);
    assert.equal(copy.split('\n').length, text.split('\n').length - ('$schema' in expected || !('$schema' in original) ? 0 : 1));
  }
  const remote = '{\n  "$schema": "https://example.org/s.json",\n  "a": 1\n}\n';
  assert.equal(experimentCopyText(remote), remote);
  assert.equal(experimentCopyText('{ broken'), '{ broken');
});
