import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { derivedFiles } from '../../scripts/gen-experiment-files';
import { BackendChoice, EXPERIMENT_JSON_SCHEMA } from '../../src/core/config/experiment-schema';
import { formatJsonPath } from '../../src/core/config/json-path';

const root = join(__dirname, '..', '..');
const read = (p: string) => readFileSync(join(root, p), 'utf8');

test('the committed derived files are what the declarations generate (npm run build regenerates them)', () => {
  const files = derivedFiles(root);
  assert.deepEqual(files.map((f) => f.path), ['schemas/experiment.schema.json', 'docs/experiment.md', 'package.json']);
  for (const f of files) assert.ok(f.upToDate(read(f.path)), `${f.path} is stale: run npm run build and commit it`);
});

test('the staleness check notices a changed file', () => {
  for (const f of derivedFiles(root)) {
    const onDisk = read(f.path);
    assert.equal(f.upToDate(null), false, f.path);
    const changed = f.path === 'package.json' ? onDisk.replace('"minimum": 256', '"minimum": 255') : onDisk.replace('"alpha"', '"alfa"').replace('`neumann.alpha`', '`neumann.alfa`');
    assert.notEqual(changed, onDisk, `${f.path}: the probe edit must change something`);
    assert.equal(f.upToDate(changed), false, f.path);
  }
});

test('VS Code validates experiment files with the generated schema; the settings mirror the declaration', () => {
  const pkg = JSON.parse(read('package.json'));
  assert.deepEqual(pkg.contributes.jsonValidation, [{ fileMatch: '*.neumann.json', url: './schemas/experiment.schema.json' }]);
  assert.deepEqual(JSON.parse(read('schemas/experiment.schema.json')), EXPERIMENT_JSON_SCHEMA);
  const props = pkg.contributes.configuration.properties;
  assert.deepEqual(props['neumannLens.backend'].enum, [...BackendChoice.enum]);
  const exact = (EXPERIMENT_JSON_SCHEMA as { properties: { analysis: { properties: { exactMaxParams: { minimum: number; default: number } } } } }).properties.analysis.properties.exactMaxParams;
  assert.equal(props['neumannLens.analysis.exactMaxParams'].minimum, exact.minimum);
  assert.match(props['neumannLens.analysis.exactMaxParams'].markdownDescription, new RegExp(`\\(default ${exact.default}\\)`));
});

test('docs/experiment.md has a section for every declared key, and the README points to it', () => {
  const docs = read('docs/experiment.md');
  const keys: string[] = [];
  const walk = (s: { properties?: Record<string, unknown> }, path: string[]) => {
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      keys.push(formatJsonPath([...path, k]));
      walk(v as { properties?: Record<string, unknown> }, [...path, k]);
    }
  };
  walk(EXPERIMENT_JSON_SCHEMA as { properties: Record<string, unknown> }, []);
  assert.ok(keys.length >= 40, `${keys.length} keys`);
  for (const k of keys) assert.match(docs, new RegExp(`^#+ \`${k.replace(/[$.[\]]/g, '\\$&')}\`$`, 'm'), k);
  assert.match(docs, /^#### `neumann.damping`\n\nnumber, ≥ 0 · default `0`\n/m);
  assert.match(read('README.md'), /\[docs\/experiment\.md\]\(docs\/experiment\.md\)/);
});
