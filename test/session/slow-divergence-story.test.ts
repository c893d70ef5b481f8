/**
 * The tanh template as a new user runs it (issue 14): the exact spectrum says λ_min < 0 by a hair
 * (ρ just above 1) while power iteration stops at a positive λ_min, and the 20 computed terms all
 * shrink. Every surface must say both things, once each: the divergence is slow (and not before
 * which term it can show), and the cross-check disagrees (and what that means).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { readExperimentFile } from '../../src/core/config/load';
import { crossCheckFlags } from '../../src/core/diagnosis/cross-check';
import { renderHtml } from '../../src/core/diagnosis/render-html';
import { renderMarkdown } from '../../src/core/diagnosis/render-markdown';
import { renderText } from '../../src/core/diagnosis/render-text';
import { slowDivergence } from '../../src/core/diagnosis/slow-divergence';
import { runSession } from '../../src/session/run-session';

const count = (hay: string, needle: string) => hay.split(needle).length - 1;
const escHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
/** Markdown escapes (render-markdown's md) removed again, so the plain sentence can be counted. */
const unMd = (s: string) => s.replace(/\\([\\`*_[\]|<>])/g, '$1');

test('tanh classifier: slow divergence and a disagreeing power-iteration cross-check, each shown once per surface', async () => {
  const exp = readExperimentFile(join(__dirname, '../../examples/tanh-classifier.neumann.json'));
  const report = await runSession(exp, { backend: 'cpu' }, { onEvent: () => {} });
  const n = report.neumann;
  assert.ok(n.rhoInterval[0] > 1 && n.rho < 1.05, `ρ just above 1: ${n.rho}`);
  assert.ok(n.growthRatios.every((g) => g < 1), 'every computed term shrinks');

  const slow = slowDivergence(n);
  assert.ok(slow, 'a slow-divergence note');
  // The closed form against the report's own numbers, computed here.
  const K = n.termNorms.length - 1;
  assert.equal(slow.earliestTerm, Math.ceil(K + Math.log(n.termNorms[0] / n.termNorms[K]) / Math.log(n.rho)));
  assert.ok(slow.earliestTerm > K);

  const flags = crossCheckFlags(report.spectrum);
  const min = flags.find((f) => f.end === 'min' && f.check === 'power iteration');
  assert.ok(min, `a λ_min flag among ${flags.map((f) => f.text).join(' | ')}`);
  assert.equal(min.kind, 'short');
  assert.equal(min.signDiffers, true);
  assert.ok(report.spectrum.lambdaMin < 0 && report.spectrum.power!.lambdaMin.value > 0);

  const text = renderText(report);
  const markdown = unMd(renderMarkdown(report));
  const html = renderHtml(report);
  for (const sentence of [slow.text, ...flags.map((f) => f.text)]) {
    assert.equal(count(text, sentence), 1, `text: ${sentence}`);
    assert.equal(count(markdown, sentence), 1, `markdown: ${sentence}`);
    assert.equal(count(html, escHtml(sentence)), 1, `html: ${sentence}`);
  }
});
