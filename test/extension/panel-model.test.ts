import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SessionEvent } from '../../src/protocol/messages';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import { problemIn } from '../../src/protocol/check';
import { HostToPanel, type PanelState } from '../../src/protocol/webview';
import { PanelModel } from '../../src/extension/panel-model';
import { sampleReport } from '../fixtures/sample-report';

/** A stand-in for the webview: records what it is sent and folds it the way the panel does. */
function fakePanel() {
  const received: HostToPanel[] = [];
  let state: PanelState = emptyPanelState();
  return {
    received,
    post: (msg: HostToPanel) => {
      assert.equal(problemIn(HostToPanel, msg, 'message'), null, 'the host only posts well-formed messages');
      received.push(structuredClone(msg));
      state = reducePanelState(state, structuredClone(msg));
    },
    get state() {
      return state;
    },
  };
}

const step = (i: number): SessionEvent => ({ type: 'trainStep', epoch: 0, step: i, stepsPerEpoch: 10, loss: 1 / (i + 1) });

test('nothing is posted before the ready handshake; ready brings a snapshot', () => {
  const model = new PanelModel();
  const panel = fakePanel();
  model.attach(panel.post);
  const id = model.startSession('seed', '/x/seed.neumann.json');
  model.event(id, step(0));
  assert.equal(panel.received.length, 0);
  model.panelReady();
  assert.deepEqual(panel.received.map((m) => m.type), ['snapshot']);
  const snap = panel.received[0] as Extract<HostToPanel, { type: 'snapshot' }>;
  assert.equal(snap.state.session?.name, 'seed');
  assert.equal(snap.state.session?.status, 'running');
  assert.deepEqual(snap.state.trainSteps, [{ epoch: 0, step: 0, stepsPerEpoch: 10, loss: 1 }]);
  model.event(id, step(1));
  assert.deepEqual(panel.received.map((m) => m.type), ['snapshot', 'event']);
});

test('a panel that joins mid-session, is hidden and shown again ends with the host state', () => {
  const model = new PanelModel();
  const panel = fakePanel();
  const id = model.startSession('seed', null);
  for (let i = 0; i < 5; i++) model.event(id, step(i));
  model.attach(panel.post);
  model.panelReady();
  model.event(id, { type: 'phase', phase: 'spectrum', label: 'Measuring the spectrum', fraction: 0.5 });
  model.setVisible(false);
  const whileHidden = panel.received.length;
  model.event(id, { type: 'spectrumStep', method: 'lanczos', step: 1, hvps: 1, lambdaMax: { value: 4, interval: [3.9, 4.1] } });
  assert.equal(panel.received.length, whileHidden, 'nothing posted to a hidden panel');
  model.setVisible(true);
  assert.equal(panel.received[panel.received.length - 1].type, 'snapshot');
  model.report(id, sampleReport());
  model.ended(id, 'completed', null);
  assert.deepEqual(panel.state, model.current);
  assert.equal(model.current.session?.status, 'completed');
  assert.equal(model.current.trainSteps.length, 5);
  assert.equal(model.current.spectrumSteps.length, 1);
  assert.deepEqual(model.current.report, sampleReport());
});

test('a reloaded webview (attach again) waits for its own ready', () => {
  const model = new PanelModel();
  const first = fakePanel();
  model.attach(first.post);
  model.panelReady();
  const id = model.startSession('a', null);
  const second = fakePanel();
  model.attach(second.post);
  model.event(id, step(0));
  assert.equal(second.received.length, 0);
  model.panelReady();
  assert.deepEqual(second.state, model.current);
  model.detach();
  model.event(id, step(1));
  assert.equal(second.received.length, 1);
});

test('logs and late events of a replaced session are not posted; ids increase', () => {
  const model = new PanelModel();
  const panel = fakePanel();
  model.attach(panel.post);
  model.panelReady();
  const a = model.startSession('a', null);
  const b = model.startSession('b', null);
  assert.ok(b > a);
  const before = panel.received.length;
  model.event(a, step(0));
  model.ended(a, 'cancelled', null);
  model.event(b, { type: 'log', level: 'info', text: 'hello' });
  assert.equal(panel.received.length, before);
  assert.equal(model.current.session?.name, 'b');
  assert.ok(model.isRunning(b));
  assert.equal(model.isRunning(a), false);
});

test('restore adopts a saved state once, marks a dead running session cancelled, keeps ids increasing', () => {
  const saved = reducePanelState(emptyPanelState(), { type: 'sessionStarted', id: 7, name: 'old', experimentFile: null });
  const model = new PanelModel();
  const seen: PanelState[] = [];
  model.subscribe((s) => seen.push(s));
  assert.equal(model.restore(saved), true);
  assert.equal(model.current.session?.status, 'cancelled');
  assert.equal(seen.length, 1);
  assert.ok(model.startSession('new', null) > 7);
  assert.equal(model.restore(saved), false, 'a window with its own session keeps it');
});
