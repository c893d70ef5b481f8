/**
 * The protocol's declarations as validators: every well-formed message passes, every malformed one
 * is rejected with the field's path (dots for keys, brackets for indices) and what was expected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { HostToWorker, SessionEvent, WorkerToHost } from '../../src/protocol/messages';
import { HostToPanel, PanelToHost, type PanelState } from '../../src/protocol/webview';
import { sampleReport } from '../fixtures/sample-report';

const ok = (schema: Parameters<typeof problemIn>[0], v: unknown): boolean => problemIn(schema, v, 'message') === null;

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
  { type: 'hyperWarning', inverse: 'neumann', step: 2, messages: [{ kind: 'set-alpha', severity: 'info', text: 'x', fix: { path: ['neumann', 'alpha'], value: 'auto', label: 'auto' } }] },
  { type: 'log', level: 'warn', text: 'hello' },
];

const TYPES = '"phase", "progress", "trainStep", "epoch", "spectrumStep", "neumannTerm", "hyperStep", "hyperWarning", "log"';

/** Each malformed event and the problem it must be reported with (the field's path first). */
const badEvents: [unknown, string][] = [
  [null, `event: expected an object with "type" one of ${TYPES}, got null`],
  [42, `event: expected an object with "type" one of ${TYPES}, got 42`],
  ['phase', `event: expected an object with "type" one of ${TYPES}, got "phase"`],
  [[], `event: expected an object with "type" one of ${TYPES}, got an array of 0`],
  [{}, `event.type: missing (expected one of ${TYPES})`],
  [{ type: 'nope' }, `event.type: unknown type "nope" (expected one of ${TYPES})`],
  [{ type: 'phase', phase: 'train', label: 'x' }, 'event.fraction: missing (expected a number)'],
  [
    { type: 'phase', phase: 'fly', label: 'x', fraction: 0 },
    'event.phase: expected one of "load", "train", "self-check", "spectrum", "neumann", "hypergradient", "hyper", "report", got "fly"',
  ],
  [{ type: 'trainStep', epoch: 0.5, step: 3, stepsPerEpoch: 32, loss: 0.5 }, 'event.epoch: expected an integer, got 0.5'],
  [
    { type: 'hyperWarning', inverse: 'neumann', step: 1, messages: [{ kind: 'set-alpha', severity: 'info', text: 'x', fix: { path: ['neumann', 'alpha'], value: 'fast', label: 'l' } }] },
    'event.messages[0].fix.value: expected a number or "auto", got "fast"',
  ],
  [{ type: 'trainStep', epoch: 0, step: '3', stepsPerEpoch: 32, loss: 0.5 }, 'event.step: expected an integer, got "3"'],
  [
    { type: 'spectrumStep', method: 'lanczos', step: 2, hvps: 2, lambdaMax: { value: 1, interval: [0.5] } },
    'event.lambdaMax.interval: expected an array of 2 entries ([lo, hi]), got 1 entries',
  ],
  [
    { type: 'spectrumStep', method: 'arnoldi', step: 2, hvps: 2 },
    'event.method: expected one of "lanczos", "power-max", "power-min", "exact", got "arnoldi"',
  ],
  [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, head: [1, 2] }, 'event.growth: missing (expected a number or null)'],
  [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: [1, '1'] }, 'event.head[1]: expected a number, got "1"'],
  [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: 'fast', head: [] }, 'event.growth: expected a number or null, got "fast"'],
  [{ type: 'log', level: 'loud', text: 'hello' }, 'event.level: expected one of "debug", "info", "warn", "error", got "loud"'],
];

test('every well-formed session event passes, as an event and as a worker message', () => {
  for (const e of goodEvents) {
    assert.equal(problemIn(SessionEvent, e, 'event'), null, JSON.stringify(e));
    assert.equal(problemIn(WorkerToHost, e, 'message'), null, JSON.stringify(e));
  }
});

test('malformed events are rejected with the path of the field and what was expected', () => {
  for (const [e, problem] of badEvents) assert.equal(problemIn(SessionEvent, e, 'event'), problem, JSON.stringify(e));
});

