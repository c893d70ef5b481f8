/**
 * Spectral density by stochastic Lanczos quadrature (Lin, Saad & Yang 2016; PyHessian, Ghorbani
 * et al. 2019). For a Rademacher probe z, μ_z = Σ_i (q_iᵀz)²/n · δ(λ − λ_i) has expectation the
 * eigenvalue distribution of H; m Lanczos steps from z/√n give its m-point Gauss rule: nodes =
 * Ritz values, weights = squared first components of T_m's eigenvectors. The density is the
 * probe average broadened by Gaussians. The fraction of negative eigenvalues comes with the
 * probes' standard error and, per probe, the Chebyshev–Markov–Stieltjes bracket of the Gauss
 * rule (the exact distribution function lies between partial sums of the weights), so the error
 * of using m nodes is stated too, not only the sampling error.
 */
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { axpy, dot, norm, scale } from '../util/vec';
import { reorthogonalize } from './lanczos';
import { tridiagonalEigen } from './tridiagonal';

export interface SlqOptions {
  probes: number;
  /** Lanczos steps per probe (fewer when the Krylov space is exhausted: the rule is then exact). */
  steps: number;
  seed: number;
  /** Gaussian broadening σ (default 1 % of the nodes' range). */
  sigma?: number;
  /** Grid points of the density (default 400). */
  gridPoints?: number;
  /** Eigenvalues below −threshold count as negative (default 0; pass the rounding allowance). */
  threshold?: number;
  /** Probes run side by side through applyMany (default: as many as fit in ~256 MB of bases). */
  batch?: number;
  signal?: AbortSignal;
  onProbe?: (info: { probes: number; hvps: number }) => void;
}

export interface GaussRule {
  /** Ascending Ritz values. */
  nodes: number[];
  /** Sum to 1. */
  weights: number[];
}

export interface EstimateWithError {
  estimate: number;
  /** Across probes (null with one probe). */
  stdErr: number | null;
  /** Mean over probes of the Gauss rule's bracket [lower, upper] (Chebyshev–Markov–Stieltjes). */
  bounds: [number, number];
}

export interface SlqResult {
  grid: number[];
  /** Density on the grid; the trapezoid rule over the grid integrates it to 1. */
  values: number[];
  sigma: number;
  probes: number;
  /** Lanczos steps per probe (the largest, when some probe's space was exhausted earlier). */
  steps: number;
  hvps: number;
  negativeFraction: number;
  negativeFractionStdErr: number | null;
  negativeFractionBounds: [number, number];
  /**
   * Both errors together: the bracket widened by two standard errors, clipped to [0, 1]. This is
   * what to show: when negative eigenvalues are tiny next to λ_max, m nodes cannot resolve them
   * and the point estimate can sit many standard errors from the truth, inside this interval.
   */
  negativeFractionInterval: [number, number];
  /** True when the Gauss rule's bracket is wider than ±2 standard errors: more steps, not probes, would help. */
  quadratureLimited: boolean;
  /** n × the fraction, with its error bar and bracket. */
  negativeCount: EstimateWithError;
  threshold: number;
  quadrature: GaussRule[];
}

/** Bytes of Lanczos bases held at once when `batch` is not given. */
const BASIS_BUDGET_BYTES = 256 * 2 ** 20;

export async function stochasticLanczosQuadrature(op: LinearOperator, opts: SlqOptions): Promise<SlqResult> {
  const n = op.size;
  if (n === 0) throw new RangeError('stochasticLanczosQuadrature: operator of size 0');
  const probes = Math.floor(opts.probes);
  if (!(probes >= 1)) throw new RangeError(`stochasticLanczosQuadrature: probes must be ≥ 1, got ${opts.probes}`);
  const steps = Math.min(Math.max(1, Math.floor(opts.steps)), n);
  const threshold = opts.threshold ?? 0;
  const batch = Math.max(1, Math.min(probes, Math.floor(opts.batch ?? BASIS_BUDGET_BYTES / (8 * n * (steps + 1)))));
  const rng = new Rng(opts.seed);
  const start = op.matvecCount;
  const rules: GaussRule[] = [];
  while (rules.length < probes) {
    const k = Math.min(batch, probes - rules.length);
    const starts = Array.from({ length: k }, () => scale(1 / Math.sqrt(n), rng.rademacherVector(n)));
    rules.push(...(await lockstepLanczos(op, starts, steps, opts.signal)));
    opts.onProbe?.({ probes: rules.length, hvps: op.matvecCount - start });
  }
  const fractions = rules.map((r) => negativeMass(r, threshold));
  const est = meanWithError(fractions.map((f) => f.value));
  const lower = mean(fractions.map((f) => f.lower));
  const upper = mean(fractions.map((f) => f.upper));
  const density = broaden(rules, opts.sigma, opts.gridPoints ?? 400);
  const margin = 2 * (est.stdErr ?? 0);
  return {
    ...density,
    probes,
    steps: Math.max(...rules.map((r) => r.nodes.length)),
    hvps: op.matvecCount - start,
    negativeFraction: est.mean,
    negativeFractionStdErr: est.stdErr,
    negativeFractionBounds: [lower, upper],
    negativeFractionInterval: [Math.max(0, lower - margin), Math.min(1, upper + margin)],
    quadratureLimited: upper - lower > 2 * margin,
    negativeCount: { estimate: n * est.mean, stdErr: est.stdErr === null ? null : n * est.stdErr, bounds: [n * lower, n * upper] },
    threshold,
    quadrature: rules,
  };
}

