/**
 * runSession on PyTorch experiments through the real bridge (a real Python child with torch): the
 * seed example's diagnosis equals PyTorch's float64 references (examples/pytorch-seed/
 * torch-reference.json, written by scripts/make-pytorch-seed.py) and the JSON-MLP experiment on the
 * same weights and data; training runs through the bridge's train op; a cancelled session leaves
 * no Python process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readExperimentFile, validateExperiment } from '../../src/core/config/load';
import { CancelledError } from '../../src/core/util/abort';
import type { SessionEvent } from '../../src/protocol/messages';
import { runSession } from '../../src/session/run-session';
import { maxAbsDiff, processesWith, torchPython, waitNoProcessWith } from '../bridge/helpers';

const dir = join(__dirname, '../../examples/pytorch-seed');
const ref = JSON.parse(readFileSync(join(dir, 'torch-reference.json'), 'utf8')) as {
  torch: string;
  params: number;
  eigenvalues: number[];
  lambdaMin: number;
  lambdaMax: number;
  gradValidationHead: number[];
  neumannTermHeads: number[][];
  trainLoss: number;
  validationLoss: number;
};

test('the seed example through the bridge: PyTorch float64 spectrum, losses and Neumann terms, runtime in the report', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const exp = readExperimentFile(join(dir, 'bridge.neumann.json'));
  const events: SessionEvent[] = [];
  const r = await runSession(exp, { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, { onEvent: (e) => events.push(e) });

  assert.equal(r.backend, 'torch');
  assert.equal(r.params, ref.params);
  assert.equal(r.runtime?.torch, ref.torch);
  assert.equal(r.runtime?.dtype, 'float64');
  assert.equal(r.runtime?.device, 'cpu');
  assert.equal(r.runtime?.interpreterSource, 'test');
  assert.deepEqual(r.runtime?.parameterNames, ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias']);
  assert.deepEqual(r.hvpSelfCheck.operator, 'autograd');
  assert.ok(r.hvpSelfCheck.passed && r.hvpSelfCheck.relativeError < 1e-8, `self-check ${r.hvpSelfCheck.relativeError}`);

  const scale = Math.max(Math.abs(ref.lambdaMin), Math.abs(ref.lambdaMax));
  assert.equal(r.spectrum.method, 'exact');
  assert.ok(maxAbsDiff(r.spectrum.eigenvalues!, ref.eigenvalues) < 1e-9 * scale, `eigenvalues differ by ${maxAbsDiff(r.spectrum.eigenvalues!, ref.eigenvalues)}`);
  assert.equal(r.spectrum.lambdaMin.toFixed(3), '-1.749');
  assert.equal(r.spectrum.lambdaMax.toFixed(3), '2.118');
  // Lanczos on the bridge's operator gets both ends too.
  assert.ok(Math.abs(r.spectrum.lanczos!.lambdaMin.value - ref.lambdaMin) < 1e-6 * scale);
  assert.ok(Math.abs(r.spectrum.lanczos!.lambdaMax.value - ref.lambdaMax) < 1e-6 * scale);

  assert.ok(Math.abs(r.loss.train! - ref.trainLoss) < 1e-12 * ref.trainLoss, `L_T ${r.loss.train} vs ${ref.trainLoss}`);
  assert.ok(Math.abs(r.loss.validation! - ref.validationLoss) < 1e-12 * ref.validationLoss);
  assert.ok(maxAbsDiff(r.neumann.termHeads[0], ref.gradValidationHead) < 1e-12);
  for (let j = 1; j < ref.neumannTermHeads.length; j++) {
    const want = ref.neumannTermHeads[j];
    assert.ok(maxAbsDiff(r.neumann.termHeads[j], want) < 1e-9 * Math.max(1, ...want.map(Math.abs)), `term ${j}: ${r.neumann.termHeads[j]} vs ${want}`);
  }
  assert.equal(r.advice.verdict, 'diverges-negative-curvature');
  assert.ok(Math.abs(r.neumann.rho - (1 - ref.lambdaMin)) < 1e-9);
  assert.ok(events.some((e) => e.type === 'log' && e.text.startsWith('[python] ')), 'the server’s stderr reaches the log');
  assert.equal(processesWith(join(dir, 'problem.py')).length, 0, 'the bridge is gone after the session');
});

test('where the curvature lives, by the model\'s own parameter names: tensor shares equal float64 PyTorch eigenvectors on both paths', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  // Independent: the dense Hessian by torch.autograd.functional.hessian and torch.linalg.eigh, outside the bridge.
  const want = JSON.parse(execFileSync(python, [join(__dirname, '../fixtures/pytorch/tensor_shares.py'), join(dir, 'problem.py'), '0.1'], { encoding: 'utf8' })) as {
    bottom: Record<string, number>;
    top: Record<string, number>;
  };
  const names = ['0.weight', '0.bias', '2.weight', '2.bias', '4.weight', '4.bias'];
  assert.deepEqual(Object.keys(want.bottom), names);
  const quiet = { onEvent: () => undefined };
  const py = { override: { path: python, source: 'test' } };
  const exact = await runSession(readExperimentFile(join(dir, 'bridge.neumann.json')), { backend: 'cpu', python: py }, quiet);
  const lanczosExp = validateExperiment({ ...JSON.parse(readFileSync(join(dir, 'bridge.neumann.json'), 'utf8')), analysis: { exactMaxParams: 0 } }, join(dir, 'bridge.neumann.json'));
  const lanczos = await runSession(lanczosExp, { backend: 'cpu', python: py }, quiet);
  assert.equal(exact.spectrum.method, 'exact');
  assert.equal(lanczos.spectrum.method, 'lanczos');
  for (const [r, tol] of [[exact, 1e-9], [lanczos, 1e-4]] as const) {
    for (const [got, ref] of [[r.spectrum.bottomEigenvector?.tensorShare, want.bottom], [r.spectrum.topEigenvector?.tensorShare, want.top]] as const) {
      assert.deepEqual(Object.keys(got ?? {}), names, `${r.spectrum.method}: shares by state_dict name`);
      for (const n of names) assert.ok(Math.abs(got![n] - ref[n]) <= tol, `${r.spectrum.method} ${n}: ${got![n]} vs PyTorch ${ref[n]}`);
    }
  }
});

test('the same diagnosis as the JSON MLP on the same weights and data (TF.js float32 within its rounding allowance)', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const quiet = { onEvent: () => undefined };
  const torch = await runSession(readExperimentFile(join(dir, 'bridge.neumann.json')), { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, quiet);
  const mlp = await runSession(readExperimentFile(join(dir, 'pytorch-seed.neumann.json')), { backend: 'cpu' }, quiet);
  assert.equal(mlp.backend, 'cpu');
  assert.equal(mlp.runtime, undefined);
  const allowance = mlp.spectrum.roundingAllowance ?? 0;
  assert.ok(allowance > 0);
  assert.ok(maxAbsDiff(torch.spectrum.eigenvalues!, mlp.spectrum.eigenvalues!) <= allowance, `${maxAbsDiff(torch.spectrum.eigenvalues!, mlp.spectrum.eigenvalues!)} > ${allowance}`);
  assert.equal(torch.advice.verdict, mlp.advice.verdict);
  assert.equal(torch.params, mlp.params);
  assert.ok(Math.abs(torch.neumann.rho - mlp.neumann.rho) <= 2 * allowance);
});

function seedInTemp(): { file: string; problem: string } {
  const tmp = mkdtempSync(join(tmpdir(), 'nl-torch-session-'));
  for (const f of ['problem.py', 'train.csv', 'val.csv', 'weights.json']) copyFileSync(join(dir, f), join(tmp, f));
  return { file: join(tmp, 'x.neumann.json'), problem: join(tmp, 'problem.py') };
}

test('training through the bridge: one epoch of the problem’s own minibatches (32 of 1000 rows), events per step and epoch', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const { file } = seedInTemp();
  const exp = validateExperiment(
    { seed: 123, pytorch: { file: 'problem.py', dtype: 'float64' }, weightDecay: 0.1, training: { epochs: 1, learningRate: 0.01 }, analysis: { exactMaxParams: 0, powerIteration: false } },
    file,
  );
  const events: SessionEvent[] = [];
  const r = await runSession(exp, { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, { onEvent: (e) => events.push(e) });
  assert.deepEqual(r.training && { epochs: r.training.epochs, steps: r.training.steps, curve: r.training.lossCurve.length }, { epochs: 1, steps: 32, curve: 1 });
  const steps = events.filter((e) => e.type === 'trainStep');
  assert.equal(steps.length, 32);
  assert.ok(steps.every((e) => e.type === 'trainStep' && e.stepsPerEpoch === 32 && Number.isFinite(e.loss)));
  const epoch = events.find((e) => e.type === 'epoch');
  assert.ok(epoch && epoch.type === 'epoch' && Math.abs(epoch.validationLoss! - r.loss.validation!) < 1e-12, 'the epoch’s validation loss is at the analysed weights');
  // The weights moved: the training loss is no longer the exported one.
  assert.notEqual(r.loss.train, ref.trainLoss);
  assert.equal(r.spectrum.method, 'lanczos');
});

test('a cancelled session throws CancelledError and leaves no Python process', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const { file, problem } = seedInTemp();
  const exp = validateExperiment({ seed: 1, pytorch: { file: 'problem.py', dtype: 'float64' }, weightDecay: 0.1, analysis: { exactMaxParams: 0 } }, file);
  const abort = new AbortController();
  let sawServer = false;
  const run = runSession(exp, { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, {
    signal: abort.signal,
    onEvent: (e) => {
      if (e.type === 'spectrumStep' && !abort.signal.aborted) {
        sawServer = processesWith(problem).length > 0;
        abort.abort();
      }
    },
  });
  await assert.rejects(run, CancelledError);
  assert.ok(sawServer, 'the bridge ran while the spectrum was measured');
  await waitNoProcessWith(problem);
});
