/**
 * Experiment file → validated, defaulted `Experiment`. Three layers of checks, each an InputError
 * at a JSON path: syntax (file:line:column), the JSON Schema (shape, types, ranges, unknown keys),
 * then what a schema cannot say (square symmetric matrices, lengths that must agree, widths that
 * must fit the loss, files that must exist). Relative paths resolve against the experiment
 * file's folder (the working directory when there is no file).
 */
import { statSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError, formatLocation } from '../errors';
import { readInputFile } from './input-file';
import { readCsvDataset } from '../data/csv';
import type { Dataset } from '../data/dataset';
import { syntheticSplits } from '../data/synthetic';
import type { CsvSource, DataSpec, Experiment, HyperSpec, LossKind, MlpExperiment, ProblemSpec, PytorchExperiment, PytorchSource } from './experiment';
import { EXPERIMENT_KINDS, ExperimentFile, type ExperimentFileValue } from './experiment-schema';
import { parseJsonStrict } from './json-location';
import { formatJsonPath, type JsonPath } from './json-path';
import { schemaErrors, show } from './schema';
import { applyDefaults, kindOf, type Resolved } from './schema-kit';

/** Thrown for an invalid experiment: located at the first problem, carrying all of them. */
export class InvalidExperimentError extends InputError {
  constructor(readonly problems: InputError[]) {
    const [first, ...rest] = problems;
    const more = rest.length === 0 ? '' : `\n${rest.length} more problem${rest.length > 1 ? 's' : ''}:\n${rest.map((p) => `  ${p.message}`).join('\n')}`;
    super(bareMessage(first) + more, first.where);
    this.name = 'InvalidExperimentError';
  }
}

