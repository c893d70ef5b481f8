import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diagnose, type DiagnoseInput } from '../../../src/core/diagnosis/advice';
import type { Advice, AdviceKind, ExtremeEstimate } from '../../../src/core/diagnosis/report';
import { InputError } from '../../../src/core/errors';

const est = (value: number, residual = 0): ExtremeEstimate => ({ value, interval: [value - residual, value + residual], residual, converged: true });
const base: Omit<DiagnoseInput, 'lambdaMin' | 'lambdaMax'> = {
  alpha: 1,
  terms: 10,
  damping: 0,
  tolerance: 1e-3,
  gradNormTrain: 1e-4,
  stationarityTolerance: 1e-2,
  cg: null,
  epochs: 1,
};
const run = (lmin: number, lmax: number, over: Partial<DiagnoseInput> = {}) =>
  diagnose({ ...base, lambdaMin: est(lmin), lambdaMax: est(lmax), ...over });
const kinds = (a: Advice) => a.messages.map((m) => m.kind);
const msg = (a: Advice, k: AdviceKind) => {
  const m = a.messages.find((x) => x.kind === k);
  assert.ok(m, `no ${k} message in ${kinds(a)}`);
  return m;
};
const fixValue = (a: Advice, path: string) => a.messages.find((m) => m.fix?.path.join('.') === path)?.fix?.value;
const sig3 = (x: number) => Number(x.toPrecision(3));
const kFor = (rho: number, tol = 1e-3) => Math.ceil(Math.log(tol) / Math.log(rho));

/** Every message cites numbers with at most 4 significant digits and nothing undefined. */
function assertWellFormed(a: Advice) {
  for (const m of [a.summary, ...a.messages.map((x) => x.text)]) {
    assert.doesNotMatch(m, /NaN|undefined|Infinity|null/);
    for (const num of m.match(/\d+(\.\d+)?/g) ?? []) {
      const digits = num.replace('.', '').replace(/^0+/, '');
      assert.ok(digits.length <= 4, `"${num}" in: ${m}`);
    }
  }
  for (const m of a.messages) assert.ok(m.key, `${m.kind} has no key`);
}

test('motivating case (λ_min = −1.75, λ_max = 2.12, α = 1): negative curvature sets ρ = 2.75, both causes named', () => {
  const a = run(-1.75, 2.12);
  assertWellFormed(a);
  assert.equal(a.verdict, 'diverges-negative-curvature');
  assert.equal(a.summary, 'Diverges: ρ(I−αH) = 2.75 because λ_min = −1.75 < 0 (negative curvature); λ_max = 2.12 > 2/α = 2 as well.');
  const verdict = msg(a, 'verdict');
  assert.equal(verdict.severity, 'error');
  assert.equal(verdict.key, 'neumann.alpha');
  assert.match(msg(a, 'negative-curvature').text, /λ_min = −1\.75 < 0.*2\.75 per term/);
  assert.match(msg(a, 'step-too-large').text, /λ_max = 2\.12 > 2\/α = 2.*1\.12 per term/);
  assert.ok(Math.abs((a.alphaMax as number) - 2 / 2.12) < 1e-15);
  assert.ok(Math.abs((a.alphaSuggested as number) - 1 / 2.12) < 1e-15);
  assert.equal(a.alphaOptimal, null, 'no α* for an indefinite H');
  // Damping: δ = −λ_min + 0.1·(λ_max − λ_min), α = 1/(λ_max + δ), ρ and K on H + δI.
  const delta = sig3(1.75 + 0.1 * (2.12 + 1.75));
  const alpha = sig3(1 / (2.12 + delta));
  const rho = Math.max(Math.abs(1 - alpha * (-1.75 + delta)), Math.abs(1 - alpha * (2.12 + delta)));
  assert.deepEqual(a.damping, { delta, alpha, rho, termsNeeded: kFor(rho) });
  assert.equal(delta, 2.14);
  assert.equal(a.termsNeeded, kFor(rho));
  assert.equal(fixValue(a, 'neumann.damping'), delta);
  assert.equal(fixValue(a, 'neumann.alpha'), alpha);
  assert.equal(fixValue(a, 'neumann.terms'), kFor(rho));
  assert.match(msg(a, 'set-damping').text, new RegExp(`δ = 2\\.14 .*ρ\\(I−α\\(H\\+δI\\)\\) = ${rho.toPrecision(4)}`));
  assert.equal(a.useCg, false);
  assert.equal(a.notStationary, false);
});

