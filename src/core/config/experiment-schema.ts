/**
 * The experiment format (`*.neumann.json`), declared once: every key's type, range, default and
 * hover text, and which keys make which kind of experiment. Everything else is derived from this
 * file: schemas/experiment.schema.json (VS Code's completion, hover and squiggles), the on-disk
 * and in-memory types (experiment.ts), validation and its messages (schema.ts), the defaults the
 * loader applies, docs/experiment.md and the extension settings that mirror experiment keys
 * (scripts/gen-experiment-files.ts writes the files; a test fails when they are stale).
 *
 * A new top-level block is one entry in `properties` (marked `onlyIn(...)` when only some kinds
 * take it) and, when it makes a new kind of experiment, one row in EXPERIMENT_KINDS; then the
 * code that consumes it (its in-memory type in experiment.ts, its case in load.ts's `build`).
 * The file is long because it holds the whole format's hover text; splitting it would scatter
 * the one declaration a reader looks for.
 */
import { Type, type Static } from '@sinclair/typebox';
import { doc, forbid, kindRules, onlyIn, plainSchema, StringEnum, variants, withDefault, type KindRule } from './schema-kit';

// ---------------------------------------------------------------------------------------------
// Kinds of experiment. The first kind whose marker key is present is the file's kind.

export const EXPERIMENT_KINDS = [
  { kind: 'mlp', marker: null, needs: ['data', 'model', 'loss', 'training'], subject: 'an MLP experiment', place: 'an MLP experiment' },
  { kind: 'problem', marker: 'problem', needs: ['problem', 'neumann'], subject: 'an analytic problem', place: 'an analytic problem experiment' },
  { kind: 'pytorch', marker: 'pytorch', needs: ['pytorch'], subject: 'a PyTorch experiment', place: 'a PyTorch experiment' },
] as const satisfies readonly KindRule[];
export type ExperimentKind = (typeof EXPERIMENT_KINDS)[number]['kind'];

// ---------------------------------------------------------------------------------------------
// Enumerations (also used outside the file: the model code, the CLI, the settings).

export const Activation = StringEnum(['relu', 'tanh', 'sigmoid', 'softplus', 'linear'], {
  ...doc(
    'Activation between the Linear layers (none after the last). linear makes the model affine.',
    'Activation between the Linear layers (none after the last). `linear` makes the model affine (with `layers: [d, 1]`: linear or logistic regression).',
  ),
});

export const Loss = StringEnum(['mse', 'cross-entropy', 'binary-cross-entropy'], {
  ...doc(
    'mse: mean squared error over rows and outputs. cross-entropy: softmax over the outputs, integer class labels 0..C-1. binary-cross-entropy: sigmoid of a single output, labels 0/1.',
    '- `mse`: mean squared error over rows and outputs (PyTorch `MSELoss`).\n- `cross-entropy`: softmax over the outputs, integer class labels `0…C−1` (`CrossEntropyLoss`).\n- `binary-cross-entropy`: sigmoid of a single output, labels 0/1 (`BCEWithLogitsLoss`).',
  ),
});

/** Not a key of the file: the CLI's --backend and the setting neumannLens.backend choose it. */
export const BackendChoice = StringEnum(['auto', 'tensorflow', 'wasm', 'cpu'], {
  ...doc(
    'TensorFlow.js backend the worker trains and computes Hessian-vector products with. auto picks tensorflow if the native addon loads, else wasm, else cpu.',
    'TensorFlow.js backend the worker trains and computes Hessian-vector products with. `auto` picks `tensorflow` if the native addon loads, else `wasm`, else `cpu`. The backend that ran is recorded in every report.',
  ),
  enumDescriptions: [
    'tensorflow if `@tensorflow/tfjs-node` loads, else wasm, else cpu.',
    'Native TensorFlow through `@tensorflow/tfjs-node` (fastest; must be installed).',
    'WebAssembly backend shipped with the extension.',
    'Plain JavaScript backend (slowest, always available).',
  ],
});

// ---------------------------------------------------------------------------------------------
// Blocks.

