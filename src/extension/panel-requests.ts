/**
 * What the host accepts from the panel. The webview is untrusted input: a message must pass the
 * protocol guard, and an `applyFix` must be exactly a fix the current report offers, so a
 * compromised or buggy panel cannot make the host write arbitrary keys. Pure.
 */
import type { DiagnosisReport } from '../core/diagnosis/report';
import { problemIn } from '../protocol/check';
import { PanelToHost } from '../protocol/webview';
import { isOfferedFix } from './fix-edit';

export type PanelRequestCheck = { ok: true; msg: PanelToHost } | { ok: false; problem: string };

export function acceptPanelMessage(raw: unknown, report: DiagnosisReport | null): PanelRequestCheck {
  const problem = problemIn(PanelToHost, raw, 'message');
  if (problem !== null) return { ok: false, problem };
  const msg = raw as PanelToHost;
  if (msg.type === 'applyFix' && !isOfferedFix(report, msg.fix)) {
    return { ok: false, problem: `applyFix: the current report offers no fix ${JSON.stringify(msg.fix)}` };
  }
  return { ok: true, msg };
}
