/**
 * The experiment in memory: what every consumer (session, CLI, extension) reads after load.ts has
 * validated the file, applied its defaults, resolved its paths and told its kind. The types come
 * from the declaration (experiment-schema.ts); only what loading changes is written here: the
 * `kind` discriminator, absolute paths, and the shapes loading flattens (data, model, problem).
 */
import type { Static } from '@sinclair/typebox';
import type * as Declared from './experiment-schema';
import type { Resolved } from './schema-kit';

export type Activation = Static<typeof Declared.Activation>;
export type LossKind = Static<typeof Declared.Loss>;
export type BackendChoice = Static<typeof Declared.BackendChoice>;
export type BackendName = Exclude<BackendChoice, 'auto'>;
export type ExperimentKind = Declared.ExperimentKind;

/** `csv` is the absolute path after resolution against the experiment file's folder. */
export type CsvSource = Resolved<Declared.CsvSourceDeclaration>;
export type SyntheticSource = Resolved<typeof Declared.Synthetic>;
export type DataSpec =
  | { kind: 'csv'; train: CsvSource; validation: CsvSource }
  | { kind: 'synthetic'; synthetic: SyntheticSource };

type ModelFile = Resolved<typeof Declared.Model>;
export interface ModelSpec extends Omit<ModelFile, 'init'> {
  /** Absolute path of `init.stateDict`; absent → seeded initialisation. */
  stateDict?: string;
}

type ProblemFile = Resolved<typeof Declared.Problem>;
export type ProblemSpec =
  | { kind: 'sum-of-cubes'; point: NonNullable<ProblemFile['point']> }
  | { kind: 'quadratic'; matrix: NonNullable<ProblemFile['matrix']>; vector: NonNullable<ProblemFile['vector']> };

/** `vector` is set (defaulted) for analytic problems; MLPs use b = ∇_w L_V. */
export type NeumannSpec = Resolved<typeof Declared.Neumann>;
export type AnalysisSpec = Resolved<typeof Declared.Analysis>;
/** The hyperparameter loop's settings as written, defaults applied. */
export type HyperSpec = Resolved<typeof Declared.Hyper>;
export type HyperOptimizerSpec = Resolved<typeof Declared.HyperOptimizer>;
type TrainingFile = Resolved<typeof Declared.Training>;
/** An MLP's SGD (the loader has checked batchSize is given). */
export type TrainingSpec = Omit<TrainingFile, 'batchSize'> & { batchSize: number };
/** A PyTorch problem's training: its own minibatches (train_batches) decide the batch size. */
export type TorchTrainingSpec = Omit<TrainingFile, 'batchSize'>;
export type TorchDtype = Static<typeof Declared.TorchDtype>;

type FileDefaults = Resolved<typeof Declared.ExperimentFile>;

interface ExperimentCommon extends Pick<FileDefaults, 'seed' | 'neumann' | 'analysis'> {
  /** The file's `name`, or the file name without `.neumann.json`. */
  name: string;
  /** Absolute path of the experiment file (for messages); absent for in-memory configs. */
  file?: string;
}

export interface MlpExperiment extends ExperimentCommon, Pick<FileDefaults, 'weightDecay'> {
  kind: 'mlp';
  data: DataSpec;
  model: ModelSpec;
  loss: LossKind;
  training: TrainingSpec;
  /** Present when the experiment runs the hyperparameter loop after the diagnosis. */
  hyper?: HyperSpec;
}

export interface ProblemExperiment extends ExperimentCommon {
  kind: 'problem';
  problem: ProblemSpec;
}

/** Where a PyTorch experiment's operator comes from: a server started here, or one to connect to. */
export type PytorchSource =
  | {
      kind: 'spawn';
      /** Absolute path of the problem file. */
      file: string;
      dtype: TorchDtype;
      device: string;
      /** The experiment's own interpreter choice, if any. */
      python?: string;
      distributed?: { worldSize: number; backend: 'gloo' | 'nccl' };
    }
  | { kind: 'connect'; address: string; /** Absolute path. */ tokenFile: string };

export interface PytorchExperiment extends ExperimentCommon, Pick<FileDefaults, 'weightDecay'> {
  kind: 'pytorch';
  pytorch: PytorchSource;
  /** null: analyse the model's weights as neumann_problem() returns them. */
  training: TorchTrainingSpec | null;
  /** Present when the experiment runs the hyperparameter loop after the diagnosis (the loader has checked training is given). */
  hyper?: HyperSpec;
}

export type Experiment = MlpExperiment | ProblemExperiment | PytorchExperiment;
