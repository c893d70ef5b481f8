/**
 * Writes examples/: the experiment files (also the extension's "New Experiment" templates) and
 * the CSV data of the logistic-regression and tanh-classifier examples. Deterministic (fixed
 * seeds of Rng), so re-running it reproduces the committed files byte for byte.
 *   npx tsx scripts/make-examples.ts
 * The logistic-regression example's α and K come from its Hessian, computed here in float64 at
 * the optimum (Newton's method), so that its Neumann series provably converges within the terms
 * it asks for; the script prints those figures.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EigenvalueDecomposition, Matrix, solve } from 'ml-matrix';
import { Rng } from '../src/core/util/rng';

const dir = join(__dirname, '..', 'examples');

/** Two-space JSON with arrays of numbers or strings kept on one line, as a person would write it. */
function writeJson(name: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.split(/,\s+/).join(', ')}]`);
  writeFileSync(join(dir, name), text + '\n');
}

function writeCsv(name: string, header: string[], rows: number[][], digits: number[]): void {
  const lines = [header.join(','), ...rows.map((r) => r.map((v, i) => v.toFixed(digits[i])).join(','))];
  writeFileSync(join(dir, name), lines.join('\n') + '\n');
}

// ---- logistic regression: 3 standardised features, labels from a known logistic model ----
const LR = { features: 3, train: 400, validation: 200, weights: [1.5, -2, 0.5], bias: 0.3, lambda: 0.1 };

function logisticRows(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const x = Array.from({ length: LR.features }, () => rng.normal());
    const z = LR.bias + x.reduce((s, xi, j) => s + xi * LR.weights[j], 0);
    const y = rng.uniform() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    rows.push([...x, y]);
  }
  return rows;
}

/** Hessian of mean BCE + ½λ‖θ‖² at θ = (w, b), with the rows as written (rounded) to the CSV. */
function logisticHessian(rows: number[][], theta: number[]): Matrix {
  const d = LR.features + 1;
  const h = Matrix.eye(d, d).mul(LR.lambda);
  for (const r of rows) {
    const xt = [...r.slice(0, LR.features), 1];
    const p = 1 / (1 + Math.exp(-xt.reduce((s, v, j) => s + v * theta[j], 0)));
    const c = (p * (1 - p)) / rows.length;
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) h.set(i, j, h.get(i, j) + c * xt[i] * xt[j]);
  }
  return h;
}

function logisticGradient(rows: number[][], theta: number[]): number[] {
  const g = theta.map((t) => LR.lambda * t);
  for (const r of rows) {
    const xt = [...r.slice(0, LR.features), 1];
    const p = 1 / (1 + Math.exp(-xt.reduce((s, v, j) => s + v * theta[j], 0)));
    for (let j = 0; j < g.length; j++) g[j] += ((p - r[LR.features]) * xt[j]) / rows.length;
  }
  return g;
}

function eigenvalues(m: Matrix): number[] {
  return new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues.slice().sort((a, b) => a - b);
}

function roundTo(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

function makeLogistic(): void {
  const train = logisticRows(LR.train, 11).map((r) => r.map((v, i) => (i < LR.features ? roundTo(v, 4) : v)));
  const validation = logisticRows(LR.validation, 12).map((r) => r.map((v, i) => (i < LR.features ? roundTo(v, 4) : v)));
  const header = ['x1', 'x2', 'x3', 'y'];
  writeCsv('logistic-regression.train.csv', header, train, [4, 4, 4, 0]);
  writeCsv('logistic-regression.val.csv', header, validation, [4, 4, 4, 0]);

  // p(1−p) ≤ ¼ bounds the curvature everywhere: L = λ_max(¼·X̃ᵀX̃/n + λI). Gradient descent with
  // step 1/L converges from any start, so full-batch training with it reaches the optimum.
  const d = LR.features + 1;
  const gram = Matrix.eye(d, d).mul(LR.lambda);
  for (const r of train) {
    const xt = [...r.slice(0, LR.features), 1];
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) gram.set(i, j, gram.get(i, j) + (0.25 * xt[i] * xt[j]) / train.length);
  }
  const lipschitz = eigenvalues(gram)[d - 1];
  const learningRate = Math.floor((1 / lipschitz) * 10) / 10;

  let theta = new Array(d).fill(0);
  for (let it = 0; it < 50; it++) {
    const step = solve(logisticHessian(train, theta), Matrix.columnVector(logisticGradient(train, theta))).getColumn(0);
    theta = theta.map((t, j) => t - step[j]);
  }
  const ev = eigenvalues(logisticHessian(train, theta));
  const [lmin, lmax] = [ev[0], ev[d - 1]];
  // α* = 2/(λ_max+λ_min) is optimal but sits on a knife edge if training stops short of the
  // optimum; 1/λ_max keeps a margin of 2 from divergence.
  const alpha = roundTo(1 / lmax, 1);
  const rho = Math.max(Math.abs(1 - alpha * lmin), Math.abs(1 - alpha * lmax));
  const needed = Math.ceil(Math.log(1e-3) / Math.log(rho));
  const terms = Math.ceil((needed * 1.5) / 5) * 5;
  const epochs = 200;
  console.log(
    `logistic regression: L=${lipschitz.toFixed(4)} lr=${learningRate} θ*=[${theta.map((t) => t.toFixed(3))}] ` +
      `λ=[${lmin.toFixed(4)}, ${lmax.toFixed(4)}] α=${alpha} ρ=${rho.toFixed(4)} K_needed=${needed} terms=${terms}`,
  );

  writeJson('logistic-regression.neumann.json', {
    name: 'convex logistic regression',
    seed: 7,
    data: {
      train: { csv: 'logistic-regression.train.csv', target: 'y' },
      validation: { csv: 'logistic-regression.val.csv', target: 'y' },
    },
    model: { layers: [LR.features, 1], activation: 'linear' },
    loss: 'binary-cross-entropy',
    weightDecay: LR.lambda,
    training: { epochs, batchSize: LR.train, learningRate },
    neumann: { alpha, terms },
    analysis: { tolerance: 1e-3 },
  });

  // The same problem under Lorraine et al.'s loop (the "Hyperparameter loop" template): the weight
  // decay moves by the hypergradient, the Neumann one beside the exact and the identity ones.
  writeJson('hyper-logistic-regression.neumann.json', {
    name: 'hyperparameter loop: logistic regression',
    seed: 7,
    data: {
      train: { csv: 'logistic-regression.train.csv', target: 'y' },
      validation: { csv: 'logistic-regression.val.csv', target: 'y' },
    },
    model: { layers: [LR.features, 1], activation: 'linear' },
    loss: 'binary-cross-entropy',
    weightDecay: LR.lambda,
    training: { epochs: 50, batchSize: LR.train, learningRate },
    neumann: { alpha, terms },
    hyper: {
      steps: 15,
      innerSteps: 20,
      granularity: 'global',
      optimizer: { kind: 'sgd', learningRate: 20 },
      inverse: 'neumann',
      reference: 'exact',
      compare: ['exact', 'identity'],
    },
  });
}

// ---- tanh classifier: three Gaussian blobs in the plane, one per class ----
function blobRows(n: number, seed: number): number[][] {
  const rng = new Rng(seed);
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    const angle = (2 * Math.PI * c) / 3;
    rows.push([1.5 * Math.cos(angle) + 0.6 * rng.normal(), 1.5 * Math.sin(angle) + 0.6 * rng.normal(), c]);
  }
  return rows;
}

function makeTanh(): void {
  const header = ['x1', 'x2', 'class'];
  writeCsv('tanh-classifier.train.csv', header, blobRows(300, 21), [4, 4, 0]);
  writeCsv('tanh-classifier.val.csv', header, blobRows(150, 22), [4, 4, 0]);
  writeJson('tanh-classifier.neumann.json', {
    name: 'tanh classifier (3 classes)',
    seed: 3,
    data: {
      train: { csv: 'tanh-classifier.train.csv', target: 'class' },
      validation: { csv: 'tanh-classifier.val.csv', target: 'class' },
    },
    model: { layers: [2, 8, 3], activation: 'tanh' },
    loss: 'cross-entropy',
    weightDecay: 0.01,
    training: { epochs: 60, batchSize: 32, learningRate: 0.1 },
    neumann: { alpha: 1, terms: 20 },
    analysis: { trackEpochs: true },
  });
}

// ---- the motivating report's two scripts ----
function makeSeedExamples(): void {
  writeJson('seed-regression.neumann.json', {
    name: 'seed regression (the motivating report)',
    seed: 123,
    data: { synthetic: { kind: 'seed-regression', n: 1000 } },
    model: { layers: [1, 8, 4, 1], activation: 'relu' },
    loss: 'mse',
    weightDecay: 0.1,
    training: { epochs: 1, batchSize: 32, learningRate: 0.01 },
    neumann: { alpha: 1, terms: 10 },
    analysis: { exactMaxParams: 2000, tolerance: 1e-3, maxLanczosSteps: 80 },
  });
  writeJson('seed-toy-cubic.neumann.json', {
    name: 'toy cubic: f(x) = sum of x_i^3 at (0.05, 0.05)',
    problem: { kind: 'sum-of-cubes', point: [0.05, 0.05] },
    neumann: { alpha: 1, terms: 50, vector: [1, 1] },
  });
}

mkdirSync(dir, { recursive: true });
makeSeedExamples();
makeLogistic();
makeTanh();
console.log(`wrote ${dir}`);
