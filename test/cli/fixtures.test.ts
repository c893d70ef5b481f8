/** The recorded seed session (test/fixtures, replayed by the webview tests) stays a valid, consistent recording. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { SessionEvent } from '../../src/protocol/messages';

const dir = join(__dirname, '..', 'fixtures');

test('seed-regression recording: valid events and report that agree with each other', () => {
  const events = readFileSync(join(dir, 'seed-regression.events.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  const report = JSON.parse(readFileSync(join(dir, 'seed-regression.report.json'), 'utf8'));
  assert.equal(problemIn(DiagnosisReport, report, 'report'), null);
  for (const e of events) assert.equal(problemIn(SessionEvent, e, 'event'), null, JSON.stringify(e));
  const terms = events.filter((e) => e.type === 'neumannTerm');
  assert.deepEqual(terms.map((t) => t.norm), report.neumann.termNorms);
  const steps = events.filter((e) => e.type === 'trainStep');
  assert.equal(steps.length, report.training.steps);
  assert.deepEqual(
    events.filter((e) => e.type === 'phase').map((e) => e.phase),
    ['load', 'train', 'self-check', 'spectrum', 'neumann', 'hypergradient', 'report'],
  );
});
