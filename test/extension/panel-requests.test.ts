import { test } from 'node:test';
import assert from 'node:assert/strict';
import { acceptPanelMessage } from '../../src/extension/panel-requests';
import { sampleReport } from '../fixtures/sample-report';

const report = sampleReport();
const offered = report.advice.messages[1].fix!;

test('well-formed panel messages are accepted as they are', () => {
  for (const msg of [
    { type: 'ready' },
    { type: 'stop' },
    { type: 'rerun' },
    { type: 'openExperiment' },
    { type: 'export', format: 'html' },
    { type: 'applyFix', fix: { ...offered }, rerun: true },
    { type: 'rejected', what: 'a message from the host', problem: 'message.type: missing' },
  ]) {
    const r = acceptPanelMessage(msg, report);
    assert.ok(r.ok, JSON.stringify(msg));
    assert.deepEqual(r.msg, msg);
  }
});

test('malformed or hostile panel messages are refused with a reason', () => {
  const bad: unknown[] = [
    null,
    'ready',
    42,
    [],
    {},
    { type: 'rm -rf' },
    { type: 'export', format: 'exe' },
    { type: 'export' },
    { type: 'rejected', what: 'a message from the host' },
    { type: 'applyFix', fix: offered },
    { type: 'applyFix', fix: { path: 'neumann.alpha', value: 0.2, label: 'x' }, rerun: false },
    { type: 'applyFix', fix: { ...offered, value: '0.235' }, rerun: false },
    // Well-formed, but not a fix the report offers: a different value, key or an extra segment.
    { type: 'applyFix', fix: { ...offered, value: 100 }, rerun: false },
    { type: 'applyFix', fix: { ...offered, path: ['data', 'train', 'csv'] }, rerun: false },
    { type: 'applyFix', fix: { ...offered, path: [...offered.path, '__proto__'] }, rerun: false },
    { type: 'applyFix', fix: { ...offered, value: Number.NaN }, rerun: false },
  ];
  for (const msg of bad) {
    const r = acceptPanelMessage(msg, report);
    assert.equal(r.ok, false, JSON.stringify(msg));
    if (!r.ok) assert.ok(r.problem.length > 0);
  }
  // Without a report there is nothing to apply.
  assert.equal(acceptPanelMessage({ type: 'applyFix', fix: offered, rerun: false }, null).ok, false);
});
