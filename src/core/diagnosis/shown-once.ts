/**
 * Each fact once per surface. The verdict message opens with the report's one-sentence summary
 * (the Problems panel shows messages without the summary beside them, so it needs it there); a
 * surface that prints the summary itself (the CLI text, Markdown, HTML, the panel) lists the
 * messages with that sentence taken off. Pure.
 */
import type { Advice, AdviceMessage } from './report';

/** `text` without `summary` at its start ('' when it was only the summary). */
export function afterSummary(text: string, summary: string): string {
  if (summary === '' || !text.startsWith(summary)) return text;
  return text.slice(summary.length).trimStart();
}

/** The messages for a surface that already shows the summary: none of them repeats it. */
export function messagesBesideSummary(advice: Advice): AdviceMessage[] {
  return advice.messages.flatMap((m) => {
    const text = afterSummary(m.text, advice.summary);
    return text === '' ? [] : [text === m.text ? m : { ...m, text }];
  });
}
