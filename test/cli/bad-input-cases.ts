/**
 * The bad-input table for the CLI: each case writes its inputs into a fresh folder (which already
 * holds an output from an earlier run, OLD) and gives the CLI's arguments and what stderr must
 * say: the place (JSON path, file:line:col, flag or output path) and the expected form.
 * bad-input.test.ts runs every case as a real child process of dist/cli.js.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tinyMlp } from '../worker/helpers';

/** The output an earlier run left in every case's folder; it must be byte-identical afterwards. */
export const OLD = 'previous-report.json';

export interface BadInputCase {
  name: string;
  /** Writes the inputs into `dir`; returns the arguments after `node dist/cli.js`. */
  args(dir: string): string[];
  /** Everything stderr must match: the place first, then the expected form. */
  expect(dir: string): RegExp[];
  /** Run as an unprivileged user: the case needs a folder or file that cannot be written. */
  unprivileged?: boolean;
}

const EXP = 'exp.neumann.json';

const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A JSON path in the one format (`model.layers[2]`), as a pattern. */
function pathRe(path: string): string {
  return esc(path === '' ? '(root)' : path);
}

/** `<dir>/exp.neumann.json:<line>:<col> (at <path>)`, the line being the one that holds `needle`. */
function located(path: string, needle: string): (dir: string) => RegExp {
  return (dir) => {
    const file = join(dir, EXP);
    const line = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle)) + 1;
    if (line === 0) throw new Error(`test table: ${needle} is not in ${file}`);
    return new RegExp(`${esc(file)}:${line}:\\d+ \\(at ${pathRe(path)}\\): `);
  };
}

/** A key that is not in the text (a missing one): located at its path, with or without a position. */
function atPath(path: string): (dir: string) => RegExp {
  return (dir) => new RegExp(`${esc(join(dir, EXP))}(?::\\d+:\\d+ \\(at ${pathRe(path)}\\)| at ${pathRe(path)}): `);
}

/** `<dir>/<name>:<line>:<col>: ` (or `:<line>: ` when the column is null). */
function fileAt(name: string, line: number, col: number | null): (dir: string) => RegExp {
  return (dir) => new RegExp(`${esc(join(dir, name))}:${line}${col === null ? '' : `:${col}`}: `);
}

/** `<dir>/<name>: ` (a file as a whole, or an output path). */
function fileIs(name: string): (dir: string) => RegExp {
  return (dir) => new RegExp(`${esc(join(dir, name))}: `);
}

function writeExp(dir: string, value: unknown): string {
  const file = join(dir, EXP);
  writeFileSync(file, typeof value === 'string' ? value : compactJson(value));
  return file;
}

/** Indented JSON with arrays of plain values on one line, as people write experiment files. */
function compactJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\[\s+([^[\]{}]*?)\s+\]/g, (_, inner: string) => `[${inner.replace(/\s+/g, ' ')}]`) + '\n';
}

/** `diagnose <experiment> --json <OLD> --backend cpu --quiet …` */
function diagnose(dir: string, file: string, ...extra: string[]): string[] {
  return ['diagnose', file, '--json', join(dir, OLD), '--backend', 'cpu', '--quiet', ...extra];
}

/** An experiment case: `value` is the experiment (object or raw text), `expect` its place and form. */
function experiment(name: string, value: unknown, place: (dir: string) => RegExp, form: RegExp): BadInputCase {
  return { name, args: (dir) => diagnose(dir, writeExp(dir, value)), expect: (dir) => [place(dir), form] };
}

const mlp = (over: Record<string, unknown> = {}) => tinyMlp(over);
const GOOD_CSV = 'x,y\n0.1,0.2\n0.3,0.4\n0.5,0.6\n';
const csvMlp = (over: Record<string, unknown> = {}) =>
  tinyMlp({ data: { train: { csv: 'train.csv' }, validation: { csv: 'val.csv' } }, ...over });

