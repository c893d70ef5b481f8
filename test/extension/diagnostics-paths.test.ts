// Bracket and quoted paths from the loader to the Problems panel: an invalid experiment's error
// (first problem in `where`, the rest in `more`, as the worker sends it) → one diagnostic per problem at the
// text its path names, also after the file is edited.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExperimentText } from '../../src/core/config/load';
import { InputError } from '../../src/core/errors';
import { errorDiagnostics, messageKey, relocate, type PlannedDiagnostic } from '../../src/extension/diagnostics-model';
import { errorToInfo } from '../../src/process/faults';
import { computeFixEdits } from '../../src/extension/fix-edit';

const file = '/w/odd dir: at here/e.neumann.json';
const text = [
  '{',
  '  "problem": { "kind": "quadratic", "matrix": [[1, 2], [3]], "vector": [1, 1] },',
  '  "neumann": { "alpha": -1, "terms": 5 },',
  '  "bad key: x": 1',
  '}',
].join('\n');

function diagnosticsOf(src: string): PlannedDiagnostic[] {
  try {
    parseExperimentText(src, file);
  } catch (e) {
    assert.ok(e instanceof InputError);
    return errorDiagnostics(errorToInfo(e), file, (f) => (f === file ? src : null));
  }
  assert.fail('expected an invalid experiment');
}

const at = (src: string, d: PlannedDiagnostic) => {
  assert.equal(d.range.start.line, d.range.end.line);
  return src.split('\n')[d.range.start.line].slice(d.range.start.character, d.range.end.character);
};

test('every problem of an invalid experiment gets its own diagnostic at its path', () => {
  const diags = diagnosticsOf(text);
  assert.deepEqual(
    diags.map((d) => [d.key, at(text, d), d.message.split(' (')[0]]),
    [
      ['neumann.alpha', '"alpha": -1', 'expected a number > 0 or "auto"'],
      ['["bad key: x"]', '"bad key: x": 1', "unknown key 'bad key: x'"],
    ],
  );
  // With the structure fixed, load.ts's own check on a matrix row (an index path) comes through.
  const rows = text.replace('"alpha": -1', '"alpha": 1').replace(',\n  "bad key: x": 1', '');
  const [row] = diagnosticsOf(rows);
  assert.equal(row.key, 'problem.matrix[1]');
  assert.equal(at(rows, row), '[');
  assert.equal(rows.split('\n')[row.range.start.line].slice(row.range.start.character, row.range.start.character + 3), '[3]');
});

test('after an edit each diagnostic moves with its key; a removed key leaves it on the parent', () => {
  const diags = diagnosticsOf(text);
  const edited = `{\n  "note": "x",\n${text.slice(2)}`;
  const moved = relocate(diags, edited);
  assert.deepEqual(moved.map((d) => at(edited, d)), ['"alpha": -1', '"bad key: x": 1']);
  const withoutAlpha = text.replace('"alpha": -1, ', '');
  assert.equal(at(withoutAlpha, relocate(diags, withoutAlpha)[0]), '"neumann"');
});

test('a fix path names its key in the one format, and the fix edits that key', () => {
  const fix = { path: ['neumann', 'alpha'], value: 0.5, label: 'Set neumann.alpha to 0.5' };
  assert.equal(messageKey({ kind: 'x', severity: 'info', text: 't', fix } as never), 'neumann.alpha');
  const [edit] = computeFixEdits(text, fix);
  assert.equal(text.slice(edit.offset, edit.offset + edit.length), '-1');
  assert.throws(
    () => computeFixEdits('{"neumann": [1]}', { path: ['neumann', 'alpha'], value: 1, label: 'x' }),
    (e: unknown) => e instanceof InputError && e.where?.kind === 'json' && e.where.path === 'neumann' && /cannot set neumann\.alpha: neumann is not an object/.test(e.message),
  );
});
