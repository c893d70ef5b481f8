/**
 * The built CLI (a real child process) on the "Hyperparameter loop" template: a line per
 * hyper-step of every run on stderr, the loop's tables on stdout, report.hyper valid against the
 * report schema, exit 3 when the loop's series diverges, and the warning with its fixes printed as
 * the first step that raises it happens.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { REPORT_SCHEMA_FILE } from '../../scripts/gen-report-schema';
import { HYPER_COLUMNS, hyperRow } from '../../src/core/diagnosis/hyper-table';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import { ROOT, ensureBuilt, tempDir, writeJson } from '../worker/helpers';
import { cli } from './helpers';

before(ensureBuilt);

/** The published schema (ajv, independent of the TypeBox declaration it is generated from). */
const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync(REPORT_SCHEMA_FILE, 'utf8')));

function reportFile(file: string): DiagnosisReport {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  assert.ok(validate(raw), JSON.stringify(validate.errors));
  return raw as DiagnosisReport;
}

/** The template with absolute data paths, edited. */
function experimentIn(dir: string, edit: (e: Record<string, any>) => void): string {
  const e = JSON.parse(readFileSync(join(ROOT, 'examples', 'hyper-logistic-regression.neumann.json'), 'utf8'));
  for (const split of ['train', 'validation']) e.data[split].csv = join(ROOT, 'examples', e.data[split].csv);
  edit(e);
  return writeJson(dir, 'loop.neumann.json', e);
}

test('a converging loop: one stderr line per hyper-step of every run, the tables on stdout, report.hyper valid, exit 0', async () => {
  const dir = tempDir();
  const file = experimentIn(dir, (e) => (e.hyper.steps = 3));
  const json = join(dir, 'r.json');
  const md = join(dir, 'r.md');
  const r = await cli(['diagnose', file, '--json', json, '--markdown', md, '--backend', 'cpu']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('hyper '));
  assert.deepEqual(
    lines.map((l) => l.slice(0, l.indexOf(':'))),
    ['neumann', 'exact', 'identity'].flatMap((inverse) => [1, 2, 3].map((t) => `hyper ${inverse} ${t}/3`)),
  );
  const h = reportFile(json).hyper!;
  assert.equal(h.trajectory.length, 3);
  assert.deepEqual(h.compare.map((c) => c.inverse), ['exact', 'identity']);
  assert.deepEqual(h.warnings, []);
  // The stderr line and the stdout row are the same cells of the same step.
  const cells = hyperRow(h.trajectory[1]);
  assert.equal(lines[1], `hyper neumann 2/3: ${HYPER_COLUMNS.slice(1).map((c, i) => `${c} ${cells[i + 1]}`).join(', ')}`);
  assert.match(r.stdout, /\nHyperparameter loop: neumann inverse, reference exact, global weight decay \(1 group\), sgd\n/);
  assert.match(r.stdout, /Hyperparameter loop: identity inverse \(compared\)/);
  assert.ok(r.stdout.includes(`  ${cells[0]}     ${cells[1]}`), 'the step row is in the table');
  const markdown = readFileSync(md, 'utf8');
  assert.match(markdown, /## Hyperparameter loop: neumann inverse/);
  assert.ok(markdown.includes(`| ${HYPER_COLUMNS.join(' | ')} |`));
});

test('α above 2/λ_max: the ρ warning and its fixes on stderr as the first step happens, in the report, and exit 3', async () => {
  const dir = tempDir();
  const json = join(dir, 'r.json');
  const file = experimentIn(dir, (e) => {
    e.hyper.steps = 2;
    e.hyper.compare = [];
    e.neumann.alpha = 8;
  });
  const r = await cli(['diagnose', file, '--json', json, '--backend', 'cpu']);
  assert.equal(r.code, 3, r.stderr);
  const err = r.stderr.split('\n');
  const first = err.findIndex((l) => l.startsWith('hyper neumann 1/2:'));
  const second = err.findIndex((l) => l.startsWith('hyper neumann 2/2:'));
  assert.ok(first >= 0 && second > first, r.stderr);
  assert.match(err[first + 1], /^error: Hyper-step 1 \(neumann run\): the Neumann series diverges, ρ\(I − α\(H \+ δI\)\) ∈ \[/);
  const [scaled, auto] = reportFile(json).hyper!.warnings[0].messages.slice(1);
  assert.equal(err[first + 2], `  fix: ${scaled.text} [Set neumann.alpha to ${scaled.fix!.value}]`);
  assert.match(err[first + 3], /^ {2}fix: Let α follow the curvature.*\[Set neumann\.alpha to "auto"\]$/);
  assert.deepEqual(auto.fix?.value, 'auto');
  assert.ok(err.slice(first + 1, second).every((l) => !l.startsWith('hyper ')), 'the warning comes before the next step');
  assert.match(r.stderr, /note: the hyperparameter loop's Neumann series diverged at some hyper-step \(exit code 3\)/);
  // The table marks the step and lists the warning with its fixes under the run.
  assert.match(r.stdout, /\n {2}✖ Hyper-step 1 \(neumann run\): the Neumann series diverges/);
  assert.ok(r.stdout.includes('[fix: Set neumann.alpha to "auto"]'));
});
