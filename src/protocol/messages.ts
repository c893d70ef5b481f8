/**
 * The one protocol shared by extension host, worker and webview. Versioned; discriminated on
 * `type`. Everything that crosses a process or iframe boundary is validated on receipt with the
 * guards in ./validate.ts — never trusted.
 */
import type { BackendChoice, BackendName } from '../core/config/experiment';
import type { DiagnosisReport, ExtremeEstimate, Interval } from '../core/diagnosis/report';

export const PROTOCOL_VERSION = 1;

export type Phase =
  | 'load'
  | 'train'
  | 'self-check'
  | 'spectrum'
  | 'neumann'
  | 'hypergradient'
  | 'report';

/** Session events: produced by runSession, forwarded by the worker, consumed by CLI, host and panel. */
export type SessionEvent =
  | { type: 'phase'; phase: Phase; label: string; fraction: number }
  | { type: 'progress'; phase: Phase; fraction: number; text?: string }
  | { type: 'trainStep'; epoch: number; step: number; stepsPerEpoch: number; loss: number }
  | { type: 'epoch'; epoch: number; trainLoss: number; validationLoss: number; lambdaMax?: number; lambdaMin?: number; rho?: number }
  | {
      type: 'spectrumStep';
      method: 'lanczos' | 'power-max' | 'power-min' | 'exact';
      step: number;
      hvps: number;
      lambdaMax?: { value: number; interval: Interval };
      lambdaMin?: { value: number; interval: Interval };
    }
  | { type: 'neumannTerm'; term: number; norm: number; residual: number; growth: number | null; head: number[] }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; text: string };

export interface ErrorInfo {
  message: string;
  /** 'input' → the user's config/data (CLI exit 2); 'oom' → heap limit; 'internal' → a bug (exit 1). */
  code: 'input' | 'oom' | 'internal' | 'worker-exit' | 'protocol';
  /** JSON path (e.g. "neumann.alpha") or file:line:col. */
  where?: { kind: 'json'; file?: string; path: string } | { kind: 'file'; file: string; line?: number; column?: number };
  stack?: string;
}

export interface StartOptions {
  backend: BackendChoice;
  /** Overrides of the experiment's analysis settings from the editor's settings. */
  exactMaxParams?: number;
}

export type HostToWorker =
  | { type: 'start'; config: unknown; configPath: string | null; options: StartOptions }
  | { type: 'cancel' };

export type WorkerToHost =
  | { type: 'ready'; protocolVersion: number; backend: BackendName | null; pid: number }
  | SessionEvent
  | { type: 'report'; report: DiagnosisReport }
  | { type: 'error'; error: ErrorInfo }
  | { type: 'exit'; outcome: SessionOutcome };

export type SessionOutcome = 'completed' | 'cancelled' | 'failed';

export type { DiagnosisReport, ExtremeEstimate };