/** A CSV case: the train (or validation) file's text; the other one is good. */
function csv(name: string, text: string, place: (dir: string) => RegExp, form: RegExp, which: 'train' | 'val' = 'train', over: Record<string, unknown> = {}): BadInputCase {
  return {
    name,
    args: (dir) => {
      writeFileSync(join(dir, 'train.csv'), which === 'train' ? text : GOOD_CSV);
      writeFileSync(join(dir, 'val.csv'), which === 'val' ? text : GOOD_CSV);
      return diagnose(dir, writeExp(dir, csvMlp(over)));
    },
    expect: (dir) => [place(dir), form],
  };
}

const GOOD_WEIGHTS = { '0.weight': [[0.1], [0.2], [0.3], [0.4]], '0.bias': [0, 0, 0, 0], '2.weight': [[0.1, 0.2, 0.3, 0.4]], '2.bias': [0] };

/** A state_dict case: the given weights file (object or raw text) for a 1-4-1 model analysed as given. */
function weights(name: string, value: unknown, place: (dir: string) => RegExp, form: RegExp): BadInputCase {
  return {
    name,
    args: (dir) => {
      if (value !== undefined) writeFileSync(join(dir, 'w.json'), typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n');
      const exp = mlp({ model: { layers: [1, 4, 1], activation: 'tanh', init: { stateDict: 'w.json' } }, training: { epochs: 0, batchSize: 32, learningRate: 0.05 } });
      return diagnose(dir, writeExp(dir, exp));
    },
    expect: (dir) => [place(dir), form],
  };
}

const quadratic = (matrix: number[][], vector: number[], over: Record<string, unknown> = {}) => ({
  name: 'quadratic',
  problem: { kind: 'quadratic', matrix, vector },
  neumann: { alpha: 1, terms: 5 },
  ...over,
});

/** A usage case: the flags after a valid experiment; the place is the flag. */
function flags(name: string, extra: (dir: string) => string[], form: RegExp): BadInputCase {
  return {
    name,
    args: (dir) => ['diagnose', writeExp(dir, mlp()), '--json', join(dir, OLD), ...extra(dir)],
    expect: () => [form],
  };
}

/** An output case: the outputs' flags after a valid experiment. */
function output(name: string, extra: (dir: string) => string[], place: (dir: string) => RegExp, form: RegExp, unprivileged = false): BadInputCase {
  return { name, args: (dir) => diagnose(dir, writeExp(dir, mlp()), ...extra(dir)), expect: (dir) => [place(dir), form], unprivileged };
}

/**
 * A PyTorch experiment case: `pytorch` is the experiment's pytorch block, beside a problem file p.py
 * and a token file token.txt that exist. Every one is refused before any Python runs, so the cases
 * need no torch.
 */
function pytorch(name: string, block: Record<string, unknown>, place: (dir: string) => RegExp, form: RegExp, over: Record<string, unknown> = {}, extra: string[] = []): BadInputCase {
  return {
    name: `PyTorch: ${name}`,
    args: (dir) => {
      writeFileSync(join(dir, 'p.py'), 'def neumann_problem():\n    raise SystemExit("never run")\n');
      writeFileSync(join(dir, 'token.txt'), 'secret\n');
      return diagnose(dir, writeExp(dir, { name: 'torch', pytorch: block, weightDecay: 0.1, neumann: { alpha: 1, terms: 5 }, ...over }), ...extra);
    },
    expect: (dir) => [place(dir), form],
  };
}

const syntax: BadInputCase[] = [
  experiment('syntax: trailing comma', '{\n  "name": "x",\n  "seed": 1,\n}\n', fileAt(EXP, 4, 1), /JSON syntax error: .*trailing commas/),
  experiment('syntax: missing comma', '{\n  "name": "x"\n  "seed": 1\n}\n', fileAt(EXP, 3, 3), /JSON syntax error: expected ','/),
  experiment('syntax: unclosed object', '{\n  "name": "x",\n  "model": { "layers": [1, 4, 1]\n', fileAt(EXP, 4, 1), /JSON syntax error: expected '}'/),
  experiment('syntax: a comment', '{\n  // my run\n  "name": "x"\n}\n', fileAt(EXP, 2, 3), /comments are not allowed in JSON/),
  experiment('syntax: empty file', '', fileAt(EXP, 1, 1), /empty file: expected a JSON object/),
  experiment('syntax: duplicate key', '{\n  "neumann": {\n    "alpha": 1,\n    "alpha": 2,\n    "terms": 5\n  }\n}\n', fileAt(EXP, 4, 5), /duplicate key "alpha"/),
  experiment('root is an array', '[1, 2]\n', atPath(''), /must be an object/),
];

const keys: BadInputCase[] = [
  experiment('unknown top-level key with did-you-mean', mlp({ seeed: 3 }), located('seeed', '"seeed"'), /unknown key 'seeed'; did you mean 'seed'\?/),
  experiment('unknown nested key with did-you-mean', mlp({ neumann: { alpah: 1, alpha: 1, terms: 5 } }), located('neumann.alpah', '"alpah"'), /did you mean 'alpha'\?/),
  experiment('unknown training key with did-you-mean', mlp({ training: { epochs: 1, epoch: 2, batchSize: 8, learningRate: 0.01 } }), located('training.epoch', '"epoch"'), /did you mean 'epochs'\?/),
  experiment(
    'misspelt required key: only the misspelling, with its suggestion',
    mlp({ training: { epochs: 1, batchSize: 8, learningrate: 0.01 } }),
    located('training.learningrate', '"learningrate"'),
    /unknown key 'learningrate'; did you mean 'learningRate'\? \(allowed here: [^)]*\)\n$/,
  ),
  experiment('missing required key loss', (() => { const m = mlp(); delete m.loss; return m; })(), atPath('loss'), /missing required key 'loss'/),
  experiment('missing required key model.activation', mlp({ model: { layers: [1, 4, 1] } }), atPath('model.activation'), /missing required key 'activation'/),
  experiment('missing required key neumann.terms', mlp({ neumann: { alpha: 1 } }), atPath('neumann.terms'), /missing required key 'terms'/),
  experiment('neumann.vector in an MLP experiment', mlp({ neumann: { alpha: 1, terms: 5, vector: [1] } }), located('neumann.vector', '"vector"'), /only for problem experiments/),
];

