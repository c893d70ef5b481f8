/**
 * The loop's warnings as the panel lists them, from the recorded steps (the host keeps the
 * session's log lines out of the panel): a Neumann run's ρ ≥ 1, a hypergradient further from the
 * reference than the threshold, and where a run stopped (the report's reason; live, the step whose
 * values went non-finite). Consecutive steps with the same warning are one entry. Pure.
 */
import type { HyperInverse, HyperStep } from '../core/diagnosis/hyper-report';
import { fmtNum, fmtPercent } from '../core/diagnosis/format';
import type { HyperModel } from '../core/diagnosis/hyper-series';

export type HyperWarningKind = 'rho' | 'error' | 'non-finite' | 'stopped';

export interface HyperWarning {
  inverse: HyperInverse;
  main: boolean;
  kind: HyperWarningKind;
  /** First and last step it held at (equal for one step). */
  steps: [number, number];
  text: string;
}

const nonFinite = (s: HyperStep) => !s.hypergradient.every(Number.isFinite) || !s.weightDecay.every((v) => Number.isFinite(v) && v > 0);

function conditions(inverse: HyperInverse, main: boolean, s: HyperStep, threshold: number): HyperWarningKind[] {
  const out: HyperWarningKind[] = [];
  // Only a Neumann series diverges with ρ: the other inverses report ρ for comparison.
  if (inverse === 'neumann' && !(s.rho < 1)) out.push('rho');
  // As the session warns (core/hyper/warnings.ts): the error only of the loop's own inverse; compared runs are baselines.
  if (main && s.relativeError !== null && s.relativeError > threshold) out.push('error');
  if (nonFinite(s)) out.push('non-finite');
  return out;
}

function describe(kind: HyperWarningKind, at: HyperStep[], threshold: number, reference: string): string {
  switch (kind) {
    case 'rho': {
      const worst = at.reduce((m, s) => (s.rho > m || Number.isNaN(s.rho) ? s.rho : m), -Infinity);
      return `the Neumann series diverges: ρ(I − α(H + δI)) ≥ 1 (up to ${fmtNum(worst)})`;
    }
    case 'error': {
      const errs = at.map((s) => s.relativeError!);
      const lo = Math.min(...errs);
      const hi = Math.max(...errs);
      const range = lo === hi ? fmtPercent(lo) : `${fmtPercent(lo)} to ${fmtPercent(hi)}`;
      return `the hypergradient is ${range} off the ${reference} reference, above ${fmtPercent(threshold)}`;
    }
    default:
      return 'the hypergradient or the weight decay is not finite: the loop stops here';
  }
}

export function hyperWarnings(m: HyperModel): HyperWarning[] {
  const out: HyperWarning[] = [];
  const reference = m.reference ?? 'its';
  for (const run of m.runs) {
    const mine: HyperWarning[] = [];
    const open = new Map<HyperWarningKind, HyperStep[]>();
    const close = (kind: HyperWarningKind) => {
      const at = open.get(kind);
      if (!at) return;
      open.delete(kind);
      mine.push({ inverse: run.inverse, main: run.main, kind, steps: [at[0].step, at[at.length - 1].step], text: describe(kind, at, m.threshold, reference) });
    };
    for (const s of run.steps) {
      const now = conditions(run.inverse, run.main, s, m.threshold).filter((k) => !(k === 'non-finite' && run.stopped));
      for (const k of [...open.keys()]) if (!now.includes(k)) close(k);
      for (const k of now) open.set(k, [...(open.get(k) ?? []), s]);
    }
    for (const k of [...open.keys()]) close(k);
    // The report says why a run stopped, also when no step of it was recorded (the inner SGD diverged first).
    if (run.stopped) mine.push({ inverse: run.inverse, main: run.main, kind: 'stopped', steps: [run.stopped.step, run.stopped.step], text: `stopped: ${run.stopped.reason}` });
    out.push(...mine.sort((a, b) => a.steps[0] - b.steps[0]));
  }
  return out;
}

/** "step 9" or "steps 9–15". */
export function stepsLabel([a, b]: [number, number]): string {
  return a === b ? `step ${a}` : `steps ${a}–${b}`;
}
