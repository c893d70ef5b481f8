// The whole suite: build, make sure the system pieces the browser/VS Code tests need exist,
// then one node:test run over every test file (its summary shows the counts).
//   node scripts/test.mjs            everything
//   node scripts/test.mjs --only unit   only tests that need neither a browser nor code-server
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, dirname, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : null;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.status !== 0) {
    console.error(`\n${cmd} ${args.join(' ')} failed (${r.status ?? r.signal})`);
    process.exit(r.status || 1);
  }
}

function findTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(relative(root, p));
  }
  return out.sort();
}

run('node', ['scripts/build.mjs']);
// The layering of src/ (import rules) and the per-runtime type checks (Node code without DOM, the
// panel without Node) are part of every test run.
run('npm', ['run', '--silent', 'lint']);
run('npm', ['run', '--silent', 'typecheck']);
const heavy = (f) => f.startsWith('test/e2e/') || f.startsWith('test/webview/');
let files = findTests(join(root, 'test'));
if (only === 'unit') files = files.filter((f) => !heavy(f));
// --allow-skip: without root to install chromium, the browser tests report themselves skipped
// (with the reason) instead of the whole run failing; under CI=true the script ignores it.
else if (files.some(heavy)) run('bash', ['scripts/setup-system.sh', '--allow-skip']);

run('node', ['--import', 'tsx', '--test', '--test-concurrency=2', ...files]);
