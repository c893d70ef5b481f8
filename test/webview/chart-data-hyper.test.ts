/**
 * The hyperparameter view's data from the panel state: a recorded loop (the CLI on
 * test/fixtures/hyper-logistic, scripts/record-hyper-fixture.ts) while it streams and once the
 * report is in (per granularity, gaps and the threshold: test/core/diagnosis/hyper-series.test.ts),
 * and the warnings it lists: the session's own (hyperWarning events, then report.hyper.warnings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { AdviceMessage } from '../../src/core/diagnosis/advice-message';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { SessionEvent } from '../../src/protocol/messages';
import { emptyPanelState, hyperWarningsOf, reducePanelState } from '../../src/protocol/panel-state';
import type { HostToPanel, PanelState } from '../../src/protocol/webview';
import { hyperErrorData, hyperLossData, hyperRhoData, weightDecayData } from '../../src/core/diagnosis/hyper-series';
import { hyperModel } from '../../src/webview/chart-data-hyper';
import { recommendationsOf, stepsLabel } from '../../src/webview/hyper-warnings';
import { ROOT } from './harness';
import { eventMessages, fullSession, loadRecording, startMessage } from './replay';

const rec = loadRecording(join(ROOT, 'test/fixtures/hyper-logistic.events.jsonl'), join(ROOT, 'test/fixtures/hyper-logistic.report.json'));
const hyper = rec.report.hyper!;
const fold = (msgs: HostToPanel[]) => msgs.reduce(reducePanelState, emptyPanelState());
const modelOf = (s: PanelState) => hyperModel(s)!;

test('the recording is a valid session whose streamed steps are the report’s trajectories', () => {
  assert.equal(problemIn(DiagnosisReport, rec.report, 'report'), null);
  for (const e of rec.events) assert.equal(problemIn(SessionEvent, e, 'event'), null);
  assert.equal(hyper.granularity, 'global');
  const streamed = rec.events.filter((e): e is Extract<SessionEvent, { type: 'hyperStep' }> => e.type === 'hyperStep');
  for (const run of [{ inverse: hyper.inverse, trajectory: hyper.trajectory }, ...hyper.compare]) {
    assert.deepEqual(streamed.filter((e) => e.inverse === run.inverse).map((e) => e.step), run.trajectory, run.inverse);
  }
});

test('recorded loop, after the report: one line per run on each chart, the report’s numbers, x = the steps', () => {
  const m = modelOf(fold(fullSession(rec)));
  const runs = [hyper.trajectory, ...hyper.compare.map((c) => c.trajectory)];
  assert.deepEqual(m.runs.map((r) => r.inverse), ['neumann', 'exact', 'identity']);
  assert.equal(m.granularity, 'global');
  const steps = hyper.trajectory.map((s) => s.step);
  const decay = weightDecayData(m);
  assert.equal(decay.mode, 'global');
  assert.deepEqual(decay.x, steps);
  assert.deepEqual(decay.series.map((s) => s.values), runs.map((t) => t.map((s) => s.weightDecay[0])));
  const loss = hyperLossData(m);
  assert.equal(loss.series.length, 2 * runs.length);
  assert.deepEqual(loss.series.map((s) => s.values), runs.flatMap((t) => [t.map((s) => s.trainLoss), t.map((s) => s.validationLoss)]));
  assert.deepEqual(loss.series.map((s) => s.role), runs.flatMap(() => ['line', 'dashed']));
  assert.deepEqual(hyperRhoData(m).series.map((s) => s.values), runs.map((t) => t.map((s) => s.rho)));
  const err = hyperErrorData(m);
  // The exact run is the reference: its error is 0, which a log axis cannot show, and the legend says why.
  assert.ok(hyper.compare[0].trajectory.every((s) => s.relativeError === 0));
  assert.deepEqual(err.undrawn, [{ run: 1, why: 'zero' }]);
  assert.deepEqual(err.series[0].values, hyper.trajectory.map((s) => s.relativeError));
  assert.deepEqual(err.series[2].values, hyper.compare[1].trajectory.map((s) => s.relativeError));
  assert.equal(err.threshold, 0.1);
  assert.equal(err.thresholdFromReport, false);
});

test('the panel’s warnings are the session’s: streamed from their first step, then the report’s with every step', () => {
  const events = rec.events.filter((e): e is Extract<SessionEvent, { type: 'hyperWarning' }> => e.type === 'hyperWarning');
  // Neumann drifts past 10 % as the decay shrinks; the identity inverse, off from the start, is a compared baseline.
  assert.deepEqual(hyper.warnings.map((w) => [w.inverse, w.condition, w.steps]), [['neumann', 'error', [9, 10, 11, 12, 13, 14, 15]]]);
  assert.deepEqual(events.map((e) => [e.inverse, e.step, e.messages]), hyper.warnings.map((w) => [w.inverse, w.steps[0], w.messages]), 'each announced once, as recorded');
  const at = rec.events.indexOf(events[0]);
  assert.deepEqual(hyperWarningsOf(fold([startMessage(rec), ...eventMessages(rec.events.slice(0, at))])), [], 'none before the event');
  const live = hyperWarningsOf(fold([startMessage(rec), ...eventMessages(rec.events.slice(0, at + 1))]));
  assert.deepEqual(live, [{ inverse: 'neumann', condition: null, steps: [9], ongoing: true, messages: events[0].messages }]);
  assert.equal(stepsLabel(live[0]), 'from step 9');
  const done = hyperWarningsOf(fold(fullSession(rec)));
  assert.deepEqual(done, hyper.warnings.map((w) => ({ ...w, ongoing: false })));
  assert.equal(stepsLabel(done[0]), 'steps 9–15');
  assert.match(done[0].messages[0].text, /^Hyper-step 9 \(neumann run\): the hypergradient is 10 % off the exact one/);
  assert.deepEqual(recommendationsOf(done[0]).map((m) => m.fix), [{ path: ['neumann', 'terms'], value: 49, label: 'Set neumann.terms to 49' }]);
});

test('while the loop streams: the runs so far, unknown granularity, and the report replaces them', () => {
  const firstHyper = rec.events.findIndex((e) => e.type === 'hyperStep');
  const upTo = rec.events.findIndex((e, i) => i > firstHyper && e.type === 'hyperStep' && e.inverse === 'exact' && e.step.step === 4);
  const live = fold([startMessage(rec), ...eventMessages(rec.events.slice(0, upTo))]);
  assert.equal(hyperModel(fold([startMessage(rec), ...eventMessages(rec.events.slice(0, firstHyper))])), null, 'hidden before the first hyper-step');
  const m = modelOf(live);
  assert.equal(m.granularity, null);
  assert.deepEqual(m.groups, ['group 1']);
  assert.deepEqual(m.runs.map((r) => [r.inverse, r.main, r.steps.length]), [['neumann', true, 15], ['exact', false, 3]]);
  const decay = weightDecayData(m);
  assert.deepEqual(decay.series[1].values, [...hyper.compare[0].trajectory.slice(0, 3).map((s) => s.weightDecay[0]), ...Array(12).fill(null)]);
  assert.equal(hyperModel(fold(fullSession(rec)))!.runs.length, 3);
});

test('a warning’s steps as the view labels them, and the recommendations under it (the messages that propose a change)', () => {
  assert.equal(stepsLabel({ steps: [4], ongoing: false }), 'step 4');
  assert.equal(stepsLabel({ steps: [2, 5, 6, 7], ongoing: false }), 'steps 2, 5–7');
  assert.equal(stepsLabel({ steps: [2], ongoing: true }), 'from step 2');
  const fix = { path: ['neumann', 'alpha'], value: 'auto' as const, label: 'Set neumann.alpha to "auto"' };
  const messages: AdviceMessage[] = [
    { kind: 'hyper-diverges', severity: 'error', text: 'diverges', fix },
    { kind: 'hyper-error', severity: 'warning', text: 'no change proposed' },
    { kind: 'set-alpha', severity: 'info', text: 'one fix', fix },
    { kind: 'apply-all', severity: 'info', text: 'two fixes', fixes: [fix, fix] },
  ];
  assert.deepEqual(recommendationsOf({ messages }).map((m) => m.text), ['one fix', 'two fixes'], 'the head is the warning itself, even with a fix');
});
