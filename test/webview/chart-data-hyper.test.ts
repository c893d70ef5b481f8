/**
 * The hyperparameter view's data: from a recorded loop (the CLI on test/fixtures/hyper-logistic,
 * scripts/record-hyper-fixture.ts), while it streams and once the report is in; each granularity's
 * series (one line, a line per tensor, a min–max band with the median); compared runs of unequal
 * length; non-finite values as gaps; the threshold line; and the warnings against the session's own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Hyper } from '../../src/core/config/experiment-schema';
import type { HyperReport, HyperStep } from '../../src/core/diagnosis/hyper-report';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { SessionEvent } from '../../src/protocol/messages';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import type { HostToPanel, PanelState } from '../../src/protocol/webview';
import {
  DEFAULT_ERROR_THRESHOLD, hyperErrorData, hyperLossData, hyperModel, hyperRhoData, MAX_GROUP_LINES, weightDecayData, type HyperModel,
} from '../../src/webview/chart-data-hyper';
import { hyperWarnings } from '../../src/webview/hyper-warnings';
import { hyperStep } from '../fixtures/hyper-step';
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
  assert.deepEqual(decay.xRange, [1, steps.length]);
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

test('the panel’s warnings are the steps the session warned about (its log lines), grouped by run', () => {
  const m = modelOf(fold(fullSession(rec)));
  const warned = rec.events
    .filter((e): e is Extract<SessionEvent, { type: 'log' }> => e.type === 'log' && e.level === 'warn')
    .map((e) => /^hyper-step (\d+) \((\w+)\): /.exec(e.text))
    .filter((x): x is RegExpExecArray => x !== null)
    .map((x) => `${x[2]} ${x[1]}`);
  assert.ok(warned.length > 0, 'the recorded loop warns');
  const shown = hyperWarnings(m).flatMap((w) => Array.from({ length: w.steps[1] - w.steps[0] + 1 }, (_, k) => `${w.inverse} ${w.steps[0] + k}`));
  assert.deepEqual(shown, warned);
  const list = hyperWarnings(m);
  // Neumann drifts past 10 % as the decay shrinks; the identity inverse is off from the start.
  assert.deepEqual(list.map((w) => [w.inverse, w.kind, w.steps]), [['neumann', 'error', [9, 15]], ['identity', 'error', [1, 15]]]);
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

function modelWith(h: Partial<HyperReport> & Pick<HyperReport, 'trajectory'>): HyperModel {
  const report: HyperReport = { granularity: 'global', groups: ['all'], optimizer: 'sgd', inverse: 'neumann', reference: 'exact', final: { weightDecay: [] }, stopped: null, compare: [], ...h };
  return modelOf(fold([{ type: 'sessionStarted', id: 1, name: 'x', experimentFile: null }, { type: 'report', id: 1, report: { ...sampleReport(), hyper: report } }]));
}

const perGroup = (t: number, decays: number[]) => hyperStep(t, { weightDecay: decays, hypergradient: decays.map(() => 0.01) });

test('per-tensor: a line per tensor and run, one dash pattern per tensor; many tensors become a band', () => {
  const groups = ['0.weight', '0.bias', '1.weight'];
  const traj = [1, 2, 3].map((t) => perGroup(t, [0.1 / t, 0.2 / t, 0.05 * t]));
  const m = modelWith({ granularity: 'per-tensor', groups, trajectory: traj, compare: [{ inverse: 'exact', trajectory: traj.slice(0, 2), final: { weightDecay: [] }, stopped: null }] });
  const d = weightDecayData(m);
  assert.equal(d.mode, 'lines');
  assert.equal(d.series.length, 2 * groups.length);
  assert.deepEqual(d.series.map((s) => [s.run, s.dash, s.label]), [0, 1].flatMap((r) => groups.map((g, i) => [r, i, `${['neumann', 'exact'][r]} λ ${g}`])));
  assert.deepEqual(d.series[2].values, [0.05, 0.1, 0.15000000000000002]);
  assert.deepEqual(d.series[5].values, [0.05, 0.1, null], 'the shorter compared run ends in a gap');
  const many = Array.from({ length: MAX_GROUP_LINES + 1 }, (_, i) => `${i}.weight`);
  const wide = modelWith({ granularity: 'per-tensor', groups: many, trajectory: [perGroup(1, many.map((_, i) => 0.01 * (i + 1)))] });
  assert.equal(weightDecayData(wide).mode, 'band');
});

test('per-parameter: a min–max band with the median per run, the edges as the band’s series', () => {
  const decays = [[0.3, 0.1, 0.2, 0.05, 0.4], [0.2, 0.15, 0.9, 0.01, 0.3]];
  const traj = decays.map((w, k) => perGroup(k + 1, w));
  const m = modelWith({ granularity: 'per-parameter', groups: ['a', 'b', 'c', 'd', 'e'], trajectory: traj, compare: [{ inverse: 'identity', trajectory: traj, final: { weightDecay: [] }, stopped: null }] });
  const d = weightDecayData(m);
  assert.equal(d.mode, 'band');
  assert.equal(d.series.length, 6);
  assert.deepEqual(d.bands, [{ upper: 0, lower: 1, run: 0 }, { upper: 3, lower: 4, run: 1 }]);
  // Independent of the module's reductions: the sorted middle of five.
  const sorted = decays.map((w) => [...w].sort((a, b) => a - b));
  assert.deepEqual(d.series[0].values, sorted.map((w) => w[4]));
  assert.deepEqual(d.series[1].values, sorted.map((w) => w[0]));
  assert.deepEqual(d.series[2].values, sorted.map((w) => w[2]));
  assert.deepEqual(d.series.map((s) => s.role), ['edge', 'edge', 'line', 'edge', 'edge', 'line']);
  // Even counts: the mean of the two middle values.
  const even = modelWith({ granularity: 'per-parameter', groups: ['a', 'b', 'c', 'd'], trajectory: [perGroup(1, [0.4, 0.1, 0.3, 0.2])] });
  assert.ok(Math.abs(weightDecayData(even).series[2].values[0]! - 0.25) < 1e-15);
  // Live, a few groups are drawn as lines (the events do not say per-tensor or per-parameter).
  const live = modelOf(fold([{ type: 'sessionStarted', id: 2, name: 'x', experimentFile: null }, { type: 'event', id: 2, event: { type: 'hyperStep', inverse: 'neumann', step: perGroup(1, [0.1, 0.2]) } }]));
  assert.deepEqual(weightDecayData(live).series.map((s) => s.label), ['neumann λ group 1', 'neumann λ group 2']);
});

test('non-finite values stay in place as gaps: the step keeps its x, only the blown value is missing', () => {
  const blown: HyperStep = hyperStep(2, { hypergradient: [NaN], weightDecay: [Infinity], rho: Infinity, relativeError: NaN, trainLoss: NaN, validationLoss: 0.3, inverseStatus: 'non-finite' });
  const m = modelWith({ trajectory: [hyperStep(1), blown, hyperStep(3, { relativeError: 0, weightDecay: [0] })], stopped: { step: 2, reason: 'the neumann inverse gave no finite solution at hyper-step 2 (non-finite), so there is no hypergradient to step with' } });
  assert.deepEqual(weightDecayData(m).x, [1, 2, 3]);
  assert.deepEqual(weightDecayData(m).series[0].values, [hyperStep(1).weightDecay[0], null, null], 'Infinity and 0 have no place on a log axis');
  assert.deepEqual(hyperLossData(m).series.map((s) => s.values[1]), [null, 0.3]);
  assert.deepEqual(hyperRhoData(m).series[0].values, [hyperStep(1).rho, null, hyperStep(3).rho]);
  assert.deepEqual(hyperErrorData(m).series[0].values, [0.01, null, null]);
  const band = modelWith({ granularity: 'per-parameter', groups: ['a', 'b'], trajectory: [perGroup(1, [0.1, 0.2]), perGroup(2, [0.1, NaN])] });
  assert.deepEqual(weightDecayData(band).series.map((s) => s.values[1]), [null, null, null], 'one blown parameter is a gap in the band, not a narrower band');
  // The report's reason stands for the stop; the step's ρ = ∞ is the series diverging.
  assert.deepEqual(hyperWarnings(m).map((w) => [w.kind, w.steps]), [['rho', [2, 2]], ['stopped', [2, 2]]]);
  assert.match(hyperWarnings(m)[1].text, /^stopped: the neumann inverse gave no finite solution at hyper-step 2/);
  // Live (no report yet) the step itself says the loop stops there.
  const live = modelOf(fold([{ type: 'sessionStarted', id: 3, name: 'x', experimentFile: null }, { type: 'event', id: 3, event: { type: 'hyperStep', inverse: 'cg', step: blown } }]));
  assert.deepEqual(hyperWarnings(live).map((w) => [w.kind, w.steps]), [['non-finite', [2, 2]]]);
});

test('the threshold line: hyper.errorThreshold when the report has it, else the experiment format’s default', () => {
  assert.equal(DEFAULT_ERROR_THRESHOLD, (Hyper.properties.errorThreshold as { default?: number }).default);
  const traj = [1, 2, 3].map((t) => hyperStep(t, { relativeError: 0.1 * t }));
  const without = modelWith({ trajectory: traj });
  assert.deepEqual([hyperErrorData(without).threshold, hyperErrorData(without).thresholdFromReport], [0.1, false]);
  assert.deepEqual(hyperWarnings(without).map((w) => w.steps), [[2, 3]]);
  const withIt = modelWith({ trajectory: traj, ...({ errorThreshold: 0.25 } as object) });
  assert.deepEqual([hyperErrorData(withIt).threshold, hyperErrorData(withIt).thresholdFromReport], [0.25, true]);
  assert.deepEqual(hyperWarnings(withIt).map((w) => w.steps), [[3, 3]]);
});
