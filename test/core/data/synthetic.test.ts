import { test } from 'node:test';
import assert from 'node:assert/strict';
import { seedRegression, syntheticSplits } from '../../../src/core/data/synthetic';

/** Ordinary least squares y ≈ a·x + b in float64, and the residual standard deviation. */
function fit(x: Float32Array, y: Float32Array): { a: number; b: number; sigma: number } {
  const n = x.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i] / n;
    my += y[i] / n;
  }
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const a = sxy / sxx;
  const b = my - a * mx;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i] - a * x[i] - b) ** 2;
  return { a, b, sigma: Math.sqrt(ss / (n - 2)) };
}

test('seed regression follows y = 2x + 1 + 0.1·ε with x ~ N(0,1)', () => {
  const d = seedRegression(20000, 5);
  assert.equal(d.rows, 20000);
  assert.equal(d.features, 1);
  assert.deepEqual(d.featureNames, ['x']);
  assert.equal(d.targetName, 'y');
  const { a, b, sigma } = fit(d.x, d.y);
  // Standard errors at n = 20000: slope and intercept ~7e-4, so these bounds are > 10σ.
  assert.ok(Math.abs(a - 2) < 0.01, `slope ${a}`);
  assert.ok(Math.abs(b - 1) < 0.01, `intercept ${b}`);
  assert.ok(Math.abs(sigma - 0.1) < 0.005, `noise ${sigma}`);
  let mean = 0;
  let sq = 0;
  for (const v of d.x) {
    mean += v / d.rows;
    sq += (v * v) / d.rows;
  }
  assert.ok(Math.abs(mean) < 0.05 && Math.abs(sq - mean * mean - 1) < 0.05, `x moments ${mean}, ${sq}`);
});

test('splits are reproducible, independent, and drawn from seed and seed + 1', () => {
  const a = syntheticSplits({ kind: 'seed-regression', n: 50 }, 123);
  const b = syntheticSplits({ kind: 'seed-regression', n: 50 }, 123);
  assert.deepEqual(Array.from(a.train.x), Array.from(b.train.x));
  assert.deepEqual(Array.from(a.validation.y), Array.from(b.validation.y));
  assert.notDeepEqual(Array.from(a.train.x), Array.from(a.validation.x));
  assert.deepEqual(Array.from(a.validation.x), Array.from(seedRegression(50, 124).x));
  assert.equal(a.validation.rows, 50);
  assert.match(a.train.source, /seed-regression n=50/);
});