/** InputError prepends "<location>: " to its message; this is the message without it. */
export function bareMessage(e: InputError): string {
  const prefix = e.where ? `${formatLocation(e.where)}: ` : '';
  return e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

/** An experiment file's text (a missing one, or a folder, is an InputError at the file). */
export function readExperimentText(file: string): string {
  return readInputFile(file, 'experiment file', 'a *.neumann.json file');
}

/** Reads, parses and validates an experiment file. */
export function readExperimentFile(path: string): Experiment {
  const file = resolve(path);
  return parseExperimentText(readExperimentText(file), file);
}

/** Parses JSON text (strict: no comments or trailing commas) and validates it. */
export function parseExperimentText(text: string, file: string | null): Experiment {
  return validateExperiment(parseJsonStrict(text, file), file);
}

/** Validates a parsed experiment; throws InvalidExperimentError listing every problem. */
export function validateExperiment(raw: unknown, file: string | null): Experiment {
  const { experiment, problems } = checkExperiment(raw, file);
  if (!experiment) throw new InvalidExperimentError(problems);
  return experiment;
}

/** Every problem of a parsed experiment (for editor diagnostics), and the experiment when there are none. */
export function checkExperiment(raw: unknown, file: string | null): { experiment: Experiment | null; problems: InputError[] } {
  const structural = schemaErrors(raw, file);
  if (structural.length > 0) return { experiment: null, problems: structural };
  const problems: InputError[] = [];
  const fail = (path: JsonPath, message: string) =>
    problems.push(new InputError(message, { kind: 'json', file: file ?? undefined, path: formatJsonPath(path) }));
  const experiment = build(raw as ExperimentFileValue, file, fail);
  return problems.length > 0 ? { experiment: null, problems } : { experiment, problems };
}

/** Train and validation sets of an MLP experiment (CSV files or synthetic data from the seed). */
export function loadExperimentData(exp: MlpExperiment): { train: Dataset; validation: Dataset } {
  if (exp.data.kind === 'synthetic') return syntheticSplits(exp.data.synthetic, exp.seed);
  return { train: readCsvDataset(exp.data.train.csv, exp.data.train), validation: readCsvDataset(exp.data.validation.csv, exp.data.validation) };
}

/** A problem the schema cannot see, at its path. */
type Fail = (path: JsonPath, message: string) => void;
/** The file after validation, with every declared default applied. */
type Raw = Resolved<typeof ExperimentFile>;

function build(valid: ExperimentFileValue, file: string | null, fail: Fail): Experiment {
  const absFile = file === null ? undefined : resolve(file);
  const base = absFile ? dirname(absFile) : process.cwd();
  const raw: Raw = applyDefaults(ExperimentFile, valid);
  const common = {
    name: raw.name ?? defaultName(absFile),
    ...(absFile ? { file: absFile } : {}),
    seed: raw.seed,
    analysis: raw.analysis,
  };
  // The schema has checked each kind's required keys, hence the `!`s below.
  const kind = kindOf(EXPERIMENT_KINDS, raw);
  switch (kind) {
    case 'problem': {
      const problem = buildProblem(raw.problem!, fail);
      const dim = problem.kind === 'sum-of-cubes' ? problem.point.length : problem.vector.length;
      const given = raw.neumann.vector;
      if (given && given.length !== dim) fail(['neumann', 'vector'], `must have ${dim} entries, the problem's dimension (got ${given.length})`);
      const vector = given ?? (problem.kind === 'sum-of-cubes' ? problem.point.map(() => 1) : [...problem.vector]);
      return { ...common, kind, problem, neumann: { ...raw.neumann, vector } };
    }
    case 'mlp':
      return { ...common, ...buildMlp(raw, base, fail) };
    case 'pytorch':
      return { ...common, ...buildPytorch(raw, base, fail) };
    default:
      return unknownKind(kind);
  }
}

function unknownKind(kind: never): never {
  throw new Error(`no loader for experiment kind ${String(kind)}`);
}

function buildMlp(raw: Raw, base: string, fail: Fail): Omit<MlpExperiment, 'name' | 'file' | 'seed' | 'analysis'> {
  const model = raw.model!;
  const layers = model.layers;
  const last = layers.length - 1;
  const loss = raw.loss!;
  if (loss === 'binary-cross-entropy' && layers[last] !== 1) {
    fail(['model', 'layers', last], `binary-cross-entropy needs a single output (one logit), so the last width must be 1 (got ${layers[last]})`);
  }
  if (loss === 'cross-entropy' && layers[last] < 2) {
    fail(['model', 'layers', last], `cross-entropy needs one output per class, so the last width must be at least 2 (got ${layers[last]}); for two classes with one output use binary-cross-entropy`);
  }
  const data = buildData(raw.data!, layers, loss, base, fail);
  const { batchSize, ...training } = raw.training!;
  // Optional in the declaration because PyTorch experiments take no batchSize; an MLP needs one.
  if (batchSize === undefined) fail(['training', 'batchSize'], 'missing required key \'batchSize\': rows per SGD step, an integer ≥ 1');
  const stateDict = model.init ? existingFile(base, model.init.stateDict, ['model', 'init', 'stateDict'], 'state_dict', fail) : undefined;
  const hyper = raw.hyper ? checkHyper(raw.hyper, raw.weightDecay, fail) : undefined;
  if (hyper) hyperSizeProblems(hyper, parameterCount(layers), raw.analysis.exactMaxParams).forEach((p) => fail(p.path, p.message));
  return {
    kind: 'mlp',
    ...(hyper ? { hyper } : {}),
    data,
    model: { layers: [...layers], activation: model.activation, ...(stateDict ? { stateDict } : {}) },
    loss,
    weightDecay: raw.weightDecay,
    training: { ...training, batchSize: batchSize ?? 1 },
    neumann: raw.neumann, // the schema rejects neumann.vector here
  };
}

/** Weights and biases of the Linear layers (the model code's paramCount; config does not depend on the model). */
function parameterCount(layers: readonly number[]): number {
  return layers.slice(1).reduce((n, out, l) => n + layers[l] * out + out, 0);
}

/** What the loop needs beyond the schema: a decay to take the log of, other inverses to compare. */
function checkHyper(hyper: HyperSpec, weightDecay: number, fail: Fail): HyperSpec {
  if (!(weightDecay > 0)) {
    fail(['weightDecay'], `the hyperparameter loop optimises φ = log(weightDecay), so weightDecay must be > 0 (got ${weightDecay}); e.g. 0.01`);
  }
  hyper.compare.forEach((k, i) => {
    if (k === hyper.inverse) fail(['hyper', 'compare', i], `"${k}" is already the loop's inverse (hyper.inverse); compare lists other inverses`);
  });
  return hyper;
}

/**
 * "exact" (the loop's inverse, its reference or a compared run) assembles the n×n Hessian at every
 * hyper-step, so a model of n parameters above analysis.exactMaxParams is refused at the key that
 * asks for it. The loader checks an MLP; a PyTorch model's n is known once its bridge is up
 * (checkHyperSize).
 */
export function hyperSizeProblems(hyper: HyperSpec, n: number, exactMaxParams: number): { path: JsonPath; message: string }[] {
  if (n <= exactMaxParams) return [];
  const message = `"exact" assembles the ${n}×${n} Hessian at every hyper-step, above analysis.exactMaxParams = ${exactMaxParams}: use "cg" (or raise analysis.exactMaxParams)`;
  const paths: JsonPath[] = [];
  if (hyper.inverse === 'exact') paths.push(['hyper', 'inverse']);
  if (hyper.reference === 'exact') paths.push(['hyper', 'reference']);
  hyper.compare.forEach((k, i) => k === 'exact' && paths.push(['hyper', 'compare', i]));
  return paths.map((path) => ({ path, message }));
}

/** hyperSizeProblems as the loader reports them: an InvalidExperimentError at each key, in `file`. */
export function checkHyperSize(hyper: HyperSpec, n: number, exactMaxParams: number, file: string | undefined): void {
  const problems = hyperSizeProblems(hyper, n, exactMaxParams).map(
    (p) => new InputError(p.message, { kind: 'json', ...(file ? { file } : {}), path: formatJsonPath(p.path) }),
  );
  if (problems.length > 0) throw new InvalidExperimentError(problems);
}

function buildPytorch(raw: Raw, base: string, fail: Fail): Omit<PytorchExperiment, 'name' | 'file' | 'seed' | 'analysis'> {
  const p = raw.pytorch!;
  let source: PytorchSource;
  if (p.connect !== undefined) {
    const tokenFile = existingFile(base, p.tokenFile!, ['pytorch', 'tokenFile'], 'token file', fail) ?? resolve(base, p.tokenFile!);
    source = { kind: 'connect', address: p.connect, tokenFile };
  } else {
    const file = existingFile(base, p.file!, ['pytorch', 'file'], 'Python problem file', fail) ?? resolve(base, p.file!);
    source = {
      kind: 'spawn',
      file,
      dtype: p.dtype,
      device: p.device,
      ...(p.python !== undefined ? { python: p.python } : {}),
      ...(p.distributed ? { distributed: { ...p.distributed } } : {}),
    };
  }
  // The bridge's train op takes whole epochs; 0 analyses the weights as neumann_problem() gives them.
  const training = raw.training ? { epochs: raw.training.epochs, learningRate: raw.training.learningRate } : null;
  let hyper: HyperSpec | undefined;
  if (raw.hyper) {
    // The parameter count (for "exact" against analysis.exactMaxParams) is the bridge's: checked once it is up.
    hyper = checkHyper(raw.hyper, raw.weightDecay, fail);
    if (!training) {
      fail(['hyper'], 'the hyperparameter loop\'s inner SGD steps take training.learningRate: add "training": { "epochs": 0, "learningRate": 0.01 } (epochs 0 starts the loop from the model\'s own weights)');
    }
  }
  return { kind: 'pytorch', ...(hyper ? { hyper } : {}), pytorch: source, weightDecay: raw.weightDecay, training, neumann: raw.neumann };
}

function buildData(raw: NonNullable<Raw['data']>, layers: number[], loss: LossKind, base: string, fail: Fail): DataSpec {
  if (raw.synthetic) {
    if (layers[0] !== 1) fail(['model', 'layers', 0], `synthetic seed-regression data has one feature, so the first width must be 1 (got ${layers[0]})`);
    const last = layers.length - 1;
    if (layers[last] !== 1) fail(['model', 'layers', last], `synthetic seed-regression data has one target, so the last width must be 1 (got ${layers[last]})`);
    if (loss !== 'mse') fail(['loss'], `synthetic seed-regression data is a regression: use "mse" (got ${show(loss)})`);
    return { kind: 'synthetic', synthetic: { ...raw.synthetic } };
  }
  const source = (key: 'train' | 'validation'): CsvSource => {
    const r = raw[key]!;
    const csv = existingFile(base, r.csv, ['data', key, 'csv'], 'CSV file', fail) ?? resolve(base, r.csv);
    if (r.features && r.features.length !== layers[0]) {
      fail(['data', key, 'features'], `lists ${r.features.length} feature${r.features.length === 1 ? '' : 's'} but model.layers[0] (the input width) is ${layers[0]}`);
    }
    return { csv, target: r.target, ...(r.features ? { features: [...r.features] } : {}) };
  };
  return { kind: 'csv', train: source('train'), validation: source('validation') };
}

function buildProblem(raw: NonNullable<Raw['problem']>, fail: Fail): ProblemSpec {
  if (raw.kind === 'sum-of-cubes') return { kind: 'sum-of-cubes', point: [...raw.point!] };
  const matrix = raw.matrix!;
  const vector = raw.vector!;
  const n = matrix.length;
  let square = true;
  matrix.forEach((row, i) => {
    if (row.length !== n) {
      square = false;
      fail(['problem', 'matrix', i], `row ${i} has ${row.length} entries; a square ${n}×${n} matrix needs ${n}`);
    }
  });
  if (square) {
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const a = matrix[i][j];
        const b = matrix[j][i];
        // Symmetric up to rounding in the numbers as written (e.g. 0.1 computed two ways).
        if (Math.abs(a - b) > 1e-12 * Math.max(1, Math.abs(a), Math.abs(b))) {
          fail(['problem', 'matrix', i, j], `the matrix must be symmetric (a Hessian is): A[${i}][${j}] = ${a} but A[${j}][${i}] = ${b}`);
        }
      }
    }
  }
  if (vector.length !== n) fail(['problem', 'vector'], `must have ${n} entries to match the ${n}×${n} matrix (got ${vector.length})`);
  return { kind: 'quadratic', matrix: matrix.map((r) => [...r]), vector: [...vector] };
}

/** Resolves `rel` against `base`; records a problem (and returns undefined) unless it is an existing file. */
function existingFile(base: string, rel: string, path: JsonPath, what: string, fail: Fail): string | undefined {
  const abs = resolve(base, rel);
  try {
    if (statSync(abs).isFile()) return abs;
    fail(path, `${abs} is not a file (expected a ${what})`);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    fail(path, code === 'ENOENT' ? `${what} not found: ${abs}` : `cannot access ${what} ${abs} (${code ?? String(e)})`);
  }
  return undefined;
}

function defaultName(file: string | undefined): string {
  if (!file) return 'experiment';
  return basename(file).replace(/\.neumann\.json$|\.json$/i, '') || 'experiment';
}
