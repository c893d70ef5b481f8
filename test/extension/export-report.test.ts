import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultExportName, EXPORT_FORMATS, openWith, renderExport } from '../../src/extension/export-report';
import { fmtNum } from '../../src/core/diagnosis/format';
import { sampleReport } from '../fixtures/sample-report';

test('JSON export is the report itself, non-finite numbers written as null', () => {
  const report = sampleReport();
  assert.deepEqual(JSON.parse(renderExport(report, 'json')), report);
  report.neumann.termNorms.push(Infinity);
  const parsed = JSON.parse(renderExport(report, 'json')) as { neumann: { termNorms: unknown[] } };
  assert.equal(parsed.neumann.termNorms[parsed.neumann.termNorms.length - 1], null);
});

test('Markdown and HTML exports carry the verdict summary and are self-contained', () => {
  const report = sampleReport();
  const md = renderExport(report, 'markdown');
  assert.ok(md.replace(/\\(.)/g, '$1').includes(report.advice.summary), 'the verdict summary is in the Markdown (unescaped)');
  assert.match(md, new RegExp(`\\| λ_min \\| ${fmtNum(report.spectrum.lambdaMin).replace(/[.-]/g, '\\$&')} `), 'λ_min with its value is in the Markdown');
  const html = renderExport(report, 'html');
  assert.ok(html.includes(fmtNum(report.spectrum.lambdaMin)), 'λ_min is in the HTML');
  assert.match(html, /^<!DOCTYPE html>/i);
  assert.doesNotMatch(html, /<script[^>]+src=/i, 'no external scripts');
  assert.doesNotMatch(html, /<link[^>]+href="https?:/i, 'no remote stylesheets');
});

test('default file names sit next to the experiment', () => {
  const report = sampleReport();
  assert.equal(defaultExportName(report, 'markdown'), 'seed-regression.report.md');
  assert.equal(defaultExportName(report, 'html'), 'seed-regression.report.html');
  assert.equal(defaultExportName({ ...report, experimentFile: null, name: 'my run / 2' }, 'json'), 'my-run-2.report.json');
  assert.deepEqual(EXPORT_FORMATS.map((f) => f.format), ['markdown', 'html', 'json']);
});

test('"Open" after an export: HTML in the browser, Markdown in the preview, JSON in an editor', () => {
  assert.deepEqual(
    EXPORT_FORMATS.map((f) => [f.format, openWith(f.format)]),
    [['markdown', 'markdown-preview'], ['html', 'browser'], ['json', 'editor']],
  );
});