const types: BadInputCase[] = [
  experiment('wrong type: training.epochs a string', mlp({ training: { epochs: 'ten', batchSize: 8, learningRate: 0.01 } }), located('training.epochs', '"epochs"'), /must be an integer \(got "ten"\)/),
  experiment('wrong type: neumann.alpha a string', mlp({ neumann: { alpha: '1', terms: 5 } }), located('neumann.alpha', '"alpha"'), /expected a number > 0 or "auto" \(got "1"\)/),
  experiment('wrong type: model.layers a string', mlp({ model: { layers: '1,4,1', activation: 'tanh' } }), located('model.layers', '"layers"'), /must be an array/),
  experiment('wrong type: model.layers[1] not an integer', mlp({ model: { layers: [1, 4.5, 1], activation: 'tanh' } }), located('model.layers[1]', '"layers"'), /must be an integer \(got 4\.5\)/),
  experiment('wrong type: seed not an integer', mlp({ seed: 1.5 }), located('seed', '"seed"'), /must be an integer \(got 1\.5\)/),
  experiment('wrong type: problem.matrix[1][0] a string', quadratic([[1, 0], ['0', 1]] as unknown as number[][], [1, 1]), located('problem.matrix[1][0]', '"0"'), /must be a number/),
];

const ranges: BadInputCase[] = [
  experiment('out of range: model.layers[2] = 0', mlp({ model: { layers: [1, 4, 0], activation: 'tanh' } }), located('model.layers[2]', '"layers"'), /must be >= 1 \(got 0\)/),
  experiment('out of range: neumann.terms = 0', mlp({ neumann: { alpha: 1, terms: 0 } }), located('neumann.terms', '"terms"'), /must be >= 1 \(got 0\)/),
  experiment('out of range: neumann.alpha = -1', mlp({ neumann: { alpha: -1, terms: 5 } }), located('neumann.alpha', '"alpha"'), /expected a number > 0 or "auto" \(got -1\)/),
  experiment('out of range: neumann.damping < 0', mlp({ neumann: { alpha: 1, terms: 5, damping: -0.5 } }), located('neumann.damping', '"damping"'), /must be >= 0 \(got -0\.5\)/),
  experiment('out of range: weightDecay < 0', mlp({ weightDecay: -0.1 }), located('weightDecay', '"weightDecay"'), /must be >= 0 \(got -0\.1\)/),
  experiment('out of range: training.batchSize = 0', mlp({ training: { epochs: 1, batchSize: 0, learningRate: 0.01 } }), located('training.batchSize', '"batchSize"'), /must be >= 1 \(got 0\)/),
  experiment('out of range: training.learningRate = 0', mlp({ training: { epochs: 1, batchSize: 8, learningRate: 0 } }), located('training.learningRate', '"learningRate"'), /must be > 0 \(got 0\)/),
  experiment('out of range: data.synthetic.n = 1', mlp({ data: { synthetic: { kind: 'seed-regression', n: 1 } } }), located('data.synthetic.n', '"n"'), /must be >= 2 \(got 1\)/),
  experiment('out of range: analysis.tolerance = 1', mlp({ analysis: { tolerance: 1 } }), located('analysis.tolerance', '"tolerance"'), /must be < 1 \(got 1\)/),
  experiment('too few layers', mlp({ model: { layers: [1], activation: 'tanh' } }), located('model.layers', '"layers"'), /at least 2 entries \(got 1\)/),
  experiment('empty name', mlp({ name: '' }), located('name', '"name"'), /must not be empty/),
];

