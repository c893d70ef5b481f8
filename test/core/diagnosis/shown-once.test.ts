import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiagnosisReport } from '../../../src/core/diagnosis/report';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { renderMarkdown } from '../../../src/core/diagnosis/render-markdown';
import { renderText } from '../../../src/core/diagnosis/render-text';
import { afterSummary, messagesBesideSummary } from '../../../src/core/diagnosis/shown-once';
import { sampleReport } from '../../fixtures/sample-report';

const count = (hay: string, needle: string) => hay.split(needle).length - 1;
const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const unMd = (s: string) => s.replace(/\\([\\`*_[\]|<>])/g, '$1');

/** The recorded seed run (its verdict message opens with the summary, as every real report's does). */
const recorded = JSON.parse(readFileSync(join(__dirname, '../../fixtures/seed-regression.report.json'), 'utf8')) as DiagnosisReport;

/** The sample with a verdict message as the advice writes it: the summary, then more. */
function sampleWithVerdictMessage(): DiagnosisReport {
  const r = sampleReport();
  r.advice.messages.unshift({ kind: 'verdict', severity: 'error', text: `${r.advice.summary} ρ lies in [3.5, 3.5] given the error bars.` });
  return r;
}

test('afterSummary takes the summary off the front only', () => {
  assert.equal(afterSummary('Diverges: ρ = 2. It lies in [1, 3].', 'Diverges: ρ = 2.'), 'It lies in [1, 3].');
  assert.equal(afterSummary('Diverges: ρ = 2.', 'Diverges: ρ = 2.'), '');
  assert.equal(afterSummary('Other text. Diverges: ρ = 2.', 'Diverges: ρ = 2.'), 'Other text. Diverges: ρ = 2.');
  const r = sampleWithVerdictMessage();
  const beside = messagesBesideSummary(r.advice);
  assert.equal(beside.length, r.advice.messages.length);
  assert.equal(beside[0].text, 'ρ lies in [3.5, 3.5] given the error bars.');
  assert.deepEqual(beside.slice(1), r.advice.messages.slice(1), 'the other messages as they are');
  r.advice.messages[0].text = r.advice.summary;
  assert.equal(messagesBesideSummary(r.advice).length, r.advice.messages.length - 1, 'a message that is only the summary goes');
});

for (const [name, make] of [['recorded seed run', () => structuredClone(recorded)], ['sample', sampleWithVerdictMessage]] as const) {
  test(`${name}: CLI text, Markdown and HTML print the summary once and every message once`, () => {
    const r = make();
    assert.ok(r.advice.messages.some((m) => m.text.startsWith(r.advice.summary) && m.text !== r.advice.summary), 'the case the issue saw');
    const surfaces: [string, string, (s: string) => string][] = [
      ['text', renderText(r), (s) => s],
      ['markdown', unMd(renderMarkdown(r)), (s) => s],
      ['html', renderHtml(r), escHtml],
    ];
    for (const [surface, out, enc] of surfaces) {
      assert.equal(count(out, enc(r.advice.summary)), 1, `${surface}: the summary once`);
      for (const m of messagesBesideSummary(r.advice)) assert.equal(count(out, enc(m.text)), 1, `${surface}: once: ${m.text}`);
    }
  });
}
