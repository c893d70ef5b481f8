/**
 * x ≈ H⁻¹b for one hyper-step, by the chosen inverse:
 *   neumann   x = α Σ_{j=0..K} (I − α(H+δI))^j b  (core/algorithms/neumann: the diagnosis' series and terms)
 *   cg        conjugate gradient on H + δI (the system the damped series approximates)
 *   exact     a dense solve of H itself (the implicit function theorem's H⁻¹b; small models)
 *   identity  x = b (H taken as I: the cheap baseline of Lorraine et al.'s comparisons)
 * A method that produced no usable solution returns x = null with its status, never a number
 * built from garbage.
 */
import { conjugateGradient } from '../algorithms/cg';
import type { SymmetricFactorization } from '../algorithms/dense-eigen';
import { neumannSeries } from '../algorithms/neumann';
import type { InverseStatus } from '../diagnosis/hyper-report';
import { ShiftedOperator, type LinearOperator } from '../operators/linear-operator';
import { isFiniteVector } from '../util/vec';
import type { InverseKind } from './settings';

export interface InverseResult {
  x: Float64Array | null;
  status: InverseStatus;
}

export interface InverseInputs {
  op: LinearOperator;
  b: Float64Array;
  /** The assembled H's factorisation; required for `exact`. */
  factor: SymmetricFactorization | null;
  alpha: number;
  terms: number;
  damping: number;
  cg: { rtol: number; maxIter: number };
  signal?: AbortSignal;
}

export async function solveInverse(kind: InverseKind, inp: InverseInputs): Promise<InverseResult> {
  switch (kind) {
    case 'identity':
      return { x: Float64Array.from(inp.b), status: 'ok' };
    case 'exact': {
      if (!inp.factor) throw new Error('exact inverse without an assembled Hessian');
      const r = inp.factor.solve(inp.b);
      return r.x ? { x: r.x, status: 'ok' } : { x: null, status: 'singular' };
    }
    case 'cg': {
      const a = inp.damping !== 0 ? new ShiftedOperator(inp.op, inp.damping) : inp.op;
      const r = await conjugateGradient(a, inp.b, { rtol: inp.cg.rtol, maxIter: inp.cg.maxIter, signal: inp.signal });
      if (r.status === 'indefinite') return { x: null, status: 'indefinite' };
      return { x: r.x, status: r.status === 'converged' ? 'ok' : 'max-iterations' };
    }
    case 'neumann': {
      if (!Number.isFinite(inp.alpha)) return { x: null, status: 'non-finite' };
      const r = await neumannSeries(inp.op, inp.b, { alpha: inp.alpha, terms: inp.terms, damping: inp.damping, headLength: 0, signal: inp.signal });
      // A series that overflowed keeps its last finite partial sum, which is not the answer.
      if (r.nonFiniteAtTerm !== null || !isFiniteVector(r.x)) return { x: null, status: 'non-finite' };
      return { x: r.x, status: 'ok' };
    }
  }
}
