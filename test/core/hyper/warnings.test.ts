/**
 * The loop's warnings from hand-made steps whose spectra are known, so every number a message
 * cites and every fix it proposes is checked against its closed form (ρ = max|1 − α(λ + δ)|,
 * α = 1/(λ_max,upper + δ), K = ⌈log tol / log ρ⌉).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperReport, HyperStep } from '../../../src/core/diagnosis/hyper-report';
import type { HyperSettings } from '../../../src/core/hyper/settings';
import { HyperWarningLog } from '../../../src/core/hyper/warnings';
import { hyperWarningMessages, stepRanges } from '../../../src/core/diagnosis/report-messages';

const settings = (over: Partial<HyperSettings> = {}): HyperSettings => ({
  steps: 5, innerSteps: 4, granularity: 'global', optimizer: { kind: 'sgd', learningRate: 2 }, inverse: 'neumann', reference: 'exact', compare: [],
  weightDecay: 0.1, trainingLearningRate: 0.5, neumann: { alpha: 1, terms: 10, damping: 0 }, cg: { rtol: 1e-6, maxIter: 100 },
  exactMaxParams: 500, spectrumSteps: 20, tolerance: 1e-3, stationarityTolerance: 1e-2, errorThreshold: 0.1, spectrumSeed: 1, ...over,
});

/** A step at α with the given (exact, zero-width) extremes; ρ by the closed form. */
function step(t: number, lambdaMin: number, lambdaMax: number, o: { alpha?: number; relativeError?: number; gradientNorm?: number; g?: number } = {}): HyperStep {
  const alpha = o.alpha ?? 1;
  const rho = Math.max(Math.abs(1 - alpha * lambdaMin), Math.abs(1 - alpha * lambdaMax));
  return {
    step: t, hypergradient: [o.g ?? 0.1], weightDecay: [0.1], trainLoss: 1, validationLoss: 1, gradientNorm: o.gradientNorm ?? 1e-3, alpha, rho, rhoInterval: [rho, rho],
    lambdaMax, lambdaMin, lambdaMaxInterval: [lambdaMax, lambdaMax], lambdaMinInterval: [lambdaMin, lambdaMin], spectrumMethod: 'exact', spectrumConverged: true,
    inverseStatus: 'ok', referenceHypergradient: [0.1], relativeError: o.relativeError ?? 0.01, cosine: 1, hvps: 3, seconds: 0.01,
  };
}

