/**
 * What one hyperparameter loop runs with, fully resolved (the experiment's `hyper` block with its
 * defaults, plus the `neumann`, `training` and `analysis` values the loop reads), and the semantic
 * checks the loop relies on, each an InputError at the experiment key it is about.
 */
import { HYPER_INVERSES, type HyperInverse } from '../diagnosis/hyper-report';
import { InputError } from '../errors';
import type { HyperOptimizerSpec } from './optimizers';

/** One weight decay for all parameters, one per parameter tensor, or one per parameter. */
export type Granularity = 'global' | 'per-tensor' | 'per-parameter';

/**
 * How x ≈ H⁻¹b is computed each hyper-step (H = ∇²L_T with the current decay):
 * `neumann` x = α Σ_{j=0..K} (I − α(H+δI))^j b; `cg` conjugate gradient on H + δI (the system the
 * damped series approximates); `exact` a dense solve of H itself (n HVPs per step, small models);
 * `identity` x = b (H taken as I: the cheap baseline).
 */
export type InverseKind = HyperInverse;

/** What each step's hypergradient is compared with: `auto` is `exact` up to exactMaxParams, else `cg`. */
export type ReferenceKind = 'exact' | 'cg' | 'none' | 'auto';
export type ResolvedReference = Exclude<ReferenceKind, 'auto'>;

export const INVERSE_KINDS: readonly InverseKind[] = HYPER_INVERSES;
export const REFERENCE_KINDS: readonly ReferenceKind[] = ['exact', 'cg', 'none', 'auto'];
export const GRANULARITIES: readonly Granularity[] = ['global', 'per-tensor', 'per-parameter'];

export interface HyperSettings {
  /** Hyper-steps (t = 1..steps). */
  steps: number;
  /** SGD steps on L_T before each hyper-step (may be 0). */
  innerSteps: number;
  granularity: Granularity;
  optimizer: HyperOptimizerSpec;
  inverse: InverseKind;
  reference: ReferenceKind;
  /** Further runs from the same start with these inverses. */
  compare: InverseKind[];
  /** The starting λ of every group, > 0 (φ₀ = log weightDecay). */
  weightDecay: number;
  /** training.learningRate: the inner SGD steps' rate (and the fix for a diverging one). */
  trainingLearningRate: number;
  /** The series (neumann.*); alpha 'auto' is 1/(λ_max,upper + δ) at each step. */
  neumann: { alpha: number | 'auto'; terms: number; damping: number };
  /** CG as inverse or reference: stop at ‖b − Ax‖/‖b‖ < rtol, or after maxIter products. */
  cg: { rtol: number; maxIter: number };
  /** analysis.exactMaxParams: the largest model `exact` (and reference auto → exact) assembles densely. */
  exactMaxParams: number;
  /** Lanczos steps per hyper-step for λ_min, λ_max (and α auto) when no dense H is assembled. */
  spectrumSteps: number;
  /** analysis.tolerance: Lanczos convergence, and the series accuracy the terms fix aims at. */
  tolerance: number;
  /** analysis.stationarityTolerance: ‖∇L_T(w)‖ above it makes "more inner steps" a fix. */
  stationarityTolerance: number;
  /** A step whose hypergradient is further than this (relative) from the reference warns (0.1 = 10 %). */
  errorThreshold: number;
  /** Hyper-step t starts its Lanczos run from seed spectrumSeed + t (see spectrum.ts). */
  spectrumSeed: number;
}

const at = (path: string) => ({ kind: 'json' as const, path });

function integer(x: number, min: number, path: string): void {
  if (!Number.isInteger(x) || x < min) throw new InputError(`expected an integer ≥ ${min}, got ${x}`, at(path));
}

function positive(x: number, path: string): void {
  if (!(x > 0) || !Number.isFinite(x)) throw new InputError(`expected a finite number > 0, got ${x}`, at(path));
}

function oneOf<T extends string>(x: T, kinds: readonly T[], path: string): void {
  if (!kinds.includes(x)) throw new InputError(`unknown value ${JSON.stringify(x)} (one of ${kinds.join(', ')})`, at(path));
}

