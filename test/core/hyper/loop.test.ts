/**
 * The hyperparameter loop against the independent float64 loop of reference-loop.ts: first on the
 * float64 reference MLP (the loop's logic to float64 accuracy: groups, optimisers, inverses,
 * reference, ρ, α auto, the batch order continuing across hyper-steps), then on the TF.js MLP
 * (float32 HVPs and gradients: the product as it runs, to float32 accuracy).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/core/model/backend';
import type { HyperStep } from '../../../src/core/diagnosis/hyper-report';
import { mlpRelativeRounding } from '../../../src/core/diagnosis/rounding';
import { resumedSgd } from '../../../src/core/hyper/inner-sgd';
import { runHyper, runHyperLoop, type HyperProblem } from '../../../src/core/hyper/loop';
import type { HyperSettings } from '../../../src/core/hyper/settings';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpDataObjective } from '../../../src/core/model/mlp-objective';
import type { MinibatchObjective, Objective } from '../../../src/core/model/objective';
import { parameterTensors } from '../../../src/core/model/state-dict';
import { randomDataset } from '../model/helpers';
import { Float64MlpObjective } from './objective64';
import { referenceLoop, type ReferenceSettings, type ReferenceStep } from './reference-loop';

const spec: MlpSpec = { layers: [2, 3, 1], activation: 'tanh', loss: 'mse', weightDecay: 0 };
const train = randomDataset(23, 2, 'mse', 0, 31);
const validation = randomDataset(17, 2, 'mse', 0, 32);
const w0 = initParams(spec.layers, 8).map((v) => 1.5 * v);
const ORDER_SEED = 77;
const STEPS_BEFORE = 5; // training took 5 SGD steps (batches of 7 of 23 rows: 4 per epoch)

type Case = Pick<ReferenceSettings, 'steps' | 'innerSteps' | 'granularity' | 'optimizer' | 'inverse' | 'reference' | 'alpha' | 'damping'> & { terms?: number };

function settingsOf(c: Case): HyperSettings {
  return {
    steps: c.steps,
    innerSteps: c.innerSteps,
    granularity: c.granularity,
    optimizer: c.optimizer,
    inverse: c.inverse,
    reference: c.reference,
    compare: [],
    weightDecay: 0.3,
    trainingLearningRate: 0.1,
    neumann: { alpha: c.alpha, terms: c.terms ?? 12, damping: c.damping },
    cg: { rtol: 1e-13, maxIter: 500 },
    exactMaxParams: 500,
    spectrumSteps: 40,
    tolerance: 1e-12,
    stationarityTolerance: 1e-2,
    errorThreshold: 0.1,
    spectrumSeed: 9,
  };
}

function referenceOf(c: Case, extra: Partial<ReferenceSettings> = {}): ReferenceStep[] {
  const s: ReferenceSettings = { ...c, terms: c.terms ?? 12, weightDecay: 0.3, learningRate: 0.1, batchSize: 7, orderSeed: ORDER_SEED, stepsBefore: STEPS_BEFORE, ...extra };
  return referenceLoop(spec, train, validation, w0, s);
}

function problemOf(trainObjective: MinibatchObjective, validationObjective: Objective, relativeRounding: number): HyperProblem {
  return {
    train: trainObjective,
    validation: validationObjective,
    w: w0,
    startInner: resumedSgd(trainObjective, { seed: ORDER_SEED, rows: train.rows, batchSize: 7, stepsTaken: STEPS_BEFORE }),
    tensors: parameterTensors(spec.layers),
    relativeRounding,
  };
}

const float64Problem = () => problemOf(new Float64MlpObjective(spec, train), new Float64MlpObjective(spec, validation), 0);

const relVec = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
};

/** Every reported field of every step within `tol` (relative) of the reference. */
function assertMatches(got: HyperStep[], want: ReferenceStep[], tol: number, label: string): void {
  assert.equal(got.length, want.length, `${label}: steps`);
  got.forEach((g, k) => {
    const r = want[k];
    const at = `${label} step ${k + 1}`;
    assert.equal(g.step, k + 1);
    const vec = (a: number[], b: number[], what: string) => assert.ok(relVec(a, b) <= tol, `${at} ${what}: ${a} vs ${b} (${relVec(a, b)})`);
    vec(g.hypergradient, r.hypergradient, 'hypergradient');
    vec(g.weightDecay, r.weightDecay, 'weightDecay');
    vec([g.trainLoss, g.validationLoss], [r.trainLoss, r.validationLoss], 'losses');
    vec([g.lambdaMin, g.lambdaMax], [r.lambdaMin, r.lambdaMax], 'λ_min, λ_max');
    vec([g.alpha, g.rho], [r.alpha, r.rho], 'α, ρ');
    assert.ok(g.rhoInterval[0] <= g.rho && g.rho === g.rhoInterval[1], `${at} ρ is its interval's upper end`);
    if (r.referenceHypergradient === null) assert.equal(g.referenceHypergradient, null);
    else vec(g.referenceHypergradient ?? [], r.referenceHypergradient, 'reference hypergradient');
    if (r.relativeError !== null) assert.ok(Math.abs((g.relativeError ?? NaN) - r.relativeError) <= tol * Math.max(r.relativeError, 1e-3), `${at} relativeError ${g.relativeError} vs ${r.relativeError}`);
    if (r.cosine !== null) assert.ok(Math.abs((g.cosine ?? NaN) - r.cosine) <= tol, `${at} cosine ${g.cosine} vs ${r.cosine}`);
    assert.ok(Number.isInteger(g.hvps) && g.hvps > 0, `${at} hvps ${g.hvps}`);
  });
}

