import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCsv, readCsvDataset } from '../../../src/core/data/csv';
import { InputError } from '../../../src/core/errors';

const F = 'data.csv';

/** Asserts an InputError located at file:line[:column] whose message contains every fragment. */
function throwsAt(fn: () => unknown, line: number | undefined, column: number | undefined, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof InputError, `expected InputError, got ${String(e)}`);
    assert.equal(e.where?.kind, 'file');
    if (e.where?.kind !== 'file') return false;
    assert.equal(e.where.line, line, `line of: ${e.message}`);
    assert.equal(e.where.column, column, `column of: ${e.message}`);
    for (const f of fragments) assert.ok(e.message.includes(f), `'${e.message}' should contain '${f}'`);
    return true;
  });
}

test('reads header, target by name, features in file order, row-major float32', () => {
  const d = parseCsv('a,y,b\n1,2,3\n4,5,6\n', F);
  assert.equal(d.rows, 2);
  assert.equal(d.features, 2);
  assert.deepEqual(d.featureNames, ['a', 'b']);
  assert.equal(d.targetName, 'y');
  assert.deepEqual(Array.from(d.x), [1, 3, 4, 6]);
  assert.deepEqual(Array.from(d.y), [2, 5]);
  assert.equal(d.source, F);
  assert.ok(d.x instanceof Float32Array && d.y instanceof Float32Array);
});

test('explicit features choose and order the columns; other target name', () => {
  const d = parseCsv('a,b,c,label\n1,2,3,0\n4,5,6,1\n', F, { target: 'label', features: ['c', 'a'] });
  assert.deepEqual(d.featureNames, ['c', 'a']);
  assert.deepEqual(Array.from(d.x), [3, 1, 6, 4]);
  assert.deepEqual(Array.from(d.y), [0, 1]);
});

test('BOM, CRLF, blank trailing lines, spaces around cells and exponents are accepted', () => {
  const d = parseCsv('\uFEFFx, y\r\n1.5e-1 , -2\r\n.5,+3E2\r\n\r\n\r\n', F);
  assert.deepEqual(d.featureNames, ['x']);
  assert.deepEqual(Array.from(d.x), [Math.fround(0.15), 0.5]);
  assert.deepEqual(Array.from(d.y), [-2, 300]);
  const noFinalNewline = parseCsv('x,y\n1,2', F);
  assert.equal(noFinalNewline.rows, 1);
});

test('empty file and header-only file', () => {
  throwsAt(() => parseCsv('', F), 1, 1, 'empty file');
  throwsAt(() => parseCsv('\uFEFF\r\n\r\n', F), 1, 1, 'empty file');
  throwsAt(() => parseCsv('x,y\n', F), 2, 1, 'header only');
});

test('ragged rows name the expected and found counts', () => {
  throwsAt(() => parseCsv('x,y\n1,2\n3\n', F), 3, 2, 'expected 2', 'found 1');
  throwsAt(() => parseCsv('x,y\n1,2\n3,4,5\n', F), 3, 5, 'expected 2', 'found 3');
});

test('non-numeric, empty, NaN, Inf and overflowing cells name the column and the text', () => {
  throwsAt(() => parseCsv('x,y\n1,2\n3,abc\n', F), 3, 3, "'abc'", "column 'y'", 'not a number');
  throwsAt(() => parseCsv('x,y\n1,2\nNaN,4\n', F), 3, 1, "'NaN'", "column 'x'", 'not a finite number');
  throwsAt(() => parseCsv('x,y\n1,-inf\n', F), 2, 3, "'-inf'", 'not a finite number');
  throwsAt(() => parseCsv('x,y\n1,Infinity\n', F), 2, 3, 'not a finite number');
  throwsAt(() => parseCsv('x,y\n1e39,1\n', F), 2, 1, 'too large for float32');
  throwsAt(() => parseCsv('x,y\n1,\n', F), 2, 3, "empty cell in column 'y'");
  throwsAt(() => parseCsv('x,y\n0x1f,1\n', F), 2, 1, "'0x1f'");
  throwsAt(() => parseCsv('x,y\n"1",2\n', F), 2, 1, 'not a number');
});

test('unknown target or feature lists the existing columns', () => {
  throwsAt(() => parseCsv('a,b\n1,2\n', F), 1, undefined, "target column 'y' not found", "'a', 'b'");
  throwsAt(() => parseCsv('a,y\n1,2\n', F, { features: ['z'] }), 1, undefined, "feature column 'z' not found", "'a', 'y'");
  throwsAt(() => parseCsv('a,y\n1,2\n', F, { features: ['y'] }), 1, undefined, 'both the target and a feature');
  throwsAt(() => parseCsv('y\n1\n', F), 1, undefined, 'no feature columns');
});

test('duplicate and empty column names', () => {
  throwsAt(() => parseCsv('a,y,a\n1,2,3\n', F), 1, 5, "duplicate column name 'a'", 'columns 1 and 3');
  throwsAt(() => parseCsv('a,,y\n1,2,3\n', F), 1, 3, 'empty name');
});

test('missing file, directory and a file on disk', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nl-csv-'));
  const missing = join(dir, 'nope.csv');
  assert.throws(() => readCsvDataset(missing), (e: unknown) => e instanceof InputError && e.where?.kind === 'file' && e.where.file === missing && /not found/.test(e.message));
  mkdirSync(join(dir, 'sub.csv'));
  assert.throws(() => readCsvDataset(join(dir, 'sub.csv')), /is a folder, not a CSV file/);
  const file = join(dir, 'ok.csv');
  writeFileSync(file, 'x,y\r\n1,2\r\n');
  const d = readCsvDataset(file, { target: 'y' });
  assert.equal(d.source, file);
  assert.deepEqual(Array.from(d.y), [2]);
  throwsAt(() => readCsvDataset(file, { target: 't' }), 1, undefined, "'t' not found");
});
