/**
 * Tests mirror src/: a test file sits in the test/ folder of the src/ folder it tests, so a reader
 * finds the tests of src/core/model/ in test/core/model/. Folders under test/ that have no src/
 * counterpart hold what spans modules (end to end, fixtures, harnesses, benches, scripts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');
const CROSS_CUTTING = new Set(['e2e', 'fixtures', 'bench', 'scripts', 'vscode-electron', 'python']);

function testDirs(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isDirectory()) continue;
    if (readdirSync(p).some((f) => f.endsWith('.test.ts'))) out.push(relative(join(root, 'test'), p));
    out.push(...testDirs(p));
  }
  return out;
}

test('every test folder mirrors a src/ folder (or is a cross-cutting one)', () => {
  const stray = testDirs(join(root, 'test')).filter((d) => !CROSS_CUTTING.has(d.split('/')[0]) && !existsSync(join(root, 'src', d)));
  assert.deepEqual(stray, [], `test folders without a src/ counterpart: ${stray.join(', ')}`);
});

test('no test file sits loose at the top of test/ or of a mirrored tree root', () => {
  const loose = readdirSync(join(root, 'test', 'core')).filter((f) => f.endsWith('.test.ts'));
  assert.deepEqual(loose, []);
});
