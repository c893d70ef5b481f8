/**
 * The truncated Neumann series x_K = α Σ_{j=0..K} (I − αA)^j b on A = H + δI, run the way the
 * motivating snippet runs it (v ← v − α·Av; x ← x + α·v), recording what a user would print.
 */
import type { NeumannReport } from '../diagnosis/report';
import { ShiftedOperator, type LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { axpy, head, isFiniteVector, norm, scale } from '../util/vec';

export interface NeumannTermInfo {
  /** j: 0 for the initial term v_0 = b. */
  term: number;
  norm: number;
  /** ‖A x_j − b‖/‖b‖ (absolute when b = 0). */
  residual: number;
  /** ‖v_j‖/‖v_{j−1}‖; null for j = 0. (Named like the protocol's neumannTerm event.) */
  growth: number | null;
  head: number[];
}

export interface NeumannOptions {
  alpha: number;
  /** K: updates after the initial term, so terms: 10 sums j = 0..10. */
  terms: number;
  /** δ ≥ 0: run on H + δI. */
  damping?: number;
  /** Entries of v_j and x recorded per term (default 5, like print(v[:5])). */
  headLength?: number;
  signal?: AbortSignal;
  onTerm?: (info: NeumannTermInfo) => void;
}

/** The per-term record is the report's (termNorms … nonFiniteAtTerm), plus the solution itself. */
export interface NeumannSeriesResult
  extends Pick<NeumannReport, 'termNorms' | 'residuals' | 'growthRatios' | 'termHeads' | 'solutionHead' | 'nonFiniteAtTerm'> {
  /** x_j at the last finite term. */
  x: Float64Array;
  /** Index of the last term recorded (K unless stopped early). */
  lastTerm: number;
  hvps: number;
}

export async function neumannSeries(op: LinearOperator, b: Float64Array, opts: NeumannOptions): Promise<NeumannSeriesResult> {
  const n = op.size;
  if (b.length !== n) throw new RangeError(`neumannSeries: b has ${b.length} entries, operator size ${n}`);
  const { alpha } = opts;
  const terms = Math.max(0, Math.floor(opts.terms));
  const damping = opts.damping ?? 0;
  const headLength = opts.headLength ?? 5;
  const a: LinearOperator = damping !== 0 ? new ShiftedOperator(op, damping) : op;
  const start = op.matvecCount;
  const bNorm = norm(b);
  const relative = (r: number) => (bNorm > 0 ? r / bNorm : r);

  const result: NeumannSeriesResult = {
    x: scale(alpha, b),
    termNorms: [],
    residuals: [],
    growthRatios: [],
    termHeads: [],
    solutionHead: [],
    nonFiniteAtTerm: null,
    lastTerm: 0,
    hvps: 0,
  };
  // A·x_j = α Σ_{i≤j} A v_i is accumulated from the products the recurrence needs anyway; the
  // residual of x_j therefore becomes known once A v_j is computed (one extra product for j = K).
  const ax = new Float64Array(n);
  let v = Float64Array.from(b);
  let x = result.x;

  for (let j = 0; j <= terms; j++) {
    await checkpoint(opts.signal);
    const av = await a.apply(v);
    if (!isFiniteVector(av)) {
      result.nonFiniteAtTerm = j;
      break;
    }
    axpy(alpha, av, ax);
    const r = Float64Array.from(ax);
    axpy(-1, b, r);
    const vNorm = norm(v);
    const prevNorm = j > 0 ? result.termNorms[j - 1] : null;
    const info: NeumannTermInfo = {
      term: j,
      norm: vNorm,
      residual: relative(norm(r)),
      growth: prevNorm === null ? null : prevNorm === 0 ? (vNorm === 0 ? 0 : Infinity) : vNorm / prevNorm,
      head: head(v, headLength),
    };
    result.termNorms.push(info.norm);
    result.residuals.push(info.residual);
    if (info.growth !== null) result.growthRatios.push(info.growth);
    result.termHeads.push(info.head);
    result.lastTerm = j;
    result.x = x;
    opts.onTerm?.(info);
    if (j === terms) break;

    const next = Float64Array.from(v);
    axpy(-alpha, av, next);
    if (!isFiniteVector(next) || !Number.isFinite(norm(next))) {
      result.nonFiniteAtTerm = j + 1;
      break;
    }
    const xNext = Float64Array.from(x);
    axpy(alpha, next, xNext);
    v = next;
    x = xNext;
  }
  result.solutionHead = head(result.x, headLength);
  result.hvps = op.matvecCount - start;
  return result;
}
