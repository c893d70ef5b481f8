// Lint: typescript-eslint's recommended rules, and the layering of src/ as import rules, so a
// boundary is enforced where it is crossed (test/import-graph.test.ts adds what a per-file rule
// cannot see: cycles). The areas, from the bottom up:
//   core      numerics and inputs: imports nothing else of src/, never vscode
//   protocol  messages declared once (TypeBox): imports core's declarations (the report, error
//             places) at run time, because a validator needs the schema value, not only its type
//   process   child-process faults shared by the worker and its host
//   bridge    the TypeScript side of the PyTorch server
//   session   runSession: core + protocol + bridge + process
//   worker, cli   entry points on top of session
//   extension the VS Code host (the only place, with its tests, that imports vscode)
//   webview   the panel bundle: protocol and pure core modules only, no Node built-ins
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const forbid = (message, ...names) => ({ group: names.flatMap((n) => [`**/${n}/*`, `**/${n}/**`]), message });
const noVscode = { name: 'vscode', message: 'only src/extension talks to VS Code; keep this module testable under plain Node' };
const restrict = (patterns, paths = [noVscode]) => ({ 'no-restricted-imports': ['error', { paths, patterns }] });

export default tseslint.config(
  { ignores: ['dist/**', 'media/**', 'out/**', '.cache/**', 'node_modules/**', 'test-results/**', 'python/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/core/**/*.ts'], rules: restrict([forbid('core imports nothing above it', 'protocol', 'process', 'bridge', 'session', 'worker', 'cli', 'extension', 'webview')]) },
  { files: ['src/protocol/**/*.ts'], rules: restrict([forbid('protocol declares messages; it does not run sessions or processes', 'process', 'bridge', 'session', 'worker', 'cli', 'extension', 'webview')]) },
  { files: ['src/process/**/*.ts'], rules: restrict([forbid('process is below session and worker', 'bridge', 'session', 'worker', 'cli', 'extension', 'webview')]) },
  { files: ['src/bridge/**/*.ts'], rules: restrict([forbid('the bridge is a transport: it knows no session or host', 'session', 'worker', 'cli', 'extension', 'webview')]) },
  { files: ['src/session/**/*.ts'], rules: restrict([forbid('session is below its entry points', 'worker', 'cli', 'extension', 'webview')]) },
  { files: ['src/worker/**/*.ts'], rules: restrict([forbid('entry points do not import each other or the host', 'cli', 'extension', 'webview')]) },
  { files: ['src/cli/**/*.ts'], rules: restrict([forbid('entry points do not import each other or the host', 'worker', 'extension', 'webview')]) },
  { files: ['src/extension/**/*.ts'], rules: restrict([forbid('the panel is its own bundle: talk to it through src/protocol', 'webview')], []) },
  {
    files: ['src/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: restrict(
      [
        forbid('the panel sees protocol and pure core modules only', 'process', 'bridge', 'session', 'worker', 'cli', 'extension', 'model', 'algorithms', 'config', 'data'),
        { group: ['node:*'], message: 'the panel runs in a browser: no Node built-ins' },
      ],
      [noVscode],
    ),
  },
  // Tests that feed raw wire data (malformed frames, patched reports) need untyped values on purpose.
  { files: ['test/**/*.ts'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
  {
    files: ['test/e2e/probe/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
