/**
 * The whole session against independent references: the float64 analytic MLP (Hessian by
 * differences of its analytic gradient, eigenvalues by ml-matrix), closed forms for the toy cubic,
 * and a float64 Neumann recursion written here from the formula.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { readExperimentFile, validateExperiment } from '../../src/core/config/load';
import { fmtNum } from '../../src/core/diagnosis/format';
import { syntheticSplits } from '../../src/core/data/synthetic';
import { initParams, type MlpSpec } from '../../src/core/model/mlp';
import { referenceHessian, referenceObjective } from '../../src/core/reference/mlp64';
import { CancelledError } from '../../src/core/util/abort';
import { subSeed } from '../../src/core/util/rng';
import type { SessionEvent } from '../../src/protocol/messages';
import { runSession } from '../../src/session/run-session';

const examples = join(__dirname, '../../examples');
const rel = (a: number, b: number) => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

function eigenvalues(h: Float64Array, n: number): number[] {
  const rows = Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
  return new EigenvalueDecomposition(new Matrix(rows), { assumeSymmetric: true }).realEigenvalues.sort((a, b) => a - b);
}

test('untrained seed model: spectrum, ρ, Neumann terms and hypergradient match a float64 reference', async () => {
  const raw = {
    name: 'seed model at its seeded initialisation',
    seed: 5,
    data: { synthetic: { kind: 'seed-regression', n: 200 } },
    model: { layers: [1, 8, 4, 1], activation: 'tanh' },
    loss: 'mse',
    weightDecay: 0.1,
    training: { epochs: 0, batchSize: 32, learningRate: 0.01 },
    neumann: { alpha: 0.5, terms: 12 },
  };
  const exp = validateExperiment(raw, null);
  const events: SessionEvent[] = [];
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: (e) => events.push(e) });

  // Independent: the same w (seeded init), the same data, float64 analytic objective.
  const spec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'tanh', loss: 'mse', weightDecay: 0.1 };
  const { train, validation } = syntheticSplits({ kind: 'seed-regression', n: 200 }, 5);
  const w = initParams(spec.layers, subSeed(5, 'init'));
  const n = w.length;
  const H = referenceHessian(spec, train, w);
  const lam = eigenvalues(H, n);
  assert.equal(report.params, n);
  assert.equal(report.spectrum.method, 'exact');
  assert.ok(rel(report.spectrum.lambdaMax, lam[n - 1]) < 1e-4, `λ_max ${report.spectrum.lambdaMax} vs ${lam[n - 1]}`);
  assert.ok(Math.abs(report.spectrum.lambdaMin - lam[0]) < 1e-4 * Math.abs(lam[n - 1]), `λ_min ${report.spectrum.lambdaMin} vs ${lam[0]}`);
  const rho = Math.max(Math.abs(1 - 0.5 * lam[0]), Math.abs(1 - 0.5 * lam[n - 1]));
  assert.ok(rel(report.neumann.rho, rho) < 1e-3, `ρ ${report.neumann.rho} vs ${rho}`);
  // Lanczos cross-check's interval must contain the reference extremes (up to float32 HVP rounding).
  const lz = report.spectrum.lanczos!;
  const slack = 1e-4 * Math.abs(lam[n - 1]);
  assert.ok(lz.lambdaMax.interval[0] - slack <= lam[n - 1] && lam[n - 1] <= lz.lambdaMax.interval[1] + slack);

  // Neumann recursion in float64 on the reference Hessian, b = ∇L_V.
  const b = referenceObjective({ ...spec, weightDecay: 0 }, validation, w).grad;
  let v = Float64Array.from(b);
  const x = new Float64Array(n);
  const norms: number[] = [];
  for (let j = 0; j <= 12; j++) {
    if (j > 0) {
      const hv = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) hv[i] += H[i * n + k] * v[k];
      v = v.map((vi, i) => vi - 0.5 * hv[i]);
    }
    for (let i = 0; i < n; i++) x[i] += 0.5 * v[i];
    norms.push(Math.hypot(...v));
  }
  assert.equal(report.neumann.termNorms.length, 13);
  report.neumann.termNorms.forEach((t, j) => assert.ok(rel(t, norms[j]) < 1e-3, `‖v_${j}‖ ${t} vs ${norms[j]}`));
  const hyper = -x.reduce((s, xi, i) => s + xi * w[i], 0);
  assert.ok(rel(report.hypergradient.neumann!, hyper) < 1e-3, `hypergradient ${report.hypergradient.neumann} vs ${hyper}`);

  // Events: phases in order, a term event per term, fractions monotone.
  const phases = events.filter((e) => e.type === 'phase').map((e) => (e as { phase: string }).phase);
  assert.deepEqual(phases, ['load', 'train', 'self-check', 'spectrum', 'neumann', 'hypergradient', 'report']);
  assert.equal(events.filter((e) => e.type === 'neumannTerm').length, 13);
  const fr = events.filter((e) => e.type === 'phase' || e.type === 'progress').map((e) => (e as { fraction: number }).fraction);
  fr.forEach((f, i) => i === 0 || assert.ok(f >= fr[i - 1] - 1e-12, `progress went back at ${i}`));
});

test('seed example: diverges, and the verdict explains it with the measured λ_min and λ_max', async () => {
  const exp = readExperimentFile(join(examples, 'seed-regression.neumann.json'));
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  const { lambdaMin, lambdaMax } = report.spectrum;
  assert.ok(lambdaMin < 0, `negative curvature expected after one epoch, λ_min = ${lambdaMin}`);
  assert.ok(report.neumann.rho > 1);
  assert.match(report.advice.verdict, /^diverges-/);
  // Both causes hold here; the summary names both with this run's numbers.
  for (const x of [lambdaMin, lambdaMax]) assert.ok(report.advice.summary.includes(fmtNum(x)), `${report.advice.summary} should cite ${fmtNum(x)}`);
  assert.ok(lambdaMax > 2, `λ_max = ${lambdaMax} > 2/α expected in the motivating scenario`);
  // The observed growth of the last term equals ρ (the top eigen-direction dominates after 10 terms).
  const g = report.neumann.growthRatios.at(-1)!;
  assert.ok(Math.abs(g - report.neumann.rho) / report.neumann.rho < 0.05, `growth ${g} vs ρ ${report.neumann.rho}`);
});

test('toy cubic reproduces H⁻¹v = (3.333, 3.333) to 4 digits and converges', async () => {
  const exp = readExperimentFile(join(examples, 'seed-toy-cubic.neumann.json'));
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  assert.equal(report.advice.verdict, 'converges');
  assert.ok(Math.abs(report.spectrum.lambdaMax - 0.3) < 1e-12 && Math.abs(report.spectrum.lambdaMin - 0.3) < 1e-12);
  for (const x of report.neumann.solutionHead) assert.equal(x.toFixed(3), '3.333');
  assert.equal(report.exactSolutionHead![0].toFixed(4), '3.3333');
});

test('cancelling during training ends with CancelledError and releases every tensor', async () => {
  const exp = readExperimentFile(join(examples, 'seed-regression.neumann.json'));
  await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} }); // warm the backend so its own tensors exist
  const before = tf.memory().numTensors;
  const ac = new AbortController();
  const events: SessionEvent[] = [];
  await assert.rejects(
    runSession(exp, { backend: 'cpu' }, {
      signal: ac.signal,
      onEvent: (e) => {
        events.push(e);
        if (e.type === 'trainStep' && e.step === 3) ac.abort();
      },
    }),
    CancelledError,
  );
  assert.ok(!events.some((e) => e.type === 'phase' && e.phase === 'spectrum'), 'no analysis after cancel');
  assert.equal(tf.memory().numTensors, before);
});

test('Lanczos stopped before converging: never "converges" on bounds it does not have (true ρ = 1.1 here)', async () => {
  const n = 200;
  const matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 0.1 + (2.0 * i) / (n - 1) : 0)));
  const exp = validateExperiment(
    {
      name: 'diag(0.1 … 2.1), two Lanczos steps',
      problem: { kind: 'quadratic', matrix, vector: new Array(n).fill(1) },
      neumann: { alpha: 1, terms: 10 },
      analysis: { exactMaxParams: 0, maxLanczosSteps: 2, powerIteration: false },
    },
    null,
  );
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  assert.equal(report.spectrum.method, 'lanczos');
  assert.equal(report.spectrum.converged.max, false);
  assert.equal(report.advice.verdict, 'inconclusive');
  assert.ok(report.advice.messages.some((m) => m.fix?.path.join('.') === 'analysis.maxLanczosSteps'));
  // With enough steps the same problem is decided, and correctly: ρ = |1 − 2.1| = 1.1.
  const enough = validateExperiment({ ...JSON.parse(JSON.stringify({ problem: { kind: 'quadratic', matrix, vector: new Array(n).fill(1) } })), name: 'enough', neumann: { alpha: 1, terms: 10 }, analysis: { exactMaxParams: 0, maxLanczosSteps: 200, powerIteration: false } }, null);
  const decided = await runSession(enough, { backend: 'cpu' }, { onEvent: () => {} });
  assert.equal(decided.advice.verdict, 'diverges-step-too-large');
  assert.ok(decided.neumann.rho >= 1.1 - 1e-12 && decided.neumann.rho < 1.1 + 1e-3, `ρ ${decided.neumann.rho} is an upper bound close to 1.1`);
});

test('neumann.alpha "auto": α = 1/(λ_max,upper + δ) from this run\'s spectrum, and ρ, terms and the report use it', async () => {
  const raw = {
    name: 'auto alpha',
    seed: 5,
    data: { synthetic: { kind: 'seed-regression', n: 200 } },
    model: { layers: [1, 8, 4, 1], activation: 'tanh' },
    loss: 'mse',
    weightDecay: 0.1,
    training: { epochs: 0, batchSize: 32, learningRate: 0.01 },
    neumann: { alpha: 'auto', terms: 12, damping: 0.5 },
  };
  const report = await runSession(validateExperiment(raw, null), { backend: 'cpu' }, { onEvent: () => {} });
  const alpha = report.neumann.alpha;
  assert.ok(Math.abs(alpha - 1 / (report.spectrum.lambdaMaxInterval[1] + 0.5)) < 1e-12 * alpha, `α = ${alpha}`);
  // Independent: the float64 Hessian's top eigenvalue.
  const spec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'tanh', loss: 'mse', weightDecay: 0.1 };
  const { train } = syntheticSplits({ kind: 'seed-regression', n: 200 }, 5);
  const w = initParams(spec.layers, subSeed(5, 'init'));
  const lam = eigenvalues(referenceHessian(spec, train, w), w.length);
  assert.ok(rel(alpha, 1 / (lam[lam.length - 1] + 0.5)) < 1e-3, `α = ${alpha} vs 1/(λ_max + δ) = ${1 / (lam[lam.length - 1] + 0.5)}`);
  // ρ = max|1 − α(λ + δ)| over the spectrum at that α.
  const rho = Math.max(...lam.map((l) => Math.abs(1 - alpha * (l + 0.5))));
  assert.ok(rel(report.neumann.rho, rho) < 1e-3, `ρ = ${report.neumann.rho} vs ${rho}`);
});