const enums: BadInputCase[] = [
  experiment('bad enum: model.activation', mlp({ model: { layers: [1, 4, 1], activation: 'swish' } }), located('model.activation', '"activation"'), /must be one of "relu", "tanh".* \(got "swish"\)/),
  experiment('bad enum: loss', mlp({ loss: 'hinge' }), located('loss', '"loss"'), /must be one of "mse", "cross-entropy", "binary-cross-entropy" \(got "hinge"\)/),
  experiment('bad enum: data.synthetic.kind', mlp({ data: { synthetic: { kind: 'spiral', n: 100 } } }), located('data.synthetic.kind', '"kind"'), /must be one of "seed-regression" \(got "spiral"\)/),
  experiment('bad enum: problem.kind', { name: 'p', problem: { kind: 'cubic', point: [1] }, neumann: { alpha: 1, terms: 5 } }, located('problem.kind', '"kind"'), /must be one of "sum-of-cubes", "quadratic" \(got "cubic"\)/),
];

const consistency: BadInputCase[] = [
  experiment('problem: matrix row of the wrong length', quadratic([[1, 0], [0]], [1, 1]), located('problem.matrix[1]', '[0]'), /row 1 has 1 entries; a square 2×2 matrix needs 2/),
  experiment('problem: matrix not symmetric', quadratic([[1, 0.5], [0, 1]], [1, 1]), atPath('problem.matrix[0][1]'), /must be symmetric .*A\[0\]\[1\] = 0\.5 but A\[1\]\[0\] = 0/),
  experiment('problem: vector of the wrong length', quadratic([[1, 0], [0, 1]], [1, 1, 1]), located('problem.vector', '"vector"'), /must have 2 entries to match the 2×2 matrix \(got 3\)/),
  csv('cross-entropy with one output', GOOD_CSV, atPath('model.layers[2]'), /cross-entropy needs one output per class/, 'train', { loss: 'cross-entropy' }),
  experiment('synthetic data with two inputs', mlp({ model: { layers: [2, 4, 1], activation: 'tanh' } }), atPath('model.layers[0]'), /synthetic seed-regression data has one feature, so the first width must be 1 \(got 2\)/),
];

