import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dampingData, densityData, epochSpectrumData, histogramData, lossData, neumannData, spectrumData, stepRange } from '../../src/webview/chart-data';
import { emptyPanelState } from '../../src/protocol/panel-state';
import type { PanelState } from '../../src/protocol/webview';
import { sampleReport } from '../fixtures/sample-report';

type Step = PanelState['spectrumSteps'][number];
const est = (value: number, r: number) => ({ value, interval: [value - r, value + r] as [number, number] });
const step = (method: Step['method'], k: number, max?: number, min?: number): Step => ({
  type: 'spectrumStep', method, step: k, hvps: k, lambdaMax: max === undefined ? undefined : est(max, 1 / k), lambdaMin: min === undefined ? undefined : est(min, 1 / k),
});

test('spectrum chart: the last Lanczos run step by step, exact extremes as references, power ignored when Lanczos ran', () => {
  const s: PanelState = {
    ...emptyPanelState(),
    spectrumSteps: [
      step('lanczos', 1, 9), step('lanczos', 2, 9), // a per-epoch run
      step('lanczos', 1, 1, -1), step('lanczos', 2, 2, -2), step('lanczos', 3, 3, -3),
      step('power-max', 1, 2.9), step('power-min', 1, undefined, -2.9), step('exact', 1, 3.5, -3.5),
    ],
  };
  const d = spectrumData(s)!;
  assert.equal(d.method, 'lanczos');
  assert.deepEqual(d.x, [1, 2, 3]);
  assert.deepEqual(d.max, [1, 2, 3]);
  assert.deepEqual(d.min, [-1, -2, -3]);
  assert.deepEqual(d.maxLo, [0, 1.5, 3 - 1 / 3]);
  assert.deepEqual(d.exact, { max: 3.5, min: -3.5 });
});

test('spectrum chart falls back to the power runs, then to the exact step alone', () => {
  const power = spectrumData({ ...emptyPanelState(), spectrumSteps: [step('power-max', 1, 2), step('power-max', 2, 2.5), step('power-min', 1, undefined, -1)] })!;
  assert.equal(power.method, 'power');
  assert.deepEqual(power.x, [1, 2]);
  assert.deepEqual(power.max, [2, 2.5]);
  assert.deepEqual(power.min, [-1, null]);
  const exact = spectrumData({ ...emptyPanelState(), spectrumSteps: [step('exact', 1, 4, 1)] })!;
  assert.equal(exact.method, 'exact');
  assert.deepEqual(exact.max, [4]);
  assert.equal(spectrumData(emptyPanelState()), null);
});

test('loss chart: steps counted from the first epoch, epoch losses at the last step of their epoch', () => {
  const steps = [1, 2].flatMap((epoch) => [1, 2, 3].map((k) => ({ epoch, step: k, stepsPerEpoch: 3, loss: 10 * epoch + k })));
  const epochs = [1, 2].map((epoch) => ({ type: 'epoch' as const, epoch, trainLoss: epoch, validationLoss: epoch + 0.5 }));
  const d = lossData({ ...emptyPanelState(), trainSteps: steps, epochs })!;
  assert.deepEqual(d.x, [1, 2, 3, 4, 5, 6]);
  assert.deepEqual(d.stepLoss, [11, 12, 13, 21, 22, 23]);
  assert.deepEqual(d.epochTrain, [null, null, 1, null, null, 2]);
  assert.deepEqual(d.epochValidation, [null, null, 1.5, null, null, 2.5]);
});

test('Neumann chart: measured norms and ρ^j·‖v_0‖; non-positive or non-finite norms are gaps on the log axis', () => {
  const r = sampleReport();
  r.neumann.termNorms = [2, 4, 0, Infinity];
  r.neumann.rho = 1.5;
  const d = neumannData({ ...emptyPanelState(), report: r })!;
  assert.deepEqual(d.x, [0, 1, 2, 3]);
  assert.deepEqual(d.norms, [2, 4, null, null]);
  assert.deepEqual(d.predicted, [2, 3, 4.5, 6.75]);
  const live = neumannData({ ...emptyPanelState(), neumannTerms: [{ type: 'neumannTerm', term: 0, norm: 1, residual: 1, growth: null, head: [] }] })!;
  assert.deepEqual(live.predicted, [null]);
});

test('histogram: every eigenvalue counted once, 0 and 2/α marked, far markers dropped', () => {
  const r = sampleReport();
  r.spectrum.eigenvalues = Array.from({ length: 100 }, (_, i) => -1 + (3 * i) / 99);
  r.neumann.alpha = 1;
  r.neumann.damping = 0.5;
  const d = histogramData(r)!;
  assert.equal(d.counts.reduce((a, b) => a + b, 0), 100);
  assert.deepEqual(d.markers.map((m) => [m.label, m.at]), [['0', 0], ['2/α', 2], ['−δ', -0.5], ['2/α − δ', 1.5]]);
  r.neumann.alpha = 1e-4;
  assert.ok(!histogramData(r)!.markers.some((m) => m.label === '2/α'), '2/α = 20000 is not drawn next to a spectrum in [−1, 2]');
  r.spectrum.eigenvalues = null;
  assert.equal(histogramData(r), null);
});

