/**
 * The hyperparameter loop's part of the report (`hyper`): one entry per hyper-step of Lorraine et
 * al.'s Algorithm 1, the final weight decay, and the same loop run with other inverses. Declared
 * with TypeBox like the rest of the report (report.ts includes it; schemas/report.schema.json is
 * generated from both). Measured numbers are AnyNumber: a diverging series overflows and the
 * step that did so is kept, as it was.
 */
import type { Static } from '@sinclair/typebox';
import { AnyNumber, Nullable, OneOf, T } from '../util/typebox';
import { AdviceMessage } from './advice-message';

const Num = AnyNumber;
const Range = () => T.Tuple([Num(), Num()], { description: '[lo, hi]' });

export const HYPER_INVERSES = ['neumann', 'cg', 'exact', 'identity'] as const;
export const HyperInverse = OneOf(HYPER_INVERSES, {
  description: 'how x ≈ H⁻¹b was computed: the Neumann series, CG on H + δI, a dense solve of H, or x = b',
});
export type HyperInverse = Static<typeof HyperInverse>;

export const HyperReference = OneOf(['exact', 'cg', 'none'], { description: 'what each hypergradient was compared with' });
export type HyperReference = Static<typeof HyperReference>;

export const InverseStatus = OneOf(['ok', 'non-finite', 'indefinite', 'max-iterations', 'singular'], {
  description:
    "'non-finite': the series overflowed; 'indefinite': CG met pᵀ(H+δI)p ≤ 0 (no solution); 'max-iterations': CG stopped unconverged; " +
    "'singular': H is singular to working precision (dense solve)",
});
export type InverseStatus = Static<typeof InverseStatus>;

export const HyperStep = T.Object({
  step: T.Integer({ description: 't = 1..steps' }),
  hypergradient: T.Array(Num(), { description: 'dL_V/dφ per group, before the update (NaN when the inverse gave no finite x)' }),
  weightDecay: T.Array(Num(), { description: 'exp(φ) per group after this step’s update' }),
  trainLoss: Num({ description: 'data loss on the training set at this step’s w (no decay term)' }),
  validationLoss: Num({ description: 'L_V at this step’s w' }),
  gradientNorm: Num({ description: '‖∇L_T(w)‖ with the step’s decay: how far w is from the stationary point the IFT assumes' }),
  alpha: Num({ description: 'the series’ α at this step (1/(λ_max,upper + δ) when neumann.alpha is "auto")' }),
  rho: Num({ description: 'ρ(I − α(H + δI)), upper bound from the intervals' }),
  rhoInterval: Range(),
  lambdaMax: Num(),
  lambdaMin: Num(),
  lambdaMaxInterval: Range(),
  lambdaMinInterval: Range(),
  spectrumMethod: OneOf(['exact', 'lanczos'], { description: 'dense eigendecomposition (when H was assembled) or warm-started Lanczos' }),
  spectrumConverged: T.Boolean({ description: 'both ends converged (always true on the exact path)' }),
  inverseStatus: InverseStatus,
  referenceHypergradient: Nullable(T.Array(Num()), { description: 'the same with the reference inverse; null for reference none or when it has no solution' }),
  relativeError: Nullable(Num(), { description: '‖g − g_ref‖/‖g_ref‖' }),
  cosine: Nullable(Num(), { description: 'gᵀg_ref/(‖g‖‖g_ref‖)' }),
  hvps: T.Integer({ description: 'Hessian-vector products this hyper-step (spectrum, inverse, reference)' }),
  seconds: Num({ description: 'wall time of the hyper-step, inner SGD steps included' }),
});
export type HyperStep = Static<typeof HyperStep>;

export const HyperStop = T.Object({
  step: T.Integer(),
  cause: OneOf(['inner-sgd', 'inverse', 'hypergradient', 'weight-decay'], {
    description: "what was not finite: the inner SGD steps (training diverged), the inverse's solution, the hypergradient, or exp(φ) after the update",
  }),
  reason: T.String({ description: 'why the loop stopped before its last step' }),
});
export type HyperStop = Static<typeof HyperStop>;

export const HyperRun = T.Object({
  inverse: HyperInverse,
  trajectory: T.Array(HyperStep),
  final: T.Object({ weightDecay: T.Array(Num(), { description: 'the whole final λ vector, one entry per parameter' }) }),
  stopped: Nullable(HyperStop, { description: 'set when a step went non-finite or training diverged; the steps before it are kept' }),
});
export type HyperRun = Static<typeof HyperRun>;

export const HyperWarning = T.Object(
  {
    inverse: HyperInverse,
    condition: OneOf(['rho', 'error', 'stopped'], {
      description: "'rho': ρ(I − α(H + δI)) ≥ 1 at a step of a Neumann run; 'error': the loop's hypergradient further than hyper.errorThreshold from the reference; 'stopped': the run ended early",
    }),
    steps: T.Array(T.Integer(), { description: 'every hyper-step at which the condition held, the first one first' }),
    messages: T.Array(AdviceMessage, { description: 'the warning, then the recommendations that address it (each with its fix), worked out at its first step' }),
  },
  { description: 'what went wrong along one run of the loop, as the editor shows it (Problems with Quick Fixes)' },
);
export type HyperWarning = Static<typeof HyperWarning>;

export const HyperReport = T.Object(
  {
    granularity: OneOf(['global', 'per-tensor', 'per-parameter']),
    groups: T.Array(T.String(), { description: "group names: 'all', tensor names ('0.weight'), or parameters ('0.weight[2,1]')" }),
    optimizer: OneOf(['sgd', 'adam', 'rmsprop']),
    inverse: HyperInverse,
    reference: HyperReference,
    trajectory: T.Array(HyperStep),
    final: T.Object({ weightDecay: T.Array(Num(), { description: 'the whole final λ vector, one entry per parameter' }) }),
    stopped: Nullable(HyperStop),
    compare: T.Array(HyperRun, { description: 'the same loop from the same start with each of hyper.compare’s inverses' }),
    warnings: T.Array(HyperWarning, { description: 'one per condition and run, announced at its first step (the session streams them as hyperWarning events)' }),
  },
  { description: "Lorraine et al.'s Algorithm 1 run live (the experiment's hyper block), with per-hyper-step diagnostics" },
);
export type HyperReport = Static<typeof HyperReport>;