const csvs: BadInputCase[] = [
  experiment('CSV: train file missing', csvMlp({ data: { train: { csv: 'absent.csv' }, validation: { csv: 'absent.csv' } } }), located('data.train.csv', '"absent.csv"'), /CSV file not found: .*absent\.csv/),
  {
    name: 'CSV: path is a folder',
    args: (dir) => {
      mkdirSync(join(dir, 'train.csv'));
      writeFileSync(join(dir, 'val.csv'), GOOD_CSV);
      return diagnose(dir, writeExp(dir, csvMlp()));
    },
    expect: (dir) => [located('data.train.csv', '"train.csv"')(dir), /is not a file \(expected a CSV file\)/],
  },
  csv('CSV: target column missing', 'x,z\n1,2\n', fileAt('train.csv', 1, null), /target column 'y' not found; the columns are 'x', 'z'/),
  csv('CSV: feature column missing', 'x,y\n1,2\n', fileAt('train.csv', 1, null), /feature column 'w' not found/, 'train', { data: { train: { csv: 'train.csv', features: ['w'] }, validation: { csv: 'val.csv' } } }),
  csv('CSV: non-numeric cell', 'x,y\n1,2\n3,abc\n', fileAt('train.csv', 3, 3), /'abc' in column 'y' is not a number/),
  csv('CSV: NaN cell', 'x,y\n1,2\nNaN,4\n', fileAt('train.csv', 3, 1), /'NaN' in column 'x' is not a finite number/),
  csv('CSV: empty cell', 'x,y\n1,\n', fileAt('train.csv', 2, 3), /empty cell in column 'y'/),
  csv('CSV: overflowing number', 'x,y\n1,2\n1e999,4\n', fileAt('train.csv', 3, 1), /'1e999' in column 'x' is too large for float32/),
  csv('CSV: ragged row, too few cells', 'x,y\n1,2\n3\n', fileAt('train.csv', 3, 2), /ragged row: expected 2 cells \(as in the header\), found 1/),
  csv('CSV: ragged row, too many cells', 'x,y\n1,2,3\n', fileAt('train.csv', 2, 5), /ragged row: expected 2 cells \(as in the header\), found 3/),
  csv('CSV: empty file', '', fileAt('train.csv', 1, 1), /empty file: expected a header row and at least one data row/),
  csv('CSV: header only', 'x,y\n', fileAt('train.csv', 2, 1), /header only: the file has no data rows/),
  csv('CSV: duplicate column', 'x,y,x\n1,2,3\n', fileAt('train.csv', 1, 5), /duplicate column name 'x' \(columns 1 and 3\)/),
  csv('CSV: bad cell in the validation file', 'x,y\n1,2\n3,4\n5,six\n', fileAt('val.csv', 4, 3), /'six' in column 'y' is not a number/, 'val'),
  csv(
    'CSV: features do not match the input width',
    GOOD_CSV,
    located('data.train.features', '"features"'),
    /lists 2 features but model\.layers\[0\] \(the input width\) is 1/,
    'train',
    { data: { train: { csv: 'train.csv', features: ['a', 'b'] }, validation: { csv: 'val.csv' } } },
  ),
];

const stateDicts: BadInputCase[] = [
  weights('state_dict: file missing', undefined, located('model.init.stateDict', '"w.json"'), /state_dict not found: .*w\.json/),
  weights('state_dict: missing key 2.bias', { ...GOOD_WEIGHTS, '2.bias': undefined }, fileIs('w.json'), /missing key '2\.bias'/),
  weights('state_dict: wrong shape', { ...GOOD_WEIGHTS, '0.weight': [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]] }, fileIs('w.json'), /key '0\.weight': expected shape \[4, 1\], found \[4, 2\]/),
  weights('state_dict: entry not a number', { ...GOOD_WEIGHTS, '0.bias': [0, 'x', 0, 0] }, fileIs('w.json'), /key '0\.bias': entry \[1\] is .*expected a finite number/),
  weights('state_dict: extra layer', { ...GOOD_WEIGHTS, '4.weight': [[1]], '4.bias': [0] }, fileIs('w.json'), /extra keys '4\.weight', '4\.bias'/),
  weights('state_dict: not an object', '[1, 2, 3]\n', fileIs('w.json'), /a state_dict must be a JSON object of tensors/),
  weights('state_dict: JSON syntax error', '{\n  "0.weight": [[0.1], [0.2],\n}\n', fileAt('w.json', 3, 1), /JSON syntax error/),
];

const paths: BadInputCase[] = [
  { name: 'experiment file missing', args: (dir) => diagnose(dir, join(dir, 'nowhere.neumann.json')), expect: (dir) => [fileIs('nowhere.neumann.json')(dir), /experiment file not found/] },
  {
    name: 'experiment path is a folder',
    args: (dir) => {
      mkdirSync(join(dir, 'folder.neumann.json'));
      return diagnose(dir, join(dir, 'folder.neumann.json'));
    },
    expect: (dir) => [fileIs('folder.neumann.json')(dir), /is a folder, not an experiment file/],
  },
];

