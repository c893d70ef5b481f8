/** The README's CLI option and exit-code tables are the ones rendered from the declaration in src/cli/flags.ts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMMANDS, EXIT_CODES } from '../../src/cli/flags';
import { readmeExitCodes, readmeFlagTable } from '../../src/cli/usage';
import { ROOT } from '../worker/helpers';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

/** The text between `<!-- name… -->` and `<!-- /name -->`. */
function block(name: string): string {
  const m = new RegExp(`<!-- ${name}\\b[^\\n]*-->\\n([\\s\\S]*?)<!-- /${name.split(':')[0]} -->`).exec(readme);
  assert.ok(m, `README has a <!-- ${name} --> block`);
  return m[1];
}

test('the README lists every diagnose option with its meaning, as declared', () => {
  assert.equal(block('cli-options:diagnose'), readmeFlagTable('diagnose'), 'paste readmeFlagTable("diagnose") from src/cli/usage.ts into the README');
  for (const name of Object.keys(COMMANDS.diagnose.flags)) assert.ok(readmeFlagTable('diagnose').includes(`\`--${name}`), name);
});

test('the README lists every exit code with its meaning, as declared', () => {
  assert.equal(block('cli-exit-codes'), readmeExitCodes(), 'paste readmeExitCodes() from src/cli/usage.ts into the README');
  for (const { code } of Object.values(EXIT_CODES)) assert.ok(readmeExitCodes().includes(`| ${code} |`), String(code));
});
