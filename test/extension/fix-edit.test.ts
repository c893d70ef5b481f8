import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigFix } from '../../src/core/diagnosis/report';
import { InputError } from '../../src/core/errors';
import {
  applyFixToText,
  computeFixEdits,
  computeFixesEdit,
  detectFormatting,
  isFixApplied,
  isOfferedFix,
} from '../../src/extension/fix-edit';
import { togetherLabel } from '../../src/extension/diagnostics-model';
import { sampleReport } from '../fixtures/sample-report';

const examplesDir = join(__dirname, '../../examples');
const examples = readdirSync(examplesDir)
  .filter((f) => f.endsWith('.neumann.json'))
  .map((f) => ({ name: f, text: readFileSync(join(examplesDir, f), 'utf8') }));

/** Independent reference: set the value in the parsed object with plain JS. */
function setIn(obj: Record<string, unknown>, path: string[], value: unknown): Record<string, unknown> {
  const copy = structuredClone(obj);
  let cur: Record<string, unknown> = copy;
  for (const k of path.slice(0, -1)) {
    if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = {};
    cur = cur[k] as Record<string, unknown>;
  }
  cur[path[path.length - 1]] = value;
  return copy;
}

const fixes: ConfigFix[] = [
  { path: ['neumann', 'alpha'], value: 0.235, label: 'Set α = 0.235' },
  { path: ['neumann', 'damping'], value: 2.75, label: 'Set damping δ = 2.75' },
  { path: ['neumann', 'terms'], value: 170, label: 'Set terms = 170' },
  { path: ['training', 'epochs'], value: 20, label: 'Train longer (epochs = 20)' },
];

test('there are real example experiments to edit', () => {
  assert.ok(examples.length >= 3, `only ${examples.length} examples found`);
});

for (const ex of examples) {
  for (const fix of fixes) {
    test(`${ex.name}: ${fix.label} changes exactly that key`, () => {
      const before = JSON.parse(ex.text) as Record<string, unknown>;
      const after = applyFixToText(ex.text, fix);
      assert.deepEqual(JSON.parse(after), setIn(before, fix.path, fix.value));
      assert.ok(isFixApplied(after, fix));
      let old: unknown = before;
      for (const k of fix.path) old = (old as Record<string, unknown> | undefined)?.[k];
      assert.equal(isFixApplied(ex.text, fix), old === fix.value);
      // The rest of the file keeps its formatting: every other line is kept as it was (a new
      // key's predecessor gains a comma), and at most the lines of a new key/object are added.
      const beforeLines = ex.text.split('\n');
      const afterLines = after.split('\n');
      assert.ok(afterLines.length - beforeLines.length <= 3, `${afterLines.length - beforeLines.length} lines added`);
      const missing = beforeLines.filter((l) => !afterLines.includes(l) && !afterLines.includes(`${l},`));
      const key = fix.path[fix.path.length - 1];
      // A key added to an object written on one line lands on that line (the parent's).
      const parent = fix.path.length > 1 ? fix.path[fix.path.length - 2] : null;
      const oneLine = (l: string) => parent !== null && new RegExp(`"${parent}": \\{.*\\}`).test(l);
      assert.ok(missing.every((l) => l.includes(`"${key}"`) || oneLine(l)), `lines changed: ${JSON.stringify(missing)}`);
    });
  }
}

test('an existing scalar is replaced in place, nothing else moves', () => {
  const ex = examples.find((e) => e.name === 'seed-regression.neumann.json')!;
  const edits = computeFixEdits(ex.text, fixes[0]);
  assert.equal(edits.length, 1);
  const at = ex.text.indexOf('"alpha": 1') + '"alpha": '.length;
  assert.deepEqual(edits[0], { offset: at, length: 1, content: '0.235' });
});

test('a new key is indented like its neighbours (2 spaces, tabs, CRLF, one-line and empty objects)', () => {
  const twoSpaces = '{\n  "neumann": {\n    "alpha": 1\n  }\n}\n';
  assert.equal(applyFixToText(twoSpaces, fixes[1]), '{\n  "neumann": {\n    "alpha": 1,\n    "damping": 2.75\n  }\n}\n');
  const tabs = '{\n\t"neumann": {\n\t\t"alpha": 1\n\t}\n}\n';
  assert.equal(applyFixToText(tabs, fixes[1]), '{\n\t"neumann": {\n\t\t"alpha": 1,\n\t\t"damping": 2.75\n\t}\n}\n');
  const crlf = twoSpaces.replace(/\n/g, '\r\n');
  const out = applyFixToText(crlf, fixes[1]);
  assert.equal(out.replace(/\r\n/g, ''), out.replace(/\r\n/g, '').replace(/\n/g, ''), 'no bare LF');
  assert.deepEqual(JSON.parse(out), { neumann: { alpha: 1, damping: 2.75 } });
  assert.equal(applyFixToText('{"neumann": {"alpha": 1}}', fixes[1]), '{"neumann": {"alpha": 1, "damping": 2.75}}');
  assert.equal(applyFixToText('{\n  "neumann": {}\n}', fixes[1]), '{\n  "neumann": {\n    "damping": 2.75\n  }\n}');
  assert.equal(
    applyFixToText('{\n  "neumann": {\n    "vector": [1, 1]\n  }\n}', fixes[3]),
    '{\n  "neumann": {\n    "vector": [1, 1]\n  },\n  "training": {\n    "epochs": 20\n  }\n}',
  );
  assert.deepEqual(detectFormatting('{"a":1}'), { insertSpaces: true, tabSize: 2, eol: '\n' });
  assert.deepEqual(detectFormatting('{\n    "a": {\n        "b": 1\n    }\n}'), { insertSpaces: true, tabSize: 4, eol: '\n' });
});

