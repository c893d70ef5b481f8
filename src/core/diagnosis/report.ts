/**
 * The versioned diagnosis report (schemaVersion 1): what the CLI prints as JSON, what the worker
 * sends to the extension, what the panel renders and what Export writes. Every number in it is
 * computed by the run that produced it.
 *
 * Declared once, with TypeBox: each schema below is the TypeScript type (Static), the validator
 * the protocol applies on receipt, and schemas/report.schema.json (scripts/gen-report-schema.ts).
 * Measured numbers are AnyNumber (they may be ±Infinity or NaN: a diverging series overflows);
 * counts are integers; the experiment's own settings echoed here are finite.
 */
import type { Static } from '@sinclair/typebox';
import type { BackendName } from '../config/experiment';
import { AnyNumber, Nullable, OneOf, T } from '../util/typebox';
import { AdviceMessage } from './advice-message';
import { HyperReport } from './hyper-report';

const Num = AnyNumber;
const Int = (description?: string) => T.Integer(description ? { description } : {});
const Finite = (description?: string) => T.Number(description ? { description } : {});
const Numbers = (description?: string) => T.Array(Num(), description ? { description } : {});

export const Interval = T.Tuple([Num(), Num()], { description: '[lo, hi]' });
export type Interval = Static<typeof Interval>;

export const VERDICTS = ['converges', 'slow', 'diverges-step-too-large', 'diverges-negative-curvature', 'inconclusive'] as const;
export const Verdict = OneOf(VERDICTS, {
  description:
    "'inconclusive': this run's bounds do not decide ρ against 1 — an end of the spectrum did not converge " +
    "(a Ritz value only bounds the extreme from inside), or ρ's interval straddles 1",
});
export type Verdict = Static<typeof Verdict>;

export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
type TfjsBackend = (typeof BACKEND_NAMES)[number];
// The experiment format declares the backends too: the two lists must name the same ones.
const sameBackends: [TfjsBackend, BackendName] extends [BackendName, TfjsBackend] ? true : never = true;
void sameBackends;
const Backend = OneOf([...BACKEND_NAMES, 'torch'], { description: 'the TF.js backend that ran, or torch (a PyTorch experiment: see runtime)' });
export type ReportBackend = Static<typeof Backend>;

/** What served a PyTorch experiment's losses, gradients and HVPs. */
export const TorchRuntime = T.Object({
  interpreter: T.String({ description: 'the Python executable that ran the bridge (rank 0 for a server connected to)' }),
  interpreterSource: T.String({ description: 'who chose it: the experiment, --python, a setting, discovery…' }),
  pythonVersion: T.String(),
  torch: T.String({ description: 'torch.__version__' }),
  dtype: OneOf(['float32', 'float64']),
  device: T.String({ description: 'the device the model ran on, e.g. cpu or cuda:0' }),
  worldSize: Int('torch.distributed ranks (1: one process)'),
  parameterNames: T.Array(T.String(), { description: 'named_parameters() order: the flattening order of w' }),
});
export type TorchRuntime = Static<typeof TorchRuntime>;

export const SpectrumMethod = OneOf(['exact', 'lanczos', 'power']);
export type SpectrumMethod = Static<typeof SpectrumMethod>;

export const ExtremeEstimate = T.Object({
  value: Num(),
  interval: T.Tuple([Num(), Num()], {
    description: 'contains an eigenvalue of H (Ritz value ± residual norm; exact path: zero width up to rounding)',
  }),
  residual: Num(),
  converged: T.Boolean(),
});
export type ExtremeEstimate = Static<typeof ExtremeEstimate>;

export const PowerCrossCheck = T.Object({
  lambdaMax: ExtremeEstimate,
  lambdaMin: ExtremeEstimate,
  iterations: T.Object({ max: Int(), min: Int() }),
  hvps: Int(),
});
export type PowerCrossCheck = Static<typeof PowerCrossCheck>;

