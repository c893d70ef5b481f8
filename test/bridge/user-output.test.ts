/**
 * A user's file writes to stdout every way it can (print, sys.__stdout__, a raw write to fd 1,
 * bytes that look like a frame prefix, warnings), at import and inside each loss call. The frames
 * stay intact and all of it arrives on stderr, line by line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeClient } from '../../src/bridge/client';
import { fixture, torchPython, unit } from './helpers';

test('user prints, fd-1 writes and warnings during import and loss calls do not corrupt the protocol', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const lines: string[] = [];
  const bridge = await BridgeClient.spawn({ python, problem: fixture('prints.py'), dtype: 'float64', onStderrLine: (l) => lines.push(l) });
  try {
    assert.equal(bridge.paramCount, 4);
    const lt = await bridge.loss('train');
    const lv = await bridge.loss('val');
    assert.ok(Number.isFinite(lt) && Number.isFinite(lv));
    const { gradient } = await bridge.gradient('val');
    assert.equal(gradient.length, 4);
    const cols = await bridge.hvp([0, 1, 2, 3].map((i) => unit(4, i)));
    // Linear model, MSE: H = (2/n)·[XᵀX, Xᵀ1; 1ᵀX, n] is symmetric positive definite, H[3][3] = 2.
    assert.ok(Math.abs(cols[3][3] - 2) < 1e-12, `H[3][3] = ${cols[3][3]}`);
    await bridge.shutdown();
  } finally {
    await bridge.close();
  }
  const text = lines.join('\n');
  for (const what of ['PRINT', 'DUNDER-STDOUT', 'FD1', 'WARNING']) assert.match(text, new RegExp(`${what} at import`));
  for (const what of ['PRINT in neumann_problem', 'PRINT in train_loss', 'FD1 in val_loss', 'WARNING in val_loss']) {
    assert.ok(text.includes(what), `stderr lacks ${what}`);
  }
  assert.match(text, /garbage that looks like a frame prefix/);
});