test('a report problem names the field down to the array index', () => {
  const r = sampleReport();
  const at = (patch: (r: Record<string, any>) => void): string | null => {
    const bad = structuredClone(r) as unknown as Record<string, any>;
    patch(bad);
    return problemIn(WorkerToHost, { type: 'report', report: bad }, 'message');
  };
  assert.equal(at((b) => (b.neumann.termNorms[3] = 'x')), 'message.report.neumann.termNorms[3]: expected a number, got "x"');
  assert.equal(at((b) => (b.neumann.termHeads[1][0] = null)), 'message.report.neumann.termHeads[1][0]: expected a number, got null');
  assert.equal(at((b) => delete b.advice.summary), 'message.report.advice.summary: missing (expected a string)');
  assert.equal(at((b) => (b.advice.messages[0].fix.path = 'neumann.alpha')), 'message.report.advice.messages[0].fix.path: expected an array, got "neumann.alpha"');
  assert.equal(at((b) => (b.spectrum.lanczos = 5)), 'message.report.spectrum.lanczos: expected an object or null, got 5');
  assert.equal(at((b) => (b.timings['phase.total'] = 'x')), 'message.report.timings["phase.total"]: expected a number, got "x"');
  assert.equal(at((b) => (b.schemaVersion = 2)), 'message.report.schemaVersion: expected 1, got 2');
  assert.equal(problemIn(DiagnosisReport, { ...r, params: 1.5 }, 'report'), 'report.params: expected an integer, got 1.5');
});

test('measured numbers may be ±Infinity or NaN (a diverging series); counts may not', () => {
  const r = sampleReport();
  r.neumann.termNorms.push(Infinity);
  r.neumann.residuals.push(NaN);
  r.neumann.growthRatios.push(-Infinity);
  r.neumann.rho = Infinity;
  r.spectrum.conditionNumber = Infinity;
  r.hypergradient.relErrorNeumann = NaN;
  assert.equal(problemIn(DiagnosisReport, r, 'report'), null);
  assert.equal(problemIn(DiagnosisReport, { ...r, params: Infinity }, 'report'), 'report.params: expected an integer, got Infinity');
  // JSON turns them into null, which a report in memory does not accept.
  assert.equal(
    problemIn(DiagnosisReport, JSON.parse(JSON.stringify(r)), 'report'),
    `report.neumann.rho: expected a number, got null`,
  );
  assert.equal(problemIn(DiagnosisReport, JSON.parse(JSON.stringify(sampleReport())), 'report'), null);
});

test('worker → host: ready, report, error and exit', () => {
  assert.ok(ok(WorkerToHost, { type: 'ready', protocolVersion: 1, backend: null, pid: 123 }));
  assert.ok(ok(WorkerToHost, { type: 'ready', protocolVersion: 1, backend: 'wasm', pid: 123 }));
  assert.equal(
    problemIn(WorkerToHost, { type: 'ready', protocolVersion: 1, backend: 'gpu', pid: 123 }, 'message'),
    'message.backend: expected one of "tensorflow", "wasm", "cpu" or null, got "gpu"',
  );
  assert.ok(ok(WorkerToHost, { type: 'report', report: sampleReport() }));
  assert.equal(problemIn(WorkerToHost, { type: 'report' }, 'message'), 'message.report: missing (expected an object)');
  assert.ok(ok(WorkerToHost, { type: 'error', error: { message: 'x', code: 'input', where: { kind: 'json', path: 'neumann.alpha' } } }));
  assert.ok(ok(WorkerToHost, { type: 'error', error: { message: 'x', code: 'input', where: { kind: 'file', file: 'a.csv', line: 3 } } }));
  assert.ok(
    ok(WorkerToHost, {
      type: 'error',
      error: { message: 'x', code: 'input', where: { kind: 'json', path: 'a' }, more: [{ message: 'y', where: { kind: 'file', file: 'b.csv', line: 2, column: 1 } }, { message: 'z' }] },
    }),
  );
  assert.equal(
    problemIn(WorkerToHost, { type: 'error', error: { message: 'x', code: 'input', where: { kind: 'url', path: 'a' } } }, 'message'),
    'message.error.where.kind: unknown kind "url" (expected one of "json", "file")',
  );
  assert.equal(
    problemIn(WorkerToHost, { type: 'error', error: { message: 'x', code: 'input', more: [{ message: 'y', where: { kind: 'file', file: 'b.csv', line: '2' } }] } }, 'message'),
    'message.error.more[0].where.line: expected an integer, got "2"',
  );
  assert.equal(
    problemIn(WorkerToHost, { type: 'error', error: { message: 'x', code: 'weird' } }, 'message'),
    'message.error.code: expected one of "input", "oom", "internal", "worker-exit", "protocol", got "weird"',
  );
  assert.ok(ok(WorkerToHost, { type: 'exit', outcome: 'cancelled' }));
  assert.ok(!ok(WorkerToHost, { type: 'exit', outcome: 'done' }));
});

