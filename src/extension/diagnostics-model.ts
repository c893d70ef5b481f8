/**
 * Where a diagnosis and a worker error land in the editor: a report's advice messages (the loop's
 * warnings among them) at the experiment key they are about, config errors at their JSON path, data errors at file:line:col.
 * Pure (no vscode): the glue in diagnostics.ts turns these plans into vscode.Diagnostics, and the
 * unit tests check the mapping on real files.
 */
import type { AdviceMessage, ConfigFix, DiagnosisReport } from '../core/diagnosis/report';
import { reportMessages } from '../core/diagnosis/report-messages';
import { errorProblems, type ErrorInfo } from '../protocol/messages';
import { dirname, isAbsolute, join } from 'node:path';
import { locateJsonPath } from '../core/config/json-location';
import { formatJsonPath } from '../core/config/json-path';
import type { Problem } from '../core/errors';
import { isFixApplied } from './fix-edit';

export interface Position {
  line: number;
  character: number;
}
/** 0-based, end exclusive (vscode.Range). */
export interface Span {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'info';

export interface PlannedDiagnostic {
  /** Absolute path of the file the diagnostic belongs to. */
  file: string;
  range: Span;
  severity: Severity;
  message: string;
  /** The experiment key it sits on (re-located after edits), null for data-file positions. */
  key: string | null;
  /** Quick Fixes offered on it, one by one. */
  fixes: ConfigFix[];
  /** Fixes that only work together, offered as one "Apply all" Quick Fix. */
  together?: ConfigFix[];
  /** Short code shown in the Problems panel (advice kind or error code). */
  code: string;
  /**
   * What put it there: a report's advice, a failed run's error, that run's JSON syntax error in
   * the experiment file, or the editor's own check of the current text (diagnostics-refresh.ts).
   */
  origin: 'advice' | 'error' | 'syntax' | 'check';
  /** The value at `key` in the text the run read (canonical JSON, '' when absent); unset: not tracked. */
  runValue?: string;
  /** Why it no longer describes the file (its key changed since the run); shown before the message. */
  stale?: string;
}

/** Advice without a key is about the series as a whole: it sits on the `neumann` block. */
const DEFAULT_KEY = 'neumann';
const FILE_START: Span = { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } };

/**
 * The range of `path` (`neumann.alpha`, `model.layers[2]`), or of its nearest parent present in
 * the text (a recommended key such as `neumann.damping` is often absent from the file), or the
 * file's first character.
 */
export function locateKey(text: string, path: string): Span {
  const r = locateJsonPath(text, path);
  return r ? { start: { line: r.line, character: r.column }, end: { line: r.endLine, character: r.endColumn } } : FILE_START;
}

export function messageKey(m: AdviceMessage): string {
  return m.key ?? (m.fix ? formatJsonPath(m.fix.path) : DEFAULT_KEY);
}

/** One diagnostic per advice message (the diagnosis', then the hyperparameter loop's warnings), on the experiment file. */
export function reportDiagnostics(report: DiagnosisReport, experimentFile: string, text: string): PlannedDiagnostic[] {
  return reportMessages(report).map((m) => {
    const key = messageKey(m);
    return {
      file: experimentFile,
      range: locateKey(text, key),
      severity: m.severity,
      message: m.text,
      key,
      fixes: m.fix ? [m.fix] : [],
      ...(m.fixes && m.fixes.length > 0 ? { together: m.fixes } : {}),
      code: m.kind,
      origin: 'advice' as const,
    };
  });
}

/**
 * A failed session's error, one diagnostic per problem (`where`, then each of `more`: an invalid
 * experiment reports every problem). JSON-path problems land on the experiment file (or the JSON
 * file they name, e.g. a state_dict: `textOf` reads it); file:line:col problems on that file;
 * problems without a place on the experiment file's first character, so they are not lost.
 */
export function errorDiagnostics(
  error: ErrorInfo,
  experimentFile: string | null,
  textOf: (file: string) => string | null,
): PlannedDiagnostic[] {
  return errorProblems(error).flatMap((p) => problemDiagnostic(p, error.code, experimentFile, textOf));
}

function problemDiagnostic(
  p: Problem,
  code: ErrorInfo['code'],
  experimentFile: string | null,
  textOf: (file: string) => string | null,
): PlannedDiagnostic[] {
  const base = { severity: 'error' as const, message: p.message, fixes: [], code, origin: 'error' as const };
  const w = p.where;
  if (w?.kind === 'file') {
    const line = Math.max(0, (w.line ?? 1) - 1);
    const range: Span =
      w.column !== undefined
        ? { start: { line, character: Math.max(0, w.column - 1) }, end: { line, character: Math.max(1, w.column) } }
        : { start: { line, character: 0 }, end: { line, character: Number.MAX_SAFE_INTEGER } };
    // Data paths are resolved by the worker; a relative one is relative to the experiment's folder.
    const dataFile = isAbsolute(w.file) || !experimentFile ? w.file : join(dirname(experimentFile), w.file);
    // A line:column inside the experiment file itself (JSON) is its syntax error.
    const origin = dataFile === experimentFile ? ('syntax' as const) : base.origin;
    return [{ ...base, origin, file: dataFile, range, key: null }];
  }
  const file = w?.kind === 'json' && w.file ? w.file : experimentFile;
  if (!file) return [];
  if (w?.kind !== 'json') return [{ ...base, file, range: FILE_START, key: null }];
  const text = textOf(file);
  return [{ ...base, file, range: text === null ? FILE_START : locateKey(text, w.path), key: w.path || null }];
}

/**
 * After an edit: move each diagnostic to where its key is now, and drop those whose every fix
 * the file already holds (the Quick Fix was applied, so its diagnostic has done its job).
 */
export function relocate(diags: PlannedDiagnostic[], text: string): PlannedDiagnostic[] {
  return diags
    .filter((d) => {
      const all = [...d.fixes, ...(d.together ?? [])];
      return all.length === 0 || !all.every((f) => isFixApplied(text, f));
    })
    .map((d) => (d.key === null ? d : { ...d, range: locateKey(text, d.key) }));
}

/** Diagnostics (of one file) whose range touches the given line range, with their fixes. */
export function fixesAt(diags: PlannedDiagnostic[], startLine: number, endLine: number): { diag: PlannedDiagnostic; fix: ConfigFix }[] {
  const out: { diag: PlannedDiagnostic; fix: ConfigFix }[] = [];
  for (const d of diags) {
    if (d.range.end.line < startLine || d.range.start.line > endLine) continue;
    for (const fix of d.fixes) out.push({ diag: d, fix });
  }
  return out;
}

/** Diagnostics (of one file) touching the line range that offer an "apply all" group. */
export function groupsAt(diags: PlannedDiagnostic[], startLine: number, endLine: number): { diag: PlannedDiagnostic; fixes: ConfigFix[] }[] {
  return diags
    .filter((d) => d.together && !(d.range.end.line < startLine || d.range.start.line > endLine))
    .map((d) => ({ diag: d, fixes: d.together as ConfigFix[] }));
}

/** "Apply all: neumann.damping = 3.37, neumann.alpha = 0.0872, neumann.terms = 73". */
export function togetherLabel(fixes: readonly ConfigFix[]): string {
  return `Apply all: ${fixes.map((f) => `${formatJsonPath(f.path)} = ${f.label.replace(/^Set \S+ to /, '')}`).join(', ')}`;
}
