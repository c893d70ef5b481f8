/**
 * Writes schemas/report.schema.json from the report's one declaration (src/core/diagnosis/report.ts):
 * the JSON Schema of the file `--json` and Export write. Run by scripts/build.mjs; with --check (CI)
 * it writes nothing and fails when the file is stale; a test keeps the committed file up to date.
 *   node --import tsx scripts/gen-report-schema.ts [--check]
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DiagnosisReport } from '../src/core/diagnosis/report';

export const REPORT_SCHEMA_FILE = join(__dirname, '..', 'schemas', 'report.schema.json');

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/**
 * The declaration as plain JSON Schema (draft-07, like the experiment's): TypeBox's symbols
 * dropped, string literal unions written as `enum`, and a nullable number that is nullable anyway
 * (a measured number is null in JSON when it was ±Infinity or NaN) written once.
 */
export function reportJsonSchema(): Json {
  const plain = tidy(JSON.parse(JSON.stringify(DiagnosisReport)) as Json);
  const { title, description, ...rest } = plain as Record<string, Json>;
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://neumann-lens.local/schemas/report.schema.json',
    title,
    description:
      `${description as string}: what \`neumann-lens diagnose --json\` and Export (JSON) write; generated from src/core/diagnosis/report.ts. ` +
      'Measured numbers may be ±Infinity or NaN in the run (a diverging series overflows); JSON has no such values, so the file holds null there.',
    ...rest,
  };
}

function tidy(node: Json): Json {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [k, v] of Object.entries(node)) out[k] = tidy(v);
  const anyOf = out.anyOf;
  if (!Array.isArray(anyOf)) return out;
  const members = anyOf as Record<string, Json>[];
  const { anyOf: _anyOf, ...own } = out;
  if (members.every((m) => typeof m.const === 'string' && Object.keys(m).every((k) => k === 'const' || k === 'type'))) {
    return { ...own, type: 'string', enum: members.map((m) => m.const) };
  }
  const isNull = (m: Record<string, Json>) => m.type === 'null' && Object.keys(m).length === 1;
  const others = members.filter((m) => !isNull(m));
  if (others.length === 1 && members.length === 2 && Array.isArray(others[0].type) && others[0].type.includes('null')) {
    return { ...others[0], ...own };
  }
  return out;
}

export function reportSchemaText(): string {
  return `${JSON.stringify(reportJsonSchema(), null, 2)}\n`;
}

/** Writes the file when its content changes (builds run concurrently in the tests: an unchanged file is never rewritten). */
export function writeReportSchema(): boolean {
  const text = reportSchemaText();
  if (existsSync(REPORT_SCHEMA_FILE) && readFileSync(REPORT_SCHEMA_FILE, 'utf8') === text) return false;
  writeFileSync(REPORT_SCHEMA_FILE, text);
  return true;
}

function main(): void {
  if (!process.argv.includes('--check')) {
    if (writeReportSchema()) console.log('wrote schemas/report.schema.json (from the report declaration)');
    return;
  }
  if (existsSync(REPORT_SCHEMA_FILE) && readFileSync(REPORT_SCHEMA_FILE, 'utf8') === reportSchemaText()) return;
  console.error('stale, regenerate with npm run build and commit: schemas/report.schema.json');
  process.exit(1);
}

if (require.main === module) main();
