/**
 * The hyperparameter loop on stderr as it runs: a line per recorded hyper-step (the loop table's
 * columns) and, the moment a step raises one, the warning followed by its recommendations with
 * the fix each applies.
 */
import type { AdviceMessage } from '../core/diagnosis/advice-message';
import { hyperStepLine } from '../core/diagnosis/hyper-table';
import { fixLabels } from '../core/diagnosis/report-messages';
import type { SessionEvent } from '../protocol/messages';

type HyperEvent = Extract<SessionEvent, { type: 'hyperStep' | 'hyperWarning' }>;

export function isHyperEvent(e: SessionEvent): e is HyperEvent {
  return e.type === 'hyperStep' || e.type === 'hyperWarning';
}

/** What one advice message prints as: the warning on its own, a recommendation indented with its fix's label. */
export function adviceLine(m: AdviceMessage): string {
  const labels = fixLabels(m);
  const tail = labels ? ` [${labels}]` : '';
  return m.severity === 'info' ? `  ${labels ? 'fix' : 'note'}: ${m.text}${tail}` : `${m.severity}: ${m.text}${tail}`;
}

/** The lines for one event, each ending in a newline; `steps` is hyper.steps. */
export function hyperEventText(e: HyperEvent, steps: number): string {
  const lines = e.type === 'hyperStep' ? [hyperStepLine(e.inverse, e.step, steps)] : e.messages.map(adviceLine);
  return lines.map((l) => `${l}\n`).join('');
}
