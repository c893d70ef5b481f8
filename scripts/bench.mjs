// Runs every benchmark in bench/*.ts in turn (via tsx); each prints its table and writes
// bench/results/<name>.json. Benchmarks are scripts, not timed tests.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const files = readdirSync(join(root, 'bench')).filter((f) => f.endsWith('.ts')).sort();
let failed = 0;
for (const f of files) {
  console.log(`\n== bench/${f}`);
  const r = spawnSync('node', ['--import', 'tsx', join('bench', f)], { stdio: 'inherit', cwd: root });
  if (r.status !== 0) {
    console.error(`bench/${f} failed (${r.status ?? r.signal})`);
    failed += 1;
  }
}
process.exit(failed ? 1 : 0);
