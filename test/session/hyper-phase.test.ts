/**
 * The hyperparameter loop as a session runs it (experiment → runSession → events and report),
 * against the independent float64 loop of test/core/hyper/reference-loop.ts started from the same
 * weights, data and batch order; and its warnings on a loop that breaks and one that does not.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateExperiment } from '../../src/core/config/load';
import { syntheticSplits } from '../../src/core/data/synthetic';
import type { HyperStep } from '../../src/core/diagnosis/hyper-report';
import { initParams, type MlpSpec } from '../../src/core/model/mlp';
import { subSeed } from '../../src/core/util/rng';
import type { SessionEvent } from '../../src/protocol/messages';
import { hyperDiverged } from '../../src/core/diagnosis/hyper-table';
import { runSession } from '../../src/session/run-session';
import { referenceLoop } from '../core/hyper/reference-loop';

const SEED = 3;
const layers = [1, 4, 1];

function experiment(neumann: { alpha: number | 'auto'; terms: number; damping?: number }, hyper: Record<string, unknown>) {
  return validateExperiment(
    {
      name: 'hyper session',
      seed: SEED,
      data: { synthetic: { kind: 'seed-regression', n: 60 } },
      model: { layers, activation: 'tanh' },
      loss: 'mse',
      weightDecay: 0.05,
      training: { epochs: 30, batchSize: 16, learningRate: 0.05 },
      neumann,
      hyper: { steps: 4, innerSteps: 3, optimizer: { kind: 'sgd', learningRate: 5 }, ...hyper },
    },
    null,
  );
}

const relVec = (a: readonly number[], b: readonly number[]) =>
  Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / Math.max(b.reduce((s, x) => s + x * x, 0), 1e-300));

test('session hyper phase: one event per step, the report holds them, and both match the float64 loop to float32 accuracy', async () => {
  const exp = experiment({ alpha: 0.1, terms: 40, damping: 0.1 }, { inverse: 'neumann', reference: 'exact', compare: ['identity'] });
  const events: SessionEvent[] = [];
  let trained: Float64Array | null = null;
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: (e) => events.push(e), onWeights: (w) => (trained = w) });
  const hyper = report.hyper;
  assert.ok(hyper, 'the report has the hyper block');
  const streamed = events.filter((e): e is Extract<SessionEvent, { type: 'hyperStep' }> => e.type === 'hyperStep');
  assert.deepEqual(streamed.filter((e) => e.inverse === 'neumann').map((e) => e.step), hyper.trajectory);
  assert.deepEqual(streamed.filter((e) => e.inverse === 'identity').map((e) => e.step), hyper.compare[0].trajectory);
  assert.equal(typeof report.timings.hyperMs, 'number');

  const spec: MlpSpec = { layers, activation: 'tanh', loss: 'mse', weightDecay: 0 };
  const { train, validation } = syntheticSplits({ kind: 'seed-regression', n: 60 }, SEED);
  // The loop starts where training stopped: the session's trained weights and batch order.
  assert.ok(trained !== null && report.training !== null);
  assert.notDeepEqual([...trained], [...initParams(layers, subSeed(SEED, 'init'))], 'training moved w');
  const w0: Float64Array = trained;
  const common = {
    steps: 4, innerSteps: 3, granularity: 'global' as const, optimizer: { kind: 'sgd' as const, learningRate: 5 },
    weightDecay: 0.05, learningRate: 0.05, batchSize: 16, alpha: 0.1, terms: 40, damping: 0.1,
    orderSeed: subSeed(SEED, 'shuffle'), stepsBefore: report.training.steps,
  };
  const check = (got: HyperStep[], inverse: 'neumann' | 'identity') => {
    const want = referenceLoop(spec, train, validation, w0, { ...common, inverse, reference: 'exact' });
    assert.equal(got.length, want.length);
    got.forEach((g, k) => {
      const at = `${inverse} step ${k + 1}`;
      assert.ok(Math.abs(Math.log(g.weightDecay[0] / 0.05)) > 1e-3 || k === 0, `${at}: φ moves`);
      assert.ok(relVec(g.hypergradient, want[k].hypergradient) < 1e-3, `${at} hypergradient ${g.hypergradient} vs ${want[k].hypergradient}`);
      assert.ok(relVec(g.weightDecay, want[k].weightDecay) < 1e-4, `${at} weight decay ${g.weightDecay} vs ${want[k].weightDecay}`);
      assert.ok(relVec([g.trainLoss, g.validationLoss], [want[k].trainLoss, want[k].validationLoss]) < 1e-4, `${at} losses`);
      assert.ok(relVec([g.lambdaMin, g.lambdaMax, g.rho], [want[k].lambdaMin, want[k].lambdaMax, want[k].rho]) < 1e-3, `${at} spectrum, ρ`);
    });
  };
  check(hyper.trajectory, 'neumann');
  check(hyper.compare[0].trajectory, 'identity');
});

test('a loop whose series diverges warns at the step with the fix; a healthy one does not warn; the CLI exit view follows', async () => {
  const broken: SessionEvent[] = [];
  const bad = await runSession(experiment({ alpha: 50, terms: 8 }, { inverse: 'neumann', reference: 'exact', steps: 2 }), { backend: 'cpu' }, { onEvent: (e) => broken.push(e) });
  const warned = broken.filter((e): e is Extract<SessionEvent, { type: 'hyperWarning' }> => e.type === 'hyperWarning');
  assert.equal(warned[0].step, 1, 'announced at the first step');
  const steps = broken.flatMap((e, i) => (e.type === 'hyperStep' ? [i] : []));
  const at = broken.indexOf(warned[0]);
  assert.ok(at > steps[0] && (steps.length === 1 || at < steps[1]), 'after the step that raised it, before the next');
  const texts = warned.flatMap((e) => e.messages.map((m) => m.text));
  assert.ok(texts.some((t) => /^Hyper-step 1 \(neumann run\): the Neumann series diverges, ρ\(I − α\(H \+ δI\)\) ∈ \[/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /hypergradient is .* % off the exact one/.test(t)), 'a diverged series is also far from the reference');
  // The record holds what the events announced, once per condition.
  assert.deepEqual(bad.hyper!.warnings.flatMap((w) => w.messages), warned.flatMap((e) => e.messages));
  assert.equal(hyperDiverged(bad.hyper!), true);

  const fine: SessionEvent[] = [];
  const good = await runSession(experiment({ alpha: 'auto', terms: 200, damping: 0.5 }, { inverse: 'neumann', reference: 'cg', steps: 2 }), { backend: 'cpu' }, { onEvent: (e) => fine.push(e) });
  assert.deepEqual(fine.filter((e) => e.type === 'hyperWarning'), []);
  assert.deepEqual(good.hyper!.warnings, []);
  assert.equal(hyperDiverged(good.hyper!), false);
  assert.ok(good.hyper!.trajectory.every((s) => s.rho < 1 && s.alpha > 0));
});