const csvSource = (d: { description: string; markdownDescription: string }) =>
  Type.Object(
    {
      csv: Type.String({
        minLength: 1,
        ...doc(
          "Path of a CSV file with a header row, relative to this file's folder. Numbers only; a BOM and CRLF line endings are fine.",
          "Path of a CSV file with a header row, relative to this file's folder. Numbers only, comma-separated; a BOM and CRLF line endings are fine.",
        ),
      }),
      target: withDefault(
        Type.String({
          minLength: 1,
          ...doc(
            'Name of the target column.',
            'Name of the target column: the value (`mse`), the class index (`cross-entropy`) or 0/1 (`binary-cross-entropy`).',
          ),
        }),
        'y',
      ),
      features: Type.Optional(
        Type.Array(Type.String({ minLength: 1 }), {
          minItems: 1,
          uniqueItems: true,
          ...doc(
            'Feature columns, in model-input order. Default: every column but the target, in file order.',
            'Feature columns, in model-input order. Default: every column but the target, in file order. Their count must equal `model.layers[0]`.',
          ),
        }),
      ),
    },
    { additionalProperties: false, ...d },
  );
export type CsvSourceDeclaration = ReturnType<typeof csvSource>;

export const Synthetic = Type.Object(
  {
    kind: StringEnum(['seed-regression'], {
      ...doc(
        'seed-regression: x ~ N(0,1), y = 2x + 1 + 0.1 eps (the motivating report\'s data); one feature, use layers [1, ..., 1] and loss mse.',
        '`seed-regression`: `x ~ N(0,1)`, `y = 2x + 1 + 0.1·ε` (the motivating report\'s data); one feature, so use `layers: [1, …, 1]` and `loss: "mse"`.',
      ),
    }),
    n: Type.Integer({
      minimum: 2,
      maximum: 1000000,
      ...doc(
        'Rows in each of the train and validation sets (drawn separately, from seed and seed + 1).',
        'Rows in **each** of the train and validation sets (drawn separately, from `seed` and `seed + 1`).',
      ),
    }),
  },
  { additionalProperties: false, ...doc('Generated data instead of CSV files.') },
);

const bothOrSynthetic = (key: string) => `'${key}' cannot be combined with 'data.synthetic': use CSV files or synthetic data`;
export const Data = Type.Object(
  {
    train: Type.Optional(
      csvSource(
        doc(
          'CSV file of the training set (the loss L_T is minimised on it).',
          'CSV file of the training set (the training objective `L_T(w) = loss(train) + ½λ‖w‖²` is minimised on it).',
        ),
      ),
    ),
    validation: Type.Optional(
      csvSource(
        doc(
          'CSV file of the validation set; the Neumann right-hand side is b = gradient of the validation loss.',
          'CSV file of the validation set; the Neumann right-hand side is `b = ∇_w L_V`.',
        ),
      ),
    ),
    synthetic: Type.Optional(Synthetic),
  },
  {
    additionalProperties: false,
    ...doc(
      'Training and validation data: either train + validation CSV files, or synthetic data.',
      'Training and validation data: either `train` + `validation` CSV files, or `synthetic` data.',
    ),
    if: { required: ['synthetic'] },
    then: { allOf: [forbid('train', bothOrSynthetic('train')), forbid('validation', bothOrSynthetic('validation'))] },
    else: { required: ['train', 'validation'] },
  },
);

export const Model = Type.Object(
  {
    layers: Type.Array(Type.Integer({ minimum: 1, maximum: 100000 }), {
      minItems: 2,
      ...doc(
        'Layer widths [inputs, hidden..., outputs], e.g. [1, 8, 4, 1]. Inputs = number of feature columns; outputs = 1 for mse and binary-cross-entropy, the number of classes for cross-entropy.',
        'Layer widths `[inputs, hidden…, outputs]`, e.g. `[1, 8, 4, 1]`. Inputs = number of feature columns; outputs = 1 for `mse` and `binary-cross-entropy`, the number of classes for `cross-entropy`.',
      ),
    }),
    activation: Activation,
    init: Type.Optional(
      Type.Object(
        {
          stateDict: Type.String({
            minLength: 1,
            ...doc(
              "PyTorch state_dict saved as JSON: json.dump({k: v.tolist() for k, v in model.state_dict().items()}, f). Keys 0.weight, 0.bias, 2.weight, ... Relative to this file's folder.",
              "PyTorch `state_dict` saved as JSON:\n```python\njson.dump({k: v.tolist() for k, v in model.state_dict().items()}, f)\n```\nKeys `0.weight`, `0.bias`, `2.weight`, …; shapes must match `layers`. Relative to this file's folder.",
            ),
          }),
        },
        { additionalProperties: false, ...doc('Initial weights. Omit for a seeded PyTorch-style initialisation.') },
      ),
    ),
  },
  {
    additionalProperties: false,
    ...doc(
      'The MLP: a stack of Linear layers with one hidden activation, like a PyTorch nn.Sequential.',
      'The MLP: a stack of Linear layers with one hidden activation, like a PyTorch `nn.Sequential(Linear, act, Linear, …)`.',
    ),
  },
);

