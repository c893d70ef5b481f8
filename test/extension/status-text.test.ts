/** The status bar item: the last verdict with ρ, the running phase, a failure. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import type { PanelState } from '../../src/protocol/webview';
import { statusView } from '../../src/extension/status-text';
import { sampleReport } from '../fixtures/sample-report';

function finished(mutate: (r: ReturnType<typeof sampleReport>) => void): PanelState {
  const report = sampleReport();
  mutate(report);
  let s = reducePanelState(emptyPanelState(), { type: 'sessionStarted', id: 1, name: 'seed', experimentFile: null });
  s = reducePanelState(s, { type: 'report', id: 1, report });
  return reducePanelState(s, { type: 'sessionEnded', id: 1, outcome: 'completed', error: null });
}

test('status bar: the last verdict with ρ, the running phase, failures', () => {
  assert.equal(statusView(finished(() => undefined)).text, '$(pulse) ρ 3.5 ✗');
  assert.equal(statusView(finished(() => undefined)).tone, 'error');
  const ok = statusView(
    finished((r) => {
      r.neumann.rho = 0.6234;
      r.neumann.verdict = 'converges';
    }),
  );
  assert.equal(ok.text, '$(pulse) ρ 0.6234 ✓');
  assert.equal(ok.tone, 'normal');
  const slow = statusView(finished((r) => (r.neumann.verdict = 'slow')));
  assert.match(slow.text, /⚠$/);
  let running = reducePanelState(emptyPanelState(), { type: 'sessionStarted', id: 2, name: 'seed', experimentFile: null });
  running = reducePanelState(running, { type: 'event', id: 2, event: { type: 'phase', phase: 'train', label: 'Training', fraction: 0.25 } });
  assert.equal(statusView(running).text, '$(sync~spin) Neumann: Training 25 %');
  const failed = reducePanelState(running, {
    type: 'sessionEnded',
    id: 2,
    outcome: 'failed',
    error: { message: 'bad alpha', code: 'input' },
  });
  assert.match(statusView(failed).text, /failed/);
  assert.match(statusView(failed).tooltip, /bad alpha/);
  assert.equal(statusView(emptyPanelState()).text, '$(pulse) Neumann');
});

test('status bar: a converging series whose hypergradient has the wrong sign is a warning, not a ✓', () => {
  const view = statusView(
    finished((r) => {
      r.neumann.rho = 0.8347;
      r.neumann.verdict = 'converges';
      r.advice.verdict = 'converges';
      r.advice.hypergradient = { status: 'wrong-sign', reference: 'exact', neumann: 2.5, referenceValue: -10.2, limit: 2.5, relError: 1.25, dampingBias: 1.25, signAgrees: false };
    }),
  );
  assert.equal(view.text, '$(pulse) ρ 0.8347 ⚠');
  assert.equal(view.tone, 'warning');
});
