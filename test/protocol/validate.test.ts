import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkWorkerToHost,
  isDiagnosisReport,
  isHostToPanel,
  isHostToWorker,
  isPanelToHost,
  isSessionEvent,
  isWorkerToHost,
} from '../../src/protocol/validate';
import type { PanelState } from '../../src/protocol/webview';
import { sampleReport } from '../fixtures/sample-report';

const goodEvents: unknown[] = [
  { type: 'phase', phase: 'train', label: 'Training', fraction: 0.1 },
  { type: 'progress', phase: 'spectrum', fraction: 0.5 },
  { type: 'progress', phase: 'spectrum', fraction: 0.5, text: 'Lanczos step 3' },
  { type: 'trainStep', epoch: 0, step: 3, stepsPerEpoch: 32, loss: 0.5 },
  { type: 'trainStep', epoch: 0, step: 3, stepsPerEpoch: 32, loss: NaN },
  { type: 'epoch', epoch: 0, trainLoss: 1, validationLoss: 2 },
  { type: 'epoch', epoch: 0, trainLoss: 1, validationLoss: 2, lambdaMax: 3, lambdaMin: -1, rho: 2 },
  { type: 'spectrumStep', method: 'lanczos', step: 2, hvps: 2, lambdaMax: { value: 1, interval: [0.5, 1.5] } },
  { type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: [1, 2] },
  { type: 'neumannTerm', term: 4, norm: Infinity, residual: NaN, growth: 3.5, head: [] },
  { type: 'log', level: 'warn', text: 'hello' },
];

const badEvents: unknown[] = [
  null,
  42,
  'phase',
  [],
  {},
  { type: 'nope' },
  { type: 'phase', phase: 'train', label: 'x' },
  { type: 'phase', phase: 'fly', label: 'x', fraction: 0 },
  { type: 'trainStep', epoch: 0.5, step: 3, stepsPerEpoch: 32, loss: 0.5 },
  { type: 'trainStep', epoch: 0, step: '3', stepsPerEpoch: 32, loss: 0.5 },
  { type: 'spectrumStep', method: 'lanczos', step: 2, hvps: 2, lambdaMax: { value: 1, interval: [0.5] } },
  { type: 'spectrumStep', method: 'arnoldi', step: 2, hvps: 2 },
  { type: 'neumannTerm', term: 0, norm: 1, residual: 1, head: [1, 2] },
  { type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: ['1'] },
  { type: 'log', level: 'loud', text: 'hello' },
];

test('every well-formed session event passes, as an event and as a worker message', () => {
  for (const e of goodEvents) {
    assert.ok(isSessionEvent(e), JSON.stringify(e));
    assert.ok(isWorkerToHost(e), JSON.stringify(e));
  }
});

test('malformed events are rejected with a path naming the problem', () => {
  for (const e of badEvents) assert.equal(isSessionEvent(e), false, JSON.stringify(e));
  assert.match(checkWorkerToHost({ type: 'phase', phase: 'train', label: 'x' }) ?? '', /message\.fraction: missing/);
  assert.match(checkWorkerToHost({ type: 'nope' }) ?? '', /unknown message type "nope"/);
  assert.match(
    checkWorkerToHost({ type: 'report', report: { ...sampleReport(), neumann: { ...sampleReport().neumann, termNorms: [1, 'x'] } } }) ?? '',
    /report\.neumann\.termNorms\[1\]/,
  );
});

