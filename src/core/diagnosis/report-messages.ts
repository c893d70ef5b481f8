/**
 * Every advice message a report carries, for the surfaces that list or act on them (Problems and
 * Quick Fixes, the fixes the panel may apply, the exports): the diagnosis' own, then the
 * hyperparameter loop's warnings, each warning's first message saying at which steps it held.
 */
import type { AdviceMessage, ConfigFix } from './advice-message';
import { fmtNum } from './format';
import type { HyperReport } from './hyper-report';
import type { DiagnosisReport } from './report';

/** "3", "9–15", "2, 5–7": ascending steps as runs. */
export function stepRanges(steps: readonly number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < steps.length; ) {
    let j = i;
    while (j + 1 < steps.length && steps[j + 1] === steps[j] + 1) j++;
    parts.push(j === i ? String(steps[i]) : `${steps[i]}–${steps[j]}`);
    i = j + 1;
  }
  return parts.join(', ');
}

/** The loop's warnings (of one run, or all) as advice messages, in the order they were raised per run. */
export function hyperWarningMessages(h: HyperReport, inverse?: HyperReport['inverse']): AdviceMessage[] {
  const recorded = new Map([[h.inverse, h.trajectory.length], ...h.compare.map((r) => [r.inverse, r.trajectory.length] as const)]);
  return h.warnings.filter((w) => inverse === undefined || w.inverse === inverse).flatMap((w) => {
    const [first, ...rest] = w.messages;
    if (!first) return [];
    const held = w.steps.length > 1 ? ` It held at ${w.steps.length} of the run's ${recorded.get(w.inverse) ?? 0} hyper-steps (${stepRanges(w.steps)}).` : '';
    return [{ ...first, text: first.text + held }, ...rest];
  });
}

export function reportMessages(r: DiagnosisReport): AdviceMessage[] {
  return r.hyper ? [...r.advice.messages, ...hyperWarningMessages(r.hyper)] : r.advice.messages;
}

/** The labels of the fixes a message proposes (one, or those an apply-all makes together), or ''. */
export function fixLabels(m: AdviceMessage): string {
  return (m.fixes ?? (m.fix ? [m.fix] : [])).map((f) => f.label).join(' + ');
}

/** A fix's new value as the file will hold it: a number as the texts cite it, a keyword quoted. */
export function fixValueText(v: ConfigFix['value']): string {
  return typeof v === 'number' ? fmtNum(v) : JSON.stringify(v);
}
