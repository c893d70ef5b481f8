/**
 * Where things are in JSON text: strict parsing with `file:line:column` errors, and the source
 * range of a path such as `model.layers[2]` (json-path.ts), so the extension can put a diagnostic
 * there and the CLI can print a position.
 */
import { parse, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { InputError } from '../errors';
import { parseJsonPathPrefix, type JsonPath } from './json-path';

/** 0-based, as VS Code positions are. */
export interface JsonRange {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

const PARSE_MESSAGES: Record<string, string> = {
  InvalidSymbol: 'invalid symbol',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes (trailing commas are not allowed in JSON)',
  ValueExpected: 'expected a value (trailing commas are not allowed in JSON)',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'unexpected content after the end of the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'unterminated comment (comments are not allowed in JSON)',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid unicode escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'invalid character in string',
};

/**
 * Parses JSON text strictly (no comments, no trailing commas, no empty content). The first
 * syntax error is an InputError at `file:line:column` (1-based); `file` null → `<input>`.
 */
export function parseJsonStrict(text: string, file: string | null): unknown {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const errors: ParseError[] = [];
  const value = parse(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length > 0) {
    const e = errors[0];
    const pos = offsetToPosition(text, e.offset);
    const code = printParseErrorCode(e.error);
    const what = text.trim() === '' ? 'empty file: expected a JSON object' : `JSON syntax error: ${PARSE_MESSAGES[code] ?? code}`;
    throw new InputError(what, { kind: 'file', file: file ?? '<input>', line: pos.line + 1, column: pos.column + 1 });
  }
  // JSON.parse and jsonc-parser keep the last of two equal keys silently; a config edited by hand
  // that says `"alpha"` twice means one of them is not what the user thinks is in force.
  const duplicate = firstDuplicateKey(parseTree(text));
  if (duplicate) {
    const pos = offsetToPosition(text, duplicate.offset);
    throw new InputError(`duplicate key ${JSON.stringify(duplicate.value)} in the same object`, {
      kind: 'file',
      file: file ?? '<input>',
      line: pos.line + 1,
      column: pos.column + 1,
    });
  }
  return value;
}

function firstDuplicateKey(node: Node | undefined): Node | null {
  if (!node) return null;
  if (node.type === 'object') {
    const seen = new Set<string>();
    for (const prop of node.children ?? []) {
      const key = prop.children?.[0];
      if (!key) continue;
      if (seen.has(key.value)) return key;
      seen.add(key.value);
    }
  }
  for (const child of node.children ?? []) {
    const found = firstDuplicateKey(child);
    if (found) return found;
  }
  return null;
}

/**
 * Source range of the value at a path (`neumann.alpha`, `model.layers[2]`; '' is the root), given
 * formatted or as segments. For a property whose value is a scalar the range covers `"key": value`;
 * for an object or array value only the key (a multi-line squiggle helps nobody). When the path does
 * not exist (a missing key, an index past the end, a key inside a number, a malformed tail) the range
 * is that of the nearest existing parent. Null when the text has no JSON value.
 */
export function locateJsonPath(text: string, path: string | JsonPath): JsonRange | null {
  const root = parseTree(text, [], { disallowComments: false, allowTrailingComma: true });
  if (!root) return null;
  let node: Node = root;
  for (const segment of typeof path === 'string' ? parseJsonPathPrefix(path).path : path) {
    const child = childAt(node, segment);
    if (!child) break;
    node = child;
  }
  return rangeOf(text, node);
}

function childAt(node: Node, segment: string | number): Node | undefined {
  if (node.type === 'object' && typeof segment === 'string') {
    // The last of two equal keys is the one in force (as JSON.parse reads it).
    let found: Node | undefined;
    for (const prop of node.children ?? []) {
      const [key, value] = prop.children ?? [];
      if (key && key.value === segment && value) found = value;
    }
    return found;
  }
  if (node.type === 'array' && typeof segment === 'number') return node.children?.[segment];
  return undefined;
}

function rangeOf(text: string, node: Node): JsonRange {
  const prop = node.parent?.type === 'property' ? node.parent : undefined;
  const key = prop?.children?.[0];
  let start = node.offset;
  let end = node.offset + node.length;
  if (key) {
    start = key.offset;
    end = node.type === 'object' || node.type === 'array' ? key.offset + key.length : end;
  } else if (node.type === 'object' || node.type === 'array') {
    end = start + 1;
  }
  const a = offsetToPosition(text, start);
  const b = offsetToPosition(text, end);
  return { line: a.line, column: a.column, endLine: b.line, endColumn: b.column };
}

/** 0-based line and column of a character offset (CRLF counts as one line break). */
export function offsetToPosition(text: string, offset: number): { line: number; column: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Math.min(offset, text.length) - lineStart };
}
