/**
 * The experiment file (`*.neumann.json`) after schema validation and defaulting.
 * schemas/experiment.schema.json is the source of truth for the on-disk form; this is the
 * in-memory form every consumer (session, CLI, extension) reads.
 */
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'softplus' | 'linear';
export type LossKind = 'mse' | 'cross-entropy' | 'binary-cross-entropy';
export type BackendName = 'tensorflow' | 'wasm' | 'cpu';
export type BackendChoice = 'auto' | BackendName;

export interface CsvSource {
  /** Absolute path after resolution against the experiment file's folder. */
  csv: string;
  target: string;
  /** Feature columns; default: every column but the target. */
  features?: string[];
}
export interface SyntheticSource {
  kind: 'seed-regression';
  n: number;
}
export type DataSpec =
  | { kind: 'csv'; train: CsvSource; validation: CsvSource }
  | { kind: 'synthetic'; synthetic: SyntheticSource };

export interface ModelSpec {
  layers: number[];
  activation: Activation;
  /** Absolute path of a PyTorch state_dict saved as JSON; absent → seeded initialisation. */
  stateDict?: string;
}

export type ProblemSpec =
  | { kind: 'sum-of-cubes'; point: number[] }
  | { kind: 'quadratic'; matrix: number[][]; vector: number[] };

export interface NeumannSpec {
  alpha: number;
  /** K: updates after the initial term (sums j = 0..K). */
  terms: number;
  /** δ ≥ 0: the series runs on H + δI. */
  damping: number;
  /** Right-hand side for analytic problems; MLPs use b = ∇_w L_V. */
  vector?: number[];
}

export interface AnalysisSpec {
  exactMaxParams: number;
  tolerance: number;
  maxLanczosSteps: number;
  /** Cross-check the extremes with (shifted) power iteration. */
  powerIteration: boolean;
  hutchinsonSamples: number;
  /** Measure λ_max, λ_min, ρ at the end of every epoch. */
  trackEpochs: boolean;
  epochLanczosSteps: number;
  /** Relative tolerance of the HVP self-check against finite differences. */
  selfCheckTolerance: number;
  /** ‖∇L_T‖ above this raises the not-stationary warning. */
  stationarityTolerance: number;
}

export interface TrainingSpec {
  epochs: number;
  batchSize: number;
  learningRate: number;
}

interface ExperimentCommon {
  name: string;
  /** Absolute path of the experiment file (for messages); absent for in-memory configs. */
  file?: string;
  seed: number;
  neumann: NeumannSpec;
  analysis: AnalysisSpec;
}

export interface MlpExperiment extends ExperimentCommon {
  kind: 'mlp';
  data: DataSpec;
  model: ModelSpec;
  loss: LossKind;
  weightDecay: number;
  training: TrainingSpec;
}

export interface ProblemExperiment extends ExperimentCommon {
  kind: 'problem';
  problem: ProblemSpec;
}

export type Experiment = MlpExperiment | ProblemExperiment;
