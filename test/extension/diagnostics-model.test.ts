import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { InputError } from '../../src/core/errors';
import { parseJsonStrict } from '../../src/core/config/json-location';
import { validateExperiment } from '../../src/core/config/load';
import { errorToInfo } from '../../src/process/faults';
import type { ErrorInfo } from '../../src/protocol/messages';
import {
  errorDiagnostics,
  fixesAt,
  groupsAt,
  relocate,
  reportDiagnostics,
  type Span,
} from '../../src/extension/diagnostics-model';
import { applyFixToText } from '../../src/extension/fix-edit';
import { sampleReport } from '../fixtures/sample-report';

const file = join(__dirname, '../../examples/seed-regression.neumann.json');
const text = readFileSync(file, 'utf8');
const lines = text.split('\n');

/** Independent reference: where `"key": value` sits, by plain text search. */
function spanOfProperty(src: string, key: string, value: string): Span {
  const ls = src.split('\n');
  const line = ls.findIndex((l) => l.includes(`"${key}": ${value}`));
  assert.ok(line >= 0, `"${key}": ${value} not in the file`);
  const character = ls[line].indexOf(`"${key}"`);
  return { start: { line, character }, end: { line, character: ls[line].indexOf(value, character + key.length + 3) + value.length } };
}
function lineOfKey(src: string, key: string): number {
  return src.split('\n').findIndex((l) => l.includes(`"${key}":`));
}

test('advice messages land on their keys (absent keys on the nearest parent)', () => {
  const report = sampleReport();
  const diags = reportDiagnostics(report, file, text);
  assert.equal(diags.length, report.advice.messages.length);
  const [damping, alpha] = diags;
  // seed-regression has no neumann.damping: the diagnostic sits on the `neumann` key.
  assert.equal(damping.key, 'neumann.damping');
  assert.equal(damping.range.start.line, lineOfKey(text, 'neumann'));
  assert.equal(damping.range.start.character, lines[lineOfKey(text, 'neumann')].indexOf('"neumann"'));
  assert.equal(damping.severity, 'error');
  assert.equal(damping.code, 'negative-curvature');
  assert.deepEqual(damping.fixes, [report.advice.messages[0].fix]);
  assert.equal(damping.message, report.advice.messages[0].text);
  assert.equal(damping.file, file);
  assert.deepEqual(alpha.range, spanOfProperty(text, 'alpha', '1'));
  assert.equal(alpha.severity, 'warning');
});

test('a message without a key sits on its fix path, else on the neumann block', () => {
  const report = sampleReport();
  report.advice.messages = [
    { kind: 'set-terms', severity: 'info', text: 'more terms', fix: { path: ['neumann', 'terms'], value: 40, label: 'Set terms = 40' } },
    { kind: 'use-cg', severity: 'info', text: 'use CG' },
  ];
  const [terms, cg] = reportDiagnostics(report, file, text);
  assert.deepEqual(terms.range, spanOfProperty(text, 'terms', '10'));
  assert.equal(cg.range.start.line, lineOfKey(text, 'neumann'));
  assert.deepEqual(cg.fixes, []);
});