/** Independent Lanczos runs from each start, one applyMany per step, full reorthogonalisation. */
async function lockstepLanczos(op: LinearOperator, starts: Float64Array[], steps: number, signal?: AbortSignal): Promise<GaussRule[]> {
  const runs = starts.map((q) => ({ basis: [q], alpha: [] as number[], beta: [] as number[], done: false }));
  for (let m = 1; m <= steps; m++) {
    await checkpoint(signal);
    const active = runs.filter((r) => !r.done);
    if (active.length === 0) break;
    const products = await op.applyMany(active.map((r) => r.basis[m - 1]));
    active.forEach((r, i) => {
      const w = products[i];
      const q = r.basis[m - 1];
      const a = dot(q, w);
      axpy(-a, q, w);
      if (m > 1) axpy(-r.beta[m - 2], r.basis[m - 2], w);
      reorthogonalize(w, r.basis);
      r.alpha.push(a);
      const b = norm(w);
      const spectralScale = Math.max(...r.alpha.map(Math.abs), ...r.beta.map(Math.abs), Number.MIN_VALUE);
      // β ≈ 0: the Krylov space is invariant and the Gauss rule already exact.
      if (m === steps || b <= 1e-12 * spectralScale) {
        r.done = true;
        return;
      }
      r.beta.push(b);
      r.basis.push(scale(1 / b, w));
    });
  }
  return runs.map((r) => {
    const m = r.alpha.length;
    const e1 = new Float64Array(m);
    e1[0] = 1;
    const { values, rows } = tridiagonalEigen(r.alpha, r.beta.slice(0, m - 1), { rows: e1, components: 1 });
    return { nodes: Array.from(values), weights: Array.from(rows as Float64Array, (s) => s * s) };
  });
}

/**
 * Weight of the nodes below t = −threshold, and the Chebyshev–Markov–Stieltjes bracket of the true
 * μ_z((−∞, t)): with θ_j < t ≤ θ_{j+1}, Σ_{k<j} w_k ≤ μ_z((−∞, t)) ≤ Σ_{k≤j+1} w_k.
 */
function negativeMass(rule: GaussRule, threshold: number): { value: number; lower: number; upper: number } {
  const t = -threshold;
  let value = 0;
  let j = -1;
  rule.nodes.forEach((x, k) => {
    if (x < t) {
      value += rule.weights[k];
      j = k;
    }
  });
  const lower = j >= 0 ? value - rule.weights[j] : 0;
  const upper = j + 1 < rule.nodes.length ? value + rule.weights[j + 1] : value;
  return { value, lower: Math.max(0, lower), upper: Math.min(1, upper) };
}

/**
 * The probe average of the rules broadened by Gaussians of width σ (default 1 % of the nodes'
 * range) on an even grid over the nodes ± 5σ, normalised so the trapezoid rule gives 1. Also the
 * dense path's density: one rule with every eigenvalue as a node of weight 1/n.
 */
export function broaden(rules: GaussRule[], sigmaOpt: number | undefined, points: number): { grid: number[]; values: number[]; sigma: number } {
  if (!(points >= 2)) throw new RangeError(`stochasticLanczosQuadrature: gridPoints must be ≥ 2, got ${points}`);
  const all = rules.flatMap((r) => r.nodes);
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  const sigma = sigmaOpt ?? Math.max(0.01 * (hi - lo), 1e-3 * Math.max(Math.abs(lo), Math.abs(hi)), Number.MIN_VALUE);
  if (!(sigma > 0)) throw new RangeError(`stochasticLanczosQuadrature: sigma must be > 0, got ${sigmaOpt}`);
  const a = lo - 5 * sigma;
  const h = (hi + 5 * sigma - a) / (points - 1);
  const grid = Array.from({ length: points }, (_, i) => a + i * h);
  const values = new Array<number>(points).fill(0);
  const c = 1 / (rules.length * sigma * Math.sqrt(2 * Math.PI));
  for (const r of rules) {
    r.nodes.forEach((x, k) => {
      const w = r.weights[k] * c;
      for (let i = 0; i < points; i++) {
        const z = (grid[i] - x) / sigma;
        values[i] += w * Math.exp(-0.5 * z * z);
      }
    });
  }
  // The ±5σ margins lose < 1e-6 of the mass and the grid step adds rounding of the rule: rescale
  // so that the trapezoid rule over the grid gives exactly 1, as the report promises.
  let integral = 0;
  for (let i = 0; i + 1 < points; i++) integral += 0.5 * h * (values[i] + values[i + 1]);
  return { grid, values: values.map((v) => v / integral), sigma };
}

function mean(xs: number[]): number {
  return xs.reduce((s, x) => s + x, 0) / xs.length;
}

function meanWithError(xs: number[]): { mean: number; stdErr: number | null } {
  const m = mean(xs);
  if (xs.length < 2) return { mean: m, stdErr: null };
  const ss = xs.reduce((s, x) => s + (x - m) * (x - m), 0);
  return { mean: m, stdErr: Math.sqrt(ss / (xs.length - 1) / xs.length) };
}