/** Why a PyTorch experiment's training takes no batchSize (also the schema's message). */
const PYTORCH_BATCHES = "'training.batchSize' is only for MLP experiments: a PyTorch problem's minibatches are its train_batches() (without them, training is full-batch descent on train_loss)";

export const Training = Type.Object(
  {
    epochs: Type.Integer({
      minimum: 0,
      maximum: 100000,
      ...doc('Passes over the training set. 0 analyses the initial weights as they are.', 'Passes over the training set. `0` analyses the initial weights as they are.'),
    }),
    batchSize: Type.Optional(onlyIn(['mlp'], Type.Integer({ minimum: 1, ...doc('Rows per SGD step (the last batch of an epoch may be smaller). Required for MLP experiments.') }), PYTORCH_BATCHES)),
    learningRate: Type.Number({ exclusiveMinimum: 0, ...doc('SGD step size, > 0.', 'SGD step size, `> 0`.') }),
  },
  { additionalProperties: false, ...doc('Minibatch SGD on the training objective before the analysis (seeded shuffle).') },
);

export const Neumann = Type.Object(
  {
    alpha: Type.Union([Type.Number({ exclusiveMinimum: 0 }), Type.Literal('auto')], {
      ...doc(
        'Step alpha > 0, or "auto". The series converges iff 0 < alpha < 2/lambda_max and lambda_min > 0. "auto": alpha = 1/(lambda_max,upper + delta) measured at the analysed point (and afresh at every step of the hyper loop), the upper end of lambda_max\'s interval.',
        'Step `α > 0`, or `"auto"`. The series converges iff `λ_min > 0` and `α < 2/λ_max`. `"auto"`: `α = 1/(λ_max,upper + δ)` measured at the analysed point (and afresh at every step of the `hyper` loop, where the curvature drifts), with `λ_max,upper` the upper end of λ_max\'s interval; the report gives the α used.',
      ),
      errorMessage: 'expected a number > 0 or "auto"',
    }),
    terms: Type.Integer({
      minimum: 1,
      maximum: 100000,
      ...doc(
        'K: the number of updates v <- v - alpha H v after the initial term, as in `for i in range(K)`; the series sums j = 0..K.',
        '`K`: the number of updates `v ← v − αHv; p ← p + v` after the initial term, as in `for i in range(K)`; the series sums `j = 0…K`.',
      ),
    }),
    damping: withDefault(
      Type.Number({
        minimum: 0,
        ...doc(
          'delta >= 0: run the series on H + delta I (delta > -lambda_min makes it positive definite).',
          '`δ ≥ 0`: run the series on `H + δI` (`δ > −λ_min` makes it positive definite).',
        ),
      }),
      0,
    ),
    vector: Type.Optional(
      onlyIn(
        ['problem'],
        Type.Array(Type.Number(), {
          minItems: 1,
          ...doc(
            'Right-hand side b, for problem experiments only (MLPs use b = gradient of the validation loss). Default: all ones for sum-of-cubes, problem.vector for quadratic.',
            "Right-hand side `b`, for `problem` experiments only (MLPs use `b = ∇_w L_V`). Default: all ones for `sum-of-cubes`, `problem.vector` for `quadratic`. Same length as the problem's dimension.",
          ),
        }),
        "'neumann.vector' is only for problem experiments: an MLP's right-hand side is b = ∇_w L_V",
      ),
    ),
  },
  {
    additionalProperties: false,
    ...doc(
      'The truncated Neumann series x_K = alpha * sum_{j=0..K} (I - alpha H)^j b that approximates H^-1 b.',
      'The truncated Neumann series `x_K = α Σ_{j=0..K} (I − αH)^j b ≈ H⁻¹b`. It converges iff `ρ(I − αH) < 1`.',
    ),
  },
);

