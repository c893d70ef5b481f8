/** The Markdown report (--markdown, Export): heading, verdict, tables, user text escaped. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtPercent } from '../../../src/core/diagnosis/format';
import { renderMarkdown } from '../../../src/core/diagnosis/render-markdown';
import { sampleReport } from '../../fixtures/sample-report';

test('Markdown: heading, verdict, a table row per term, escaped user text', () => {
  const r = sampleReport();
  r.name = 'a|b *c*';
  const doc = renderMarkdown(r);
  assert.match(doc, /^# Neumann Lens diagnosis: a\\\|b \\\*c\\\*\n/);
  assert.match(doc, /\*\*Diverges: negative curvature \(λ_min < 0\)\.\*\*/);
  const termRows = doc.split('\n').filter((l) => /^\| \d+ \| /.test(l));
  assert.equal(termRows.length, r.neumann.termNorms.length);
  assert.ok(termRows[3].includes('41.6') && termRows[3].includes('`[3.5, 7, 10.5, 14, 17.5]`'));
  assert.match(doc, /\| Negative eigenvalues \| 2 of 5 \|/);
  assert.ok(doc.includes(`| Neumann | 123.4 | ${fmtPercent(294.8)} |`), 'the relative error as a percentage');
});
