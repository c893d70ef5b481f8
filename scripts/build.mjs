// Bundles one entry per runtime with esbuild. Entries that do not exist yet are skipped.
// The wasm backend's .wasm binaries are copied beside the Node bundles (dist/) because
// setWasmPaths points there at run time.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

const nodeEntries = [
  { in: 'src/extension/index.ts', out: 'dist/extension.js', external: ['vscode'] },
  { in: 'src/worker/main.ts', out: 'dist/worker.js' },
  { in: 'src/cli/main.ts', out: 'dist/cli.js', banner: '#!/usr/bin/env node' },
];
const webEntries = [{ in: 'src/webview/main.ts', out: 'media/panel.js' }];

// The files derived from the experiment and settings declarations (JSON Schema, docs/experiment.md,
// package.json's settings), from the report's (schemas/report.schema.json) and from the PyTorch
// bridge's protocol (python/neumann_lens/protocol.schema.json, for the Python server; python/
// ships as it is, found as dist/../python). Under CI they are checked, not written: a stale commit
// fails the build.
for (const script of ['scripts/gen-experiment-files.ts', 'scripts/gen-report-schema.ts', 'scripts/gen-bridge-schema.ts']) {
  const gen = spawnSync(process.execPath, ['--import', 'tsx', script, ...(process.env.CI === 'true' ? ['--check'] : [])], {
    cwd: root,
    stdio: 'inherit',
  });
  if (gen.status !== 0) process.exit(gen.status ?? 1);
}

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  absWorkingDir: root,
};

const builds = [];
for (const e of nodeEntries) {
  if (!existsSync(join(root, e.in))) continue;
  builds.push({
    ...common,
    entryPoints: [e.in],
    outfile: e.out,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    // tfjs-node is an optional native addon: never bundled, required at run time if present.
    external: ['@tensorflow/tfjs-node', ...(e.external ?? [])],
    // jsonc-parser's UMD main requires its modules dynamically, which a bundle cannot follow.
    alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
    banner: e.banner ? { js: e.banner } : undefined,
  });
}
for (const e of webEntries) {
  if (!existsSync(join(root, e.in))) continue;
  builds.push({ ...common, entryPoints: [e.in], outfile: e.out, platform: 'browser', target: 'chrome114', format: 'iife' });
}

mkdirSync(join(root, 'dist'), { recursive: true });
const wasmDir = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
for (const f of readdirSync(wasmDir).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDir, f), join(root, 'dist', f));

// The panel's charts (uPlot) need its stylesheet in media/, where the panel host links every
// .css file (a webview may load styles only from the extension's media/ folder).
copyFileSync(join(root, 'node_modules/uplot/dist/uPlot.min.css'), join(root, 'media/uPlot.min.css'));

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log(`watching ${builds.length} bundles`);
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  console.log(`built ${builds.map((b) => b.outfile).join(', ')}`);
}