test('step too large (λ_min > 0): α* = 2/(λ_max + λ_min), ρ*, and the terms needed at the proposed α', () => {
  const a = run(0.5, 3);
  assertWellFormed(a);
  assert.equal(a.verdict, 'diverges-step-too-large');
  assert.equal(a.summary, 'Diverges: ρ(I−αH) = 2 because λ_max = 3 > 2/α = 2 (step too large).');
  assert.ok(!kinds(a).includes('negative-curvature'));
  assert.ok(Math.abs((a.alphaOptimal as number) - 2 / 3.5) < 1e-15);
  assert.ok(Math.abs((a.rhoOptimal as number) - 2.5 / 3.5) < 1e-15);
  const alpha = sig3(2 / 3.5);
  const rho = Math.max(Math.abs(1 - alpha * 0.5), Math.abs(1 - alpha * 3));
  assert.equal(fixValue(a, 'neumann.alpha'), alpha);
  assert.equal(a.termsNeeded, kFor(rho));
  assert.equal(fixValue(a, 'neumann.terms'), kFor(rho));
  assert.equal(a.damping, null);
  assert.equal(fixValue(a, 'neumann.damping'), undefined);
});

test('both causes, λ_max sets ρ: verdict step-too-large, negative curvature still named, damping proposed', () => {
  const a = run(-0.2, 5);
  assertWellFormed(a);
  assert.equal(a.verdict, 'diverges-step-too-large');
  assert.equal(a.summary, 'Diverges: ρ(I−αH) = 4 because λ_max = 5 > 2/α = 2 (step too large); λ_min = −0.2 < 0 (negative curvature) as well.');
  assert.ok(kinds(a).includes('negative-curvature') && kinds(a).includes('step-too-large'));
  assert.ok(a.damping !== null && a.damping.delta > 0.2);
});

test('slow: converges but needs more terms than configured', () => {
  const a = run(0.01, 1);
  assertWellFormed(a);
  assert.equal(a.verdict, 'slow');
  const k = kFor(0.99);
  assert.equal(a.termsNeeded, k);
  assert.match(a.summary, new RegExp(`needs K = ${k} terms and 10 are configured`));
  assert.equal(msg(a, 'verdict').severity, 'warning');
  assert.ok(kinds(a).includes('slow') && kinds(a).includes('set-terms'));
  assert.ok(a.rhoOptimal !== null && a.rhoOptimal < 0.99);
});

test('converges: the toy cubic (H = 0.3 I, α = 1, 50 terms) needs K = 20', () => {
  const a = run(0.3, 0.3, { terms: 50 });
  assertWellFormed(a);
  assert.equal(a.verdict, 'converges');
  assert.equal(a.termsNeeded, 20);
  assert.equal(a.summary, 'Converges: ρ(I−αH) = 0.7 < 1, so K = 20 terms reach tolerance 0.001 (50 configured).');
  assert.equal(msg(a, 'verdict').severity, 'info');
  assert.ok(!a.messages.some((m) => m.severity === 'error'));
});

test('error bars that straddle ρ = 1 give "inconclusive", never a verdict the bounds do not support', () => {
  // λ_max = 1.99 ± 0.02 at α = 1: ρ ∈ [0.97, 1.01].
  const a = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: est(1.99, 0.02) });
  assertWellFormed(a);
  assert.equal(a.verdict, 'inconclusive');
  assert.match(a.summary, /^Inconclusive: ρ\(I−αH\) lies in \[0\.97, 1\.01\], which straddles 1/);
  assert.ok(Math.abs((a.alphaMax as number) - 2 / 2.01) < 1e-15);
});

test('configured damping is part of the operator: H + δI', () => {
  const a = run(-0.2, 2, { damping: 0.5 });
  assertWellFormed(a);
  assert.equal(a.verdict, 'diverges-step-too-large');
  assert.equal(a.summary, 'Diverges: ρ(I−α(H+δI)) = 1.5 because λ_max + δ = 2.5 > 2/α = 2 (step too large).');
  assert.ok(Math.abs((a.alphaOptimal as number) - 2 / (2 - 0.2 + 1)) < 1e-15);
  assert.equal(a.damping, null);
});

test('not-stationary: ‖∇L_T‖ above the tolerance warns and proposes doubling the epochs', () => {
  const a = run(0.3, 0.3, { terms: 50, gradNormTrain: 0.2, epochs: 3 });
  assertWellFormed(a);
  assert.equal(a.notStationary, true);
  const w = msg(a, 'not-stationary');
  assert.equal(w.severity, 'warning');
  assert.match(w.text, /‖∇L_T\(w\)‖ = 0\.2 > 0\.01.*train longer/);
  assert.equal(fixValue(a, 'training.epochs'), 6);
  const analytic = run(0.3, 0.3, { terms: 50, gradNormTrain: 0.2, epochs: null });
  assert.ok(kinds(analytic).includes('not-stationary') && !kinds(analytic).includes('train-longer'));
  assert.equal(run(0.3, 0.3, { gradNormTrain: null }).notStationary, false);
});

