/** The extension's settings as the host reads them: wrong values fall back to the defaults. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SETTINGS, readSettings } from '../../src/extension/settings';

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