export const Analysis = Type.Object(
  {
    // 2000 since the Householder + QL path (src/core/algorithms/householder.ts, two threads):
    // bench/results/dense.json measured the eigendecomposition at 0.13 s (n = 500), 1.65 s (1210)
    // and 6.26 s (2000) on one thread, 3.15 s at 2000 on two, where ml-matrix took 1.9 / 29 / 134 s.
    exactMaxParams: withDefault(
      Type.Integer({
        minimum: 0,
        ...doc(
          'Up to this many parameters, build the full Hessian from HVPs and eigendecompose it (all eigenvalues); the eigendecomposition takes ~0.1 s at 500 and ~3 s at 2000 parameters.',
          'Up to this many parameters, build the full Hessian from HVPs (n products) and eigendecompose it (all eigenvalues, negative count, condition number, exact hypergradient for every damping). `0` never does. The eigendecomposition takes about 0.1 s at 500 parameters and 3 s at 2000 (plus the n HVPs); above the limit Lanczos gives both ends with error bars and stochastic Lanczos quadrature the density.',
        ),
      }),
      2000,
    ),
    tolerance: withDefault(
      Type.Number({
        exclusiveMinimum: 0,
        exclusiveMaximum: 1,
        ...doc(
          "Relative tolerance: Lanczos stops when both extreme eigenvalues' relative Ritz residuals are below it; also the target accuracy for the terms-needed advice.",
          "Relative tolerance: Lanczos stops when both extreme eigenvalues' relative Ritz residuals are below it; also the target accuracy for the terms-needed advice `K = ⌈log(tol)/log ρ⌉`.",
        ),
      }),
      1e-3,
    ),
    maxLanczosSteps: withDefault(Type.Integer({ minimum: 2, maximum: 10000, ...doc('Most Lanczos steps (one HVP each).') }), 80),
    powerIteration: withDefault(
      Type.Boolean(
        doc(
          'Also run power iteration (and shifted power iteration for the other end) as a cross-check.',
          'Also run power iteration (and shifted power iteration on `H − λ_max I` for the other end) as a cross-check.',
        ),
      ),
      true,
    ),
    hutchinsonSamples: withDefault(
      Type.Integer({
        minimum: 1,
        maximum: 100000,
        ...doc("Rademacher vectors for Hutchinson's trace estimate.", "Rademacher vectors for Hutchinson's trace estimate (its standard error falls as `1/√samples`)."),
      }),
      20,
    ),
    trackEpochs: withDefault(
      Type.Boolean(
        doc(
          'Measure lambda_max, lambda_min and rho at the end of every training epoch.',
          'Measure `λ_max`, `λ_min` and `ρ` at the end of every training epoch.',
        ),
      ),
      false,
    ),
    epochLanczosSteps: withDefault(
      Type.Integer({ minimum: 2, maximum: 10000, ...doc('Lanczos steps per epoch when trackEpochs is on.', 'Lanczos steps per epoch when `trackEpochs` is on.') }),
      20,
    ),
    // Measured: the R-operator and float32 central differences (relu pattern frozen) agree to
    // 1e-5…1.3e-4 on every activation × loss, the trained seed model and 784-128-10. 1e-3 leaves an
    // 8× margin over that noise while an HVP that is 2 % wrong (a dropped second-order term) fails.
    selfCheckTolerance: withDefault(
      Type.Number({
        exclusiveMinimum: 0,
        ...doc(
          'Relative tolerance of the HVP self-check (exact vs finite differences); beyond it the analysis falls back to finite differences.',
          'Relative tolerance of the HVP self-check (exact vs finite differences, float32); beyond it the analysis says so and falls back to finite differences.',
        ),
      }),
      1e-3,
    ),
    // The hypergradient's error from a non-stationary point is about ‖∇L_T‖/λ_min relative to
    // ‖H⁻¹∇L_V‖; with losses and curvatures of order 1 (standardised data), 1e-2 keeps that error
    // around 1 %, the accuracy a Neumann approximation is used at anyway.
    stationarityTolerance: withDefault(
      Type.Number({
        exclusiveMinimum: 0,
        ...doc(
          'A training-gradient norm ||grad L_T(w)|| above this raises the not-stationary warning (the implicit function theorem assumes grad L_T = 0).',
          'A training-gradient norm `‖∇L_T(w)‖` above this raises the *not-stationary* warning (the implicit function theorem assumes `∇L_T = 0`: train longer).',
        ),
      }),
      1e-2,
    ),
  },
  { additionalProperties: false, ...doc('How the spectrum is measured. Every key is optional.') },
);

export const ProblemKind = StringEnum(['sum-of-cubes', 'quadratic'], {
  ...doc(
    "sum-of-cubes: f(x) = sum x_i^3 at point (H = diag(6 x_i)). quadratic: f(x) = 1/2 x'Ax - b'x with symmetric A = matrix, b = vector (H = A).",
    '- `sum-of-cubes`: `f(x) = Σ xᵢ³` at `point` (`H = diag(6xᵢ)`).\n- `quadratic`: `f(x) = ½xᵀAx − bᵀx` with symmetric `A = matrix`, `b = vector` (`H = A`).',
  ),
});