const outputs: BadInputCase[] = [
  output('output folder missing', (dir) => ['--markdown', join(dir, 'no-such', 'r.md')], fileIs('no-such/r.md'), /--markdown: the folder .*no-such does not exist/),
  output('output path is a folder', (dir) => (mkdirSync(join(dir, 'out')), ['--events', join(dir, 'out')]), fileIs('out'), /--events: is a folder; expected a file path \(--events <file>\)/),
  output('output folder is a file', (dir) => ['--save-weights', join(dir, OLD, 'w.json')], fileIs(`${OLD}/w.json`), /--save-weights: .* is a file, not a folder/),
  output('two outputs name one file', (dir) => ['--markdown', join(dir, OLD)], fileIs(OLD), /--markdown: the same file as --json/),
  output('output would replace the experiment', (dir) => ['--markdown', join(dir, EXP)], fileIs(EXP), /--markdown: would replace an input of this run/),
  output(
    'output folder not writable',
    (dir) => {
      mkdirSync(join(dir, 'locked'), { mode: 0o555 });
      return ['--markdown', join(dir, 'locked', 'r.md')];
    },
    fileIs('locked/r.md'),
    /--markdown: the folder .*locked is not writable \(EACCES\)/,
    true,
  ),
  output(
    'existing output file read-only',
    (dir) => {
      writeFileSync(join(dir, 'r.md'), 'kept\n', { mode: 0o444 });
      return ['--markdown', join(dir, 'r.md')];
    },
    fileIs('r.md'),
    /--markdown: the file is read-only \(EACCES\)/,
    true,
  ),
  {
    name: '--save-weights for an analytic problem',
    args: (dir) => diagnose(dir, writeExp(dir, quadratic([[1, 0], [0, 1]], [1, 1])), '--save-weights', join(dir, 'w.json')),
    expect: (dir) => [located('problem', '"problem"')(dir), /--save-weights needs an MLP experiment/],
  },
];

const pytorchCases: BadInputCase[] = [
  pytorch('problem file missing', { file: 'nope.py' }, located('pytorch.file', '"nope.py"'), /Python problem file not found: .*nope\.py/),
  pytorch('problem file is a folder', { file: '.' }, located('pytorch.file', '"file"'), /is not a file \(expected a Python problem file\)/),
  pytorch('neither file nor connect', {}, atPath('pytorch.file'), /missing required key 'file'/),
  pytorch('misspelt key', { file: 'p.py', dtpye: 'float64' }, located('pytorch.dtpye', '"dtpye"'), /unknown key 'dtpye'; did you mean 'dtype'\?/),
  pytorch('bad dtype', { file: 'p.py', dtype: 'float16' }, located('pytorch.dtype', '"dtype"'), /must be one of "float32", "float64" \(got "float16"\)/),
  pytorch('bad device', { file: 'p.py', device: 'gpu' }, located('pytorch.device', '"device"'), /must be "cpu", "cuda" or "cuda:N" \(got "gpu"\)/),
  pytorch('empty python', { file: 'p.py', python: '' }, located('pytorch.python', '"python"'), /must not be empty/),
  pytorch('distributed with no ranks', { file: 'p.py', distributed: { worldSize: 0 } }, located('pytorch.distributed.worldSize', '"worldSize"'), /must be >= 1 \(got 0\)/),
  pytorch('unknown distributed backend', { file: 'p.py', distributed: { worldSize: 2, backend: 'mpi' } }, located('pytorch.distributed.backend', '"backend"'), /must be one of "gloo", "nccl" \(got "mpi"\)/),
  pytorch('connect without tokenFile', { connect: 'localhost:7777' }, atPath('pytorch.tokenFile'), /missing required key 'tokenFile'/),
  pytorch('connect with a file too', { connect: 'localhost:7777', tokenFile: 'token.txt', file: 'p.py' }, located('pytorch.file', '"file"'), /'pytorch\.file' is decided by the server with pytorch\.connect/),
  pytorch('tokenFile without connect', { file: 'p.py', tokenFile: 'token.txt' }, located('pytorch.tokenFile', '"tokenFile"'), /'pytorch\.tokenFile' goes with pytorch\.connect/),
  pytorch('connect address without a port', { connect: 'localhost', tokenFile: 'token.txt' }, located('pytorch.connect', '"connect"'), /must be HOST:PORT or \[IPv6\]:PORT/),
  pytorch('token file missing', { connect: 'localhost:7777', tokenFile: 'none.txt' }, located('pytorch.tokenFile', '"none.txt"'), /token file not found: .*none\.txt/),
  pytorch('an MLP key in a PyTorch experiment', { file: 'p.py' }, located('model', '"model"'), /'model' is not allowed in a PyTorch experiment/, { model: { layers: [1, 1], activation: 'tanh' } }),
  pytorch('training.batchSize', { file: 'p.py' }, located('training.batchSize', '"batchSize"'), /'training\.batchSize' is only for MLP experiments/, { training: { epochs: 1, batchSize: 8, learningRate: 0.1 } }),
  pytorch('--python names no interpreter', { file: 'p.py' }, () => /cannot run the Python interpreter \/nonexistent\/python3: not found \(chosen by --python\)/, /choose an interpreter with torch/, {}, ['--python', '/nonexistent/python3']),
];

