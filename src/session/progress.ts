/**
 * Turns the session's phases into events with an overall progress fraction, so every consumer
 * (CLI bars, worker, panel) shows the same progress. Weights are rough shares of wall time.
 */
import type { Phase, SessionEvent } from '../protocol/messages';

const WEIGHTS: Record<Phase, number> = {
  load: 0.03,
  train: 0.4,
  'self-check': 0.02,
  spectrum: 0.35,
  neumann: 0.08,
  hypergradient: 0.1,
  hyper: 0.6,
  report: 0.02,
};

const LABELS: Record<Phase, string> = {
  load: 'Loading data and model',
  train: 'Training',
  'self-check': 'Checking Hessian-vector products',
  spectrum: 'Measuring the spectrum',
  neumann: 'Running the Neumann series',
  hypergradient: 'Conjugate gradients and hypergradient',
  hyper: 'Hyperparameter loop',
  report: 'Writing the report',
};

const ORDER: Phase[] = ['load', 'train', 'self-check', 'spectrum', 'neumann', 'hypergradient', 'hyper', 'report'];

export class ProgressReporter {
  private phase: Phase = 'load';
  private readonly phases: Phase[];
  private readonly total: number;
  /** `hyper`: the session runs the hyperparameter loop (otherwise its phase has no share of the bar). */
  constructor(
    private readonly emit: (e: SessionEvent) => void,
    opts: { hyper?: boolean } = {},
  ) {
    this.phases = ORDER.filter((p) => p !== 'hyper' || opts.hyper);
    this.total = this.phases.reduce((t, p) => t + WEIGHTS[p], 0);
  }

  enter(phase: Phase): void {
    this.phase = phase;
    this.emit({ type: 'phase', phase, label: LABELS[phase], fraction: this.overall(0) });
  }

  /** Progress within the current phase (0..1). */
  within(fraction: number, text?: string): void {
    const f = Math.min(1, Math.max(0, fraction));
    this.emit({ type: 'progress', phase: this.phase, fraction: this.overall(f), text });
  }

  private overall(within: number): number {
    let done = 0;
    for (const p of this.phases) {
      if (p === this.phase) return (done + WEIGHTS[p] * within) / this.total;
      done += WEIGHTS[p];
    }
    return done / this.total;
  }
}