test('per-epoch chart prefers the report, else live epochs that carry spectrum numbers', () => {
  const live: PanelState = { ...emptyPanelState(), epochs: [
    { type: 'epoch', epoch: 1, trainLoss: 1, validationLoss: 1 },
    { type: 'epoch', epoch: 2, trainLoss: 1, validationLoss: 1, lambdaMax: 3, lambdaMin: -1, rho: 2 },
  ] };
  assert.deepEqual(epochSpectrumData(live), { x: [2], lambdaMax: [3], lambdaMin: [-1], rho: [2] });
  const r = sampleReport();
  r.epochs = [{ epoch: 5, trainLoss: 0.1, lambdaMax: 1, lambdaMin: 0.5, rho: 0.5 }];
  assert.deepEqual(epochSpectrumData({ ...live, report: r }), { x: [5], lambdaMax: [1], lambdaMin: [0.5], rho: [0.5] });
});

test('loss chart without live steps falls back to the report curve, per epoch when its length says so', () => {
  const r = sampleReport();
  r.training = { epochs: 2, steps: 64, lossCurve: [3, 2] };
  const d = lossData({ ...emptyPanelState(), report: r })!;
  assert.deepEqual(d.x, [1, 2]);
  assert.deepEqual(d.epochTrain, [3, 2]);
  assert.deepEqual(d.stepLoss, [null, null]);
  r.training = { epochs: 1, steps: 3, lossCurve: [3, 2, 1] };
  assert.deepEqual(lossData({ ...emptyPanelState(), report: r })!.stepLoss, [3, 2, 1]);
});

test('damping chart: δ > 0 on the log axis, only converged values, Neumann and the undamped reference as lines', () => {
  const r = sampleReport();
  r.hypergradient.neumann = 2.5;
  r.hypergradient.exact = -10.22;
  r.hypergradient.reference = 'exact';
  r.hypergradient.damped = [
    { damping: 0, value: -10.22, method: 'dense', iterations: 0, residual: 1e-15, converged: true },
    { damping: 2.34, value: 159.4, method: 'cg', iterations: 19, residual: 2e-5, converged: false },
    { damping: 3.37, value: 2.5, method: 'cg', iterations: 10, residual: 3e-6, converged: true },
    { damping: 10.4, value: 0.54, method: 'cg', iterations: 6, residual: 4e-6, converged: true },
  ];
  const d = dampingData(r)!;
  assert.deepEqual(d.x, [2.34, 3.37, 10.4]);
  assert.deepEqual(d.value, [null, 2.5, 0.54]);
  assert.equal(d.neumann, 2.5);
  assert.equal(d.reference, -10.22);
  r.hypergradient.damped = r.hypergradient.damped.slice(0, 2);
  assert.equal(dampingData(r), null, 'fewer than two converged points: no curve to draw');
});

test('density chart: replaces the histogram only without exact eigenvalues; log-safe values; 0 and 2/α marked inside the grid', () => {
  const r = sampleReport();
  r.spectrum.density = { method: 'slq', grid: [-3, -1, 0.5, 2.5], values: [0.1, 0, 0.3, 0.2], sigma: 0.1, probes: 4, steps: 40, hvps: 160, negativeFraction: 0.3, negativeFractionStdErr: 0.04, negativeFractionInterval: [0.2, 0.4] };
  assert.equal(densityData(r), null, 'exact eigenvalues: the histogram shows them');
  assert.ok(histogramData(r));
  r.spectrum.eigenvalues = null;
  assert.equal(histogramData(r), null);
  const d = densityData(r)!;
  assert.deepEqual(d.values, [0.1, 0.3e-6, 0.3, 0.2]);
  assert.deepEqual(d.markers, [{ at: 0, label: '0' }, { at: 2, label: '2/α' }]);
});

test('spectrum chart: the x axis ends at the data; one step sits mid-axis; thinned steps are counted', () => {
  assert.deepEqual(stepRange(1, 25), [1, 25]);
  assert.deepEqual(stepRange(4, 4), [3.5, 4.5]);
  assert.deepEqual(stepRange(null, null), [0, 1]);
  const full = spectrumData({ ...emptyPanelState(), spectrumSteps: [1, 2, 3, 4].map((k) => step('lanczos', k, k, -k)) })!;
  assert.deepEqual(full.xRange, [1, 4]);
  assert.equal(full.missingSteps, 0);
  // What the worker's thinning leaves of a fast run (measured on the logistic template: only step 4; tanh: 1 and 25).
  const one = spectrumData({ ...emptyPanelState(), spectrumSteps: [step('lanczos', 4, 0.34, 0.23), step('exact', 1, 0.34, 0.23)] })!;
  assert.deepEqual(one.x, [4]);
  assert.deepEqual(one.xRange, [3.5, 4.5]);
  assert.equal(one.missingSteps, 3);
  const two = spectrumData({ ...emptyPanelState(), spectrumSteps: [step('lanczos', 1, 1, 0), step('lanczos', 25, 2, -1)] })!;
  assert.deepEqual(two.xRange, [1, 25]);
  assert.equal(two.missingSteps, 23);
});
