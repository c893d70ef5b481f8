import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import { decodeState, encodeState } from '../../src/extension/persisted-state';
import { sampleReport } from '../fixtures/sample-report';

function divergedState() {
  const report = sampleReport();
  report.neumann.termNorms = [1, 1e200, Infinity, Number.NaN];
  report.neumann.nonFiniteAtTerm = 2;
  report.hypergradient.neumann = -Infinity;
  let s = reducePanelState(emptyPanelState(), { type: 'sessionStarted', id: 3, name: 'seed', experimentFile: '/w/seed.neumann.json' });
  s = reducePanelState(s, { type: 'event', id: 3, event: { type: 'neumannTerm', term: 2, norm: Infinity, residual: Number.NaN, growth: null, head: [1, -Infinity] } });
  s = reducePanelState(s, { type: 'report', id: 3, report });
  return reducePanelState(s, { type: 'sessionEnded', id: 3, outcome: 'completed', error: null });
}

test('a diverged state survives the JSON round trip of workspaceState, Infinity and NaN included', () => {
  const state = divergedState();
  // What a Memento does with a value: JSON.
  const stored = JSON.parse(JSON.stringify(encodeState(state)));
  const decoded = decodeState(stored);
  assert.ok('state' in decoded, JSON.stringify(decoded));
  assert.deepEqual(decoded.state, state);
  assert.equal(decoded.state.report?.neumann.termNorms[2], Infinity);
  assert.ok(Number.isNaN(decoded.state.report?.neumann.termNorms[3]));
  // Without the encoding the same round trip loses the numbers and validation refuses the state.
  assert.ok('problem' in decodeState(JSON.parse(JSON.stringify(state))));
});

test('nothing saved, or something else saved, is refused with a reason', () => {
  for (const v of [undefined, null, 42, 'x', {}, { session: null }]) {
    const d = decodeState(v);
    assert.ok('problem' in d && d.problem.length > 0, JSON.stringify(v));
  }
  assert.deepEqual(decodeState(encodeState(emptyPanelState())), { state: emptyPanelState() });
  // A lookalike of the tag inside user text is left alone.
  const s = emptyPanelState();
  const withName = reducePanelState(s, { type: 'sessionStarted', id: 1, name: '{"$nonFinite":"Infinity"}', experimentFile: null });
  assert.deepEqual(decodeState(JSON.parse(JSON.stringify(encodeState(withName)))), { state: withName });
});
