/**
 * The versioned diagnosis report (schemaVersion 1): what the CLI prints as JSON, what the worker
 * sends to the extension, what the panel renders and what Export writes. Every number in it is
 * computed by the run that produced it.
 */
import type { BackendName } from '../config/experiment';

export type Interval = [lo: number, hi: number];

/**
 * `inconclusive`: this run's bounds do not decide ρ against 1 — an end of the spectrum did not
 * converge (a Ritz value only bounds the extreme from inside), or ρ's interval straddles 1.
 */
export type Verdict = 'converges' | 'slow' | 'diverges-step-too-large' | 'diverges-negative-curvature' | 'inconclusive';

export type SpectrumMethod = 'exact' | 'lanczos' | 'power';

export interface ExtremeEstimate {
  value: number;
  /** Contains an eigenvalue of H (Ritz value ± residual norm; exact path: zero width up to rounding). */
  interval: Interval;
  residual: number;
  converged: boolean;
}

export interface PowerCrossCheck {
  lambdaMax: ExtremeEstimate;
  lambdaMin: ExtremeEstimate;
  iterations: { max: number; min: number };
  hvps: number;
}

export interface SpectrumReport {
  method: SpectrumMethod;
  lambdaMax: number;
  lambdaMin: number;
  lambdaMaxInterval: Interval;
  lambdaMinInterval: Interval;
  converged: { max: boolean; min: boolean };
  /** All eigenvalues ascending (exact path only). */
  eigenvalues: number[] | null;
  negativeCount: number | null;
  conditionNumber: number | null;
  trace: number | null;
  traceStdErr: number | null;
  /** HVPs spent on the spectrum (all methods). */
  hvps: number;
  /**
   * Absolute widening already included in the intervals for the rounding of the float32 HVPs
   * (Weyl: |λᵢ(H̃) − λᵢ(H)| ≤ ‖H̃ − H‖₂), estimated as γ_N·max|λ| with γ_N = N·u/(1 − N·u),
   * u = 2⁻²⁴ and N the longest float32 sum in one product. 0 for float64 (analytic) problems.
   */
  roundingAllowance?: number;
  lanczosSteps: number | null;
  /** Lanczos/power estimates kept as a cross-check when the exact path chose the numbers. */
  lanczos: { lambdaMax: ExtremeEstimate; lambdaMin: ExtremeEstimate; steps: number; hvps: number } | null;
  power: PowerCrossCheck | null;
}

export interface NeumannReport {
  alpha: number;
  terms: number;
  damping: number;
  /** ρ(I − α(H + δI)) from the spectrum, conservative (upper end of the interval bounds). */
  rho: number;
  rhoInterval: Interval;
  verdict: Verdict;
  /** ‖v_j‖ for j = 0..(terms or the term where it stopped). */
  termNorms: number[];
  /** ‖H x_j − b‖ / ‖b‖. */
  residuals: number[];
  /** ‖v_j‖/‖v_{j−1}‖, j ≥ 1. */
  growthRatios: number[];
  /** First 5 entries of v_j in PyTorch parameter order. */
  termHeads: number[][];
  solutionHead: number[];
  /** First j at which v_j, its norm or (H+δI)v_j became NaN/Inf (overflow), else null. */
  nonFiniteAtTerm: number | null;
}

export type AdviceKind =
  | 'verdict'
  | 'negative-curvature'
  | 'step-too-large'
  | 'slow'
  | 'inconclusive'
  | 'more-lanczos-steps'
  | 'not-stationary'
  | 'set-alpha'
  | 'set-damping'
  | 'set-terms'
  | 'train-longer'
  | 'use-cg'
  | 'hvp-self-check';

/** A change to the experiment file that a recommendation proposes (Quick Fix / panel action). */
export interface ConfigFix {
  /** JSON path segments, e.g. ["neumann", "alpha"]. */
  path: string[];
  value: number;
  label: string;
}

export interface AdviceMessage {
  kind: AdviceKind;
  severity: 'error' | 'warning' | 'info';
  text: string;
  /** Experiment key the message is about (dot path), for editor diagnostics. */
  key?: string;
  fix?: ConfigFix;
}

export interface DampingAdvice {
  delta: number;
  alpha: number;
  rho: number;
  termsNeeded: number | null;
}

export interface Advice {
  verdict: Verdict;
  /** One sentence naming the cause that sets ρ, with its numbers. */
  summary: string;
  messages: AdviceMessage[];
  alphaMax: number | null;
  alphaSuggested: number | null;
  alphaOptimal: number | null;
  rhoOptimal: number | null;
  termsNeeded: number | null;
  damping: DampingAdvice | null;
  useCg: boolean;
  notStationary: boolean;
}

export interface HypergradientReport {
  /** dL_V/dλ = −∇_w L_Vᵀ H⁻¹ w; null for analytic problems (no λ). */
  neumann: number | null;
  cg: number | null;
  cgStatus: 'converged' | 'max-iterations' | 'indefinite' | 'not-run';
  cgIterations: number | null;
  exact: number | null;
  relErrorNeumann: number | null;
  relErrorCg: number | null;
}

export interface EpochSpectrum {
  epoch: number;
  trainLoss: number;
  lambdaMax: number;
  lambdaMin: number;
  rho: number;
}

export interface HvpSelfCheck {
  relativeError: number;
  tolerance: number;
  passed: boolean;
  /** What the analysis used: the exact R-operator, or finite differences after a failed check. */
  operator: 'r-operator' | 'finite-difference' | 'analytic';
}

export interface DiagnosisReport {
  schemaVersion: 1;
  name: string;
  experimentFile: string | null;
  createdAt: string;
  backend: BackendName;
  params: number;
  timings: Record<string, number>;
  loss: { train: number | null; validation: number | null };
  gradientNorm: { train: number | null; validation: number | null };
  training: { epochs: number; steps: number; lossCurve: number[] } | null;
  hvpSelfCheck: HvpSelfCheck;
  spectrum: SpectrumReport;
  neumann: NeumannReport;
  advice: Advice;
  hypergradient: HypergradientReport;
  epochs: EpochSpectrum[] | null;
  /** First entries of the exact solution H⁻¹b when available (analytic problems, small models). */
  exactSolutionHead: number[] | null;
}
