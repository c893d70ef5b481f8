/**
 * Turns a recommendation's ConfigFix into text edits of the experiment file. Pure (no vscode):
 * the Quick Fix and the panel's action buttons both go through computeFixEdits, and the editor
 * applies the result as one undoable WorkspaceEdit. The edit touches only the value (or adds one
 * property), so the user's formatting, key order and comments survive.
 */
import { applyEdits, findNodeAtLocation, parseTree, type FormattingOptions, type Node } from 'jsonc-parser';
import type { ConfigFix, DiagnosisReport } from '../core/diagnosis/report';
import { reportMessages } from '../core/diagnosis/report-messages';
import { formatJsonPath } from '../core/config/json-path';
import { InputError } from '../core/errors';

export interface TextEdit {
  offset: number;
  length: number;
  content: string;
}

/** Indentation and line ending of an existing file, so inserted keys look like their neighbours. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indents = [...text.matchAll(/^([ \t]+)\S/gm)].map((m) => m[1]);
  if (indents.length === 0) return { insertSpaces: true, tabSize: 2, eol };
  if (indents.some((s) => s.startsWith('\t'))) return { insertSpaces: false, tabSize: 4, eol };
  // The smallest indent seen is one level.
  const tabSize = Math.min(...indents.map((s) => s.length));
  return { insertSpaces: true, tabSize: Math.max(1, Math.min(8, tabSize)), eol };
}

/** Rejects fixes that could not have come from a diagnosis report (the panel is untrusted). */
export function checkFix(fix: ConfigFix): void {
  if (!Array.isArray(fix.path) || fix.path.length === 0 || fix.path.some((s) => typeof s !== 'string' || s === '')) {
    throw new InputError('a fix needs a non-empty JSON path of keys');
  }
  if (fix.value !== 'auto' && (typeof fix.value !== 'number' || !Number.isFinite(fix.value))) {
    throw new InputError(`fix value ${typeof fix.value === 'string' ? JSON.stringify(fix.value) : String(fix.value)} is not a finite number or "auto"`, { kind: 'json', path: formatJsonPath(fix.path) });
  }
}

/**
 * The edits that set `fix.path` to `fix.value`, creating missing keys and parent objects (e.g.
 * adding `neumann.damping` where the file has none). An existing value is replaced in place; a new
 * key is appended after its last sibling with that sibling's indentation, so no other line of the
 * file is touched (jsonc-parser's formatter would re-flow neighbouring arrays such as
 * `"vector": [1, 1]`). Throws InputError when the file is not a JSON object or a parent on the
 * path is not an object.
 */
export function computeFixEdits(text: string, fix: ConfigFix, formatting: FormattingOptions = detectFormatting(text)): TextEdit[] {
  checkFix(fix);
  const root = parseTree(text);
  if (!root || root.type !== 'object') throw new InputError('the experiment file is not a JSON object', { kind: 'json', path: '' });
  let parent: Node = root;
  let depth = 0;
  for (; depth < fix.path.length - 1; depth++) {
    const next = findNodeAtLocation(parent, [fix.path[depth]]);
    if (!next) break;
    if (next.type !== 'object') {
      const at = formatJsonPath(fix.path.slice(0, depth + 1));
      throw new InputError(`cannot set ${formatJsonPath(fix.path)}: ${at} is not an object`, { kind: 'json', path: at });
    }
    parent = next;
  }
  const existing = depth === fix.path.length - 1 ? findNodeAtLocation(parent, [fix.path[depth]]) : undefined;
  if (existing) return [{ offset: existing.offset, length: existing.length, content: JSON.stringify(fix.value) }];
  return [insertProperty(text, parent, fix.path.slice(depth), fix.value, formatting)];
}

function insertProperty(text: string, parent: Node, keys: string[], value: ConfigFix['value'], f: FormattingOptions): TextEdit {
  const eol = f.eol ?? '\n';
  const unit = f.insertSpaces === false ? '\t' : ' '.repeat(f.tabSize ?? 2);
  let nested: unknown = value;
  for (let i = keys.length - 1; i >= 1; i--) nested = { [keys[i]]: nested };
  const props = parent.children ?? [];
  const last = props[props.length - 1];
  const parentIndent = indentOf(text, parent.offset);
  if (!last) {
    const inner = parentIndent + unit;
    return {
      offset: parent.offset + 1,
      length: parent.length - 2,
      content: `${eol}${inner}${property(keys[0], nested, unit, inner, eol)}${eol}${parentIndent}`,
    };
  }
  const end = last.offset + last.length;
  if (lineOf(text, last.offset) === lineOf(text, parent.offset)) {
    // An object written on one line stays on one line.
    return { offset: end, length: 0, content: `, ${JSON.stringify(keys[0])}: ${JSON.stringify(nested).replace(/":/g, '": ').replace(/,"/g, ', "')}` };
  }
  const indent = indentOf(text, last.offset);
  return { offset: end, length: 0, content: `,${eol}${indent}${property(keys[0], nested, unit, indent, eol)}` };
}

function property(key: string, value: unknown, unit: string, indent: string, eol: string): string {
  const json = JSON.stringify(value, null, unit).split('\n').join(eol + indent);
  return `${JSON.stringify(key)}: ${json}`;
}

function indentOf(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart, offset))![0];
}

function lineOf(text: string, offset: number): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

export function applyFixToText(text: string, fix: ConfigFix): string {
  return applyEdits(text, computeFixEdits(text, fix));
}

/**
 * Several fixes as one edit: each is applied to the text the previous one left (so inserts into
 * the same object do not collide), and the result is one replacement of the span that changed.
 */
export function computeFixesEdit(text: string, fixes: readonly ConfigFix[]): TextEdit {
  const after = fixes.reduce((t, f) => applyFixToText(t, f), text);
  let start = 0;
  while (start < text.length && start < after.length && text[start] === after[start]) start++;
  let end = 0;
  while (end < text.length - start && end < after.length - start && text[text.length - 1 - end] === after[after.length - 1 - end]) end++;
  return { offset: start, length: text.length - start - end, content: after.slice(start, after.length - end) };
}

/** True when the file already holds the fix's value (nothing left to do). */
export function isFixApplied(text: string, fix: ConfigFix): boolean {
  const root = parseTree(text);
  const node = root && findNodeAtLocation(root, fix.path);
  return !!node && node.type === (typeof fix.value === 'number' ? 'number' : 'string') && node.value === fix.value;
}

/** A fix proposed by the panel is applied only if the current report offered exactly that fix (the diagnosis' or the loop's). */
export function isOfferedFix(report: DiagnosisReport | null, fix: ConfigFix): boolean {
  return !!report && reportMessages(report).some((m) => m.fix !== undefined && sameFix(m.fix, fix));
}

export function sameFix(a: ConfigFix, b: ConfigFix): boolean {
  return a.value === b.value && a.path.length === b.path.length && a.path.every((s, i) => s === b.path[i]);
}
