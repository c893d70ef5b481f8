/** Backend selection: explicit choices load or fail clearly; auto reports what actually runs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { activeBackend, findWasmDir, initBackend } from '../../../src/core/model/backend';
import { InputError } from '../../../src/core/errors';

function tfjsNodeLoads(): boolean {
  try {
    // An optional native addon: whether it loads is the question, so require it directly.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    require('@tensorflow/tfjs-node');
    return true;
  } catch {
    return false;
  }
}

test('cpu and wasm load on request and become active', async () => {
  assert.equal(await initBackend('cpu'), 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  assert.equal(await initBackend('wasm'), 'wasm');
  assert.equal(activeBackend(), 'wasm');
  assert.ok(findWasmDir(), 'the .wasm binaries are found');
});

test('auto takes tensorflow if tfjs-node loads, else wasm, and says which', async () => {
  const got = await initBackend('auto');
  assert.equal(got, tfjsNodeLoads() ? 'tensorflow' : 'wasm');
  assert.equal(tf.getBackend(), got);
});

test('an explicit backend that cannot load is a clear InputError', { skip: tfjsNodeLoads() && 'tfjs-node is installed here' }, async () => {
  await assert.rejects(initBackend('tensorflow'), (e: unknown) => e instanceof InputError && /backend "tensorflow" is not available \(tensorflow: .*tfjs-node/.test(e.message));
});
