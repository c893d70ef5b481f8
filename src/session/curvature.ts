/**
 * Where the curvature is and how much of it is negative: the spectral density (SLQ on the Lanczos
 * path, the eigenvalues themselves on the exact path) and the share of each state_dict tensor in
 * the eigenvectors of λ_min and λ_max.
 */
import type { SymmetricFactorization } from '../core/algorithms/dense-eigen';
import type { LanczosResult } from '../core/algorithms/lanczos';
import { broaden, stochasticLanczosQuadrature } from '../core/algorithms/slq';
import { tensorShare, type TensorSlot } from '../core/algorithms/tensor-share';
import type { EigenvectorReport, SpectralDensity, SpectrumReport } from '../core/diagnosis/report';
import type { LinearOperator } from '../core/operators/linear-operator';

/** Rademacher probes and Lanczos steps per probe: 4 × 40 HVPs, batched through applyMany. */
export const DENSITY_PROBES = 4;
export const DENSITY_STEPS = 40;
const GRID_POINTS = 200;

export type CurvatureFacts = Pick<SpectrumReport, 'density' | 'bottomEigenvector' | 'topEigenvector' | 'negativeCountStdErr' | 'negativeCountInterval'> & {
  /** The SLQ estimate n·fraction on the Lanczos path; null on the exact path (counted there). */
  negativeCountEstimate: number | null;
};

/** Exact path: the density of the eigenvalues (broadened like SLQ) and the eigenvectors' shares. */
export function exactCurvature(factor: SymmetricFactorization, threshold: number, layout: readonly TensorSlot[] | null): CurvatureFacts {
  const values = Array.from(factor.values);
  const n = values.length;
  const { grid, values: density, sigma } = broaden([{ nodes: values, weights: values.map(() => 1 / n) }], undefined, GRID_POINTS);
  const fraction = values.filter((l) => l < -threshold).length / n;
  const bottom = factor.eigenvector(0);
  const top = factor.eigenvector(n - 1);
  return {
    density: { method: 'exact', grid, values: density, sigma, probes: 0, steps: 0, hvps: 0, negativeFraction: fraction, negativeFractionStdErr: 0, negativeFractionInterval: [fraction, fraction] },
    bottomEigenvector: eigenvectorReport(bottom.value, bottom.residual, bottom.vector, layout),
    topEigenvector: eigenvectorReport(top.value, top.residual, top.vector, layout),
    negativeCountStdErr: null,
    negativeCountInterval: null,
    negativeCountEstimate: null,
  };
}

export interface LanczosCurvatureOptions {
  seed: number;
  threshold: number;
  layout: readonly TensorSlot[] | null;
  signal?: AbortSignal;
  onProbe?: (info: { probes: number; hvps: number }) => void;
}

/** Lanczos path: SLQ density with the negative fraction's error bar, and the Ritz vectors' shares. */
export async function lanczosCurvature(op: LinearOperator, run: LanczosResult, opts: LanczosCurvatureOptions): Promise<CurvatureFacts> {
  const n = op.size;
  const slq = await stochasticLanczosQuadrature(op, {
    probes: DENSITY_PROBES,
    steps: Math.min(DENSITY_STEPS, n),
    seed: opts.seed,
    threshold: opts.threshold,
    gridPoints: GRID_POINTS,
    signal: opts.signal,
    onProbe: opts.onProbe,
  });
  const density: SpectralDensity = {
    method: 'slq',
    grid: slq.grid,
    values: slq.values,
    sigma: slq.sigma,
    probes: slq.probes,
    steps: slq.steps,
    hvps: slq.hvps,
    negativeFraction: slq.negativeFraction,
    negativeFractionStdErr: slq.negativeFractionStdErr,
    negativeFractionInterval: slq.negativeFractionInterval,
  };
  return {
    density,
    bottomEigenvector: eigenvectorReport(run.lambdaMin.value, run.lambdaMin.residual, run.ritzVectors.min, opts.layout),
    topEigenvector: eigenvectorReport(run.lambdaMax.value, run.lambdaMax.residual, run.ritzVectors.max, opts.layout),
    negativeCountStdErr: slq.negativeCount.stdErr,
    negativeCountInterval: [n * slq.negativeFractionInterval[0], n * slq.negativeFractionInterval[1]],
    negativeCountEstimate: slq.negativeCount.estimate,
  };
}

function eigenvectorReport(value: number, residual: number, v: Float64Array, layout: readonly TensorSlot[] | null): EigenvectorReport {
  return { value, residual, tensorShare: layout ? tensorShare(v, layout) : {} };
}