/** Failures after the session started: every output was opened (and the events streamed), none replaced. */
const duringRun: BadInputCase[] = [
  {
    name: 'training diverges during the run, with every output given',
    args: (dir) => {
      const old = { 'r.md': '# previous\n', 'e.jsonl': '{"type":"previous"}\n', 'w.json': '{"0.weight": [[1]]}\n' };
      for (const [name, text] of Object.entries(old)) writeFileSync(join(dir, name), text);
      const exp = writeExp(dir, mlp({ training: { epochs: 3, batchSize: 8, learningRate: 1e6 } }));
      return diagnose(dir, exp, '--markdown', join(dir, 'r.md'), '--events', join(dir, 'e.jsonl'), '--save-weights', join(dir, 'w.json'));
    },
    expect: (dir) => [located('training.learningRate', '"learningRate"')(dir), /training loss became (Infinity|NaN) at epoch \d+, step \d+: lower training\.learningRate/],
  },
];

const usage: BadInputCase[] = [
  flags('unknown flag', () => ['--fast'], /unknown option --fast for "diagnose"/),
  flags('unknown flag with did-you-mean', () => ['--markdwn', 'r.md'], /unknown option --markdwn for "diagnose"; did you mean --markdown\?/),
  flags('unknown short flag', () => ['-j'], /unknown option -j for "diagnose"/),
  flags('missing value at the end', () => ['--markdown'], /--markdown needs a value \(--markdown <file>\)/),
  flags('missing value before another flag', () => ['--events', '--quiet'], /--events needs a value \(--events <file>\), but the next argument is the option --quiet/),
  flags('empty value', () => ['--markdown='], /--markdown needs a value \(--markdown <file>\)/),
  flags('value for a switch', () => ['--quiet=yes'], /--quiet takes no value \(got --quiet=yes\)/),
  flags('bad --backend', () => ['--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu \(got "gpu"\)/),
  flags('flag given twice', (dir) => ['--json', join(dir, 'other.json')], /--json is given twice/),
  flags('extra positional', () => ['second.neumann.json'], /expected one experiment file, got 2: .*second\.neumann\.json/),
  { name: 'missing experiment', args: (dir) => ['diagnose', '--json', join(dir, OLD)], expect: () => [/missing the experiment file \(neumann-lens diagnose <experiment\.neumann\.json>/] },
  { name: 'unknown command', args: (dir) => ['diagnos', join(dir, EXP), '--json', join(dir, OLD)], expect: () => [/unknown command "diagnos" .*did you mean diagnose\?/] },
];

export const CASES: readonly BadInputCase[] = [...syntax, ...keys, ...types, ...ranges, ...enums, ...consistency, ...csvs, ...stateDicts, ...pytorchCases, ...paths, ...outputs, ...duringRun, ...usage];
