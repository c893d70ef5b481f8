/**
 * Host ↔ panel (webview) messages. The panel announces `ready` before the host posts anything;
 * the host then sends a full `snapshot` (also whenever the panel becomes visible again), followed
 * by incremental `event`s. Both sides fold messages with reducePanelState (./panel-state.ts), so
 * the host model and the panel cannot disagree on what a message means. Declared once as TypeBox
 * schemas (type and validator); each side checks what it receives, and the panel tells the host
 * what it rejected (`rejected`), so nothing is dropped unseen.
 */
import type { Static } from '@sinclair/typebox';
import { HyperInverse, HyperStep } from '../core/diagnosis/hyper-report';
import { ConfigFix, DiagnosisReport } from '../core/diagnosis/report';
import { AnyNumber, Nullable, OneOf, T } from '../core/util/typebox';
import { EpochEvent, ErrorInfo, HyperWarningEvent, NeumannTermEvent, Phase, SessionEvent, SessionOutcome, SpectrumStepEvent } from './messages';

export const SessionStatus = OneOf(['idle', 'running', 'completed', 'cancelled', 'failed']);
export type SessionStatus = Static<typeof SessionStatus>;

export const PanelSession = T.Object({
  id: T.Integer(),
  name: T.String(),
  experimentFile: Nullable(T.String()),
  status: SessionStatus,
  phase: Nullable(Phase),
  phaseLabel: Nullable(T.String()),
  fraction: AnyNumber(),
  /** The experiment's α as the run starts, so the panel can mark 2/α before the report. */
  alpha: T.Optional(AnyNumber()),
});

/** One run of the hyperparameter loop as its steps stream in (the loop's own inverse first, then each compared one). */
export const PanelHyperRun = T.Object({ inverse: HyperInverse, steps: T.Array(HyperStep) });
export type PanelHyperRun = Static<typeof PanelHyperRun>;

export const PanelState = T.Object({
  session: Nullable(PanelSession),
  trainSteps: T.Array(T.Object({ epoch: T.Integer(), step: T.Integer(), stepsPerEpoch: T.Integer(), loss: AnyNumber() })),
  epochs: T.Array(EpochEvent),
  spectrumSteps: T.Array(SpectrumStepEvent),
  neumannTerms: T.Array(NeumannTermEvent),
  /** Live runs of the hyperparameter loop; emptied when a report with a hyper block replaces them (hyperRunsOf). */
  hyperRuns: T.Array(PanelHyperRun),
  /** The loop's warnings as they streamed (one event each, its first step); emptied when the report's hyper.warnings replace them (hyperWarningsOf). */
  hyperWarnings: T.Array(HyperWarningEvent),
  report: Nullable(DiagnosisReport),
  error: Nullable(ErrorInfo),
});
export type PanelState = Static<typeof PanelState>;

export const HostToPanel = T.Union([
  T.Object({ type: T.Literal('snapshot'), state: PanelState }),
  T.Object({
    type: T.Literal('sessionStarted'),
    id: T.Integer(),
    name: T.String(),
    experimentFile: Nullable(T.String()),
    alpha: T.Optional(AnyNumber()),
  }),
  T.Object({ type: T.Literal('event'), id: T.Integer(), event: SessionEvent }),
  T.Object({ type: T.Literal('report'), id: T.Integer(), report: DiagnosisReport }),
  T.Object({ type: T.Literal('sessionEnded'), id: T.Integer(), outcome: SessionOutcome, error: Nullable(ErrorInfo) }),
]);
export type HostToPanel = Static<typeof HostToPanel>;

export const ExportFormat = OneOf(['markdown', 'html', 'json']);
export type ExportFormat = Static<typeof ExportFormat>;

export const PanelToHost = T.Union([
  T.Object({ type: T.Literal('ready') }),
  T.Object({ type: T.Literal('applyFix'), fix: ConfigFix, rerun: T.Boolean() }),
  T.Object({ type: T.Literal('stop') }),
  T.Object({ type: T.Literal('rerun') }),
  T.Object({ type: T.Literal('export'), format: ExportFormat }),
  T.Object({ type: T.Literal('openExperiment') }),
  /** The panel could not use something it was given (a malformed message, a saved state): for the host's log. */
  T.Object({ type: T.Literal('rejected'), what: T.String(), problem: T.String() }),
]);
export type PanelToHost = Static<typeof PanelToHost>;
