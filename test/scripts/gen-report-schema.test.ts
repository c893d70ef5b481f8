/**
 * schemas/report.schema.json is the report's declaration as JSON Schema: the committed file is
 * what the generator makes of src/core/diagnosis/report.ts, and it describes real report files
 * (checked with ajv, an implementation independent of TypeBox).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { REPORT_SCHEMA_FILE, reportSchemaText } from '../../scripts/gen-report-schema';
import { sampleReport } from '../fixtures/sample-report';

const committed = readFileSync(REPORT_SCHEMA_FILE, 'utf8');

test('the committed schema is the one the declaration generates (run npm run build after changing report.ts)', () => {
  assert.equal(committed, reportSchemaText());
});

test('the schema accepts real report files and rejects a wrong one at its place', () => {
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(committed));
  const recorded = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'seed-regression.report.json'), 'utf8'));
  assert.ok(validate(recorded), JSON.stringify(validate.errors));
  assert.ok(validate(JSON.parse(JSON.stringify(sampleReport()))), JSON.stringify(validate.errors));

  // A diverged run as the CLI writes it: JSON.stringify turns ∞ and NaN into null.
  const diverged = sampleReport();
  diverged.neumann.termNorms.push(Infinity);
  diverged.neumann.rho = NaN;
  assert.ok(validate(JSON.parse(JSON.stringify(diverged))), JSON.stringify(validate.errors));

  const bad = JSON.parse(JSON.stringify(sampleReport()));
  bad.neumann.termNorms[3] = 'x';
  bad.advice.verdict = 'fine';
  delete bad.spectrum.hvps;
  assert.equal(validate(bad), false);
  const places = validate.errors!.map((e) => `${e.instancePath} ${e.keyword}`);
  for (const p of ['/neumann/termNorms/3 type', '/advice/verdict enum', '/spectrum required']) assert.ok(places.includes(p), `${p} in ${places}`);
});
