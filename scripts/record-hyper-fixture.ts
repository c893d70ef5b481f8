/**
 * Records the hyperparameter-loop session the webview tests replay: the CLI (the session's own
 * code path, run from src/ through tsx) on the "Hyperparameter loop" template
 * (examples/hyper-logistic-regression.neumann.json), writing its event stream and report to test/fixtures. Run: node --import tsx scripts/record-hyper-fixture.ts
 * The README's picture of the panel's hyperparameter view is made from this recording by
 * NEUMANN_UPDATE_DOCS_IMAGES=1 node --import tsx --test test/webview/panel.test.ts (docs/images/panel-hyper.png).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..');
const dir = join(ROOT, 'test', 'fixtures');
const r = spawnSync(
  process.execPath,
  ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'diagnose', join(ROOT, 'examples', 'hyper-logistic-regression.neumann.json'),
    '--events', join(dir, 'hyper-logistic.events.jsonl'), '--json', join(dir, 'hyper-logistic.report.json'), '--backend', 'cpu', '--quiet'],
  // The report's text on stdout is not part of the recording.
  { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] },
);
// Exit 0 (the loop's series converges at every step) or 3 (it diverged at one): both are recordings.
if (r.status !== 0 && r.status !== 3) {
  process.stderr.write(`record-hyper-fixture: the CLI exited ${r.status ?? r.signal}\n`);
  process.exit(1);
}
