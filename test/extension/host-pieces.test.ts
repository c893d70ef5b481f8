import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyPanelState, reducePanelState } from '../../src/protocol/panel-state';
import type { PanelState } from '../../src/protocol/webview';
import { DEFAULT_SETTINGS, readSettings } from '../../src/extension/settings';
import { statusView } from '../../src/extension/status-text';
import { defaultTargetName, experimentCopyText, listTemplates, scaffoldCopies, templateDataFiles } from '../../src/extension/templates';
import { sampleReport } from '../fixtures/sample-report';

const examplesDir = join(__dirname, '../../examples');

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

test('templates: the six bundled examples, known ones first, with their data files', () => {
  const templates = listTemplates(examplesDir);
  const ids = templates.map((t) => t.id);
  const known = ['seed-regression', 'logistic-regression', 'hyper-logistic-regression', 'tanh-classifier', 'seed-toy-cubic', 'pytorch-model'];
  for (const id of known) assert.ok(ids.includes(id), id);
  assert.deepEqual(ids.slice(0, known.length), known);
  for (const t of templates) {
    const text = readFileSync(t.file, 'utf8');
    const parsed = JSON.parse(text) as { data?: { train?: { csv: string }; validation?: { csv: string } }; pytorch?: { file?: string } };
    const expected = [parsed.data?.train?.csv, parsed.data?.validation?.csv, parsed.pytorch?.file].filter((x): x is string => !!x);
    assert.deepEqual(templateDataFiles(text).sort(), [...new Set(expected)].sort(), t.id);
    for (const rel of templateDataFiles(text)) assert.ok(existsSync(join(examplesDir, rel)), `${t.id} ships ${rel}`);
  }
  assert.deepEqual(listTemplates('/nonexistent/folder'), []);
  const seed = templates[0];
  assert.equal(defaultTargetName(seed), 'seed-regression.neumann.json');
  const taken = new Set(['seed-regression.neumann.json', 'seed-regression-2.neumann.json']);
  assert.equal(defaultTargetName(seed, (n) => taken.has(n)), 'seed-regression-3.neumann.json');
});

test('template data files: only relative paths inside the template folder; copies go beside the target', () => {
  const text = JSON.stringify({
    data: { train: { csv: 'data/train.csv' }, validation: { csv: '../secret.csv' } },
    model: { init: { stateDict: '/abs/weights.json' } },
  });
  assert.deepEqual(templateDataFiles(text), [join('data', 'train.csv')]);
  assert.deepEqual(templateDataFiles('{ not json'), []);
  assert.deepEqual(scaffoldCopies('/ext/examples/x.neumann.json', text, '/ws/y.neumann.json'), [
    { from: '/ext/examples/x.neumann.json', to: '/ws/y.neumann.json' },
    { from: '/ext/examples/data/train.csv', to: '/ws/data/train.csv' },
  ]);
});

test('a copied experiment drops a relative $schema (it would not resolve) and keeps everything else', () => {
  for (const t of listTemplates(examplesDir)) {
    const text = readFileSync(t.file, 'utf8');
    const original = JSON.parse(text) as Record<string, unknown>;
    const copy = experimentCopyText(text);
    const parsed = JSON.parse(copy) as Record<string, unknown>;
    const expected = { ...original };
    if (typeof original.$schema === 'string' && !/^https?:/.test(original.$schema)) delete expected.$schema;
    assert.deepEqual(parsed, expected, t.id);
    assert.equal(copy.split('\n').length, text.split('\n').length - ('$schema' in expected || !('$schema' in original) ? 0 : 1));
  }
  const remote = '{\n  "$schema": "https://example.org/s.json",\n  "a": 1\n}\n';
  assert.equal(experimentCopyText(remote), remote);
  assert.equal(experimentCopyText('{ broken'), '{ broken');
});

test('settings: defaults, valid values, and wrong ones fall back', () => {
  assert.deepEqual(readSettings(() => undefined), DEFAULT_SETTINGS);
  const good: Record<string, unknown> = {
    backend: 'wasm',
    'analysis.exactMaxParams': 500,
    'worker.maxMemoryMb': 2048,
    'python.interpreter': '/opt/venv/bin/python',
    runOnSave: true,
    showPanelOnRun: false,
  };
  assert.deepEqual(readSettings((k) => good[k]), {
    backend: 'wasm',
    exactMaxParams: 500,
    maxMemoryMb: 2048,
    pythonInterpreter: '/opt/venv/bin/python',
    runOnSave: true,
    showPanelOnRun: false,
  });
  const bad: Record<string, unknown> = {
    backend: 'gpu',
    'analysis.exactMaxParams': -1,
    'worker.maxMemoryMb': 12.5,
    'python.interpreter': 3,
    runOnSave: 'yes',
  };
  assert.deepEqual(readSettings((k) => bad[k]), DEFAULT_SETTINGS);
  assert.equal(readSettings((k) => (k === 'worker.maxMemoryMb' ? 100 : undefined)).maxMemoryMb, DEFAULT_SETTINGS.maxMemoryMb);
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