test('host → worker: start and cancel', () => {
  assert.ok(ok(HostToWorker, { type: 'start', config: { anything: 1 }, configPath: null, options: { backend: 'auto' } }));
  assert.ok(ok(HostToWorker, { type: 'start', config: {}, configPath: '/a.json', options: { backend: 'cpu', exactMaxParams: 10 } }));
  assert.equal(
    problemIn(HostToWorker, { type: 'start', config: {}, configPath: 3, options: { backend: 'cpu' } }, 'message'),
    'message.configPath: expected a string or null, got 3',
  );
  assert.equal(
    problemIn(HostToWorker, { type: 'start', config: {}, configPath: null, options: { backend: 'gpu' } }, 'message'),
    'message.options.backend: expected one of "auto", "tensorflow", "wasm", "cpu", got "gpu"',
  );
  assert.equal(problemIn(HostToWorker, { type: 'start', config: {}, configPath: null }, 'message'), 'message.options: missing (expected an object)');
  assert.ok(ok(HostToWorker, { type: 'cancel' }));
  assert.equal(problemIn(HostToWorker, { type: 'ready' }, 'message'), 'message.type: unknown type "ready" (expected one of "start", "cancel")');
  // No key of a host message is ignored: a misspelt one is named.
  assert.equal(
    problemIn(HostToWorker, { type: 'start', config: {}, configPath: null, options: { backend: 'cpu', exactMaxParam: 10 } }, 'message'),
    'message.options.exactMaxParam: unknown field (expected one of "backend", "exactMaxParams", "python")',
  );
  assert.equal(
    problemIn(HostToWorker, { type: 'start', config: {}, configPath: null, options: { backend: 'cpu', python: { override: { path: '/p', source: 'x', why: 1 } } } }, 'message'),
    'message.options.python.override.why: unknown field (expected one of "path", "source")',
  );
  assert.equal(problemIn(HostToWorker, { type: 'cancel', reason: 'bored' }, 'message'), 'message.reason: unknown field (expected one of "type")');
});

test('host ↔ panel messages', () => {
  const state: PanelState = {
    session: { id: 1, name: 'x', experimentFile: null, status: 'running', phase: 'train', phaseLabel: 'Training', fraction: 0.2 },
    trainSteps: [{ epoch: 0, step: 1, stepsPerEpoch: 2, loss: 1 }],
    epochs: [{ type: 'epoch', epoch: 0, trainLoss: 1, validationLoss: 1 }],
    spectrumSteps: [{ type: 'spectrumStep', method: 'exact', step: 1, hvps: 5 }],
    neumannTerms: [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: [] }],
    hyperRuns: [],
    hyperWarnings: [],
    report: sampleReport(),
    error: null,
  };
  assert.ok(ok(HostToPanel, { type: 'snapshot', state }));
  assert.equal(
    problemIn(HostToPanel, { type: 'snapshot', state: { ...state, epochs: [{ type: 'trainStep', epoch: 0, trainLoss: 1, validationLoss: 1 }] } }, 'message'),
    'message.state.epochs[0].type: expected "epoch", got "trainStep"',
  );
  assert.ok(ok(HostToPanel, { type: 'sessionStarted', id: 1, name: 'x', experimentFile: '/a' }));
  assert.ok(ok(HostToPanel, { type: 'event', id: 1, event: goodEvents[0] }));
  assert.equal(problemIn(HostToPanel, { type: 'event', id: 1, event: badEvents[6][0] }, 'message'), 'message.event.fraction: missing (expected a number)');
  assert.ok(ok(HostToPanel, { type: 'report', id: 1, report: sampleReport() }));
  assert.ok(ok(HostToPanel, { type: 'sessionEnded', id: 1, outcome: 'failed', error: { message: 'm', code: 'oom' } }));
  assert.ok(ok(PanelToHost, { type: 'ready' }));
  assert.ok(ok(PanelToHost, { type: 'applyFix', fix: { path: ['neumann', 'alpha'], value: 0.2, label: 'x' }, rerun: true }));
  assert.equal(
    problemIn(PanelToHost, { type: 'applyFix', fix: { path: 'neumann.alpha', value: 0.2, label: 'x' }, rerun: true }, 'message'),
    'message.fix.path: expected an array, got "neumann.alpha"',
  );
  assert.ok(ok(PanelToHost, { type: 'export', format: 'markdown' }));
  assert.ok(!ok(PanelToHost, { type: 'export', format: 'pdf' }));
  assert.ok(ok(PanelToHost, { type: 'rejected', what: 'a message from the host', problem: 'message.type: missing' }));
  for (const t of ['stop', 'rerun', 'openExperiment']) assert.ok(ok(PanelToHost, { type: t }));
});