export const Problem = Type.Object(
  {
    kind: ProblemKind,
    point: Type.Optional(
      Type.Array(Type.Number(), {
        minItems: 1,
        ...doc(
          'sum-of-cubes only: the point x where the Hessian is taken, e.g. [0.05, 0.05].',
          '`sum-of-cubes` only: the point `x` where the Hessian is taken, e.g. `[0.05, 0.05]` (`H = diag(0.3, 0.3)`).',
        ),
      }),
    ),
    matrix: Type.Optional(
      Type.Array(Type.Array(Type.Number()), {
        minItems: 1,
        ...doc('quadratic only: the symmetric n x n matrix A (rows).', '`quadratic` only: the symmetric `n×n` matrix `A`, as a list of rows.'),
      }),
    ),
    vector: Type.Optional(
      Type.Array(Type.Number(), { minItems: 1, ...doc('quadratic only: the vector b (length n).', '`quadratic` only: the vector `b` (length `n`).') }),
    ),
  },
  {
    additionalProperties: false,
    ...doc(
      'An analytic problem instead of an MLP: its exact Hessian goes through the same analysis. Needs neumann; takes no data, model, loss, weightDecay or training.',
      'An analytic problem instead of an MLP: its exact Hessian goes through the same analysis. Needs `neumann`; takes no `data`, `model`, `loss`, `weightDecay` or `training`.',
    ),
    ...variants<Static<typeof ProblemKind>>('kind', { 'sum-of-cubes': ['point'], quadratic: ['matrix', 'vector'] }),
  },
);

export const HyperOptimizerKind = StringEnum(['sgd', 'adam', 'rmsprop'], {
  ...doc(
    'The optimiser on phi = log(weight decay), stepped as torch.optim 1.13 steps it: sgd phi <- phi - lr g; adam with betas (0.9, 0.999), eps 1e-8; rmsprop with alpha 0.99, eps 1e-8.',
    'The optimiser on `φ = log(weight decay)`, stepped as `torch.optim` 1.13 steps it: `sgd` `φ ← φ − lr·g`; `adam` with betas `(0.9, 0.999)`, eps `1e-8`; `rmsprop` with alpha `0.99`, eps `1e-8` (PyTorch\'s defaults, no momentum).',
  ),
});

export const HyperInverseKind = StringEnum(['neumann', 'cg', 'exact', 'identity'], {
  ...doc(
    'How x = H^-1 b is computed each hyper-step: neumann (the neumann block: alpha, terms, damping), cg (conjugate gradient on H + delta I), exact (dense solve of H, up to analysis.exactMaxParams parameters), identity (x = b, the cheap baseline).',
    'How `x ≈ H⁻¹b` is computed each hyper-step: `neumann` (the `neumann` block: `alpha`, `terms`, `damping`), `cg` (conjugate gradient on `H + δI`), `exact` (dense solve of `H`, up to `analysis.exactMaxParams` parameters), `identity` (`x = b`, the cheap baseline).',
  ),
});

export const HyperOptimizer = Type.Object(
  {
    kind: HyperOptimizerKind,
    learningRate: Type.Number({ exclusiveMinimum: 0, ...doc('Step size on phi = log(weight decay), > 0.', 'Step size on `φ = log(weight decay)`, `> 0`.') }),
  },
  { additionalProperties: false, ...doc('The optimiser of the hyperparameters.') },
);

