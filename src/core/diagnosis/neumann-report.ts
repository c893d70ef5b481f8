/** The report's `neumann` block from a series run, the spectral radius and the verdict. */
import type { NeumannSeriesResult } from '../algorithms/neumann';
import type { NeumannReport, Verdict } from './report';
import type { SpectralRadius } from './spectral-radius';

export function neumannReport(
  series: NeumannSeriesResult,
  config: { alpha: number; terms: number; damping: number },
  radius: SpectralRadius,
  verdict: Verdict,
): NeumannReport {
  return {
    alpha: config.alpha,
    terms: config.terms,
    damping: config.damping,
    rho: radius.rho,
    rhoInterval: radius.rhoInterval,
    verdict,
    termNorms: series.termNorms,
    residuals: series.residuals,
    growthRatios: series.growthRatios,
    termHeads: series.termHeads,
    solutionHead: series.solutionHead,
    nonFiniteAtTerm: series.nonFiniteAtTerm,
  };
}
