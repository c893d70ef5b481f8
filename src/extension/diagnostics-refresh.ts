/**
 * Keeps a run's Problems entries true while the experiment file is edited, so the Problems panel
 * never describes a file that is no longer there. Pure (no vscode): DiagnosticsManager calls
 * `refresh` on every change of an experiment file that has a run's diagnostics.
 *
 * - Syntax and validation errors are the editor's own check of the current text (`checkText`,
 *   the worker's validation run on the host): they appear and disappear as the user types.
 * - A failed run's error at a key is removed once the value at that key changed (the check of
 *   the new text says whether a problem remains); its syntax error is replaced by the check.
 * - A report's advice whose key changed since the run is marked stale (it is about the old value)
 *   and unmarked if the value comes back; advice whose fixes the file holds is dropped.
 */
import { findNodeAtLocation, getNodeValue, parseTree } from 'jsonc-parser';
import { checkExperiment } from '../core/config/load';
import { parseJsonStrict } from '../core/config/json-location';
import { parseJsonPath } from '../core/config/json-path';
import { InputError } from '../core/errors';
import { errorToInfo } from '../process/faults';
import { errorDiagnostics, relocate, type PlannedDiagnostic } from './diagnostics-model';

/** The value at `key` (`neumann.alpha`, `model.layers[2]`) as canonical JSON; '' when absent. */
export function valueAt(text: string, key: string): string {
  const path = parseJsonPath(key);
  const root = parseTree(text, [], { disallowComments: false, allowTrailingComma: true });
  if (!root || path === null) return '';
  const node = path.length === 0 ? root : findNodeAtLocation(root, [...path]);
  return node ? JSON.stringify(getNodeValue(node)) : '';
}

/** Records, on each diagnostic with a key in `file`, the value the run read there. */
export function withRunValues(diags: PlannedDiagnostic[], file: string, runText: string): PlannedDiagnostic[] {
  return diags.map((d) => (d.key !== null && d.file === file ? { ...d, runValue: valueAt(runText, d.key) } : d));
}

/** The problems of an experiment's current text: its first syntax error, else every validation problem. */
export function checkText(text: string, file: string): PlannedDiagnostic[] {
  const textOf = (f: string) => (f === file ? text : null);
  const asCheck = (ds: PlannedDiagnostic[]) => ds.map((d) => ({ ...d, origin: 'check' as const }));
  let raw: unknown;
  try {
    raw = parseJsonStrict(text, file);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return asCheck(errorDiagnostics(errorToInfo(err), file, textOf));
  }
  return checkExperiment(raw, file).problems.flatMap((p) => asCheck(errorDiagnostics(errorToInfo(p), file, textOf)));
}

/** The run's diagnostics of `file` after its text became `text` (`current`: that text's own check). */
export function refresh(diags: PlannedDiagnostic[], file: string, text: string, current: PlannedDiagnostic[] = checkText(text, file)): PlannedDiagnostic[] {
  const changed = (d: PlannedDiagnostic) => d.key !== null && d.runValue !== undefined && valueAt(text, d.key) !== d.runValue;
  const kept: PlannedDiagnostic[] = [];
  for (const d of diags) {
    if (d.file !== file) {
      kept.push(d);
      continue;
    }
    if (d.origin === 'check' || d.origin === 'syntax') continue; // the check of the current text replaces them
    if (d.origin === 'error') {
      if (!changed(d)) kept.push(d);
      continue;
    }
    const { stale: _old, ...fresh } = d;
    kept.push(changed(d) ? { ...fresh, stale: `${d.key} changed since the run` } : fresh);
  }
  const here = relocate(kept.filter((d) => d.file === file), text);
  const shown = new Set(here.map((d) => `${d.key}\u0000${d.message}`));
  return [
    ...kept.filter((d) => d.file !== file),
    ...here,
    ...current.filter((d) => !shown.has(`${d.key}\u0000${d.message}`)),
  ];
}

/** The text the Problems panel shows: a stale entry says so first. */
export function displayMessage(d: PlannedDiagnostic): string {
  return d.stale ? `(stale: ${d.stale}) ${d.message}` : d.message;
}

/** A stale entry is no longer a warning or an error about the file: it is information about the run. */
export function displaySeverity(d: PlannedDiagnostic): PlannedDiagnostic['severity'] {
  return d.stale ? 'info' : d.severity;
}
