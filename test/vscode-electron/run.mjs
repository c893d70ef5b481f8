// The extension's integration suite in desktop VS Code, with @vscode/test-electron (`npm run
// test:vscode`). It needs a VS Code it can start: VSCODE_EXECUTABLE=/path/to/code, or a machine
// that can download one (runTests fetches the build named by VSCODE_VERSION, default 'stable').
// `npm test` runs the same suite in code-server's extension host instead (test/e2e/vscode-api.test.ts),
// because this project's machines cannot download desktop VS Code.
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleSuite } from './bundle.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const out = join(root, 'out/vscode-electron');
await bundleSuite(join(out, 'suite.js'));

// A throwaway workspace holding copies of the examples, so edits made by the tests stay there.
const workspace = mkdtempSync(join(tmpdir(), 'neumann-lens-vscode-'));
cpSync(join(root, 'examples'), workspace, { recursive: true });
const userData = join(workspace, '.user-data');

try {
  await runTests({
    extensionDevelopmentPath: root,
    extensionTestsPath: join(out, 'suite.js'),
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    version: process.env.VSCODE_VERSION || undefined,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${userData}`],
    extensionTestsEnv: { NEUMANN_LENS_TEST_WORKSPACE: workspace },
  });
} catch (err) {
  console.error(`VS Code integration tests failed: ${err instanceof Error ? err.message : String(err)}`);
  if (!process.env.VSCODE_EXECUTABLE) console.error('(no VSCODE_EXECUTABLE set: VS Code had to be downloaded)');
  process.exitCode = 1;
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
