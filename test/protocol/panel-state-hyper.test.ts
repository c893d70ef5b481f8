/**
 * The hyperparameter loop in the panel state: hyperStep events fold into one list per run and
 * hyperWarning events into the live warnings, the report's hyper block replaces both, and a panel re-opened mid-run or after it gets the same
 * state (and the same runs) through the host's snapshot as the panel that saw every message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperInverse, HyperReport, HyperStep, HyperWarning } from '../../src/core/diagnosis/hyper-report';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import { PanelModel } from '../../src/extension/panel-model';
import { problemIn } from '../../src/protocol/check';
import type { SessionEvent } from '../../src/protocol/messages';
import { encodeNonFinite, reviveNonFinite } from '../../src/protocol/non-finite';
import { emptyPanelState, HISTORY_CAP, hyperRunsOf, hyperWarningsOf, reducePanelState } from '../../src/protocol/panel-state';
import { HostToPanel, PanelState } from '../../src/protocol/webview';
import { hyperStep } from '../fixtures/hyper-step';
import { sampleReport } from '../fixtures/sample-report';

const ID = 4;
const started: HostToPanel = { type: 'sessionStarted', id: ID, name: 'loop', experimentFile: null };
const fold = (msgs: HostToPanel[], s: PanelState = emptyPanelState()) => msgs.reduce(reducePanelState, s);

const step = hyperStep;
const ev = (inverse: HyperInverse, s: HyperStep): HostToPanel => ({ type: 'event', id: ID, event: { type: 'hyperStep', inverse, step: s } });
const warn = (inverse: HyperInverse, at: number, text = `step ${at} of ${inverse}`): HostToPanel => ({
  type: 'event', id: ID, event: { type: 'hyperWarning', inverse, step: at, messages: [{ kind: 'hyper-error', severity: 'warning', text }] },
});
const stream = (inverse: HyperInverse, n: number) => Array.from({ length: n }, (_, k) => ev(inverse, step(k + 1)));

function reportWith(hyper: HyperReport): DiagnosisReport {
  return { ...sampleReport(), hyper };
}
function hyperReport(): HyperReport {
  const steps = (n: number, f = 1) => Array.from({ length: n }, (_, k) => step(k + 1, { validationLoss: f * (0.4 - 0.01 * (k + 1)) }));
  return {
    granularity: 'global', groups: ['all'], optimizer: 'sgd', inverse: 'neumann', reference: 'exact',
    trajectory: steps(3), final: { weightDecay: [0.005, 0.005, 0.005, 0.005] }, stopped: null, warnings: [],
    compare: [
      { inverse: 'exact', trajectory: steps(3, 0.9), final: { weightDecay: [0.01, 0.01, 0.01, 0.01] }, stopped: null },
      { inverse: 'identity', trajectory: steps(2, 1.1), final: { weightDecay: [0.05, 0.05, 0.05, 0.05] }, stopped: { step: 2, cause: 'hypergradient', reason: 'the hypergradient is not finite at hyper-step 2' } },
    ],
  };
}

test('hyperStep events fold into one list per run, in order of arrival; the first run is the loop’s own', () => {
  const s0 = fold([started]);
  const frozen = JSON.stringify(s0);
  const s = fold([...stream('neumann', 3), ...stream('exact', 2)], s0);
  assert.equal(JSON.stringify(s0), frozen, 'the input state is not mutated');
  assert.deepEqual(s.hyperRuns.map((r) => [r.inverse, r.steps.map((x) => x.step)]), [['neumann', [1, 2, 3]], ['exact', [1, 2]]]);
  assert.deepEqual(s.hyperRuns[0].steps[1], step(2));
  const runs = hyperRunsOf(s);
  assert.deepEqual(runs.map((r) => [r.inverse, r.main, r.stopped]), [['neumann', true, null], ['exact', false, null]]);
  // Other slices keep their identity (the panel re-renders only what changed).
  assert.equal(s.trainSteps, s0.trainSteps);
  assert.equal(s.neumannTerms, s0.neumannTerms);
  // A late step of another session does not leak in; a new session starts with no runs.
  assert.equal(reducePanelState(s, { type: 'event', id: ID + 1, event: { type: 'hyperStep', inverse: 'neumann', step: step(9) } }), s);
  assert.deepEqual(fold([{ ...started, id: ID + 1 } as HostToPanel], s).hyperRuns, []);
});

test('the report’s hyper block replaces the streamed runs, stop reasons included; a report without one keeps them', () => {
  // Live, the third identity step never arrived (say the panel was hidden): the report has the truth.
  const live = fold([started, ...stream('neumann', 2), ...stream('exact', 1)]);
  const hyper = hyperReport();
  const done = reducePanelState(live, { type: 'report', id: ID, report: reportWith(hyper) });
  assert.deepEqual(done.hyperRuns, [], 'not kept twice: the report holds every step');
  const runs = hyperRunsOf(done);
  assert.deepEqual(runs.map((r) => r.inverse), ['neumann', 'exact', 'identity']);
  assert.deepEqual(runs.map((r) => r.main), [true, false, false]);
  assert.deepEqual(runs[0].steps, hyper.trajectory);
  assert.deepEqual(runs[1].steps, hyper.compare[0].trajectory);
  assert.deepEqual(runs[2].stopped, hyper.compare[1].stopped);
  const plain = reducePanelState(live, { type: 'report', id: ID, report: sampleReport() });
  assert.equal(plain.hyperRuns, live.hyperRuns);
  assert.deepEqual(hyperRunsOf(plain).map((r) => r.steps.length), [2, 1]);
});

test('a long loop is capped per run and keeps its newest step', () => {
  const n = HISTORY_CAP + 37;
  const s = fold([started, ...stream('neumann', n)]);
  const kept = s.hyperRuns[0].steps;
  assert.ok(kept.length <= HISTORY_CAP && kept.length >= HISTORY_CAP / 2, `kept ${kept.length}`);
  assert.equal(kept.at(-1)!.step, n);
  assert.equal(kept[0].step, 1);
});

test('hyperWarning events fold into the live warnings, each from its first step; another session’s do not leak in', () => {
  const s0 = fold([started, ...stream('neumann', 3)]);
  const frozen = JSON.stringify(s0);
  const s = fold([warn('neumann', 2), warn('exact', 3)], s0);
  assert.equal(JSON.stringify(s0), frozen, 'the input state is not mutated');
  assert.equal(s.hyperRuns, s0.hyperRuns);
  assert.deepEqual(hyperWarningsOf(s), [
    { inverse: 'neumann', condition: null, steps: [2], ongoing: true, messages: [{ kind: 'hyper-error', severity: 'warning', text: 'step 2 of neumann' }] },
    { inverse: 'exact', condition: null, steps: [3], ongoing: true, messages: [{ kind: 'hyper-error', severity: 'warning', text: 'step 3 of exact' }] },
  ]);
  assert.equal(reducePanelState(s, { ...warn('cg', 9), id: ID + 1 } as HostToPanel), s);
  assert.deepEqual(fold([{ ...started, id: ID + 1 } as HostToPanel], s).hyperWarnings, []);
});

test('the report’s warnings replace the streamed ones, with every step each held at; a report without a hyper block keeps them', () => {
  const live = fold([started, ...stream('neumann', 3), warn('neumann', 2, 'as streamed')]);
  const recorded: HyperWarning = {
    inverse: 'neumann', condition: 'rho', steps: [2, 3],
    messages: [
      { kind: 'hyper-diverges', severity: 'error', text: 'as recorded' },
      { kind: 'set-alpha', severity: 'info', text: 'smaller α', fix: { path: ['neumann', 'alpha'], value: 0.1, label: 'Set neumann.alpha to 0.1' } },
    ],
  };
  const done = reducePanelState(live, { type: 'report', id: ID, report: reportWith({ ...hyperReport(), warnings: [recorded] }) });
  assert.deepEqual(done.hyperWarnings, [], 'not kept twice');
  assert.deepEqual(hyperWarningsOf(done), [{ ...recorded, ongoing: false }]);
  // A loop with no warnings: the report says so, whatever streamed.
  assert.deepEqual(hyperWarningsOf(reducePanelState(live, { type: 'report', id: ID, report: reportWith(hyperReport()) })), []);
  const plain = reducePanelState(live, { type: 'report', id: ID, report: sampleReport() });
  assert.equal(plain.hyperWarnings, live.hyperWarnings);
  assert.deepEqual(hyperWarningsOf(plain).map((w) => [w.steps, w.ongoing]), [[[2], true]]);
});

test('the live warnings are capped too, keeping the newest', () => {
  const n = HISTORY_CAP + 3;
  const s = fold([started, ...Array.from({ length: n }, (_, k) => warn('neumann', k + 1))]);
  assert.equal(s.hyperWarnings.length, HISTORY_CAP);
  assert.equal(s.hyperWarnings.at(-1)!.step, n);
  assert.equal(s.hyperWarnings[0].step, n - HISTORY_CAP + 1);
});

test('a panel re-opened during the loop and after it is rebuilt by the host’s snapshot: same state, same runs', () => {
  const model = new PanelModel();
  const seen: HostToPanel[] = [];
  // What VS Code's postMessage does to a message: JSON (non-finite numbers tagged by the host).
  const wire = (m: HostToPanel) => reviveNonFinite(JSON.parse(JSON.stringify(encodeNonFinite(m))));
  model.attach((m) => seen.push(m));
  model.panelReady();
  const id = model.startSession('loop', '/w/loop.neumann.json', 2.9);
  const events: SessionEvent[] = [
    { type: 'phase', phase: 'hyper', label: 'Hyperparameter loop', fraction: 0.7 },
    { type: 'hyperStep', inverse: 'neumann', step: step(1) },
    // A step whose series overflowed: its numbers are non-finite and must survive the trip.
    { type: 'hyperStep', inverse: 'neumann', step: step(2, { hypergradient: [NaN], rho: Infinity, relativeError: Infinity, inverseStatus: 'non-finite' }) },
    { type: 'hyperWarning', inverse: 'neumann', step: 2, messages: [{ kind: 'hyper-diverges', severity: 'error', text: 'hyper-step 2 (neumann): ρ = ∞' }] },
    { type: 'log', level: 'warn', text: 'hyper-step 2 (neumann): …' },
    { type: 'hyperStep', inverse: 'exact', step: step(1) },
  ];
  for (const e of events) model.event(id, e);

  const reopened = (): PanelState => {
    model.detach();
    const got: HostToPanel[] = [];
    model.attach((m) => got.push(m));
    model.panelReady();
    assert.equal(got.length, 1);
    assert.equal(got[0].type, 'snapshot');
    const msg = wire(got[0]);
    assert.equal(problemIn(HostToPanel, msg, 'message'), null);
    return reducePanelState(emptyPanelState(), msg as HostToPanel);
  };
  // The panel that was open all along folded each message as it came: the re-opened one agrees with it.
  const follower = seen.map((m) => wire(m) as HostToPanel).reduce(reducePanelState, emptyPanelState());
  const mid = reopened();
  assert.deepEqual(mid, model.current);
  assert.deepEqual(mid, follower);
  assert.deepEqual(hyperRunsOf(mid), hyperRunsOf(model.current));
  assert.deepEqual(mid.hyperRuns.map((r) => r.steps.length), [2, 1]);
  assert.ok(Number.isNaN(mid.hyperRuns[0].steps[1].hypergradient[0]));
  assert.equal(mid.hyperRuns[0].steps[1].rho, Infinity);
  assert.deepEqual(hyperWarningsOf(mid).map((w) => [w.inverse, w.steps]), [['neumann', [2]]]);

  // Hidden and shown again: a snapshot too.
  const shown: HostToPanel[] = [];
  model.detach();
  model.attach((m) => shown.push(m));
  model.panelReady();
  model.setVisible(false);
  model.event(id, { type: 'hyperStep', inverse: 'exact', step: step(2) });
  assert.equal(shown.length, 1, 'nothing posted to a hidden panel');
  model.setVisible(true);
  assert.equal(shown.at(-1)!.type, 'snapshot');
  assert.deepEqual((wire(shown.at(-1)!) as Extract<HostToPanel, { type: 'snapshot' }>).state.hyperRuns.map((r) => r.steps.length), [2, 2]);

  model.report(id, reportWith(hyperReport()));
  model.ended(id, 'completed', null);
  const after = reopened();
  assert.deepEqual(after, model.current);
  assert.deepEqual(hyperRunsOf(after), hyperRunsOf(model.current));
  assert.deepEqual(hyperRunsOf(after).map((r) => r.inverse), ['neumann', 'exact', 'identity']);
  assert.equal(problemIn(PanelState, after, 'state'), null);
});
