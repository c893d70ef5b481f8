/**
 * What a recommendation says and the edit it proposes, declared once for the diagnosis' advice
 * (report.ts re-exports them) and the hyperparameter loop's warnings (hyper-report.ts), so the
 * editor's Problems, Quick Fixes and the panel's actions take both through one path.
 */
import type { Static } from '@sinclair/typebox';
import { AnyNumber, OneOf, T } from '../util/typebox';

export const AdviceKind = OneOf([
  'verdict',
  'negative-curvature',
  'step-too-large',
  'slow',
  'inconclusive',
  'more-lanczos-steps',
  'not-stationary',
  'set-alpha',
  'set-damping',
  'set-terms',
  'train-longer',
  'use-cg',
  'hvp-self-check',
  'hypergradient',
  'apply-all',
  'hyper-diverges',
  'hyper-error',
  'hyper-stopped',
  'set-inner-steps',
  'set-hyper-rate',
  'set-learning-rate',
]);
export type AdviceKind = Static<typeof AdviceKind>;

export const ConfigFix = T.Object(
  {
    path: T.Array(T.String(), { description: 'JSON path segments, e.g. ["neumann", "alpha"]' }),
    value: T.Union([AnyNumber(), T.Literal('auto')], { description: 'the new value: a number, or the keyword "auto" (neumann.alpha)' }),
    label: T.String(),
  },
  { description: 'a change to the experiment file that a recommendation proposes (Quick Fix / panel action)' },
);
export type ConfigFix = Static<typeof ConfigFix>;

export const AdviceMessage = T.Object({
  kind: AdviceKind,
  severity: OneOf(['error', 'warning', 'info']),
  text: T.String(),
  key: T.Optional(T.String({ description: 'the experiment key the message is about (dot path), for editor diagnostics' })),
  fix: T.Optional(ConfigFix),
  fixes: T.Optional(
    T.Array(ConfigFix, { description: "'apply-all': recommendations that only work together, to be applied as one edit" }),
  ),
});
export type AdviceMessage = Static<typeof AdviceMessage>;
