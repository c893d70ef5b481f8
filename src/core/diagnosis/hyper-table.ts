/**
 * The hyperparameter loop as a table, the same columns and cells for the terminal, Markdown, HTML
 * and the CLI's line per hyper-step (pure), and whether its series diverged at some step (the
 * CLI's exit code).
 */
import { fmtNum, fmtPercent } from './format';
import type { AdviceMessage } from './advice-message';
import type { HyperReport, HyperRun, HyperStep } from './hyper-report';
import { hyperWarningMessages } from './report-messages';

export const HYPER_COLUMNS = ['step', 'weight decay', 'train loss', 'val loss', 'λ_min', 'λ_max', 'α', 'ρ', 'hypergradient', 'error', 'cosine', 'HVPs', 's'];

/** A vector cell: the value itself for one group, else its range. */
function vectorCell(xs: readonly number[]): string {
  if (xs.length === 1) return fmtNum(xs[0]);
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  return `${fmtNum(lo)}…${fmtNum(hi)} (${xs.length})`;
}

export function hyperRow(s: HyperStep): string[] {
  return [
    String(s.step),
    vectorCell(s.weightDecay),
    fmtNum(s.trainLoss),
    fmtNum(s.validationLoss),
    fmtNum(s.lambdaMin),
    fmtNum(s.lambdaMax),
    fmtNum(s.alpha),
    `${fmtNum(s.rho)}${s.rho < 1 ? '' : ' ✖'}`,
    vectorCell(s.hypergradient),
    s.relativeError === null ? '—' : fmtPercent(s.relativeError),
    s.cosine === null ? '—' : fmtNum(s.cosine),
    String(s.hvps),
    fmtNum(s.seconds, 3),
  ];
}

/** The CLI's line as hyper-step `s` of a run of `steps` is recorded: the table's columns, named. */
export function hyperStepLine(inverse: string, s: HyperStep, steps: number): string {
  const cells = hyperRow(s);
  return `hyper ${inverse} ${s.step}/${steps}: ${HYPER_COLUMNS.slice(1).map((c, i) => `${c} ${cells[i + 1]}`).join(', ')}`;
}

export interface HyperRunView {
  run: HyperRun;
  title: string;
  rows: string[][];
  stopped: string | null;
  /** The run's warnings with their recommendations (report-messages.ts). */
  warnings: AdviceMessage[];
}

/** The loop's own run first, then the compared ones. */
export function hyperRunList(h: HyperReport): HyperRun[] {
  return [{ inverse: h.inverse, trajectory: h.trajectory, final: h.final, stopped: h.stopped }, ...h.compare];
}

/** Each run with its title, rows and warnings: what every renderer shows of the loop. */
export function hyperRuns(h: HyperReport): HyperRunView[] {
  return hyperRunList(h).map((run, i) => ({
    run,
    title: `${run.inverse} inverse${i === 0 ? '' : ' (compared)'}, reference ${h.reference}, ${h.granularity} weight decay (${h.groups.length} group${h.groups.length > 1 ? 's' : ''}), ${h.optimizer}`,
    rows: run.trajectory.map(hyperRow),
    stopped: run.stopped ? `stopped at step ${run.stopped.step}: ${run.stopped.reason}` : null,
    warnings: hyperWarningMessages(h, run.inverse),
  }));
}

/** The loop's own Neumann series diverged at some recorded step: ρ's lower bound ≥ 1, as the diagnosis' "diverges" needs. */
export function hyperDiverged(h: HyperReport): boolean {
  return h.inverse === 'neumann' && h.trajectory.some((s) => s.rhoInterval[0] >= 1);
}
