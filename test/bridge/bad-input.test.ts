/**
 * Every mistake in a user's problem file is a BridgeError with code 'input' that names the place
 * (the user's file and line, found by the fixture's "# MARK" comment) and says what was expected,
 * never the bridge's own internals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BridgeClient } from '../../src/bridge/client';
import { BridgeError } from '../../src/bridge/connection';
import { fixture, lineOf, runPython, torchPython } from './helpers';

async function spawnError(python: string, problem: string, opts: { dtype?: 'float32' | 'float64'; device?: string } = {}): Promise<BridgeError> {
  try {
    const c = await BridgeClient.spawn({ python, problem, dtype: opts.dtype ?? 'float64', device: opts.device });
    await c.close();
  } catch (e) {
    assert.ok(e instanceof BridgeError, `not a BridgeError: ${String(e)}`);
    return e;
  }
  assert.fail(`${problem} was served without an error`);
}

function assertAt(err: BridgeError, file: string, message: RegExp, line: number | null = lineOf(file)): void {
  assert.equal(err.code, 'input', `${err.code}: ${err.message}`);
  assert.match(err.message, message);
  assert.equal(err.where?.file, file);
  assert.equal(err.where?.line, line ?? undefined, `line of ${err.message}`);
  assert.doesNotMatch(err.message, /neumann_lens[/\\]/, 'message names bridge internals');
}

const cases: [string, RegExp, { line?: null; dtype?: 'float32' | 'float64' }?][] = [
  ['no_function.py', /defines no neumann_problem\(\).*model, train_loss, val_loss/, { line: null }],
  ['syntax_error.py', /SyntaxError/],
  ['raises_at_import.py', /importing raises_at_import\.py raised: ZeroDivisionError: float division by zero/],
  ['raises_in_problem.py', /neumann_problem\(\) raised: FileNotFoundError: .*\/nonexistent\/data\.csv/],
  ['raises_in_loss.py', /train_loss\(model\) raised: RuntimeError: mat1 and mat2 shapes cannot be multiplied/],
  ['not_a_dict.py', /returned list; expected a dict with keys model, train_loss, val_loss/],
  ['missing_key.py', /returned no 'val_loss'/],
  ['unknown_key.py', /unknown key 'trian_batches'/],
  ['model_not_module.py', /\['model'\] is a Tensor; expected a torch\.nn\.Module/],
  ['batches_without_loss.py', /'train_batches' but not 'batch_loss'/],
  ['loss_not_scalar.py', /train_loss returned a tensor of shape \[6, 1\]; expected a scalar/],
  ['loss_not_tensor.py', /val_loss returned a float; expected a scalar torch tensor/],
  ['loss_detached.py', /train_loss is not differentiable \(its tensor has no grad_fn\)/],
  ['loss_independent.py', /train_loss does not depend on the model’s parameters/],
  ['dtype_mismatch.py', /train_loss\(model\) raised: RuntimeError: .*(dtype|Double|Float)/],
  ['loss_cast.py', /train_loss returned a float32 tensor, but the bridge runs in float64/],
];

for (const [name, message, opts] of cases) {
  test(`bad input ${name}: code input at the user's file:line`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const file = fixture(join('bad', name));
    const err = await spawnError(python, file, { dtype: opts?.dtype });
    assertAt(err, file, message, opts?.line === null ? null : lineOf(file));
  });
}

test('bad input: an exception in a later loss call is code input at its line, and the server keeps serving', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = fixture('bad/raises_later.py');
  const bridge = await BridgeClient.spawn({ python, problem: file, dtype: 'float64' });
  try {
    assert.ok(Number.isFinite(await bridge.loss('val')));
    const err = await bridge.loss('val').then(
      () => assert.fail('no error'),
      (e: unknown) => e as BridgeError,
    );
    assertAt(err, file, /val_loss\(model\) raised: ValueError: batch 3 has no rows/);
    assert.match(err.detail ?? '', /raises_later\.py/);
    assert.ok(Number.isFinite(await bridge.loss('train')), 'server still serves');
  } finally {
    await bridge.close();
  }
});

test('bad input: a missing problem file names the file', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = join(mkdtempSync(join(tmpdir(), 'nl-bridge-')), 'missing.py');
  const err = await spawnError(python, file, {});
  assert.equal(err.code, 'input');
  assert.match(err.message, /problem file not found: .*missing\.py/);
  assert.equal(err.where?.file, file);
});

test('bad input: device cuda without CUDA, and a device that is not one, are code input', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const hasCuda = JSON.parse(await runPython(python, ['-c', 'import torch, json; print(json.dumps(torch.cuda.is_available()))'])) as boolean;
  if (!hasCuda) {
    const err = await spawnError(python, fixture('conv_net.py'), { device: 'cuda' });
    assert.equal(err.code, 'input');
    assert.match(err.message, /CUDA is not available.*use device cpu/);
  }
  const bad = await spawnError(python, fixture('conv_net.py'), { device: 'tpu:0' });
  assert.equal(bad.code, 'input');
  assert.match(bad.message, /device 'tpu:0'/);
});

test('a problem file in a folder with a space and a non-ASCII name loads', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const dir = mkdtempSync(join(tmpdir(), 'nl bridge é-'));
  const file = join(dir, 'prob lème.py');
  writeFileSync(file, 'import torch\nm = torch.nn.Linear(1, 1)\ndef neumann_problem():\n    return {"model": m, "train_loss": lambda x: (x.weight ** 2).sum(), "val_loss": lambda x: x.bias.sum()}\n');
  const bridge = await BridgeClient.spawn({ python, problem: file });
  try {
    assert.equal(bridge.paramCount, 2);
  } finally {
    await bridge.close();
  }
});
