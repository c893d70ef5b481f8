/**
 * Numeric CSV → Dataset. Deliberately small: a header row, comma-separated numbers, no quoting
 * (the files this product reads are exported feature tables). A UTF-8 BOM, CRLF line endings and
 * blank trailing lines are tolerated because spreadsheet and pandas exports produce them.
 * Every problem is an InputError at `file:line:column` (1-based, as editors and compilers print).
 */
import { InputError } from '../errors';
import { readInputFile } from '../config/input-file';
import type { Dataset } from './dataset';

export interface CsvColumns {
  /** Target column name; default `y`. */
  target?: string;
  /** Feature columns in model-input order; default every column but the target, in file order. */
  features?: string[];
}

/** Reads and parses a CSV file; a missing or unreadable file is an InputError naming it. */
export function readCsvDataset(file: string, columns: CsvColumns = {}): Dataset {
  return parseCsv(readInputFile(file, 'CSV file'), file, columns);
}

/** Parses CSV text; `file` is only used in messages (and as the dataset's `source`). */
export function parseCsv(text: string, file: string, columns: CsvColumns = {}): Dataset {
  const at = (line: number, column?: number) => ({ kind: 'file' as const, file, line, column });
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  // Blank lines at the end are an artefact of editors; blank lines inside are not data either.
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length === 0) throw new InputError('empty file: expected a header row and at least one data row', at(1, 1));

  const header = splitCells(lines[0]);
  const names = header.map((c) => c.text.trim());
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    if (name === '') throw new InputError(`column ${i + 1} has an empty name in the header`, at(1, header[i].column));
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InputError(`duplicate column name '${name}' (columns ${first + 1} and ${i + 1})`, at(1, header[i].column));
    }
    seen.set(name, i);
  });

  const existing = () => names.map((n) => `'${n}'`).join(', ');
  const targetName = columns.target ?? 'y';
  const targetIndex = seen.get(targetName);
  if (targetIndex === undefined) {
    throw new InputError(`target column '${targetName}' not found; the columns are ${existing()}`, at(1));
  }
  let featureNames: string[];
  if (columns.features) {
    featureNames = columns.features;
    for (const f of featureNames) {
      if (!seen.has(f)) throw new InputError(`feature column '${f}' not found; the columns are ${existing()}`, at(1));
      if (f === targetName) throw new InputError(`column '${f}' is both the target and a feature`, at(1));
    }
    const dup = featureNames.find((f, i) => featureNames.indexOf(f) !== i);
    if (dup !== undefined) throw new InputError(`feature column '${dup}' is listed twice`, at(1));
  } else {
    featureNames = names.filter((_, i) => i !== targetIndex);
  }
  if (featureNames.length === 0) throw new InputError(`no feature columns: the only column is the target '${targetName}'`, at(1));
  const featureIndex = featureNames.map((f) => seen.get(f) as number);

  const dataLines: number[] = [];
  for (let i = 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    dataLines.push(i);
  }
  if (dataLines.length === 0) throw new InputError('header only: the file has no data rows', at(2, 1));

  const rows = dataLines.length;
  const features = featureNames.length;
  const x = new Float32Array(rows * features);
  const y = new Float32Array(rows);
  const row = new Float64Array(names.length);
  for (let r = 0; r < rows; r++) {
    const lineNo = dataLines[r] + 1;
    const cells = splitCells(lines[dataLines[r]]);
    if (cells.length !== names.length) {
      const col = cells.length > names.length ? cells[names.length].column : lines[dataLines[r]].length + 1;
      throw new InputError(`ragged row: expected ${names.length} cells (as in the header), found ${cells.length}`, at(lineNo, col));
    }
    for (let c = 0; c < cells.length; c++) {
      row[c] = parseNumber(cells[c].text, names[c], at(lineNo, cells[c].column));
    }
    for (let f = 0; f < features; f++) x[r * features + f] = row[featureIndex[f]];
    y[r] = row[targetIndex];
  }
  return { rows, features, x, y, featureNames: [...featureNames], targetName, source: file };
}

interface Cell {
  text: string;
  /** 1-based column of the cell's first character. */
  column: number;
}

function splitCells(line: string): Cell[] {
  const cells: Cell[] = [];
  let start = 0;
  for (;;) {
    const comma = line.indexOf(',', start);
    const end = comma < 0 ? line.length : comma;
    cells.push({ text: line.slice(start, end), column: start + 1 });
    if (comma < 0) return cells;
    start = comma + 1;
  }
}

// Number('') is 0 and Number('0x1f') is 31, so the grammar is checked before converting.
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function parseNumber(raw: string, column: string, where: { kind: 'file'; file: string; line: number; column?: number }): number {
  const text = raw.trim();
  if (text === '') throw new InputError(`empty cell in column '${column}'`, where);
  if (!NUMBER.test(text)) {
    const what = /^[+-]?(nan|inf(inity)?)$/i.test(text) ? 'is not a finite number' : 'is not a number';
    throw new InputError(`'${text}' in column '${column}' ${what}`, where);
  }
  const v = Number(text);
  // e.g. 1e999: syntactically a number, but it overflows to Infinity (and float32 would too).
  if (!Number.isFinite(v) || !Number.isFinite(Math.fround(v))) {
    throw new InputError(`'${text}' in column '${column}' is too large for float32`, where);
  }
  return v;
}
