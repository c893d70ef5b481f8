/**
 * The loop's chart series (panel and HTML export): each granularity (one line, a line per tensor,
 * a min–max band with the median), compared runs of unequal length, non-finite values as gaps in
 * place, and the error threshold. The steps are hand-made: what is checked is how they are drawn.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hyper } from '../../../src/core/config/experiment-schema';
import type { HyperReport } from '../../../src/core/diagnosis/hyper-report';
import {
  DEFAULT_ERROR_THRESHOLD, hyperErrorData, hyperLossData, hyperModelOf, hyperRhoData, MAX_GROUP_LINES, reportRuns, weightDecayData, type HyperModel,
} from '../../../src/core/diagnosis/hyper-series';
import { hyperReportWith, hyperStep, perGroupStep } from '../../fixtures/hyper-step';

function modelWith(h: Partial<HyperReport> & Pick<HyperReport, 'trajectory'>): HyperModel {
  const report = hyperReportWith(h);
  return hyperModelOf(reportRuns(report), report)!;
}
const perGroup = perGroupStep;

test('per-tensor: a line per tensor and run, one dash pattern per tensor; many tensors become a band', () => {
  const groups = ['0.weight', '0.bias', '1.weight'];
  const traj = [1, 2, 3].map((t) => perGroup(t, [0.1 / t, 0.2 / t, 0.05 * t]));
  const m = modelWith({ granularity: 'per-tensor', groups, trajectory: traj, compare: [{ inverse: 'exact', trajectory: traj.slice(0, 2), final: { weightDecay: [] }, stopped: null }] });
  const d = weightDecayData(m);
  assert.equal(d.mode, 'lines');
  assert.equal(d.series.length, 2 * groups.length);
  assert.deepEqual(d.series.map((s) => [s.run, s.dash, s.label]), [0, 1].flatMap((r) => groups.map((g, i) => [r, i, `${['neumann', 'exact'][r]} λ ${g}`])));
  assert.deepEqual(d.series[2].values, traj.map((s) => s.weightDecay[2]));
  assert.deepEqual(d.series[5].values, [0.05, 0.1, null], 'the shorter compared run ends in a gap');
  const many = Array.from({ length: MAX_GROUP_LINES + 1 }, (_, i) => `${i}.weight`);
  const wide = modelWith({ granularity: 'per-tensor', groups: many, trajectory: [perGroup(1, many.map((_, i) => 0.01 * (i + 1)))] });
  assert.equal(weightDecayData(wide).mode, 'band');
});

test('per-parameter: a min–max band with the median per run, the edges as the band’s series', () => {
  const decays = [[0.3, 0.1, 0.2, 0.05, 0.4], [0.2, 0.15, 0.9, 0.01, 0.3]];
  const traj = decays.map((w, k) => perGroup(k + 1, w));
  const m = modelWith({ granularity: 'per-parameter', groups: ['a', 'b', 'c', 'd', 'e'], trajectory: traj, compare: [{ inverse: 'identity', trajectory: traj, final: { weightDecay: [] }, stopped: null }] });
  const d = weightDecayData(m);
  assert.equal(d.mode, 'band');
  assert.equal(d.series.length, 6);
  assert.deepEqual(d.bands, [{ upper: 0, lower: 1, run: 0 }, { upper: 3, lower: 4, run: 1 }]);
  // Independent of the module's reductions: the sorted middle of five.
  const sorted = decays.map((w) => [...w].sort((a, b) => a - b));
  assert.deepEqual(d.series[0].values, sorted.map((w) => w[4]));
  assert.deepEqual(d.series[1].values, sorted.map((w) => w[0]));
  assert.deepEqual(d.series[2].values, sorted.map((w) => w[2]));
  assert.deepEqual(d.series.map((s) => s.role), ['edge', 'edge', 'line', 'edge', 'edge', 'line']);
  // Even counts: the mean of the two middle values.
  const even = modelWith({ granularity: 'per-parameter', groups: ['a', 'b', 'c', 'd'], trajectory: [perGroup(1, [0.4, 0.1, 0.3, 0.2])] });
  assert.ok(Math.abs(weightDecayData(even).series[2].values[0]! - 0.25) < 1e-15);
  // Live, a few groups are drawn as lines (the events do not say per-tensor or per-parameter).
  const live = hyperModelOf([{ inverse: 'neumann', main: true, steps: [perGroup(1, [0.1, 0.2])], stopped: null }], undefined)!;
  assert.equal(live.granularity, null);
  assert.deepEqual(weightDecayData(live).series.map((s) => s.label), ['neumann λ group 1', 'neumann λ group 2']);
});

test('non-finite values stay in place as gaps: the step keeps its x, only the blown value is missing', () => {
  const blown = hyperStep(2, { hypergradient: [NaN], weightDecay: [Infinity], rho: Infinity, relativeError: NaN, trainLoss: NaN, validationLoss: 0.3, inverseStatus: 'non-finite' });
  const m = modelWith({ trajectory: [hyperStep(1), blown, hyperStep(3, { relativeError: 0, weightDecay: [0] })], stopped: { step: 2, cause: 'inverse', reason: 'the neumann inverse gave no finite solution at hyper-step 2 (non-finite), so there is no hypergradient to step with' } });
  assert.deepEqual(weightDecayData(m).x, [1, 2, 3]);
  assert.deepEqual(weightDecayData(m).series[0].values, [hyperStep(1).weightDecay[0], null, null], 'Infinity and 0 have no place on a log axis');
  assert.deepEqual(hyperLossData(m).series.map((s) => s.values[1]), [null, 0.3]);
  assert.deepEqual(hyperRhoData(m).series[0].values, [hyperStep(1).rho, null, hyperStep(3).rho]);
  assert.deepEqual(hyperErrorData(m).series[0].values, [0.01, null, null]);
  const band = modelWith({ granularity: 'per-parameter', groups: ['a', 'b'], trajectory: [perGroup(1, [0.1, 0.2]), perGroup(2, [0.1, NaN])] });
  assert.deepEqual(weightDecayData(band).series.map((s) => s.values[1]), [null, null, null], 'one blown parameter is a gap in the band, not a narrower band');
});

test('the threshold: hyper.errorThreshold when the report has it, else the experiment format’s default', () => {
  assert.equal(DEFAULT_ERROR_THRESHOLD, (Hyper.properties.errorThreshold as { default?: number }).default);
  const traj = [1, 2, 3].map((t) => hyperStep(t, { relativeError: 0.1 * t }));
  const without = modelWith({ trajectory: traj });
  assert.deepEqual([hyperErrorData(without).threshold, hyperErrorData(without).thresholdFromReport], [0.1, false]);
  const withIt = modelWith({ trajectory: traj, ...({ errorThreshold: 0.25 } as object) });
  assert.deepEqual([hyperErrorData(withIt).threshold, hyperErrorData(withIt).thresholdFromReport], [0.25, true]);
});
