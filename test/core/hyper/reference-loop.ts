/**
 * An independent float64 implementation of the hyperparameter loop (the algorithm, read
 * from the issue, not from src/core/hyper): plain loops on the float64 reference MLP
 * (src/core/reference/mlp64.ts: analytic gradient, Hessian by central differences of it),
 * ml-matrix for eigenvalues and solves, its own batch order, groups, Neumann sum, CG and
 * optimisers written from torch.optim's documented update rules. Shares with the product only
 * the parameter layout and the seeded permutation generator (the order is part of the input).
 */
import { EigenvalueDecomposition, LuDecomposition, Matrix } from 'ml-matrix';
import type { Dataset } from '../../../src/core/data/dataset';
import type { MlpSpec } from '../../../src/core/model/mlp';
import { referenceHessian, referenceObjective } from '../../../src/core/reference/mlp64';
import { Rng } from '../../../src/core/util/rng';

export interface ReferenceSettings {
  steps: number;
  innerSteps: number;
  granularity: 'global' | 'per-tensor' | 'per-parameter';
  optimizer: { kind: 'sgd' | 'adam' | 'rmsprop'; learningRate: number };
  inverse: 'neumann' | 'cg' | 'exact' | 'identity';
  reference: 'exact' | 'cg' | 'none';
  weightDecay: number;
  learningRate: number;
  batchSize: number;
  alpha: number | 'auto';
  terms: number;
  damping: number;
  /** SGD steps taken before the loop (the batch order continues from there), and its seed. */
  orderSeed: number;
  stepsBefore: number;
  /** When true, the order restarts each hyper-step: a deliberately wrong variant. */
  restartOrder?: boolean;
}

export interface ReferenceStep {
  hypergradient: number[];
  weightDecay: number[];
  trainLoss: number;
  validationLoss: number;
  alpha: number;
  rho: number;
  lambdaMax: number;
  lambdaMin: number;
  referenceHypergradient: number[] | null;
  relativeError: number | null;
  cosine: number | null;
}

/** Group index of each parameter: weights then bias of each layer, in PyTorch order. */
function groupsOf(layers: number[], g: ReferenceSettings['granularity']): { of: number[]; count: number } {
  const of: number[] = [];
  let tensor = 0;
  for (let l = 1; l < layers.length; l++) {
    for (let k = 0; k < layers[l - 1] * layers[l]; k++) of.push(tensor);
    tensor++;
    for (let k = 0; k < layers[l]; k++) of.push(tensor);
    tensor++;
  }
  if (g === 'global') return { of: of.map(() => 0), count: 1 };
  if (g === 'per-tensor') return { of, count: tensor };
  return { of: of.map((_, i) => i), count: of.length };
}

function subset(data: Dataset, idx: number[]): Dataset {
  const d = data.features;
  const x = new Float32Array(idx.length * d);
  idx.forEach((r, k) => x.set(data.x.subarray(r * d, (r + 1) * d), k * d));
  return { ...data, rows: idx.length, x, y: Float32Array.from(idx, (r) => data.y[r]) };
}

/** Global SGD step s (0-based) uses epoch ⌊s/E⌋'s permutation (one drawn per epoch from the seed), slice s mod E. */
function batchAt(rows: number, batchSize: number, seed: number, s: number): number[] {
  const b = Math.min(batchSize, rows);
  const perEpoch = Math.ceil(rows / b);
  const rng = new Rng(seed);
  let perm = rng.permutation(rows);
  for (let e = 0; e < Math.floor(s / perEpoch); e++) perm = rng.permutation(rows);
  const within = s % perEpoch;
  return Array.from(perm.subarray(within * b, Math.min((within + 1) * b, rows)));
}

const dotp = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
const l2 = (a: number[]) => Math.sqrt(dotp(a, a));
const matvec = (h: number[][], v: number[]) => h.map((row) => dotp(row, v));

function neumann(h: number[][], b: number[], alpha: number, terms: number, damping: number): number[] | null {
  let v = [...b];
  const x = b.map((bi) => alpha * bi);
  for (let j = 1; j <= terms; j++) {
    const hv = matvec(h, v);
    v = v.map((vi, i) => vi - alpha * (hv[i] + damping * vi));
    for (let i = 0; i < x.length; i++) x[i] += alpha * v[i];
  }
  return x.every(Number.isFinite) ? x : null;
}

function solve(h: number[][], b: number[], shift: number): number[] | null {
  const a = new Matrix(h.map((row, i) => row.map((v, j) => v + (i === j ? shift : 0))));
  const lu = new LuDecomposition(a);
  if (lu.isSingular()) return null;
  return lu.solve(Matrix.columnVector(b)).to1DArray();
}

