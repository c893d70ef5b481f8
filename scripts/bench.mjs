// Runs every benchmark in bench/*.ts in turn (via tsx); each prints its table and writes
// bench/results/<name>.json; then the README's figures are rewritten from those files.
// Benchmarks are scripts, not timed tests.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts')).sort();
// Some benches time the built CLI and extension bundles (dist/): build them first, as the test command does.
const build = spawnSync('node', [join('scripts', 'build.mjs')], { stdio: 'inherit', cwd: root });
if (build.status !== 0) process.exit(1);
let failed = 0;
for (const f of files) {
  console.log(`\n== bench/${f}`);
  const r = spawnSync('node', ['--import', 'tsx', join('bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`bench/${f} failed (${r.status ?? r.signal})`);
    failed += 1;
  }
}
// The README's figures are rendered from the results just written (bench/lib/readme.ts).
const readme = spawnSync('node', ['--import', 'tsx', join('bench', 'lib', 'readme.ts')], { stdio: 'inherit', cwd: root });
process.exit(failed || readme.status !== 0 ? 1 : 0);