const CASES: [string, Case][] = [
  ['global, sgd, neumann vs exact', { steps: 5, innerSteps: 3, granularity: 'global', optimizer: { kind: 'sgd', learningRate: 2 }, inverse: 'neumann', reference: 'exact', alpha: 0.5, damping: 0 }],
  ['per-tensor, adam, exact vs cg (damped)', { steps: 4, innerSteps: 2, granularity: 'per-tensor', optimizer: { kind: 'adam', learningRate: 0.2 }, inverse: 'exact', reference: 'cg', alpha: 0.5, damping: 0.7 }],
  ['per-parameter, rmsprop, cg vs exact', { steps: 4, innerSteps: 5, granularity: 'per-parameter', optimizer: { kind: 'rmsprop', learningRate: 0.05 }, inverse: 'cg', reference: 'exact', alpha: 0.5, damping: 0.4 }],
  ['innerSteps 0, identity vs exact', { steps: 3, innerSteps: 0, granularity: 'global', optimizer: { kind: 'sgd', learningRate: 1 }, inverse: 'identity', reference: 'exact', alpha: 0.5, damping: 0 }],
  ['alpha auto on the Lanczos path, no reference', { steps: 4, innerSteps: 4, granularity: 'per-tensor', optimizer: { kind: 'sgd', learningRate: 3 }, inverse: 'neumann', reference: 'none', alpha: 'auto', damping: 0.1, terms: 30 }],
  ['alpha auto, neumann vs cg', { steps: 3, innerSteps: 3, granularity: 'global', optimizer: { kind: 'adam', learningRate: 0.3 }, inverse: 'neumann', reference: 'cg', alpha: 'auto', damping: 1, terms: 20 }],
];

for (const [name, c] of CASES) {
  test(`float64: ${name} matches the reference loop`, async () => {
    const run = await runHyperLoop(float64Problem(), settingsOf(c), c.inverse);
    assert.equal(run.stopped, null);
    assertMatches(run.trajectory, referenceOf(c), 1e-7, name);
    const last = run.trajectory[run.trajectory.length - 1].weightDecay;
    assert.equal(run.final.weightDecay.length, w0.length, 'the final decay is the whole vector');
    if (c.granularity === 'global') assert.ok(run.final.weightDecay.every((v) => v === last[0]));
    if (c.granularity === 'per-parameter') assert.deepEqual(run.final.weightDecay, last);
  });
}

test('the batch order continues across hyper-steps (a loop restarting it each hyper-step is a different loop)', async () => {
  const c = CASES[0][1];
  const run = await runHyperLoop(float64Problem(), settingsOf(c), c.inverse);
  assertMatches(run.trajectory, referenceOf(c), 1e-7, 'continuing');
  // Step 2 is the first whose inner steps differ: batches 8–10 of the order, or 5–7 again.
  const restarted = referenceOf({ ...c, steps: 2 }, { restartOrder: true });
  assert.ok(relVec(run.trajectory[1].hypergradient, restarted[1].hypergradient) > 1e-4, 'the restarting variant must differ, or this test proves nothing');
});

