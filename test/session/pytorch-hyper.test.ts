/**
 * The hyperparameter loop on a PyTorch model (experiment → runSession → the real bridge, a real
 * Python child with torch, float64) against an independent float64 loop in plain PyTorch
 * (test/fixtures/pytorch/hyper_reference.py: its own SGD on the same stream of batches, the dense
 * Hessian by torch.autograd.functional.hessian, torch.linalg.solve, the Neumann sum, the grouped
 * hypergradient and φ ← φ − lr·g), to 1e-8 relative: global, per-tensor and per-parameter weight
 * decay, exact and Neumann inverses, shuffled minibatches continuing from training across
 * hyper-steps (the compared run taking the same batches from the same start) and full-batch steps;
 * and on 2 gloo ranks the same trajectories as one process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidExperimentError, validateExperiment } from '../../src/core/config/load';
import type { HyperStep } from '../../src/core/diagnosis/hyper-report';
import type { SessionEvent } from '../../src/protocol/messages';
import { runSession } from '../../src/session/run-session';
import { fixture, processesWith, runPython, torchPython } from '../bridge/helpers';

const TOL = 1e-8;

interface Case {
  file: string;
  granularity: 'global' | 'per-tensor' | 'per-parameter';
  inverse: 'neumann' | 'exact';
  compare: ('neumann' | 'exact')[];
  innerSteps: number;
}

const SETTINGS = { weightDecay: 0.05, learningRate: 0.5, epochs: 2, steps: 4, alpha: 2, terms: 30, damping: 0, hyperLearningRate: 20 };

interface ReferenceStep {
  hypergradient: number[];
  weightDecay: number[];
  trainLoss: number;
  validationLoss: number;
  lambdaMin: number;
  lambdaMax: number;
  alpha: number;
  rho: number;
  referenceHypergradient: number[];
}

function experiment(c: Case) {
  return validateExperiment(
    {
      name: `hyper ${c.granularity}`,
      pytorch: { file: fixture(c.file), dtype: 'float64' },
      weightDecay: SETTINGS.weightDecay,
      training: { epochs: SETTINGS.epochs, learningRate: SETTINGS.learningRate },
      neumann: { alpha: SETTINGS.alpha, terms: SETTINGS.terms, damping: SETTINGS.damping },
      hyper: {
        steps: SETTINGS.steps,
        innerSteps: c.innerSteps,
        granularity: c.granularity,
        optimizer: { kind: 'sgd', learningRate: SETTINGS.hyperLearningRate },
        inverse: c.inverse,
        reference: 'exact',
        compare: c.compare,
      },
    },
    null,
  );
}

const relVec = (a: readonly number[], b: readonly number[]) => {
  assert.equal(a.length, b.length);
  return Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0) / Math.max(b.reduce((s, x) => s + x * x, 0), 1e-300));
};

function assertMatches(got: HyperStep[], want: ReferenceStep[], label: string): void {
  assert.equal(got.length, want.length, `${label}: steps`);
  got.forEach((g, k) => {
    const r = want[k];
    const at = `${label} step ${k + 1}`;
    const same = (a: number[], b: number[], what: string) => assert.ok(relVec(a, b) <= TOL, `${at} ${what}: ${a} vs ${b} (${relVec(a, b)})`);
    same(g.hypergradient, r.hypergradient, 'hypergradient');
    same(g.weightDecay, r.weightDecay, 'weight decay');
    same([g.trainLoss, g.validationLoss], [r.trainLoss, r.validationLoss], 'losses');
    same([g.lambdaMin, g.lambdaMax], [r.lambdaMin, r.lambdaMax], 'λ_min, λ_max');
    same([g.alpha, g.rho], [r.alpha, r.rho], 'α, ρ');
    same(g.referenceHypergradient ?? [], r.referenceHypergradient, 'reference (exact) hypergradient');
    assert.equal(g.spectrumMethod, 'exact');
  });
  // φ moved: the loop did something the reference had to follow.
  assert.ok(Math.abs(Math.log(got[got.length - 1].weightDecay[0] / SETTINGS.weightDecay)) > 1e-2, `${label}: φ hardly moved`);
}

const CASES: [string, Case, string[]][] = [
  ['global, Neumann (compared: exact), shuffled minibatches', { file: 'hyper_logreg.py', granularity: 'global', inverse: 'neumann', compare: ['exact'], innerSteps: 3 }, ['all']],
  [
    'per-parameter, exact (compared: Neumann), shuffled minibatches',
    { file: 'hyper_logreg.py', granularity: 'per-parameter', inverse: 'exact', compare: ['neumann'], innerSteps: 3 },
    ['weight[0,0]', 'weight[0,1]', 'weight[0,2]', 'weight[0,3]', 'bias[0]'],
  ],
  ['per-tensor, Neumann, full-batch steps', { file: 'hyper_logreg_full.py', granularity: 'per-tensor', inverse: 'neumann', compare: [], innerSteps: 2 }, ['weight', 'bias']],
];

for (const [name, c, groups] of CASES) {
  test(`PyTorch hyper loop, ${name}: runSession equals the float64 PyTorch loop to ${TOL}`, async (t) => {
    const python = await torchPython(t);
    if (!python) return;
    const inverses = [c.inverse, ...c.compare];
    const reference = runPython(python, [fixture('hyper_reference.py'), fixture(c.file), JSON.stringify({ ...SETTINGS, innerSteps: c.innerSteps, granularity: c.granularity, inverses })]);
    const events: SessionEvent[] = [];
    const report = await runSession(experiment(c), { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, { onEvent: (e) => events.push(e) });
    const want = JSON.parse(await reference) as Record<string, ReferenceStep[]>;

    const hyper = report.hyper;
    assert.ok(hyper, 'the report has the hyper block');
    assert.equal(report.backend, 'torch');
    assert.deepEqual(hyper.groups, groups);
    assert.equal(hyper.reference, 'exact');
    assert.equal(hyper.stopped, null);
    assertMatches(hyper.trajectory, want[c.inverse], c.inverse);
    assert.deepEqual(hyper.compare.map((r) => r.inverse), c.compare);
    hyper.compare.forEach((run) => {
      assert.equal(run.stopped, null);
      assertMatches(run.trajectory, want[run.inverse], `compared ${run.inverse}`);
    });
    assert.equal(hyper.final.weightDecay.length, report.params);
    const streamed = events.filter((e): e is Extract<SessionEvent, { type: 'hyperStep' }> => e.type === 'hyperStep');
    assert.deepEqual(streamed.filter((e) => e.inverse === c.inverse).map((e) => e.step), hyper.trajectory);
    assert.deepEqual(processesWith(fixture(c.file)), [], 'the bridge is closed');
  });
}

test('PyTorch hyper loop: "exact" above analysis.exactMaxParams is refused at hyper.inverse once the bridge reports the size', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const c: Case = { file: 'hyper_logreg_full.py', granularity: 'global', inverse: 'exact', compare: [], innerSteps: 1 };
  const exp = experiment(c);
  exp.analysis.exactMaxParams = 4;
  await assert.rejects(
    runSession(exp, { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, { onEvent: () => undefined }),
    (e: unknown) => {
      assert.ok(e instanceof InvalidExperimentError);
      assert.equal(e.where?.kind === 'json' && e.where.path, 'hyper.inverse');
      assert.match(e.detail, /^"exact" assembles the 5×5 Hessian at every hyper-step, above analysis\.exactMaxParams = 4: use "cg"/);
      return true;
    },
  );
  assert.deepEqual(processesWith(fixture(c.file)), [], 'the bridge is closed');
});

test('PyTorch hyper loop: inner steps whose loss overflows stop the loop before that hyper-step, saying where', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  // diverging.py: full-batch steps from w = 1 at lr 1 go 2, 3, 4, and the loss at 4 is exp(1000) = ∞.
  const exp = validateExperiment(
    {
      pytorch: { file: fixture('diverging.py'), dtype: 'float64' },
      weightDecay: 1e-9,
      training: { epochs: 0, learningRate: 1 },
      hyper: { steps: 3, innerSteps: 2, optimizer: { kind: 'sgd', learningRate: 1 }, inverse: 'identity', reference: 'none' },
    },
    null,
  );
  const report = await runSession(exp, { backend: 'cpu', python: { override: { path: python, source: 'test' } } }, { onEvent: () => undefined });
  const hyper = report.hyper!;
  assert.equal(hyper.trajectory.length, 1);
  assert.equal(hyper.stopped?.step, 2);
  assert.match(hyper.stopped!.reason, /^the inner SGD steps diverged before hyper-step 2: training loss became Infinity at epoch 4, step 1: lower training\.learningRate$/);
});

test('PyTorch hyper loop on 2 gloo ranks (sharded minibatches, a compared run rewinding every rank) equals one process to 1e-10', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const run = (worldSize: number) =>
    runSession(
      validateExperiment(
        {
          pytorch: { file: fixture('sharded_mlp.py'), dtype: 'float64', distributed: { worldSize, backend: 'gloo' } },
          weightDecay: 0.05,
          training: { epochs: 1, learningRate: 0.2 },
          neumann: { alpha: 0.5, terms: 20, damping: 1 },
          hyper: { steps: 3, innerSteps: 4, granularity: 'per-tensor', optimizer: { kind: 'sgd', learningRate: 5 }, inverse: 'neumann', compare: ['exact'] },
        },
        null,
      ),
      { backend: 'cpu', python: { override: { path: python, source: 'test' } } },
      { onEvent: () => undefined },
    );
  const one = await run(1);
  const two = await run(2);
  assert.equal(two.runtime?.worldSize, 2);
  const runs = (r: typeof one) => [r.hyper!.trajectory, r.hyper!.compare[0].trajectory];
  runs(two).forEach((trajectory, k) => {
    const want = runs(one)[k];
    assert.equal(trajectory.length, 3);
    trajectory.forEach((s, i) => {
      for (const f of ['hypergradient', 'weightDecay'] as const) assert.ok(relVec(s[f], want[i][f]) <= 1e-10, `run ${k} step ${i + 1} ${f}: ${s[f]} vs ${want[i][f]}`);
      assert.ok(relVec([s.trainLoss, s.validationLoss, s.lambdaMin, s.lambdaMax], [want[i].trainLoss, want[i].validationLoss, want[i].lambdaMin, want[i].lambdaMax]) <= 1e-10);
    });
  });
});
