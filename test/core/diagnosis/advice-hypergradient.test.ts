/**
 * The verdict's second part (is the series' value the wanted hypergradient?), the recommendations'
 * effect on the hypergradient, the "apply all" group and the tensor-share sentence, on hand-made
 * facts with closed-form numbers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type DiagnoseInput } from '../../../src/core/diagnosis/advice';
import { headline } from '../../../src/core/diagnosis/format';
import type { DampedHypergradient, ExtremeEstimate, HypergradientReport } from '../../../src/core/diagnosis/report';

const est = (value: number): ExtremeEstimate => ({ value, interval: [value, value], residual: 0, converged: true });
const base: DiagnoseInput = {
  alpha: 1, terms: 10, damping: 0, lambdaMin: est(-1.75), lambdaMax: est(2.12), tolerance: 1e-3,
  gradNormTrain: 1e-4, stationarityTolerance: 1e-2, cg: null, epochs: 1,
};
const point = (damping: number, value: number): DampedHypergradient => ({ damping, value, method: 'dense', iterations: 0, residual: 1e-15, converged: true });
const hyper = (over: Partial<HypergradientReport>): HypergradientReport => ({
  neumann: 1, cg: null, cgStatus: 'indefinite', cgIterations: 1, exact: -10, relErrorNeumann: 1.1, relErrorCg: null, reference: 'exact', minres: null, damped: [], ...over,
});

test('a converging series with the opposite sign of the exact hypergradient is an error and never a green headline', () => {
  // δ = 2.5 makes H + δI definite (λ + δ ∈ [0.75, 4.62]); α = 0.2 gives ρ = 0.85.
  const a = diagnose({ ...base, alpha: 0.2, terms: 60, damping: 2.5, hypergradient: hyper({ neumann: 2.49, relErrorNeumann: 1.249, damped: [point(0, -10), point(2.5, 2.5)] }) });
  assert.equal(a.verdict, 'converges');
  assert.equal(a.hypergradient!.status, 'wrong-sign');
  assert.equal(a.hypergradient!.limit, 2.5);
  assert.ok(Math.abs(a.hypergradient!.dampingBias! - 1.25) < 1e-12);
  const m = a.messages.find((x) => x.kind === 'hypergradient')!;
  assert.equal(m.severity, 'error');
  assert.match(m.text, /converges, but its hypergradient 2\.49 has the opposite sign of the exact value −10/);
  assert.match(m.text, /δ = 2\.5 the series converges to the hypergradient of \(H \+ δI\)⁻¹b, 2\.5 \(125 % from the undamped value\)/);
  const top = headline(a);
  assert.notEqual(top.tone, 'converges');
  assert.notEqual(top.symbol, '✓');
  assert.match(top.title, /wrong sign/);
  // The same series agreeing with its reference is a plain pass.
  const ok = diagnose({ ...base, alpha: 0.2, terms: 60, damping: 2.5, hypergradient: hyper({ neumann: -10.2, relErrorNeumann: 0.02 }) });
  assert.equal(ok.hypergradient!.status, 'agrees');
  assert.equal(headline(ok).symbol, '✓');
});

test('far from the reference with the same sign: "biased" when the damping moved the limit, "far" when the terms are short', () => {
  const damped = diagnose({ ...base, alpha: 0.2, terms: 60, damping: 2.5, hypergradient: hyper({ neumann: -3, relErrorNeumann: 0.7, damped: [point(2.5, -3)] }) });
  assert.equal(damped.hypergradient!.status, 'biased');
  assert.equal(damped.messages.find((x) => x.kind === 'hypergradient')!.key, 'neumann.damping');
  const short = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: est(1.5), alpha: 0.5, terms: 20, hypergradient: hyper({ neumann: -7, relErrorNeumann: 0.3 }) });
  assert.equal(short.hypergradient!.status, 'far');
  assert.match(short.messages.find((x) => x.kind === 'hypergradient')!.text, /30 % from the exact value −10: after 20 terms/);
});

test('no converged reference: said in plain words, with MINRES’s residual', () => {
  const minres = { value: -4, residual: 0.02, iterations: 500, converged: false, status: 'max-iterations' as const, conditionEstimate: 8.5e4 };
  const a = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: est(1.5), alpha: 0.5, terms: 20, hypergradient: hyper({ neumann: 2, exact: null, relErrorNeumann: null, reference: 'none', minres }) });
  assert.equal(a.hypergradient!.status, 'no-reference');
  const m = a.messages.find((x) => x.kind === 'hypergradient')!;
  assert.match(m.text, /No converged reference.*MINRES on the undamped system stopped \(max-iterations\) at relative residual 0\.02 after 500 iterations \(cond\(H\) ≳ 85000\).*ill-determined/);
});

test('the motivating case: δ, α and K only work together and are offered as one "apply all"; δ says what it does to the hypergradient', () => {
  const delta = 2.14; // −λ_min + 0.1·(λ_max − λ_min), rounded as the advice does
  const a = diagnose({ ...base, hypergradient: hyper({ neumann: 1e6, relErrorNeumann: 1e5, damped: [point(0, -10), point(delta, 1.88)] }) });
  const all = a.messages.find((m) => m.kind === 'apply-all')!;
  assert.deepEqual(all.fixes!.map((f) => f.path.join('.')), ['neumann.damping', 'neumann.alpha', 'neumann.terms']);
  for (const f of all.fixes!) assert.ok(a.messages.some((m) => m.fix && m.fix.path.join('.') === f.path.join('.') && m.fix.value === f.value), `${f.label} is also offered alone`);
  const d = a.messages.find((m) => m.kind === 'set-damping')!;
  assert.match(d.text, /At δ = 2\.14 the hypergradient is 1\.88 vs −10 undamped \(exact\): the opposite sign\./);
  assert.match(a.messages.find((m) => m.kind === 'set-terms')!.text, /the limit stays the same/);
  // A positive-definite H whose new α alone suffices: no group.
  const pd = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: est(3), alpha: 1, terms: 100 });
  assert.ok(pd.messages.some((m) => m.kind === 'set-alpha'));
  assert.ok(!pd.messages.some((m) => m.kind === 'apply-all'));
});

test('where the negative curvature lives: the dominant state_dict tensor is named', () => {
  const a = diagnose({ ...base, bottomTensorShare: { '0.weight': 0.97, '0.bias': 0.02, '2.weight': 0.01 } });
  assert.match(a.messages.find((m) => m.kind === 'negative-curvature')!.text, /97 % of the negative-curvature direction is in `0\.weight`/);
  const spread = diagnose({ ...base, bottomTensorShare: { '0.weight': 0.4, '2.weight': 0.35, '4.weight': 0.25 } });
  assert.match(spread.messages.find((m) => m.kind === 'negative-curvature')!.text, /spread over the tensors \(largest: `0\.weight`, 40 %\)/);
});
