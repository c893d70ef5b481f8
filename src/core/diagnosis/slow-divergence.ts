/**
 * A series proven divergent (ρ > 1) whose computed terms still shrink: b has little weight on
 * the directions that grow, so the divergence has not shown yet. Pure.
 *
 * When it can show at the earliest, in closed form: M = I − α(H + δI) is symmetric, so
 * ‖M‖₂ = ρ and ‖v_j‖ = ‖M^{j−K} v_K‖ ≤ ρ^{j−K}‖v_K‖ for j ≥ K. The terms therefore cannot grow
 * back to the size of the first one, ‖v_0‖ = ‖b‖, before
 *     j* = K + ln(‖v_0‖/‖v_K‖) / ln ρ  =  K·(1 + ln(1/r̄) / ln ρ),
 * with r̄ = (‖v_K‖/‖v_0‖)^{1/K} the observed mean term ratio; from there on they at most double
 * every ln 2 / ln ρ terms. ρ is the report's conservative upper bound, so j* is a lower bound.
 */
import { fmtNum, isDivergent } from './format';
import type { NeumannReport } from './report';

export interface SlowDivergence {
  rho: number;
  /** K: the last computed term. */
  terms: number;
  /** ‖v_K‖/‖v_0‖ (< 1). */
  shrink: number;
  /** r̄ = (‖v_K‖/‖v_0‖)^{1/K}. */
  meanRatio: number;
  /** The first term that can be as large as v_0: ⌈K + ln(‖v_0‖/‖v_K‖)/ln ρ⌉. */
  earliestTerm: number;
  /** ln 2 / ln ρ: terms per doubling, at most, once the growing directions dominate. */
  doublingTerms: number;
  text: string;
}

export function slowDivergence(n: NeumannReport): SlowDivergence | null {
  const norms = n.termNorms;
  const K = norms.length - 1;
  if (!isDivergent(n.verdict) || n.nonFiniteAtTerm !== null || K < 1) return null;
  const rho = n.rho;
  const first = norms[0];
  const last = norms[K];
  if (!(n.rhoInterval[0] > 1) || !Number.isFinite(rho) || !(first > 0) || !(last > 0) || !(last < first)) return null;
  if (!norms.every(Number.isFinite)) return null;
  const shrink = last / first;
  const logRho = Math.log(rho);
  const earliestTerm = Math.ceil(K + Math.log(first / last) / logRho);
  const meanRatio = Math.pow(shrink, 1 / K);
  const doublingTerms = Math.LN2 / logRho;
  const text =
    `The divergence is slow and has not shown yet: ρ = ${fmtNum(rho)} > 1, but over the K = ${K} computed terms the terms shrank ` +
    `(×${fmtNum(meanRatio)} per term on average, ‖v_${K}‖/‖v_0‖ = ${fmtNum(shrink)}), because b has little weight on the directions that grow. ` +
    `Each term is at most ρ times the one before, so they cannot grow back to the size of v_0 before term ${earliestTerm} ` +
    `(K + ln(‖v_0‖/‖v_K‖)/ln ρ), and after that they at most double every ${fmtNum(Math.round(doublingTerms))} terms. ` +
    `More terms will not make the series converge.`;
  return { rho, terms: K, shrink, meanRatio, earliestTerm, doublingTerms, text };
}