test('the spectrum path: Lanczos when no dense H is needed, the exact eigenvalues otherwise; HVPs counted', async () => {
  const problem = float64Problem();
  const lanczosRun = await runHyperLoop(problem, settingsOf(CASES[4][1]), 'neumann');
  assert.ok(lanczosRun.trajectory.every((s) => s.spectrumMethod === 'lanczos' && s.spectrumConverged));
  const exactRun = await runHyperLoop(problem, settingsOf(CASES[0][1]), 'neumann');
  // dense assembly (13 columns) + the series (terms + 1 products)
  assert.ok(exactRun.trajectory.every((s) => s.spectrumMethod === 'exact' && s.hvps === 13 + 13));
});

test('compare runs start from the same point: each equals the loop run alone with that inverse', async () => {
  const c = CASES[0][1];
  const settings = { ...settingsOf(c), compare: ['exact', 'identity'] as HyperSettings['compare'] };
  const seen: string[] = [];
  const report = await runHyper(float64Problem(), settings, { onStep: (inverse, s) => seen.push(`${inverse}:${s.step}`) });
  assert.equal(report.reference, 'exact');
  assert.deepEqual(report.groups, ['all']);
  assert.deepEqual(seen.slice(0, 6), ['neumann:1', 'neumann:2', 'neumann:3', 'neumann:4', 'neumann:5', 'exact:1']);
  assert.deepEqual(report.compare.map((r) => r.inverse), ['exact', 'identity']);
  for (const run of report.compare) {
    const alone = await runHyperLoop(float64Problem(), settings, run.inverse);
    assert.deepEqual(run.trajectory.map((s) => s.hypergradient), alone.trajectory.map((s) => s.hypergradient));
    assertMatches(run.trajectory, referenceOf({ ...c, inverse: run.inverse }), 1e-7, `compare ${run.inverse}`);
  }
  // with the exact inverse as the loop's own, its hypergradient is the reference's
  assert.ok(report.compare[0].trajectory.every((s) => s.relativeError === 0 && s.cosine !== null && Math.abs(s.cosine - 1) < 1e-12));
});

test('a series that overflows stops the loop at that step, keeps what came before, and does not move φ', async () => {
  const c: Case = { steps: 6, innerSteps: 1, granularity: 'global', optimizer: { kind: 'sgd', learningRate: 1 }, inverse: 'neumann', reference: 'exact', alpha: 40, damping: 0, terms: 400 };
  const run = await runHyperLoop(float64Problem(), settingsOf(c), 'neumann');
  assert.equal(run.trajectory.length, 1);
  const s = run.trajectory[0];
  assert.equal(s.inverseStatus, 'non-finite');
  assert.ok(s.rho > 1);
  assert.ok(s.hypergradient.every(Number.isNaN));
  assert.deepEqual(s.weightDecay, [0.3].map((v) => Math.exp(Math.log(v))));
  assert.deepEqual(run.stopped?.step, 1);
  assert.match(run.stopped?.reason ?? '', /neumann inverse gave no finite solution at hyper-step 1 \(non-finite\)/);
});

// The product as it runs: TF.js float32 gradients and R-operator HVPs against the float64 loop.
const TFJS_CASES: [string, Case][] = [
  ['global, neumann vs exact', CASES[0][1]],
  ['per-parameter, exact vs neumann', { steps: 4, innerSteps: 3, granularity: 'per-parameter', optimizer: { kind: 'sgd', learningRate: 20 }, inverse: 'exact', reference: 'none', alpha: 0.5, damping: 0 }],
  ['per-parameter, neumann vs exact', { steps: 4, innerSteps: 3, granularity: 'per-parameter', optimizer: { kind: 'adam', learningRate: 0.1 }, inverse: 'neumann', reference: 'exact', alpha: 0.5, damping: 0 }],
];

for (const [name, c] of TFJS_CASES) {
  test(`TF.js cpu: ${name} matches the float64 loop to float32 accuracy`, async () => {
    await initBackend('cpu');
    const t = new MlpDataObjective(spec, train, 'train');
    const v = new MlpDataObjective(spec, validation, 'validation');
    try {
      const run = await runHyperLoop(problemOf(t, v, mlpRelativeRounding(train.rows, spec.layers)), settingsOf(c), c.inverse);
      assertMatches(run.trajectory, referenceOf(c), 1e-4, name);
    } finally {
      t.dispose();
      v.dispose();
    }
  });
}