/** The reference actually used for a model of n parameters. */
export function resolveReference(kind: ReferenceKind, n: number, exactMaxParams: number): ResolvedReference {
  return kind === 'auto' ? (n <= exactMaxParams ? 'exact' : 'cg') : kind;
}

/** Checks what the loop relies on, for a model with n parameters. */
export function validateHyperSettings(s: HyperSettings, n: number): void {
  integer(s.steps, 1, 'hyper.steps');
  integer(s.innerSteps, 0, 'hyper.innerSteps');
  oneOf(s.granularity, GRANULARITIES, 'hyper.granularity');
  oneOf(s.inverse, INVERSE_KINDS, 'hyper.inverse');
  oneOf(s.reference, REFERENCE_KINDS, 'hyper.reference');
  s.compare.forEach((k, i) => {
    oneOf(k, INVERSE_KINDS, `hyper.compare[${i}]`);
    if (k === s.inverse) throw new InputError(`"${k}" is already the loop's inverse (hyper.inverse); compare runs use other inverses`, at(`hyper.compare[${i}]`));
    if (s.compare.indexOf(k) !== i) throw new InputError(`"${k}" is listed twice`, at(`hyper.compare[${i}]`));
  });
  const exactTooBig = (path: string) =>
    new InputError(`"exact" assembles the ${n}×${n} Hessian at every hyper-step, and analysis.exactMaxParams is ${s.exactMaxParams}: use "cg" (or raise analysis.exactMaxParams)`, at(path));
  if (n > s.exactMaxParams) {
    if (s.inverse === 'exact') throw exactTooBig('hyper.inverse');
    if (s.reference === 'exact') throw exactTooBig('hyper.reference');
    const i = s.compare.indexOf('exact');
    if (i >= 0) throw exactTooBig(`hyper.compare[${i}]`);
  }
  if (!(s.weightDecay > 0) || !Number.isFinite(s.weightDecay)) {
    throw new InputError(`the hyperparameter loop optimises φ = log(weightDecay), so weightDecay must be a finite number > 0, got ${s.weightDecay}`, at('weightDecay'));
  }
  positive(s.trainingLearningRate, 'training.learningRate');
  if (s.neumann.alpha !== 'auto') positive(s.neumann.alpha, 'neumann.alpha');
  integer(s.neumann.terms, 0, 'neumann.terms');
  if (!(s.neumann.damping >= 0) || !Number.isFinite(s.neumann.damping)) throw new InputError(`expected a finite number ≥ 0, got ${s.neumann.damping}`, at('neumann.damping'));
  positive(s.cg.rtol, 'hyper.cg.rtol');
  integer(s.cg.maxIter, 1, 'hyper.cg.maxIter');
  integer(s.spectrumSteps, 1, 'hyper.spectrumSteps');
  positive(s.tolerance, 'analysis.tolerance');
  positive(s.stationarityTolerance, 'analysis.stationarityTolerance');
  positive(s.errorThreshold, 'hyper.errorThreshold');
  validateOptimizer(s.optimizer);
}

function validateOptimizer(o: HyperOptimizerSpec): void {
  oneOf(o.kind, ['sgd', 'adam', 'rmsprop'], 'hyper.optimizer.kind');
  positive(o.learningRate, 'hyper.optimizer.learningRate');
  const unit = (x: number | undefined, path: string) => {
    if (x !== undefined && !(x >= 0 && x < 1)) throw new InputError(`expected a number in [0, 1), got ${x}`, at(path));
  };
  if (o.kind === 'adam') {
    if (o.betas !== undefined) o.betas.forEach((b, i) => unit(b, `hyper.optimizer.betas[${i}]`));
    if (o.eps !== undefined) positive(o.eps, 'hyper.optimizer.eps');
  }
  if (o.kind === 'rmsprop') {
    unit(o.alpha, 'hyper.optimizer.alpha');
    if (o.eps !== undefined) positive(o.eps, 'hyper.optimizer.eps');
  }
}
