// The end-to-end tests install the extension as the .vsix lays it out (PACKAGED); that list must say
// what .vscodeignore ships, or a test passes on files a user's install would not have (or misses some).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGED } from './harness/neumann';
import { repoRoot } from './harness/prerequisites';

const shipped = readFileSync(join(repoRoot, '.vscodeignore'), 'utf8')
  .split('\n')
  .filter((l) => l.startsWith('!'))
  .map((l) => l.slice(1).trim());
/** The fixed folder part of a pattern (`dist/*.js` → `dist`, `schemas/**` → `schemas`). */
const root = (pattern: string) => pattern.split('/').filter((p) => !/[*?[]/.test(p)).join('/');
const under = (path: string, dir: string) => path === dir || path.startsWith(`${dir}/`);

test('every path .vscodeignore ships is installed by the e2e harness, and nothing else', () => {
  assert.ok(shipped.length > 5, `.vscodeignore lists ${shipped.length} shipped patterns`);
  for (const p of shipped) assert.ok(PACKAGED.some((e) => under(root(p), e)), `${p} ships but the e2e harness does not install it`);
  for (const e of PACKAGED) assert.ok(shipped.some((p) => under(root(p), e) || under(e, root(p))), `${e} is installed by the e2e harness but not shipped`);
});