export const Hyper = Type.Object(
  {
    steps: Type.Integer({ minimum: 1, maximum: 100000, ...doc('Hyper-steps t = 1..steps.', 'Hyper-steps `t = 1…steps`.') }),
    innerSteps: withDefault(
      Type.Integer({
        minimum: 0,
        maximum: 1000000,
        ...doc(
          'SGD steps on L_T (training.learningRate, training.batchSize or a PyTorch problem\'s train_batches(), the batch order continuing) before each hyper-step; 0 keeps w fixed.',
          'SGD steps on `L_T` (`training.learningRate`; batches of `training.batchSize`, or a PyTorch problem\'s `train_batches()` and `batch_loss`, else full-batch steps on `train_loss`; the batch order continues across hyper-steps) before each hyper-step; `0` keeps `w` fixed.',
        ),
      }),
      10,
    ),
    granularity: withDefault(
      StringEnum(['global', 'per-tensor', 'per-parameter'], {
        ...doc(
          'global: one weight decay; per-tensor: one per parameter tensor (0.weight, 0.bias, ...; a PyTorch model\'s named_parameters()); per-parameter: one per weight (Lorraine et al.\'s millions of hyperparameters).',
          '`global`: one weight decay; `per-tensor`: one per parameter tensor (`0.weight`, `0.bias`, …; for a PyTorch model its `named_parameters()`); `per-parameter`: one per weight (Lorraine et al.\'s "millions of hyperparameters"). Each starts at `weightDecay`.',
        ),
      }),
      'global',
    ),
    optimizer: HyperOptimizer,
    inverse: withDefault(HyperInverseKind, 'neumann'),
    reference: withDefault(
      StringEnum(['exact', 'cg', 'none', 'auto'], {
        ...doc(
          'What each hyper-step\'s hypergradient is compared with (relative error, cosine): exact (dense solve), cg (on the damped system H + delta I), none; auto is exact up to analysis.exactMaxParams parameters, else cg.',
          'What each hyper-step\'s hypergradient is compared with (relative error and cosine): `exact` (dense solve), `cg` (on the damped system `H + δI`), `none`; `auto` is `exact` up to `analysis.exactMaxParams` parameters, else `cg`.',
        ),
      }),
      'auto',
    ),
    compare: withDefault(
      Type.Array(HyperInverseKind, {
        uniqueItems: true,
        ...doc(
          'Further runs of the same loop from the same start with these inverses, shown side by side (not the loop\'s own inverse).',
          'Further runs of the same loop from the same start with these inverses, shown side by side (not `inverse` itself).',
        ),
      }),
      [],
    ),
    cg: withDefault(
      Type.Object(
        {
          rtol: withDefault(Type.Number({ exclusiveMinimum: 0, exclusiveMaximum: 1, ...doc('Stop at ||b - Ax||/||b|| below this.', 'Stop at `‖b − Ax‖/‖b‖` below this.') }), 1e-6),
          maxIter: withDefault(Type.Integer({ minimum: 1, maximum: 1000000, ...doc('Most CG iterations (one HVP each).') }), 500),
        },
        { additionalProperties: false, ...doc('Conjugate gradient, as inverse or reference.') },
      ),
      {},
      { silent: true },
    ),
    spectrumSteps: withDefault(
      Type.Integer({
        minimum: 2,
        maximum: 10000,
        ...doc(
          'Lanczos steps per hyper-step for lambda_min, lambda_max and alpha "auto" (warm-started from the previous step) when H is not assembled.',
          'Lanczos steps per hyper-step for `λ_min`, `λ_max` and `alpha: "auto"` (warm-started from the previous step\'s top eigenvector) when `H` is not assembled for an `exact` inverse or reference.',
        ),
      }),
      20,
    ),
    errorThreshold: withDefault(
      Type.Number({
        exclusiveMinimum: 0,
        ...doc(
          'A hyper-step whose hypergradient is further than this (relative) from the reference warns; 0.1 = 10 %.',
          'A hyper-step whose hypergradient is further than this (relative, `‖g − g_ref‖/‖g_ref‖`) from the reference warns; `0.1` = 10 %.',
        ),
      }),
      0.1,
    ),
  },
  {
    additionalProperties: false,
    ...doc(
      'Run Lorraine et al.\'s hyperparameter loop after the diagnosis: innerSteps of SGD, then a hyper-step on phi = log(weight decay) with the IFT hypergradient, steps times, reporting per step the losses, curvature, rho and the hypergradient\'s error. Needs weightDecay > 0 (and, for a PyTorch model, a training block for training.learningRate).',
      'Run Lorraine, Vicol & Duvenaud\'s hyperparameter loop (Algorithm 1) after the diagnosis: `innerSteps` of SGD on `L_T`, then a hyper-step on `φ = log(weight decay)` with the implicit-function hypergradient `g = −Σ x_i·λ_i·w_i`, `x ≈ H⁻¹∇L_V`, `steps` times. Each step reports the losses, `λ_min`, `λ_max`, `α`, `ρ` and the hypergradient\'s error against `reference`. Needs `weightDecay > 0`; a PyTorch experiment also needs `training` (its `learningRate` is the inner steps\'; `epochs: 0` starts the loop from the model\'s own weights).',
    ),
  },
);

// ---------------------------------------------------------------------------------------------
// The PyTorch bridge: the user's own model in a Python file, served by python/neumann_lens.

export const TorchDtype = StringEnum(['float32', 'float64'], {
  ...doc(
    'Floating-point type of the model, data and Hessian-vector products. float64 sets torch.set_default_dtype(torch.float64) before neumann_problem() runs and converts the model with .double().',
    'Floating-point type of the model, data and Hessian-vector products. `float64` sets `torch.set_default_dtype(torch.float64)` before `neumann_problem()` runs and converts the model with `.double()` (the data your code builds must follow).',
  ),
});