function inverse(kind: ReferenceSettings['inverse'], h: number[][], b: number[], s: ReferenceSettings, alpha: number, lambdaMin: number): number[] | null {
  if (kind === 'identity') return [...b];
  if (kind === 'exact') return solve(h, b, 0);
  // CG to convergence on a small SPD system is its solution, the dense solve of H + δI; on an
  // indefinite one it has none.
  if (kind === 'cg') return lambdaMin + s.damping > 0 ? solve(h, b, s.damping) : null;
  return neumann(h, b, alpha, s.terms, s.damping);
}

function optimizer(kind: ReferenceSettings['optimizer']['kind'], lr: number, size: number): (phi: number[], g: number[]) => void {
  const m = new Array<number>(size).fill(0);
  const v = new Array<number>(size).fill(0);
  let t = 0;
  if (kind === 'sgd') return (phi, g) => phi.forEach((_, i) => (phi[i] -= lr * g[i]));
  if (kind === 'rmsprop') {
    return (phi, g) => {
      for (let i = 0; i < size; i++) {
        v[i] = 0.99 * v[i] + 0.01 * g[i] * g[i];
        phi[i] -= (lr * g[i]) / (Math.sqrt(v[i]) + 1e-8);
      }
    };
  }
  return (phi, g) => {
    t++;
    for (let i = 0; i < size; i++) {
      m[i] = 0.9 * m[i] + 0.1 * g[i];
      v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
      const mHat = m[i] / (1 - 0.9 ** t);
      const vHat = v[i] / (1 - 0.999 ** t);
      phi[i] -= (lr * mHat) / (Math.sqrt(vHat) + 1e-8);
    }
  };
}

export function referenceLoop(spec: MlpSpec, train: Dataset, validation: Dataset, w0: Float64Array, s: ReferenceSettings): ReferenceStep[] {
  const data0 = { ...spec, weightDecay: 0 };
  const { of, count } = groupsOf(spec.layers, s.granularity);
  const phi = new Array<number>(count).fill(Math.log(s.weightDecay));
  const step = optimizer(s.optimizer.kind, s.optimizer.learningRate, count);
  const w = Float64Array.from(w0);
  const out: ReferenceStep[] = [];
  let sgdSteps = s.stepsBefore;
  for (let t = 1; t <= s.steps; t++) {
    const lambda = of.map((g) => Math.exp(phi[g]));
    for (let k = 0; k < s.innerSteps; k++) {
      const rows = batchAt(train.rows, s.batchSize, s.orderSeed, s.restartOrder ? s.stepsBefore + k : sgdSteps++);
      const g = referenceObjective(data0, subset(train, rows), w).grad;
      for (let i = 0; i < w.length; i++) w[i] -= s.learningRate * (g[i] + lambda[i] * w[i]);
    }
    const n = w.length;
    const flat = referenceHessian(data0, train, w);
    const h = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => flat[i * n + j] + (i === j ? lambda[i] : 0)));
    const eig = new EigenvalueDecomposition(new Matrix(h), { assumeSymmetric: true }).realEigenvalues;
    const lambdaMin = Math.min(...eig);
    const lambdaMax = Math.max(...eig);
    const alpha = s.alpha === 'auto' ? 1 / (lambdaMax + s.damping) : s.alpha;
    const rho = Math.max(Math.abs(1 - alpha * (lambdaMin + s.damping)), Math.abs(1 - alpha * (lambdaMax + s.damping)));
    const val = referenceObjective(data0, validation, w);
    const b = Array.from(val.grad);
    const hyper = (x: number[]) => {
      const g = new Array<number>(count).fill(0);
      for (let i = 0; i < n; i++) g[of[i]] -= x[i] * lambda[i] * w[i];
      return g;
    };
    const x = inverse(s.inverse, h, b, s, alpha, lambdaMin);
    const xRef = s.reference === 'none' ? null : inverse(s.reference, h, b, s, alpha, lambdaMin);
    const g = x ? hyper(x) : new Array<number>(count).fill(NaN);
    const gRef = xRef ? hyper(xRef) : null;
    const diff = gRef ? g.map((v, i) => v - gRef[i]) : null;
    if (x) step(phi, g);
    out.push({
      hypergradient: g,
      weightDecay: phi.map(Math.exp),
      trainLoss: referenceObjective(data0, train, w).loss,
      validationLoss: val.loss,
      alpha,
      rho,
      lambdaMax,
      lambdaMin,
      referenceHypergradient: gRef,
      relativeError: gRef && diff && x ? l2(diff) / l2(gRef) : null,
      cosine: gRef && x ? dotp(g, gRef) / (l2(g) * l2(gRef)) : null,
    });
    if (!x) break;
  }
  return out;
}
