/** Turns a recorded session (CLI `--events` JSONL + report JSON) into the host→panel messages a host would post. */
import { readFileSync } from 'node:fs';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import type { SessionEvent } from '../../src/protocol/messages';
import type { HostToPanel } from '../../src/protocol/webview';

const EVENT_TYPES = new Set(['phase', 'progress', 'trainStep', 'epoch', 'spectrumStep', 'neumannTerm', 'hyperStep', 'hyperWarning', 'log']);

export interface Recording {
  events: SessionEvent[];
  report: DiagnosisReport;
}

export function loadRecording(eventsPath: string, reportPath: string): Recording {
  const events: SessionEvent[] = [];
  readFileSync(eventsPath, 'utf8').split('\n').forEach((line) => {
    if (line.trim() === '') return;
    const o = JSON.parse(line) as { type?: string; event?: SessionEvent };
    // Accept bare session events and events wrapped as { type: 'event', event }.
    const e = o.type === 'event' && o.event ? o.event : (o as SessionEvent);
    if (typeof e.type === 'string' && EVENT_TYPES.has(e.type)) events.push(e);
  });
  const raw = JSON.parse(readFileSync(reportPath, 'utf8')) as DiagnosisReport | { report: DiagnosisReport };
  const report = 'report' in raw && typeof raw.report === 'object' ? raw.report : (raw as DiagnosisReport);
  return { events, report };
}

export const SESSION_ID = 1;

export function startMessage(rec: Recording): HostToPanel {
  return { type: 'sessionStarted', id: SESSION_ID, name: rec.report.name, experimentFile: rec.report.experimentFile };
}

export function eventMessages(events: SessionEvent[]): HostToPanel[] {
  return events.map((event) => ({ type: 'event', id: SESSION_ID, event }));
}

export function fullSession(rec: Recording): HostToPanel[] {
  return [
    startMessage(rec),
    ...eventMessages(rec.events),
    { type: 'report', id: SESSION_ID, report: rec.report },
    { type: 'sessionEnded', id: SESSION_ID, outcome: 'completed', error: null },
  ];
}
