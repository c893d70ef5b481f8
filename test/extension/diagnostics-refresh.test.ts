import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputError } from '../../src/core/errors';
import { validateExperiment } from '../../src/core/config/load';
import type { ErrorInfo } from '../../src/protocol/messages';
import { parseJsonStrict } from '../../src/core/config/json-location';
import { errorToInfo } from '../../src/process/faults';
import { errorDiagnostics, reportDiagnostics, type PlannedDiagnostic } from '../../src/extension/diagnostics-model';
import { checkText, displayMessage, displaySeverity, refresh, valueAt, withRunValues } from '../../src/extension/diagnostics-refresh';
import { applyFixToText } from '../../src/extension/fix-edit';
import { sampleReport } from '../fixtures/sample-report';

const file = join(__dirname, '../../examples/seed-regression.neumann.json');
const text = readFileSync(file, 'utf8');

/** The file with `"key": old` replaced by `"key": now` (a plain text edit, as a user types it). */
function edit(src: string, key: string, old: string, now: string): string {
  const from = `"${key}": ${old}`;
  assert.ok(src.includes(from), `${from} not in the text`);
  return src.replace(from, `"${key}": ${now}`);
}

/** A failed run's diagnostics for this text, as the controller makes them (worker validation + run values). */
function failedRun(src: string): PlannedDiagnostic[] {
  let info: ErrorInfo | null = null;
  try {
    validateExperiment(parseJsonStrict(src, file), file);
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    info = errorToInfo(e);
  }
  assert.ok(info, 'the text must be invalid');
  return withRunValues(errorDiagnostics(info, file, () => src), file, src);
}

test('valueAt reads the value at a JSON path canonically, "" when absent', () => {
  assert.equal(valueAt(text, 'neumann.alpha'), '1');
  assert.equal(valueAt(text, 'model.layers'), '[1,8,4,1]');
  assert.equal(valueAt(text, 'model.layers[2]'), '4');
  assert.equal(valueAt(text, 'neumann.damping'), '', 'seed-regression has no damping');
  // Formatting is not a change of value.
  assert.equal(valueAt(text.replace('"alpha": 1', '"alpha":    1'), 'neumann.alpha'), '1');
  assert.notEqual(valueAt(edit(text, 'alpha', '1', '0.5'), 'neumann'), valueAt(text, 'neumann'));
});

test('a fixed JSON syntax error leaves Problems at once; a new one appears at once', () => {
  const broken = text.replace('"seed": 123,', '"seed": 123,,');
  assert.notEqual(broken, text);
  const run = failedRun(broken);
  assert.equal(run.length, 1);
  assert.equal(run[0].origin, 'syntax');
  assert.match(run[0].message, /JSON syntax error/);

  assert.deepEqual(refresh(run, file, text), [], 'the fixed file has no problem left');

  // Broken again while the run's diagnostics are still tracked: the current syntax error shows, once.
  const again = refresh(refresh(run, file, text), file, broken);
  assert.equal(again.length, 1);
  assert.equal(again[0].origin, 'check');
  assert.equal(again[0].message, run[0].message);
  assert.deepEqual(again[0].range, run[0].range);
  assert.equal(refresh(again, file, broken).length, 1, 'a second refresh of the same text does not add it twice');
});

test('fixed schema errors disappear at once; the ones still there stay (once), a new value gets its own message', () => {
  const bad = edit(edit(text, 'alpha', '1', '-1'), 'batchSize', '32', '0');
  const run = failedRun(bad);
  assert.deepEqual(run.map((d) => d.key).sort(), ['neumann.alpha', 'training.batchSize']);

  const alphaFixed = edit(bad, 'alpha', '-1', '0.5');
  const after = refresh(run, file, alphaFixed);
  assert.deepEqual(after.map((d) => d.key), ['training.batchSize'], 'only the problem still in the file');
  assert.equal(after[0].origin, 'error', 'the run’s own entry, not a copy from the check');

  const otherBad = edit(bad, 'alpha', '-1', '-2');
  const msgs = refresh(run, file, otherBad).map((d) => `${d.key}: ${d.message}`).sort();
  assert.equal(msgs.length, 2);
  assert.match(msgs[0], /^neumann\.alpha: .*-2/, 'the current value’s problem, not the run’s -1');

  const allFixed = edit(alphaFixed, 'batchSize', '0', '16');
  assert.deepEqual(refresh(run, file, allFixed), []);
});

