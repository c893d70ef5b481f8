import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spectralRadius, termsNeeded } from '../../../src/core/diagnosis/spectral-radius';
import { Rng } from '../../../src/core/util/rng';

test('point intervals give ρ = max(|1 − α(λ_min + δ)|, |1 − α(λ_max + δ)|)', () => {
  // The motivating case: λ_min = −1.75, λ_max = 2.12, α = 1.
  const r = spectralRadius(1, [-1.75, -1.75], [2.12, 2.12]);
  assert.ok(Math.abs(r.rho - 2.75) < 1e-15);
  assert.deepEqual(r.rhoInterval, [r.rho, r.rho]);
  // Toy cubic: H = 0.3 I, α = 1 → 0.7.
  assert.ok(Math.abs(spectralRadius(1, [0.3, 0.3], [0.3, 0.3]).rho - 0.7) < 1e-15);
  // Damping shifts the spectrum: −1 + 1.5 = 0.5 and 2 + 1.5 = 3.5 at α = 0.25 → max(0.875, 0.125).
  assert.ok(Math.abs(spectralRadius(0.25, [-1, -1], [2, 2], 1.5).rho - 0.875) < 1e-15);
});

test('interval bounds enclose ρ for every (λ_min, λ_max) inside the intervals, and are attained', () => {
  const rng = new Rng(5);
  for (let trial = 0; trial < 200; trial++) {
    const alpha = 0.1 + 2 * rng.uniform();
    const delta = rng.uniform() < 0.5 ? 0 : rng.uniform();
    const a = -3 + 4 * rng.uniform();
    const minI: [number, number] = [a, a + 0.5 * rng.uniform()];
    const b = minI[1] + 3 * rng.uniform();
    const maxI: [number, number] = [b, b + 0.5 * rng.uniform()];
    const { rho, rhoInterval } = spectralRadius(alpha, minI, maxI, delta);
    assert.equal(rho, rhoInterval[1]);
    let lo = Infinity;
    let hi = -Infinity;
    const g = 40;
    for (let i = 0; i <= g; i++) {
      for (let j = 0; j <= g; j++) {
        const l1 = minI[0] + ((minI[1] - minI[0]) * i) / g;
        const l2 = maxI[0] + ((maxI[1] - maxI[0]) * j) / g;
        const r = Math.max(Math.abs(1 - alpha * (l1 + delta)), Math.abs(1 - alpha * (l2 + delta)));
        assert.ok(r <= rhoInterval[1] + 1e-12 && r >= rhoInterval[0] - 1e-12, `trial ${trial}`);
        lo = Math.min(lo, r);
        hi = Math.max(hi, r);
      }
    }
    assert.ok(Math.abs(hi - rhoInterval[1]) < 1e-12, 'upper bound attained');
    // The grid resolves the lower bound to within the grid step times α.
    const step = Math.max(minI[1] - minI[0], maxI[1] - maxI[0]) / g;
    assert.ok(lo - rhoInterval[0] <= alpha * step + 1e-12, 'lower bound attained');
  }
});

test('termsNeeded K = ⌈log tol / log ρ⌉ is the least K with ρ^K ≤ tol; null when ρ ≥ 1', () => {
  assert.equal(termsNeeded(0.7, 1e-3), 20); // log(1e-3)/log(0.7) = 19.37
  for (const rho of [0.1, 0.5, 0.9, 0.99, 0.999]) {
    const k = termsNeeded(rho, 1e-3) as number;
    assert.ok(rho ** k <= 1e-3 * (1 + 1e-12));
    assert.ok(rho ** (k - 1) > 1e-3 || k === 1);
  }
  assert.equal(termsNeeded(1, 1e-3), null);
  assert.equal(termsNeeded(2.75, 1e-3), null);
  assert.equal(termsNeeded(0, 1e-3), 1);
});
