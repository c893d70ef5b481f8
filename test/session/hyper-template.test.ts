/**
 * The "Hyperparameter loop" template as a user breaks and repairs it: α = 8 is above 2/λ_max, so
 * the first hyper-step's series diverges; the session records the ρ warning with its fixes, the
 * extension's Problems (diagnostics-model, pure) carry it on neumann.alpha with those Quick
 * Fixes, and applying the "auto" fix to the file (fix-edit, the Quick Fix's edit) and running
 * again leaves no such warning. The template as shipped is healthy over its first steps, and over
 * all 15 does what the READMEs say: its error warning's terms fix, applied, removes it.
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

test('the template as shipped, all 15 hyper-steps: what its README and examples/README say happens', async () => {
  const e = JSON.parse(readFileSync(join(ROOT, 'examples', 'hyper-logistic-regression.neumann.json'), 'utf8'));
  const { report } = await run(templateText((x) => Object.assign(x.hyper, { steps: e.hyper.steps, compare: e.hyper.compare })));
  const h = report.hyper!;
  const [exact, identity] = h.compare;
  assert.deepEqual([h.trajectory.length, exact.trajectory.length, identity.trajectory.length], [15, 15, 15]);
  // λ falls from 0.1 to about 0.002, ρ at α = 2.9 climbs from 0.33 to 0.88.
  assert.equal(h.trajectory[0].rho.toFixed(2), '0.33');
  assert.equal(h.trajectory[14].rho.toFixed(2), '0.88');
  assert.ok(h.final.weightDecay[0] > 0.0015 && h.final.weightDecay[0] < 0.0025, `final λ ${h.final.weightDecay[0]}`);
  // The Neumann error first passes hyper.errorThreshold (10 %) at step 9 and stays past it: one warning, with the terms fix.
  const first = h.trajectory.findIndex((s) => s.relativeError! > 0.1) + 1;
  assert.equal(first, 9);
  assert.deepEqual(h.warnings.map((w) => [w.inverse, w.condition, w.steps]), [['neumann', 'error', [9, 10, 11, 12, 13, 14, 15]]]);
  assert.equal(h.warnings[0].messages[1].fix?.path.join('.'), 'neumann.terms');
  // identity is 77–91 % off throughout; exact is the reference itself.
  const idErrors = identity.trajectory.map((s) => s.relativeError!);
  assert.ok(Math.min(...idErrors) > 0.76 && Math.max(...idErrors) < 0.92, idErrors.join(', '));
  assert.ok(exact.trajectory.every((s) => s.relativeError === 0));

  // Its fix applied, the loop's own run keeps within the threshold at every step.
  const again = await run(applyFixToText(templateText((x) => (x.hyper.steps = e.hyper.steps)), h.warnings[0].messages[1].fix!));
  assert.deepEqual(again.report.hyper!.warnings, []);
  assert.ok(again.report.hyper!.trajectory.every((s) => s.relativeError! < 0.1));
});
