/**
 * The hyperparameter view's data from the panel state: a recorded loop (the CLI on
 * test/fixtures/hyper-logistic, scripts/record-hyper-fixture.ts) while it streams and once the
 * report is in, and the warnings it lists, against the session's own (per granularity, gaps and the
 * threshold: test/core/diagnosis/hyper-series.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { HyperReport } from '../../src/core/diagnosis/hyper-report';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { SessionEvent } from '../../src/protocol/messages';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import type { HostToPanel, PanelState } from '../../src/protocol/webview';
import { hyperErrorData, hyperLossData, hyperRhoData, weightDecayData } from '../../src/core/diagnosis/hyper-series';
import { hyperModel } from '../../src/webview/chart-data-hyper';
import { hyperWarnings } from '../../src/webview/hyper-warnings';
import { hyperReportWith, hyperStep } from '../fixtures/hyper-step';
import { sampleReport } from '../fixtures/sample-report';
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

test('the panel’s warnings are the steps the session warned about (report.hyper.warnings), grouped by run', () => {
  const m = modelOf(fold(fullSession(rec)));
  const warned = hyper.warnings.flatMap((w) => w.steps.map((t) => `${w.inverse} ${w.condition} ${t}`)).sort();
  assert.ok(warned.length > 0, 'the recorded loop warns');
  const shown = hyperWarnings(m).flatMap((w) => Array.from({ length: w.steps[1] - w.steps[0] + 1 }, (_, k) => `${w.inverse} ${w.kind} ${w.steps[0] + k}`)).sort();
  assert.deepEqual(shown, warned);
  const list = hyperWarnings(m);
  // Neumann drifts past 10 % as the decay shrinks; the identity inverse, off from the start, is a compared baseline.
  assert.deepEqual(list.map((w) => [w.inverse, w.kind, w.steps]), [['neumann', 'error', [9, 15]]]);
  assert.match(list[0].text, /^the hypergradient is 10 % to 12\.3 % off the exact reference, above 10 %$/);
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

const inReport = (h: Partial<HyperReport> & Pick<HyperReport, 'trajectory'>) =>
  modelOf(fold([{ type: 'sessionStarted', id: 1, name: 'x', experimentFile: null }, { type: 'report', id: 1, report: { ...sampleReport(), hyper: hyperReportWith(h) } }]));

test('warnings: a stop with the report’s reason, a non-finite step while streaming, the threshold the report names', () => {
  const blown = hyperStep(2, { hypergradient: [NaN], weightDecay: [Infinity], rho: Infinity, relativeError: NaN, inverseStatus: 'non-finite' });
  const reason = 'the neumann inverse gave no finite solution at hyper-step 2 (non-finite), so there is no hypergradient to step with';
  const m = inReport({ trajectory: [hyperStep(1), blown], stopped: { step: 2, cause: 'inverse', reason } });
  // The report's reason stands for the stop; the step's ρ = ∞ is the series diverging.
  assert.deepEqual(hyperWarnings(m).map((w) => [w.kind, w.steps]), [['rho', [2, 2]], ['stopped', [2, 2]]]);
  assert.equal(hyperWarnings(m)[1].text, `stopped: ${reason}`);
  // Live (no report yet) the step itself says the loop stops there; a CG run is not judged on ρ.
  const live = modelOf(fold([{ type: 'sessionStarted', id: 3, name: 'x', experimentFile: null }, { type: 'event', id: 3, event: { type: 'hyperStep', inverse: 'cg', step: blown } }]));
  assert.deepEqual(hyperWarnings(live).map((w) => [w.inverse, w.kind, w.steps]), [['cg', 'non-finite', [2, 2]]]);
  const traj = [1, 2, 3].map((t) => hyperStep(t, { relativeError: 0.1 * t }));
  assert.deepEqual(hyperWarnings(inReport({ trajectory: traj })).map((w) => w.steps), [[2, 3]], 'above 10 %, not at it');
  assert.deepEqual(hyperWarnings(inReport({ trajectory: traj, ...({ errorThreshold: 0.25 } as object) })).map((w) => w.steps), [[3, 3]]);
});