test('worker errors: JSON path, file:line:column (1-based → 0-based), and no place', () => {
  const textOf = (f: string) => (f === file ? text : null);
  const [json] = errorDiagnostics(
    { message: 'must be > 0', code: 'input', where: { kind: 'json', path: 'training.learningRate' } },
    file,
    textOf,
  );
  assert.equal(json.file, file);
  assert.deepEqual(json.range, spanOfProperty(text, 'learningRate', '0.01'));
  assert.equal(json.severity, 'error');

  const [csv] = errorDiagnostics(
    { message: 'not a number', code: 'input', where: { kind: 'file', file: '/data/train.csv', line: 3, column: 5 } },
    file,
    textOf,
  );
  assert.equal(csv.file, '/data/train.csv');
  assert.deepEqual(csv.range, { start: { line: 2, character: 4 }, end: { line: 2, character: 5 } });
  assert.equal(csv.key, null);

  const [relative] = errorDiagnostics({ message: 'x', code: 'input', where: { kind: 'file', file: 'val.csv', line: 2 } }, file, textOf);
  assert.equal(relative.file, join(dirname(file), 'val.csv'));

  const [wholeLine] = errorDiagnostics({ message: 'ragged row', code: 'input', where: { kind: 'file', file: '/d.csv', line: 7 } }, file, textOf);
  assert.equal(wholeLine.range.start.line, 6);
  assert.equal(wholeLine.range.start.character, 0);
  assert.ok(wholeLine.range.end.character > 1000);

  const [nowhere] = errorDiagnostics({ message: 'out of memory', code: 'oom' }, file, textOf);
  assert.deepEqual(nowhere.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
  assert.equal(nowhere.code, 'oom');

  // A JSON error in another file (a state_dict) lands there, at the start when it cannot be read.
  const [other] = errorDiagnostics({ message: 'shape', code: 'input', where: { kind: 'json', file: '/w.json', path: '0.weight' } }, file, textOf);
  assert.equal(other.file, '/w.json');
  assert.equal(other.range.start.line, 0);

  assert.deepEqual(errorDiagnostics({ message: 'x', code: 'internal' }, null, textOf), []);
});

test('an InputError travels as its message and its place: the diagnostic does not repeat the place', () => {
  const csvError = new InputError("'abc' in column 'x2' is not a number", { kind: 'file', file: '/w/bad.csv', line: 3, column: 3 });
  assert.equal(csvError.message, "/w/bad.csv:3:3: 'abc' in column 'x2' is not a number");
  const info = errorToInfo(csvError);
  assert.deepEqual(info, { message: "'abc' in column 'x2' is not a number", where: { kind: 'file', file: '/w/bad.csv', line: 3, column: 3 }, code: 'input' });
  const [d] = errorDiagnostics(info, file, () => null);
  assert.equal(d.message, "'abc' in column 'x2' is not a number");
  assert.deepEqual(d.range.start, { line: 2, character: 2 });
  const keyError = new InputError("unknown key 'bogus'", { kind: 'json', file, path: 'bogus' });
  assert.equal(errorDiagnostics(errorToInfo(keyError), file, () => text)[0].message, "unknown key 'bogus'");
});

test('an invalid experiment with several problems gets one diagnostic per problem, at each place', () => {
  // A real invalid experiment, validated as the worker does; its error crosses as data (`more`).
  const config = JSON.parse(text) as { neumann: { alpha: number }; training: { batchSize: number }; bogus?: number };
  config.neumann.alpha = -1;
  config.training.batchSize = 0;
  config.bogus = 1;
  let info: ErrorInfo | null = null;
  try {
    validateExperiment(config, file);
  } catch (e) {
    info = errorToInfo(e);
  }
  assert.ok(info && info.more && info.more.length >= 2, JSON.stringify(info));
  const diags = errorDiagnostics(info, file, (f) => (f === file ? text : null));
  assert.equal(diags.length, 1 + info.more.length);
  const byKey = new Map(diags.map((d) => [d.key, d]));
  assert.deepEqual(byKey.get('neumann.alpha')?.range, spanOfProperty(text, 'alpha', '1'));
  assert.deepEqual(byKey.get('training.batchSize')?.range, spanOfProperty(text, 'batchSize', '32'));
  assert.match(byKey.get('bogus')?.message ?? '', /^unknown key 'bogus'/);
  for (const d of diags) assert.ok(!d.message.includes(file), `no place inside the message: ${d.message}`);

  // Places in other files (a CSV) and problems without one, as the protocol carries them.
  const csv = join(dirname(file), 'data.csv');
  const mixed = errorDiagnostics(
    {
      message: 'CSV file not found: /w/nope.csv',
      code: 'input',
      where: { kind: 'json', file, path: 'data.train.csv' },
      more: [{ message: "'x' is not a number", where: { kind: 'file', file: csv, line: 4, column: 2 } }, { message: 'something odd' }],
    },
    file,
    (f) => (f === file ? text : null),
  );
  assert.deepEqual(
    mixed.map((d) => [d.file, d.message, d.range.start.line]),
    [
      [file, 'CSV file not found: /w/nope.csv', lineOfKey(text, 'data')],
      [csv, "'x' is not a number", 3],
      [file, 'something odd', 0],
    ],
  );
  // seed-regression has no data.train: that one sits on the nearest key there is, `data`.
  assert.equal(mixed[0].key, 'data.train.csv');
});

test("the host's own syntax errors map like the worker's", () => {
  let info: ErrorInfo | null = null;
  try {
    parseJsonStrict('{\n  "name": "x",\n  "seed": 1,\n  ]\n}', file);
  } catch (e) {
    info = errorToInfo(e);
  }
  assert.ok(info);
  assert.equal(info.where?.kind, 'file');
  const [d] = errorDiagnostics(info, file, () => text);
  assert.equal(d.file, file);
  assert.deepEqual(d.range.start, { line: 3, character: 2 });
  assert.equal(d.code, 'input');
  assert.ok(!d.message.includes(file), d.message);
});

test('after an edit: diagnostics follow their keys; an applied fix drops its diagnostic', () => {
  const report = sampleReport();
  const diags = reportDiagnostics(report, file, text);
  const alphaFix = report.advice.messages[1].fix!;
  const edited = applyFixToText('\n\n' + text, alphaFix);
  const after = relocate(diags, edited);
  assert.equal(after.length, 1, 'the alpha diagnostic is gone once α is set as advised');
  assert.equal(after[0].key, 'neumann.damping');
  assert.equal(after[0].range.start.line, lineOfKey(edited, 'neumann'));
  assert.equal(after[0].range.start.line, lineOfKey(text, 'neumann') + 2);
  // Untouched file: nothing moves, nothing is dropped.
  assert.deepEqual(relocate(diags, text), diags);
});

test('fixesAt finds the fixes of diagnostics touching a line range', () => {
  const diags = reportDiagnostics(sampleReport(), file, text);
  const alphaLine = lineOfKey(text, 'alpha');
  const neumannLine = lineOfKey(text, 'neumann');
  assert.deepEqual(fixesAt(diags, alphaLine, alphaLine).map((f) => f.fix.path.join('.')), ['neumann.alpha']);
  assert.deepEqual(fixesAt(diags, neumannLine, neumannLine).map((f) => f.fix.path.join('.')), ['neumann.damping']);
  assert.equal(fixesAt(diags, 0, 0).length, 0);
  assert.equal(fixesAt(diags, 0, lines.length).length, 2);
});

test('an "apply all" message becomes one diagnostic with its group, dropped once the file holds every fix of it', () => {
  const report = sampleReport();
  const fixes = [
    { path: ['neumann', 'damping'], value: 3.37, label: 'Set neumann.damping to 3.37' },
    { path: ['neumann', 'alpha'], value: 0.0872, label: 'Set neumann.alpha to 0.0872' },
  ];
  report.advice.messages = [{ kind: 'apply-all', severity: 'info', text: 'together', key: 'neumann.damping', fixes }];
  const text = '{\n  "name": "x",\n  "neumann": {\n    "alpha": 1,\n    "terms": 10\n  }\n}\n';
  const [d] = reportDiagnostics(report, '/w/x.neumann.json', text);
  assert.deepEqual(d.together, fixes);
  assert.deepEqual(d.fixes, [], 'the group is not offered fix by fix from this diagnostic');
  assert.deepEqual(groupsAt([d], d.range.start.line, d.range.end.line).map((g) => g.fixes), [fixes]);
  assert.equal(relocate([d], applyFixToText(text, fixes[0])).length, 1, 'half applied: still there');
  assert.equal(relocate([d], fixes.reduce((t, f) => applyFixToText(t, f), text)).length, 0);
});