export const SpectralDensity = T.Object(
  {
    method: OneOf(['slq', 'exact'], { description: "'slq': stochastic Lanczos quadrature (Rademacher probes); 'exact': the dense eigenvalues, broadened alike" }),
    grid: Numbers('λ, ascending and evenly spaced'),
    values: Numbers('density on the grid; the trapezoid rule over the grid gives 1'),
    sigma: Num({ description: 'Gaussian broadening' }),
    probes: Int('Rademacher probes (0 on the exact path)'),
    steps: Int('Lanczos steps per probe (0 on the exact path)'),
    hvps: Int('HVPs the density cost (0 on the exact path: it reuses the eigenvalues)'),
    negativeFraction: Num({ description: 'fraction of eigenvalues below −roundingAllowance' }),
    negativeFractionStdErr: Nullable(Num(), { description: 'across probes; 0 on the exact path; null with one probe' }),
    negativeFractionInterval: T.Tuple([Num(), Num()], {
      description: "the probes' Gauss-rule bracket (Chebyshev–Markov–Stieltjes) widened by 2 standard errors, clipped to [0, 1]; a point on the exact path",
    }),
  },
  { description: 'spectral density of H (Ghorbani et al. 2019)' },
);
export type SpectralDensity = Static<typeof SpectralDensity>;

export const EigenvectorReport = T.Object({
  value: Num(),
  residual: Num({ description: '‖Hv − λv‖ of the unit vector (the Ritz residual on the Lanczos path)' }),
  tensorShare: T.Record(T.String(), Num(), {
    description: 'state_dict tensor name → share of ‖v‖² in it (the shares sum to 1), in parameter order; empty for analytic problems',
  }),
});
export type EigenvectorReport = Static<typeof EigenvectorReport>;

export const SpectrumReport = T.Object({
  method: SpectrumMethod,
  lambdaMax: Num(),
  lambdaMin: Num(),
  lambdaMaxInterval: Interval,
  lambdaMinInterval: Interval,
  converged: T.Object({ max: T.Boolean(), min: T.Boolean() }),
  eigenvalues: Nullable(Numbers(), { description: 'all eigenvalues ascending (exact path only)' }),
  negativeCount: Nullable(Num(), {
    description: 'eigenvalues below −roundingAllowance: counted on the exact path (an integer); on the Lanczos path the SLQ estimate n·negativeFraction',
  }),
  negativeCountStdErr: T.Optional(Nullable(Num(), { description: 'standard error of the SLQ estimate over its probes (Lanczos path); null when counted' })),
  negativeCountInterval: T.Optional(
    Nullable(Interval, { description: "n × density.negativeFractionInterval (Lanczos path): the Gauss rules' bracket widened by 2 standard errors; null when counted" }),
  ),
  conditionNumber: Nullable(Num()),
  trace: Nullable(Num(), { description: 'Hutchinson estimate (Rademacher)' }),
  traceStdErr: Nullable(Num()),
  hvps: Int('HVPs spent on the spectrum (all methods)'),
  roundingAllowance: T.Optional(
    Num({
      description:
        'absolute widening already included in the intervals for the rounding of the float32 HVPs ' +
        '(Weyl: |λᵢ(H̃) − λᵢ(H)| ≤ ‖H̃ − H‖₂), estimated as γ_N·max|λ| with γ_N = N·u/(1 − N·u), ' +
        'u = 2⁻²⁴ and N the longest float32 sum in one product; 0 for float64 (analytic) problems',
    }),
  ),
  lanczosSteps: Nullable(Int()),
  lanczos: Nullable(
    T.Object({ lambdaMax: ExtremeEstimate, lambdaMin: ExtremeEstimate, steps: Int(), hvps: Int() }),
    { description: 'Lanczos estimates, kept as a cross-check when the exact path chose the numbers' },
  ),
  power: Nullable(PowerCrossCheck, { description: '(shifted) power-iteration estimates, a cross-check' }),
  density: T.Optional(Nullable(SpectralDensity)),
  bottomEigenvector: T.Optional(Nullable(EigenvectorReport, { description: 'the eigenvector (exact path) or Ritz vector (Lanczos) of λ_min' })),
  topEigenvector: T.Optional(Nullable(EigenvectorReport, { description: 'the eigenvector (exact path) or Ritz vector (Lanczos) of λ_max' })),
});
export type SpectrumReport = Static<typeof SpectrumReport>;