test('worker → host: ready, report, error and exit', () => {
  assert.ok(isWorkerToHost({ type: 'ready', protocolVersion: 1, backend: null, pid: 123 }));
  assert.ok(isWorkerToHost({ type: 'ready', protocolVersion: 1, backend: 'wasm', pid: 123 }));
  assert.ok(!isWorkerToHost({ type: 'ready', protocolVersion: 1, backend: 'gpu', pid: 123 }));
  assert.ok(isWorkerToHost({ type: 'report', report: sampleReport() }));
  assert.ok(!isWorkerToHost({ type: 'report', report: { ...sampleReport(), schemaVersion: 2 } }));
  assert.ok(!isWorkerToHost({ type: 'report' }));
  assert.ok(isWorkerToHost({ type: 'error', error: { message: 'x', code: 'input', where: { kind: 'json', path: 'neumann.alpha' } } }));
  assert.ok(isWorkerToHost({ type: 'error', error: { message: 'x', code: 'input', where: { kind: 'file', file: 'a.csv', line: 3 } } }));
  assert.ok(!isWorkerToHost({ type: 'error', error: { message: 'x', code: 'input', where: { kind: 'url', path: 'a' } } }));
  assert.ok(!isWorkerToHost({ type: 'error', error: { message: 'x', code: 'weird' } }));
  assert.ok(isWorkerToHost({ type: 'exit', outcome: 'cancelled' }));
  assert.ok(!isWorkerToHost({ type: 'exit', outcome: 'done' }));
  assert.ok(isDiagnosisReport(sampleReport()));
  assert.ok(isDiagnosisReport(JSON.parse(JSON.stringify(sampleReport()))));
});

test('host → worker: start and cancel', () => {
  assert.ok(isHostToWorker({ type: 'start', config: { anything: 1 }, configPath: null, options: { backend: 'auto' } }));
  assert.ok(isHostToWorker({ type: 'start', config: {}, configPath: '/a.json', options: { backend: 'cpu', exactMaxParams: 10 } }));
  assert.ok(!isHostToWorker({ type: 'start', config: {}, configPath: 3, options: { backend: 'cpu' } }));
  assert.ok(!isHostToWorker({ type: 'start', config: {}, configPath: null, options: { backend: 'gpu' } }));
  assert.ok(!isHostToWorker({ type: 'start', config: {}, configPath: null }));
  assert.ok(isHostToWorker({ type: 'cancel' }));
  assert.ok(!isHostToWorker({ type: 'ready' }));
});

test('host ↔ panel messages', () => {
  const state: PanelState = {
    session: { id: 1, name: 'x', experimentFile: null, status: 'running', phase: 'train', phaseLabel: 'Training', fraction: 0.2 },
    trainSteps: [{ epoch: 0, step: 1, stepsPerEpoch: 2, loss: 1 }],
    epochs: [{ type: 'epoch', epoch: 0, trainLoss: 1, validationLoss: 1 }],
    spectrumSteps: [{ type: 'spectrumStep', method: 'exact', step: 1, hvps: 5 }],
    neumannTerms: [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: [] }],
    report: sampleReport(),
    error: null,
  };
  assert.ok(isHostToPanel({ type: 'snapshot', state }));
  assert.ok(!isHostToPanel({ type: 'snapshot', state: { ...state, epochs: [{ type: 'trainStep', epoch: 0, trainLoss: 1, validationLoss: 1 }] } }));
  assert.ok(isHostToPanel({ type: 'sessionStarted', id: 1, name: 'x', experimentFile: '/a' }));
  assert.ok(isHostToPanel({ type: 'event', id: 1, event: goodEvents[0] }));
  assert.ok(!isHostToPanel({ type: 'event', id: 1, event: badEvents[6] }));
  assert.ok(isHostToPanel({ type: 'report', id: 1, report: sampleReport() }));
  assert.ok(isHostToPanel({ type: 'sessionEnded', id: 1, outcome: 'failed', error: { message: 'm', code: 'oom' } }));
  assert.ok(isPanelToHost({ type: 'ready' }));
  assert.ok(isPanelToHost({ type: 'applyFix', fix: { path: ['neumann', 'alpha'], value: 0.2, label: 'x' }, rerun: true }));
  assert.ok(!isPanelToHost({ type: 'applyFix', fix: { path: 'neumann.alpha', value: 0.2, label: 'x' }, rerun: true }));
  assert.ok(isPanelToHost({ type: 'export', format: 'markdown' }));
  assert.ok(!isPanelToHost({ type: 'export', format: 'pdf' }));
  for (const t of ['stop', 'rerun', 'openExperiment']) assert.ok(isPanelToHost({ type: t }));
});
