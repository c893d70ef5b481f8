/**
 * What the preparation hands to the analysis (the point w, b, the objective and what is known
 * about them); its own module so that each kind's preparation (MLP, problem, PyTorch) can build
 * one without importing the others.
 */
import type { EpochSpectrum, TorchRuntime } from '../core/diagnosis/report';
import type { HyperProblem } from '../core/hyper/loop';
import type { Objective } from '../core/model/objective';

export interface AnalysisTarget {
  /** L_T, whose Hessian is analysed. */
  objective: Objective;
  /** The analysis point (trained weights, or the problem's point). */
  w: Float64Array;
  /** Right-hand side of H x = b: ∇_w L_V, or the problem's vector. */
  b: Float64Array;
  /** Weight-decay hypergradient needs w itself (∂²L_T/∂w∂λ = w); null for analytic problems. */
  hypergradientWeights: Float64Array | null;
  loss: { train: number | null; validation: number | null };
  gradientNorm: { train: number | null; validation: number | null };
  training: { epochs: number; steps: number; lossCurve: number[] } | null;
  epochs: EpochSpectrum[] | null;
  /** The Hessian in closed form (analytic problems), for the exact path without HVPs. */
  closedFormHessian: Float64Array | null;
  operatorKind: 'r-operator' | 'autograd' | 'analytic';
  /** ‖H̃ − H‖₂/‖H‖₂ expected from the arithmetic of the HVPs (see SpectrumReport.roundingAllowance). */
  relativeRounding: number;
  /** What the hyperparameter loop continues from (MLP experiments): data objectives, w, batch order. */
  hyperProblem: HyperProblem | null;
  /** The self-check's finite-difference step when the gradient is not float32 (PyTorch in float64). */
  finiteDifferenceStep?: number;
  /** PyTorch experiments: what served the operator, and the parameters' names and shapes. */
  runtime?: TorchRuntime;
  tensors?: readonly { name: string; shape: number[] }[];
  /** A failure of the analysis as the session reports it (the bridge's: the user's code is input, a cancelled run is cancelled). */
  explain?(e: unknown): unknown;
  /** Releases tensors, or closes the bridge process (awaited on every path). */
  dispose(): void | Promise<void>;
}
