/**
 * How the hyperparameter view labels a warning of the loop (the warnings themselves are the
 * session's, core/hyper/warnings.ts, through hyperWarningsOf). Pure.
 */
import type { AdviceMessage } from '../core/diagnosis/advice-message';
import { stepRanges } from '../core/diagnosis/report-messages';
import type { HyperWarningView } from '../protocol/panel-state';

/** "step 9", "steps 9–15" or "steps 2, 5–7" once the report is in; "from step 9" while the loop runs. */
export function stepsLabel(w: Pick<HyperWarningView, 'steps' | 'ongoing'>): string {
  if (w.ongoing) return `from step ${w.steps[0]}`;
  return w.steps.length === 1 ? `step ${w.steps[0]}` : `steps ${stepRanges(w.steps)}`;
}

/** The recommendations under a warning: its further messages that propose a change (their fixes are applied from Recommendations or Quick Fixes). */
export function recommendationsOf(w: Pick<HyperWarningView, 'messages'>): AdviceMessage[] {
  return w.messages.slice(1).filter((m) => m.fix !== undefined || (m.fixes?.length ?? 0) > 0);
}