export const NeumannReport = T.Object({
  alpha: Finite(),
  terms: Int(),
  damping: Finite(),
  rho: Num({ description: 'ρ(I − α(H + δI)) from the spectrum, conservative (upper end of the interval bounds)' }),
  rhoInterval: Interval,
  verdict: Verdict,
  termNorms: Numbers('‖v_j‖ for j = 0..(terms or the term where it stopped)'),
  residuals: Numbers('‖(H + δI) x_j − b‖ / ‖b‖'),
  growthRatios: Numbers('‖v_j‖/‖v_{j−1}‖, j ≥ 1'),
  termHeads: T.Array(T.Array(Num()), { description: 'first 5 entries of v_j in PyTorch parameter order' }),
  solutionHead: Numbers(),
  nonFiniteAtTerm: Nullable(Int(), { description: 'first j at which v_j, its norm or (H+δI)v_j became NaN/Inf (overflow), else null' }),
});
export type NeumannReport = Static<typeof NeumannReport>;

// Declared beside the hyperparameter loop's warnings, which are advice messages too.
export { AdviceKind, AdviceMessage, ConfigFix } from './advice-message';

export const DampingAdvice = T.Object({ delta: Num(), alpha: Num(), rho: Num(), termsNeeded: Nullable(Num()) });
export type DampingAdvice = Static<typeof DampingAdvice>;

export const HYPERGRADIENT_REFERENCES = ['exact', 'minres', 'cg', 'none'] as const;
export type HypergradientReference = (typeof HYPERGRADIENT_REFERENCES)[number];

export const HYPERGRADIENT_STATUSES = ['agrees', 'biased', 'far', 'wrong-sign', 'diverged', 'no-reference'] as const;

export const HypergradientVerdict = T.Object(
  {
    status: OneOf(HYPERGRADIENT_STATUSES, {
      description:
        "'agrees': within 5 % of the reference; 'wrong-sign': the sign differs from the reference; 'biased': the damped " +
        "system's own solution is already far from the reference; 'far': far for another reason (terms); 'diverged'; 'no-reference'",
    }),
    reference: OneOf(HYPERGRADIENT_REFERENCES),
    neumann: Nullable(Num()),
    referenceValue: Nullable(Num()),
    limit: Nullable(Num({ description: 'what the series converges to: the hypergradient of (H + δI)⁻¹b at the configured δ' })),
    relError: Nullable(Num()),
    dampingBias: Nullable(Num({ description: '|limit − reference| / |reference| (δ > 0)' })),
    signAgrees: Nullable(T.Boolean()),
  },
  { description: "the verdict's second part: is the series' value the hypergradient the user wants" },
);
export type HypergradientVerdict = Static<typeof HypergradientVerdict>;

export const Advice = T.Object({
  verdict: Verdict,
  summary: T.String({ description: 'one sentence naming the cause that sets ρ, with its numbers' }),
  messages: T.Array(AdviceMessage),
  alphaMax: Nullable(Num()),
  alphaSuggested: Nullable(Num()),
  alphaOptimal: Nullable(Num()),
  rhoOptimal: Nullable(Num()),
  termsNeeded: Nullable(Num()),
  damping: Nullable(DampingAdvice),
  useCg: T.Boolean(),
  notStationary: T.Boolean(),
  hypergradient: T.Optional(Nullable(HypergradientVerdict)),
});
export type Advice = Static<typeof Advice>;

export const MinresHypergradient = T.Object(
  {
    value: Nullable(Num(), { description: 'the hypergradient from the MINRES solution (a value even when not converged: see converged)' }),
    residual: Num({ description: '‖Hx − b‖/‖b‖ from a true product' }),
    iterations: Int(),
    converged: T.Boolean({ description: 'true only when the true residual reached the tolerance' }),
    status: OneOf(['converged', 'least-squares', 'max-iterations', 'ill-conditioned', 'inaccurate', 'exhausted']),
    conditionEstimate: Num({ description: "MINRES's estimate of cond(H), usually from below" }),
  },
  { description: 'MINRES on the undamped, possibly indefinite H x = b within an HVP budget' },
);
export type MinresHypergradient = Static<typeof MinresHypergradient>;

