/**
 * The one way a place inside a JSON document is written, in every message, diagnostic and test:
 * keys joined by dots, array indices in brackets (`neumann.alpha`, `model.layers[2]`,
 * `problem.matrix[0][1]`); the root is ''. A key that is not a plain name (`0.weight`, `my key`,
 * `2`) is written as a quoted string in brackets (`["0.weight"]`), so a path is never ambiguous
 * and always reads back to the same segments.
 */

/** Keys are strings, array indices numbers. */
export type JsonPath = ReadonlyArray<string | number>;

const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (PLAIN_KEY.test(s)) out += out === '' ? s : `.${s}`;
    else out += `[${JSON.stringify(s)}]`;
  }
  return out;
}

/** The segments of a formatted path; null when the text is not one (see parseJsonPathPrefix). */
export function parseJsonPath(text: string): JsonPath | null {
  const { path, length } = parseJsonPathPrefix(text);
  return length === text.length ? path : null;
}

/**
 * The longest well-formed path at the start of `text` and how many characters it took. A path
 * that breaks off (`model.layers.2`, `a[`) yields its well-formed part: where that is used to
 * find a place in a file, a malformed tail lands on its nearest existing parent.
 */
export function parseJsonPathPrefix(text: string): { path: JsonPath; length: number } {
  const path: Array<string | number> = [];
  let i = 0;
  for (;;) {
    const rest = text.slice(i);
    const key = (path.length === 0 ? /^[A-Za-z_$][A-Za-z0-9_$-]*/ : /^\.[A-Za-z_$][A-Za-z0-9_$-]*/).exec(rest);
    if (key) {
      path.push(key[0].replace(/^\./, ''));
      i += key[0].length;
      continue;
    }
    const index = /^\[(0|[1-9]\d*)\]/.exec(rest);
    if (index) {
      path.push(Number(index[1]));
      i += index[0].length;
      continue;
    }
    const quoted = /^\["(?:[^"\\]|\\.)*"\]/.exec(rest);
    if (quoted) {
      try {
        path.push(JSON.parse(quoted[0].slice(1, -1)) as string);
        i += quoted[0].length;
        continue;
      } catch {
        // an invalid escape ends the path here
      }
    }
    return { path, length: i };
  }
}

/**
 * A JSON Pointer (`/model/layers/2`, as ajv reports places) as a path. Pointer segments do not
 * say whether they index an array, so the value they point into decides: `data` is the document.
 */
export function pointerToJsonPath(pointer: string, data: unknown): JsonPath {
  if (pointer === '') return [];
  const path: Array<string | number> = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const s = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const index = Array.isArray(node) && /^(0|[1-9]\d*)$/.test(s) ? Number(s) : null;
    path.push(index ?? s);
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[s] : undefined;
  }
  return path;
}