test('fixes that cannot apply are InputErrors, not crashes', () => {
  assert.throws(() => computeFixEdits('[1, 2]', fixes[0]), InputError);
  assert.throws(() => computeFixEdits('', fixes[0]), InputError);
  assert.throws(() => computeFixEdits('{"neumann": 3}', fixes[0]), (e: unknown) => e instanceof InputError && /neumann is not an object/.test(e.message));
  assert.throws(() => computeFixEdits('{}', { path: ['neumann', 'alpha'], value: Number.NaN, label: 'x' }), InputError);
  assert.throws(() => computeFixEdits('{}', { path: ['neumann', 'alpha'], value: Infinity, label: 'x' }), InputError);
  assert.throws(() => computeFixEdits('{}', { path: [], value: 1, label: 'x' }), InputError);
  assert.throws(() => computeFixEdits('{}', { path: ['neumann', ''], value: 1, label: 'x' }), InputError);
});

test('only fixes the current report offers are accepted from the panel', () => {
  const report = sampleReport();
  const offered = report.advice.messages[0].fix!;
  assert.ok(isOfferedFix(report, { ...offered, path: [...offered.path] }));
  assert.equal(isOfferedFix(report, { ...offered, value: Number(offered.value) + 1 }), false);
  assert.equal(isOfferedFix(report, { ...offered, value: 'auto' }), false);
  assert.equal(isOfferedFix(report, { ...offered, path: ['data', 'train', 'csv'] }), false);
  assert.equal(isOfferedFix(report, { ...offered, path: [...offered.path, 'x'] }), false);
  assert.equal(isOfferedFix(null, offered), false);
});

test('fixes that only work together: one edit, each applied to the text the previous one left; labelled "Apply all"', () => {
  const text = '{\n  "name": "x",\n  "neumann": {\n    "alpha": 1,\n    "terms": 10\n  }\n}\n';
  const fixes = [
    { path: ['neumann', 'damping'], value: 3.37, label: 'Set neumann.damping to 3.37' },
    { path: ['neumann', 'alpha'], value: 0.0872, label: 'Set neumann.alpha to 0.0872' },
    { path: ['neumann', 'terms'], value: 73, label: 'Set neumann.terms to 73' },
  ];
  const e = computeFixesEdit(text, fixes);
  const after = text.slice(0, e.offset) + e.content + text.slice(e.offset + e.length);
  assert.deepEqual(JSON.parse(after), { name: 'x', neumann: { alpha: 0.0872, terms: 73, damping: 3.37 } });
  assert.equal(after, fixes.reduce((t, f) => applyFixToText(t, f), text));
  assert.ok(e.offset > text.indexOf('"neumann"'), 'lines before the first change are not touched');
  assert.equal(togetherLabel(fixes), 'Apply all: neumann.damping = 3.37, neumann.alpha = 0.0872, neumann.terms = 73');
});

test('a fix to "auto" writes the keyword as a JSON string, in place of a number or as a new key, and is then applied', () => {
  const fix = { path: ['neumann', 'alpha'], value: 'auto' as const, label: 'Set neumann.alpha to "auto"' };
  const text = '{\n  "neumann": {\n    "alpha": 2.9,\n    "terms": 15\n  }\n}\n';
  const after = applyFixToText(text, fix);
  assert.equal(after, '{\n  "neumann": {\n    "alpha": "auto",\n    "terms": 15\n  }\n}\n');
  assert.deepEqual(JSON.parse(after), { neumann: { alpha: 'auto', terms: 15 } });
  assert.ok(isFixApplied(after, fix) && !isFixApplied(text, fix));
  // A string "2.9" is not the number 2.9, nor the keyword a number.
  assert.equal(isFixApplied('{"neumann": {"alpha": "2.9"}}', { ...fix, value: 2.9 }), false);
  assert.equal(isFixApplied('{"neumann": {"alpha": 2.9}}', fix), false);
  const added = applyFixToText('{\n  "neumann": { "terms": 15 }\n}\n', fix);
  assert.equal(added, '{\n  "neumann": { "terms": 15, "alpha": "auto" }\n}\n');
  assert.throws(() => computeFixEdits(text, { ...fix, value: 'fast' as 'auto' }), /fix value "fast" is not a finite number or "auto"/);
});