export const DampedHypergradient = T.Object({
  damping: Finite('δ'),
  value: Nullable(Num(), { description: 'hypergradient of x = (H + δI)⁻¹b; null without a solution' }),
  method: OneOf(['cg', 'dense']),
  iterations: Int('CG iterations (0 on the dense path)'),
  residual: Nullable(Num(), { description: '‖(H + δI)x − b‖/‖b‖ from a true product (CG) or the dense matrix' }),
  converged: T.Boolean(),
});
export type DampedHypergradient = Static<typeof DampedHypergradient>;

export const HypergradientReport = T.Object({
  neumann: Nullable(Num(), { description: 'dL_V/dλ = −∇_w L_Vᵀ H⁻¹ w by the Neumann series; null for analytic problems (no λ)' }),
  cg: Nullable(Num()),
  cgStatus: OneOf(['converged', 'max-iterations', 'indefinite', 'not-run']),
  cgIterations: Nullable(Int()),
  exact: Nullable(Num()),
  relErrorNeumann: Nullable(Num(), { description: '|neumann − reference| / |reference| against the best converged reference (see reference)' }),
  relErrorCg: Nullable(Num(), { description: 'against the best converged reference other than CG itself' }),
  reference: T.Optional(
    OneOf(HYPERGRADIENT_REFERENCES, {
      description:
        "what relErrorNeumann is measured against: 'exact' (dense solve, H not singular), else 'minres' or 'cg' when converged, else 'none' (no converged reference: relErrorNeumann is null)",
    }),
  ),
  minres: T.Optional(Nullable(MinresHypergradient)),
  damped: T.Optional(
    T.Array(DampedHypergradient, {
      description: 'the hypergradient of (H + δI)⁻¹b on a log grid of δ above −λ_min,lower, with the recommended, the configured and (dense path) δ = 0; ascending δ',
    }),
  ),
});
export type HypergradientReport = Static<typeof HypergradientReport>;

export const EpochSpectrum = T.Object({ epoch: Int(), trainLoss: Num(), lambdaMax: Num(), lambdaMin: Num(), rho: Num() });
export type EpochSpectrum = Static<typeof EpochSpectrum>;

export const HvpSelfCheck = T.Object({
  relativeError: Num(),
  tolerance: Finite(),
  passed: T.Boolean(),
  operator: OneOf(['r-operator', 'autograd', 'finite-difference', 'analytic'], {
    description: "what the analysis used: the exact R-operator (MLP), PyTorch's double backward (autograd: a PyTorch experiment), or finite differences after a failed check",
  }),
});
export type HvpSelfCheck = Static<typeof HvpSelfCheck>;

export const DiagnosisReport = T.Object(
  {
    schemaVersion: T.Literal(1),
    name: T.String(),
    experimentFile: Nullable(T.String()),
    createdAt: T.String({ description: 'ISO 8601' }),
    backend: Backend,
    params: Int('parameter count'),
    timings: T.Record(T.String(), Num(), { description: 'milliseconds per phase' }),
    loss: T.Object({ train: Nullable(Num()), validation: Nullable(Num()) }),
    gradientNorm: T.Object({ train: Nullable(Num()), validation: Nullable(Num()) }),
    training: Nullable(T.Object({ epochs: Int(), steps: Int(), lossCurve: Numbers() })),
    hvpSelfCheck: HvpSelfCheck,
    spectrum: SpectrumReport,
    neumann: NeumannReport,
    advice: Advice,
    hypergradient: HypergradientReport,
    epochs: Nullable(T.Array(EpochSpectrum), { description: 'λ_max, λ_min, ρ per epoch when analysis.trackEpochs' }),
    hyper: T.Optional(HyperReport),
    exactSolutionHead: Nullable(Numbers(), {
      description: 'first entries of the exact solution H⁻¹b when available (analytic problems, small models)',
    }),
    runtime: T.Optional(TorchRuntime),
  },
  { title: 'Neumann Lens diagnosis report', description: 'schemaVersion 1' },
);
export type DiagnosisReport = Static<typeof DiagnosisReport>;
