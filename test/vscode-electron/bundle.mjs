// Bundles the integration suite (suite.ts) into one CommonJS file for an extension host to
// require: `vscode` stays external (the host provides it), everything else is inlined. Shared by
// the desktop runner (run.mjs) and the code-server one (test/e2e/vscode-api.test.ts).
import * as esbuild from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Writes the bundled suite to `outfile`. */
export async function bundleSuite(outfile) {
  await esbuild.build({
    entryPoints: [join(here, 'suite.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['vscode'],
    logLevel: 'warning',
  });
}
