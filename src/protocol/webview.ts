/**
 * Host ↔ panel (webview) messages. The panel announces `ready` before the host posts anything;
 * the host then sends a full `snapshot` (also whenever the panel becomes visible again), followed
 * by incremental `event`s. Both sides fold messages with reducePanelState (./panel-state.ts), so
 * the host model and the panel cannot disagree on what a message means.
 */
import type { ConfigFix, DiagnosisReport } from '../core/diagnosis/report';
import type { ErrorInfo, Phase, SessionEvent, SessionOutcome } from './messages';

export type SessionStatus = 'idle' | 'running' | SessionOutcome;

export interface PanelState {
  session: {
    id: number;
    name: string;
    experimentFile: string | null;
    status: SessionStatus;
    phase: Phase | null;
    phaseLabel: string | null;
    fraction: number;
    /** The experiment's α as the run starts, so the panel can mark 2/α before the report. */
    alpha?: number;
  } | null;
  trainSteps: { epoch: number; step: number; stepsPerEpoch: number; loss: number }[];
  epochs: Extract<SessionEvent, { type: 'epoch' }>[];
  spectrumSteps: Extract<SessionEvent, { type: 'spectrumStep' }>[];
  neumannTerms: Extract<SessionEvent, { type: 'neumannTerm' }>[];
  report: DiagnosisReport | null;
  error: ErrorInfo | null;
}

export type HostToPanel =
  | { type: 'snapshot'; state: PanelState }
  | { type: 'sessionStarted'; id: number; name: string; experimentFile: string | null; alpha?: number }
  | { type: 'event'; id: number; event: SessionEvent }
  | { type: 'report'; id: number; report: DiagnosisReport }
  | { type: 'sessionEnded'; id: number; outcome: SessionOutcome; error: ErrorInfo | null };

export type ExportFormat = 'markdown' | 'html' | 'json';

export type PanelToHost =
  | { type: 'ready' }
  | { type: 'applyFix'; fix: ConfigFix; rerun: boolean }
  | { type: 'stop' }
  | { type: 'rerun' }
  | { type: 'export'; format: ExportFormat }
  | { type: 'openExperiment' };