test('ρ ≥ 1 from too large an α: announced at its first step with α = 1/λ_max and "auto", each step recorded', () => {
  const log = new HyperWarningLog('neumann', settings(), 'exact');
  assert.deepEqual(log.observe(step(1, 0.5, 1.5)), [], 'ρ = 0.5 at α = 1: nothing to say');
  const now = log.observe(step(2, 0.5, 2.5));
  assert.deepEqual(now.map((m) => [m.kind, m.severity]), [['hyper-diverges', 'error'], ['set-alpha', 'info'], ['set-alpha', 'info']]);
  assert.equal(now[0].key, 'neumann.alpha');
  assert.match(now[0].text, /^Hyper-step 2 \(neumann run\): the Neumann series diverges, ρ\(I − α\(H \+ δI\)\) ∈ \[1\.5, 1\.5\]: α\(λ_max,upper \+ δ\) = 2\.5 ≥ 2/);
  // α = 1/2.5 = 0.4: ρ = max(|1 − 0.4·0.5|, |1 − 0.4·2.5|) = 0.8.
  assert.deepEqual(now[1].fix, { path: ['neumann', 'alpha'], value: 0.4, label: 'Set neumann.alpha to 0.4' });
  assert.match(now[1].text, /gives ρ = 0\.8 here/);
  assert.deepEqual(now[2].fix, { path: ['neumann', 'alpha'], value: 'auto', label: 'Set neumann.alpha to "auto"' });
  assert.deepEqual(log.observe(step(3, 0.5, 3)), [], 'announced once');
  const [w] = log.warnings();
  assert.deepEqual([w.inverse, w.condition, w.steps], ['neumann', 'rho', [2, 3]]);

  const report: HyperReport = {
    granularity: 'global', groups: ['all'], optimizer: 'sgd', inverse: 'neumann', reference: 'exact', trajectory: [1, 2, 3, 4].map((t) => step(t, 0.5, 1)),
    final: { weightDecay: [0.1] }, stopped: null, compare: [], warnings: log.warnings(),
  };
  const [head] = hyperWarningMessages(report);
  assert.match(head.text, / It held at 2 of the run's 4 hyper-steps \(2–3\)\.$/);
  assert.equal(stepRanges([1, 2, 3, 5, 7, 8]), '1–3, 5, 7–8');
});

test('ρ between 1 and its upper bound is a warning, not an error; "auto" offers no α fix for the step size', () => {
  const s = step(1, 0.5, 1.9);
  const straddling = { ...s, rho: 1.02, rhoInterval: [0.98, 1.02] as [number, number] };
  const [head] = new HyperWarningLog('neumann', settings(), 'exact').observe(straddling);
  assert.equal(head.severity, 'warning');
  assert.match(head.text, /may diverge/);
  const auto = new HyperWarningLog('neumann', settings({ neumann: { alpha: 'auto', terms: 10, damping: 0 } }), 'exact').observe({ ...step(1, 0.5, 2.5, { alpha: 2.01 / 2.5 }), rho: 1.01, rhoInterval: [1.01, 1.01] });
  assert.deepEqual(auto.map((m) => m.kind), ['hyper-diverges']);
});

test('negative curvature: damping δ = −λ_min + 0.1·(λ_max − λ_min), with "auto" together when the fixed α is then too large', () => {
  const log = new HyperWarningLog('neumann', settings({ neumann: { alpha: 1.5, terms: 10, damping: 0 } }), 'exact');
  const m = log.observe(step(1, -0.5, 1, { alpha: 1.5, gradientNorm: 0.5 }));
  assert.deepEqual(m.map((x) => x.kind), ['hyper-diverges', 'set-damping', 'apply-all', 'set-inner-steps']);
  assert.equal(m[0].key, 'neumann.damping');
  assert.match(m[0].text, /λ_min,lower \+ δ = −0\.5 ≤ 0 \(negative curvature/);
  // δ = 0.5 + 0.1·1.5 = 0.65; at α = 1.5: |1 − 1.5·(1 + 0.65)| = 1.475 ≥ 1, so α must follow.
  assert.equal(m[1].fix?.value, 0.65);
  assert.match(m[1].text, /At α = 1\.5 it still diverges \(ρ = 1\.475\)/);
  // auto: α = 1/1.65, ρ = 1 − 0.15/1.65.
  assert.deepEqual(m[2].fixes, [m[1].fix, { path: ['neumann', 'alpha'], value: 'auto', label: 'Set neumann.alpha to "auto"' }]);
  assert.match(m[2].text, new RegExp(`give ρ = ${(1 - 0.15 / 1.65).toPrecision(4)} at this step`));
  assert.deepEqual(m[3].fix, { path: ['hyper', 'innerSteps'], value: 8, label: 'Set hyper.innerSteps to 8' });

  // A small enough α converges with the damping alone: no apply-all.
  const small = new HyperWarningLog('neumann', settings({ neumann: { alpha: 0.5, terms: 10, damping: 0 } }), 'exact').observe(step(1, -0.5, 1, { alpha: 0.5 }));
  assert.deepEqual(small.map((x) => x.kind), ['hyper-diverges', 'set-damping']);
  // |1 − 0.5·0.15| = 0.925, |1 − 0.5·1.65| = 0.175.
  assert.match(small[1].text, /At α = 0\.5, ρ = 0\.925\./);
});

test('the loop’s hypergradient error: the terms ρ needs, inner steps away from stationarity; compared runs are baselines', () => {
  const log = new HyperWarningLog('neumann', settings(), 'exact');
  // ρ = 0.9 at α = 1 with λ ∈ [0.1, 1]: 0.9^K ≤ 1e-3 from K = ⌈log 1e-3 / log 0.9⌉ = 66.
  const err = log.observe(step(1, 0.1, 1, { relativeError: 0.3, gradientNorm: 0.5 }));
  assert.deepEqual(err.map((m) => m.kind), ['hyper-error', 'set-terms', 'set-inner-steps']);
  assert.match(err[0].text, /the hypergradient is 30 % off the exact one \(cosine 1\), above hyper.errorThreshold = 10 %/);
  assert.equal(err[0].key, 'neumann.terms');
  assert.equal(err[1].fix?.value, Math.ceil(Math.log(1e-3) / Math.log(0.9)));
  assert.equal(err[1].fix?.value, 66);
  assert.deepEqual(new HyperWarningLog('identity', settings({ compare: ['identity'] }), 'exact').observe(step(1, 0.1, 1, { relativeError: 0.9 })), []);
  // A diverging step's error points at α, where the fixes are.
  const both = new HyperWarningLog('neumann', settings(), 'exact').observe(step(1, 0.5, 2.5, { relativeError: 5 }));
  assert.deepEqual(both.map((m) => m.kind), ['hyper-diverges', 'set-alpha', 'set-alpha', 'hyper-error']);
  assert.equal(both[3].key, 'neumann.alpha');
});

test('a stop says why, with the rate that overflowed; after a diverging series it points at that warning', () => {
  const log = new HyperWarningLog('neumann', settings(), 'exact');
  const wd = log.stopped({ step: 3, cause: 'weight-decay', reason: 'the weight decay left the floating-point range' }, step(3, 0.5, 1, { g: 40 }));
  assert.equal(wd[0].severity, 'error');
  assert.match(wd[0].text, /^The neumann run stopped at hyper-step 3: the weight decay left/);
  // SGD on φ with η = 2 and |g| = 40: η = min(2/10, 1/40) = 0.025.
  assert.deepEqual(wd[1].fix, { path: ['hyper', 'optimizer', 'learningRate'], value: 0.025, label: 'Set hyper.optimizer.learningRate to 0.025' });

  const sgd = new HyperWarningLog('neumann', settings(), 'exact').stopped({ step: 4, cause: 'inner-sgd', reason: 'the inner SGD steps diverged' }, step(3, 0.5, 4));
  // min(0.5/2, 1/4) = 0.25.
  assert.deepEqual(sgd[1].fix, { path: ['training', 'learningRate'], value: 0.25, label: 'Set training.learningRate to 0.25' });

  const after = new HyperWarningLog('neumann', settings(), 'exact');
  after.observe(step(1, 0.5, 3));
  const m = after.stopped({ step: 1, cause: 'weight-decay', reason: 'x' }, step(1, 0.5, 3));
  assert.deepEqual(m.map((x) => x.kind), ['hyper-stopped']);
  assert.match(m[0].text, /after its Neumann series diverged/);
});
