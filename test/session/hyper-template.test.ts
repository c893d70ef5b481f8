/**
 * The "Hyperparameter loop" template as a user breaks and repairs it: α = 8 is above 2/λ_max, so
 * the first hyper-step's series diverges; the session records the ρ warning with its fixes, the
 * extension's Problems (diagnostics-model, pure) carry it on neumann.alpha with those Quick
 * Fixes, and applying the "auto" fix to the file (fix-edit, the Quick Fix's edit) and running
 * again leaves no such warning. The template as shipped is healthy over its first steps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readExperimentFile } from '../../src/core/config/load';
import { spectralRadius } from '../../src/core/diagnosis/spectral-radius';
import { roundSig } from '../../src/core/diagnosis/format';
import { reportDiagnostics } from '../../src/extension/diagnostics-model';
import { applyFixToText } from '../../src/extension/fix-edit';
import { runSession } from '../../src/session/run-session';
import { ROOT, tempDir } from '../worker/helpers';

/** The template with absolute data paths (so it runs from a temporary folder), its loop shortened. */
function templateText(edit: (e: Record<string, any>) => void): string {
  const e = JSON.parse(readFileSync(join(ROOT, 'examples', 'hyper-logistic-regression.neumann.json'), 'utf8'));
  for (const split of ['train', 'validation']) e.data[split].csv = join(ROOT, 'examples', e.data[split].csv);
  e.hyper.steps = 3;
  e.hyper.compare = [];
  edit(e);
  return JSON.stringify(e, null, 2) + '\n';
}

async function run(text: string) {
  const file = join(tempDir(), 'loop.neumann.json');
  writeFileSync(file, text);
  return { file, report: await runSession(readExperimentFile(file), { backend: 'cpu' }, { onEvent: () => {} }) };
}

test('α = 8 on the template: the ρ warning with α = 1/λ_max and "auto" in report.hyper.warnings and in Problems; the "auto" fix applied, it is gone', async () => {
  const text = templateText((e) => (e.neumann.alpha = 8));
  const { file, report } = await run(text);
  const rho = report.hyper!.warnings.find((w) => w.condition === 'rho');
  assert.ok(rho, JSON.stringify(report.hyper!.warnings));
  assert.equal(rho.inverse, 'neumann');
  assert.equal(rho.steps[0], 1);
  const first = report.hyper!.trajectory[0];
  // The cited numbers are the step's own: ρ at α = 8 and at the proposed α from its spectrum.
  assert.equal(first.rho, spectralRadius(8, first.lambdaMinInterval, first.lambdaMaxInterval).rho);
  assert.ok(first.rhoInterval[0] >= 1);
  const [head, scaled, auto] = rho.messages;
  assert.deepEqual([head.kind, head.severity, head.key], ['hyper-diverges', 'error', 'neumann.alpha']);
  assert.equal(scaled.fix?.value, roundSig(1 / first.lambdaMaxInterval[1], 3));
  assert.ok(spectralRadius(scaled.fix!.value as number, first.lambdaMinInterval, first.lambdaMaxInterval).rho < 1);
  assert.deepEqual(auto.fix, { path: ['neumann', 'alpha'], value: 'auto', label: 'Set neumann.alpha to "auto"' });

  // What the extension puts in Problems: the warning on neumann.alpha's value, with both Quick Fixes there.
  const diags = reportDiagnostics(report, file, text);
  const warning = diags.find((d) => d.code === 'hyper-diverges');
  assert.ok(warning, diags.map((d) => d.code).join(', '));
  assert.equal(warning.message.startsWith(head.text), true);
  assert.equal(warning.severity, 'error');
  const alphaLine = text.split('\n').findIndex((l) => l.includes('"alpha": 8'));
  assert.equal(warning.range.start.line, alphaLine);
  const onAlpha = diags.filter((d) => d.range.start.line === alphaLine).flatMap((d) => d.fixes);
  assert.ok(onAlpha.some((f) => f.value === 'auto'));
  assert.ok(onAlpha.some((f) => f.value === scaled.fix!.value));

  // Apply the "auto" Quick Fix's edit and run again.
  const fixed = applyFixToText(text, auto.fix!);
  assert.match(fixed, /"alpha": "auto"/);
  const again = await run(fixed);
  assert.deepEqual(again.report.hyper!.warnings.filter((w) => w.condition === 'rho'), []);
  assert.ok(again.report.hyper!.trajectory.every((s) => s.rho < 1));
  assert.equal(reportDiagnostics(again.report, again.file, fixed).filter((d) => d.code.startsWith('hyper-')).length, 0);
});

test('the template as shipped: no warning over its first hyper-steps', async () => {
  const { report } = await run(templateText(() => {}));
  assert.equal(report.hyper!.trajectory.length, 3);
  assert.deepEqual(report.hyper!.warnings, []);
});