test('a run error the host check cannot reproduce stays until its key changes', () => {
  // The worker found a problem the schema cannot see (e.g. weights that do not fit model.layers).
  const info = errorToInfo(new InputError('state_dict has 3 Linear layers, model.layers needs 3', { kind: 'json', path: 'model.layers' }));
  const run = withRunValues(errorDiagnostics(info, file, () => text), file, text);
  assert.equal(run.length, 1);
  assert.deepEqual(refresh(run, file, edit(text, 'alpha', '1', '0.5')), run, 'another key changed: still true');
  assert.deepEqual(refresh(run, file, text.replace('[1, 8, 4, 1]', '[1, 8, 1]')), [], 'its key changed: gone');
});

test('advice whose key changed since the run is marked stale (and unmarked when the value comes back)', () => {
  const report = sampleReport();
  const run = withRunValues(reportDiagnostics(report, file, text), file, text);
  const [damping, alpha] = run;
  assert.equal(alpha.runValue, '1');
  assert.equal(damping.runValue, '');

  const changed = edit(text, 'alpha', '1', '0.3');
  const after = refresh(run, file, changed);
  assert.equal(after.length, 2);
  const a = after.find((d) => d.key === 'neumann.alpha')!;
  assert.equal(a.stale, 'neumann.alpha changed since the run');
  assert.equal(displayMessage(a), `(stale: neumann.alpha changed since the run) ${report.advice.messages[1].text}`);
  assert.equal(displaySeverity(a), 'info');
  const d = after.find((x) => x.key === 'neumann.damping')!;
  assert.equal(d.stale, undefined, 'damping is as the run read it');
  assert.equal(displayMessage(d), d.message);
  assert.equal(displaySeverity(d), 'error');

  const back = refresh(after, file, text);
  assert.deepEqual(back, run, 'the run’s value again: nothing stale');

  // Applying the advised fix drops the entry instead (the fix did its job).
  const fixed = applyFixToText(text, report.advice.messages[1].fix!);
  assert.deepEqual(refresh(run, file, fixed).map((x) => x.key), ['neumann.damping']);
});

test('a schema error typed into a file with a report appears at once beside the (kept) advice', () => {
  const run = withRunValues(reportDiagnostics(sampleReport(), file, text), file, text);
  const bad = edit(text, 'batchSize', '32', '"many"');
  const after = refresh(run, file, bad);
  const check = after.filter((d) => d.origin === 'check');
  assert.deepEqual(check.map((d) => d.key), ['training.batchSize']);
  assert.equal(after.filter((d) => d.origin === 'advice').length, 2);
  assert.equal(after.filter((d) => d.origin === 'advice' && d.stale).length, 0);
  assert.deepEqual(refresh(after, file, text), run, 'and goes at once when undone');
});

test('entries in other files (a CSV data error) are left as they are', () => {
  const csv = join(__dirname, 'data.csv');
  const info = errorToInfo(new InputError("'x' is not a number", { kind: 'file', file: csv, line: 3, column: 2 }));
  const run = withRunValues(errorDiagnostics(info, file, () => text), file, text);
  assert.equal(run[0].origin, 'error');
  assert.deepEqual(refresh(run, file, edit(text, 'alpha', '1', '0.5')), run);
});

test('checkText of the example is clean; of a broken text is its first syntax error', () => {
  assert.deepEqual(checkText(text, file), []);
  const [d, ...rest] = checkText(text.slice(0, 40), file);
  assert.equal(rest.length, 0);
  assert.equal(d.origin, 'check');
  assert.equal(d.file, file);
  assert.match(d.message, /JSON syntax error/);
});
