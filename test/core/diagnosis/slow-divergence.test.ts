import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slowDivergence } from '../../../src/core/diagnosis/slow-divergence';
import type { NeumannReport } from '../../../src/core/diagnosis/report';
import { sampleReport } from '../../fixtures/sample-report';

/**
 * Independent reference: the Neumann terms v_j = M^j b of a diagonal M = I − αH in float64, by
 * plain multiplication, with ρ = max|μ|.
 */
function terms(mu: number[], b: number[], count: number): number[] {
  const v = [...b];
  const out: number[] = [];
  for (let j = 0; j < count; j++) {
    out.push(Math.hypot(...v));
    for (let i = 0; i < v.length; i++) v[i] *= mu[i];
  }
  return out;
}

function report(mu: number[], b: number[], K: number): NeumannReport {
  const rho = Math.max(...mu.map(Math.abs));
  const norms = terms(mu, b, K + 1);
  return {
    ...sampleReport().neumann,
    terms: K,
    rho,
    rhoInterval: [rho, rho],
    verdict: 'diverges-negative-curvature',
    termNorms: norms,
    residuals: norms.map(() => 1),
    growthRatios: norms.slice(1).map((x, j) => x / norms[j]),
    termHeads: norms.map(() => []),
    nonFiniteAtTerm: null,
  };
}

/** The first j at which ‖v_j‖ ≥ ‖v_0‖, by running the recursion on. */
function firstRegrowth(mu: number[], b: number[]): number {
  const all = terms(mu, b, 20000);
  const j = all.findIndex((x, i) => i > 0 && x >= all[0]);
  assert.ok(j > 0, 'the terms grow back within 20000');
  return j;
}

test('ρ = 1.005 with shrinking terms: the closed form, and it is where the terms really come back', () => {
  // H = diag(−0.005, 0.9) at α = 1: μ = (1.005, 0.1); b has weight 1e-3 on the growing direction.
  const mu = [1.005, 0.1];
  const b = [1e-3, 1];
  const K = 20;
  const s = slowDivergence(report(mu, b, K));
  assert.ok(s);
  const norms = terms(mu, b, K + 1);
  // By hand: j* = K + ln(‖v_0‖/‖v_K‖)/ln ρ, r̄ = (‖v_K‖/‖v_0‖)^(1/K).
  assert.equal(s.earliestTerm, Math.ceil(K + Math.log(norms[0] / norms[K]) / Math.log(1.005)));
  assert.ok(Math.abs(s.meanRatio - Math.pow(norms[K] / norms[0], 1 / K)) < 1e-15);
  assert.ok(Math.abs(s.earliestTerm - K * (1 + Math.log(1 / s.meanRatio) / Math.log(1.005))) < 1, 'the r̄ form agrees');
  assert.ok(Math.abs(s.doublingTerms - 138.98) < 0.01, String(s.doublingTerms));
  // Here v_K lies almost wholly on the growing direction, so the bound is attained.
  const actual = firstRegrowth(mu, b);
  assert.ok(actual >= s.earliestTerm && actual <= s.earliestTerm + 1, `${actual} vs ${s.earliestTerm}`);
  assert.match(s.text, /slow/);
  assert.match(s.text, new RegExp(`before term ${s.earliestTerm}\\b`));
  assert.match(s.text, /ρ = 1\.005/);
  assert.match(s.text, /double every 139 terms/);
});

test('the earliest term is a lower bound when the decaying part still dominates at K', () => {
  for (const [mu, b] of [
    [[1.005, 0.95, -0.9], [1e-4, 1, 1]],
    [[-1.02, 0.99, 0.5], [1e-6, 1, 0.3]],
    [[1.001, 0.97], [1e-2, 1]],
  ] as [number[], number[]][]) {
    const s = slowDivergence(report(mu, b, 30));
    assert.ok(s, JSON.stringify(mu));
    assert.ok(firstRegrowth(mu, b) >= s.earliestTerm, `${JSON.stringify(mu)}: ${firstRegrowth(mu, b)} ≥ ${s.earliestTerm}`);
  }
});

test('no note when the terms already grew, the series converges, ρ is not proven > 1, or it overflowed', () => {
  assert.equal(slowDivergence(report([1.5, 0.1], [1, 1], 20)), null, 'growing: the divergence shows');
  assert.equal(slowDivergence({ ...report([0.9, 0.1], [1, 1], 20), verdict: 'converges' }), null);
  const straddles = report([1.005, 0.1], [1e-3, 1], 20);
  assert.equal(slowDivergence({ ...straddles, rhoInterval: [0.99, 1.005], verdict: 'inconclusive' }), null);
  assert.equal(slowDivergence({ ...straddles, nonFiniteAtTerm: 5 }), null);
  assert.equal(slowDivergence({ ...straddles, termNorms: [1] }), null, 'one term: no trend');
});