test('use CG when CG converged and the series diverges or is slow', () => {
  const a = run(-1.75, 2.12, { cg: { status: 'converged', iterations: 37 } });
  assertWellFormed(a);
  assert.equal(a.useCg, true);
  assert.match(msg(a, 'use-cg').text, /37 iterations.*ρ\(I−αH\) = 2\.75/);
  assert.equal(run(0.3, 0.3, { terms: 50, cg: { status: 'converged', iterations: 2 } }).useCg, false);
  assert.equal(run(-1.75, 2.12, { cg: { status: 'indefinite', iterations: 3 } }).useCg, false);
  assert.match(msg(run(-1.75, 2.12, { cg: { status: 'indefinite', iterations: 3 } }), 'negative-curvature').text, /iteration 3/);
});

test('bad numbers are rejected with the experiment key', () => {
  assert.throws(() => run(0.3, 0.3, { alpha: 0 }), (e: unknown) => e instanceof InputError && /neumann\.alpha/.test(e.message));
  assert.throws(() => run(0.3, 0.3, { damping: -1 }), (e: unknown) => e instanceof InputError && /neumann\.damping/.test(e.message));
  assert.throws(() => run(NaN, 0.3), RangeError);
});

test('edge spectra: H = 0 (singular) and H negative definite get the negative-curvature verdict and usable numbers', () => {
  const zero = run(0, 0);
  assertWellFormed(zero);
  assert.equal(zero.verdict, 'diverges-negative-curvature');
  assert.match(zero.summary, /ρ\(I−αH\) = 1 because λ_min = 0 ± 0 reaches 0/);
  assert.ok(kinds(zero).includes('negative-curvature'));
  assert.equal(zero.alphaMax, null);

  const negDef = run(-3, -1);
  assertWellFormed(negDef);
  assert.equal(negDef.verdict, 'diverges-negative-curvature');
  assert.equal(negDef.alphaMax, null);
  // δ = 3 + 0.1·max(−1 − (−3), 3) = 3.3 → H + δI has eigenvalues 0.3 … 2.3.
  const d = negDef.damping as NonNullable<Advice['damping']>;
  assert.equal(d.delta, 3.3);
  assert.equal(d.alpha, sig3(1 / 2.3));
  assert.ok(Math.abs(d.rho - Math.max(Math.abs(1 - d.alpha * 0.3), Math.abs(1 - d.alpha * 2.3))) < 1e-12);
});

test('conservative step verdict names the error bar in its cause message', () => {
  const a = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: est(1.99, 0.02) });
  assert.match(msg(a, 'step-too-large').text, /λ_max = 1\.99 \+ 0\.02 can reach 2\/α = 2.*up to 1\.01 per term/);
});

test('an unconverged end makes a would-be "converges" inconclusive (a Ritz value lies inside the spectrum), with a fix for more Lanczos steps', () => {
  const unconverged = { ...est(1.5, 0.2), converged: false };
  const a = diagnose({ ...base, lambdaMin: est(0.5), lambdaMax: unconverged, maxLanczosSteps: 40 });
  assertWellFormed(a);
  assert.equal(a.verdict, 'inconclusive');
  assert.match(a.summary, /Lanczos did not converge at λ_max/);
  const fix = msg(a, 'more-lanczos-steps').fix!;
  assert.deepEqual(fix.path, ['analysis', 'maxLanczosSteps']);
  assert.equal(fix.value, 80);
});

test('an unconverged end still proves divergence when its interval alone puts ρ above 1', () => {
  // θ_min = −1 ± 0.1 holds an eigenvalue ≤ −0.9 < 0: diverges whatever the rest of the spectrum is.
  const a = diagnose({ ...base, lambdaMin: { ...est(-1, 0.1), converged: false }, lambdaMax: est(1.5) });
  assert.equal(a.verdict, 'diverges-negative-curvature');
});

test('a terms count beyond the schema maximum is advice without a fix (it would not load)', () => {
  // ρ = 1 − 1e-5 at α = 1 needs ~690 776 terms for 1e-3.
  const a = diagnose({ ...base, alpha: 1, terms: 10, lambdaMin: est(1e-5, 0), lambdaMax: est(1, 0) });
  const t = a.messages.filter((m) => m.kind === 'set-terms');
  assert.ok(t.length > 0);
  for (const m of t) assert.ok(!m.fix || (typeof m.fix.value === 'number' && m.fix.value <= 100000), `fix ${m.fix?.value}`);
  assert.ok(t.some((m) => /beyond the 100000 an experiment allows/.test(m.text)));
});
