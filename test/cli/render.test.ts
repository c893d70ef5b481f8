import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtNum, fmtPercent } from '../../src/core/diagnosis/format';
import { renderText } from '../../src/core/diagnosis/render-text';
import { renderMarkdown } from '../../src/core/diagnosis/render-markdown';
import { sampleReport } from '../fixtures/sample-report';

test('fmtNum: 4 significant digits, readable non-finite values and nulls', () => {
  assert.equal(fmtNum(3.3333333), '3.333');
  assert.equal(fmtNum(-2.5), '−2.5');
  assert.equal(fmtNum(0), '0');
  assert.equal(fmtNum(1.23456e-7), '1.235e-7');
  assert.equal(fmtNum(123456789), '1.235e+8');
  assert.equal(fmtNum(Infinity), '∞');
  assert.equal(fmtNum(-Infinity), '−∞');
  assert.equal(fmtNum(NaN), 'NaN');
  assert.equal(fmtNum(null), '—');
});

test('terminal text: verdict first, then the numbers the verdict rests on', () => {
  const r = sampleReport();
  const text = renderText(r);
  const lines = text.split('\n');
  assert.match(lines[0], /^✗ Diverges: negative curvature/);
  assert.equal(lines[1], r.advice.summary);
  assert.match(lines[2], /ρ\(I − α\(H \+ δI\)\) = 3\.5 /);
  assert.match(text, /λ_max = 4\.25/);
  assert.match(text, /λ_min = −2\.5/);
  assert.match(text, /negative eigenvalues: 2 of 5/);
  for (const m of r.advice.messages) assert.ok(text.includes(m.text), m.text);
  assert.match(text, /\[fix: Set damping δ = 2\.75\]/);
  // One row per term, j = 0..3, with its norm.
  for (let j = 0; j < r.neumann.termNorms.length; j++) {
    assert.ok(lines.some((l) => l.trimStart().startsWith(`${j} `) && l.includes(fmtNum(r.neumann.termNorms[j]))), `term ${j}`);
  }
  assert.match(text, /CG: — \(indefinite, 3 iterations\)/);
});

test('a converging report says so in its first line; slow counts as converging but says so', () => {
  const r = sampleReport();
  r.advice.verdict = 'converges';
  assert.match(renderText(r).split('\n')[0], /^✓ Converges —/);
  r.advice.verdict = 'slow';
  assert.match(renderText(r).split('\n')[0], /^⚠ Converges slowly/);
});

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