const serverDecides = (key: string) =>
  forbid(key, `'pytorch.${key}' is decided by the server with pytorch.connect: give it on the serve command line (python -m neumann_lens serve --${key === 'file' ? 'problem' : key} …)`);

export const Pytorch = Type.Object(
  {
    file: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc(
          "The Python file defining neumann_problem(), relative to this file's folder. It returns a dict: model (a torch.nn.Module), train_loss and val_loss (f(model) -> scalar tensor), optionally train_batches and batch_loss for minibatch training.",
          "The Python file defining `neumann_problem()`, relative to this file's folder. It returns a dict:\n- `model`: a `torch.nn.Module` (its `named_parameters()` with `requires_grad` are `w`)\n- `train_loss`, `val_loss`: `f(model) -> scalar tensor` (the data part of `L_T`, and `L_V`)\n- optional `train_batches` (`f() -> iterable of batches`) and `batch_loss` (`f(model, batch) -> scalar`) for minibatch SGD when `training` is given.",
        ),
      }),
    ),
    dtype: withDefault(TorchDtype, 'float32'),
    device: withDefault(
      Type.String({
        pattern: '^(cpu|cuda(:[0-9]+)?)$',
        patternErrorMessage: 'must be "cpu", "cuda" or "cuda:N"',
        ...doc('Where the model runs: cpu, cuda or cuda:N (a clear error when CUDA is not available).', 'Where the model runs: `cpu`, `cuda` or `cuda:N` (the model is moved there; a clear error when CUDA is not available).'),
      }),
      'cpu',
    ),
    python: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc(
          'The Python interpreter (with torch >= 1.13) to run the problem with. Default: the CLI flag --python or NEUMANN_LENS_PYTHON, else the setting neumannLens.python.interpreter, else the Python extension\'s environment, else the first of python3, python, /usr/bin/python3 that has torch.',
          "The Python interpreter (with `torch ≥ 1.13`) to run the problem with, a path or a name on `PATH`. When absent: in VS Code the setting `neumannLens.python.interpreter`, then the Python extension's active environment; then the first of `python3`, `python`, `/usr/bin/python3` that imports torch. The CLI's `--python PATH` and `NEUMANN_LENS_PYTHON` override it.",
        ),
      }),
    ),
    distributed: Type.Optional(
      Type.Object(
        {
          worldSize: Type.Integer({
            minimum: 1,
            maximum: 1024,
            ...doc(
              'Number of local torch.distributed ranks, each over its shard; neumann_problem(rank=, world_size=) returns the shard with train_size and val_size.',
              'Number of local `torch.distributed` ranks, each over its shard: `neumann_problem(rank=, world_size=)` returns that rank\'s shard with `train_size` and `val_size`; every value is the exact global mean.',
            ),
          }),
          backend: withDefault(
            StringEnum(['gloo', 'nccl'], { ...doc('torch.distributed backend: gloo (CPU) or nccl (CUDA, one device per rank).', '`torch.distributed` backend: `gloo` (CPU) or `nccl` (CUDA, one device per rank).') }),
            'gloo',
          ),
        },
        { additionalProperties: false, ...doc('Local ranks started by Neumann Lens itself (no torchrun).') },
      ),
    ),
    connect: Type.Optional(
      Type.String({
        pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[^:\\s\\[\\]]+):[0-9]{1,5}$',
        patternErrorMessage: 'must be HOST:PORT or [IPv6]:PORT, e.g. "node1:7777"',
        ...doc(
          'HOST:PORT of rank 0 of a server you started (python -m neumann_lens serve --listen HOST:PORT --token-file FILE); instead of file.',
          '`HOST:PORT` of rank 0 of a server you started (`python -m neumann_lens serve --problem problem.py --listen HOST:PORT --token-file FILE`, e.g. cluster ranks under torchrun); instead of `file`. Needs `tokenFile`.',
        ),
      }),
    ),
    tokenFile: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc("The file holding the server's token (its --token-file, or a copy), relative to this file's folder; with connect only.", "The file holding the server's token (its `--token-file`, or a copy), relative to this file's folder; with `connect` only."),
      }),
    ),
  },
  {
    additionalProperties: false,
    ...doc(
      "The user's own PyTorch model: a Python file served by the bridge with PyTorch's exact Hessian-vector products (or a server to connect to). Takes weightDecay, training, neumann, analysis and hyper; no data, model or loss.",
      "The user's own PyTorch model: a Python file served by the bridge (`python/neumann_lens`, shipped with Neumann Lens) with PyTorch's exact Hessian-vector products, or a running server (`connect`). The training objective is `train_loss + ½·weightDecay·‖w‖²`, as for MLPs. Takes `weightDecay`, `training`, `neumann`, `analysis` and `hyper`; no `data`, `model` or `loss`.",
    ),
    if: { required: ['connect'] },
    then: { required: ['tokenFile'], allOf: ['file', 'python', 'dtype', 'device', 'distributed'].map(serverDecides) },
    else: { required: ['file'], allOf: [forbid('tokenFile', "'pytorch.tokenFile' goes with pytorch.connect (the server's token)")] },
  },
);

