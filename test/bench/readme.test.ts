/** The README's benchmark figures are the rendering of the committed bench/results (never typed in). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderReadme } from '../../bench/lib/readme';
import type { BenchResults } from '../../bench/lib/results';

const root = join(__dirname, '..', '..');

test('every bench block in the README equals the rendering of bench/results/<name>.json', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  assert.ok(/<!-- bench:hvp -->/.test(readme), 'the README shows the HVP benchmark');
  assert.equal(renderReadme(readme), readme, 'README is stale: run node --import tsx bench/lib/readme.ts');
});

test('a changed figure in the results changes the README rendering', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-'));
  const results = JSON.parse(readFileSync(join(root, 'bench', 'results', 'hvp.json'), 'utf8'));
  results.results[0].hvpMs = 123456;
  writeFileSync(join(dir, 'hvp.json'), JSON.stringify(results));
  const rendered = renderReadme('<!-- bench:hvp -->\nold\n<!-- /bench:hvp -->\n', dir);
  assert.match(rendered, /123456 ms/);
  assert.doesNotMatch(rendered, /\nold\n/);
  assert.throws(() => renderReadme('<!-- bench:nope -->\nx\n<!-- /bench:nope -->', dir), /no renderer/);
});

test('every results file the README renders says when, where and over how many interleaved rounds it was measured', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const names = [...readme.matchAll(/<!-- bench:([\w-]+) -->/g)].map((m) => m[1]);
  assert.ok(names.length >= 3, names.join(', '));
  for (const name of names) {
    const r = JSON.parse(readFileSync(join(root, 'bench', 'results', `${name}.json`), 'utf8')) as Partial<BenchResults<unknown>>;
    assert.equal(r.benchmark, name);
    assert.ok(typeof r.date === 'string' && !Number.isNaN(Date.parse(r.date)), `${name}: date ${r.date}`);
    const m = r.machine;
    assert.ok(m && m.cpus >= 1 && m.node.startsWith('v') && Number.isFinite(m.load.before) && Number.isFinite(m.load.after), `${name}: machine ${JSON.stringify(m)}`);
    assert.ok(Number.isInteger(r.rounds) && r.rounds! >= 1, `${name}: rounds ${r.rounds}`);
    assert.ok(r.method && r.method.length > 20, `${name}: how it was measured`);
  }
});