// ---------------------------------------------------------------------------------------------
// The file.

const mlpOnly = ['mlp'] as const;
/** Keys of the training objective and its training, shared by the MLP and the user's PyTorch model. */
const trainedKinds = ['mlp', 'pytorch'] as const;

const root = Type.Object(
  {
    $schema: Type.Optional(
      Type.String(doc('Path or URL of this JSON Schema, for editors.', 'Path or URL of this JSON Schema, for editors (e.g. `../schemas/experiment.schema.json`).')),
    ),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc(
          'A name for the experiment, shown in reports. Default: the file name without .neumann.json.',
          'A name for the experiment, shown in reports. Default: the file name without `.neumann.json`.',
        ),
      }),
    ),
    seed: withDefault(
      Type.Integer({
        minimum: 0,
        maximum: 4294967294,
        ...doc(
          'Seed of every random draw: initialisation, shuffles, synthetic data (train from seed, validation from seed + 1), and the start vectors of Lanczos, power iteration and Hutchinson.',
          'Seed of every random draw: initialisation, shuffles, synthetic data (train from `seed`, validation from `seed + 1`), and the start vectors of Lanczos, power iteration and Hutchinson.',
        ),
      }),
      0,
    ),
    data: Type.Optional(onlyIn(mlpOnly, Data)),
    model: Type.Optional(onlyIn(mlpOnly, Model)),
    loss: Type.Optional(onlyIn(mlpOnly, Loss)),
    weightDecay: withDefault(
      onlyIn(
        trainedKinds,
        Type.Number({
          minimum: 0,
          ...doc(
            'lambda >= 0: the training objective is loss(train) + lambda/2 * ||w||^2 over all parameters, biases included. It adds lambda to every Hessian eigenvalue.',
            "`λ ≥ 0`: the training objective is `loss(train) + ½λ‖w‖²` over **all** parameters, biases included (as SGD's `weight_decay`). It adds `λ` to every Hessian eigenvalue.",
          ),
        }),
      ),
      0,
    ),
    training: Type.Optional(onlyIn(trainedKinds, Training)),
    // An MLP's default series is the motivating snippet's: plain `v ← v − Hv` (α = 1), ten updates.
    neumann: withDefault(Neumann, { alpha: 1, terms: 10 }, { lead: 'for MLPs (the motivating snippet)' }),
    analysis: withDefault(Analysis, {}, { silent: true }),
    problem: Type.Optional(onlyIn(['problem'], Problem)),
    hyper: Type.Optional(onlyIn(trainedKinds, Hyper)),
    pytorch: Type.Optional(onlyIn(['pytorch'], Pytorch)),
  },
  {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://neumann-lens.local/schemas/experiment.schema.json',
    title: 'Neumann Lens experiment',
    ...doc(
      'A Neumann Lens experiment (*.neumann.json): either an MLP trained on data (data, model, loss, training) or an analytic problem (problem). Neumann Lens measures the Hessian spectrum at the resulting point and says whether the truncated Neumann series alpha * sum_{j=0..K} (I - alpha H)^j b converges.',
      'A **Neumann Lens** experiment (`*.neumann.json`): either an MLP trained on data (`data`, `model`, `loss`, `training`) or an analytic problem (`problem`). Neumann Lens measures the Hessian spectrum at the resulting point and says whether the truncated Neumann series `α Σ_{j=0..K} (I − αH)^j b` converges.',
    ),
    additionalProperties: false,
  },
);

/** The declaration of the whole file (TypeBox), with the kind rules attached. */
export const ExperimentFile = Object.assign(root, kindRules(root, EXPERIMENT_KINDS));
/** The file as written, after validation (every top-level key optional: which are needed depends on the kind). */
export type ExperimentFileValue = Static<typeof ExperimentFile>;

/** The JSON Schema VS Code and ajv read (schemas/experiment.schema.json is this, written out). */
export const EXPERIMENT_JSON_SCHEMA = plainSchema(ExperimentFile) as Record<string, unknown>;
