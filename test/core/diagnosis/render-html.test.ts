import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { sampleReport } from '../../fixtures/sample-report';

/** "−2.5" → -2.5, independent of the renderer's formatter. */
const parse = (s: string) => Number(s.replace(/−/g, '-'));

function rowValue(html: string, label: string): { value: number; interval: [number, number] | null } {
  const m = new RegExp(`<th scope="row">${label.replace(/[()]/g, '\\$&')}</th><td>([^ <]+)(?: <span class="iv">\\[([^,]+), ([^\\]]+)\\]</span>)?`).exec(html);
  assert.ok(m, `row ${label} present`);
  return { value: parse(m[1]), interval: m[2] ? [parse(m[2]), parse(m[3])] : null };
}

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) <= 5e-4 * Math.abs(b) + 1e-12, `${what}: ${a} vs ${b}`);

test('the HTML export is self-contained: no external references, no scripts', () => {
  const html = renderHtml(sampleReport());
  assert.doesNotMatch(html, /https?:/i);
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<link/i);
  assert.doesNotMatch(html, /\bsrc\s*=/i);
  assert.doesNotMatch(html, /@import|url\(/i);
  assert.match(html, /^<!DOCTYPE html>/);
  assert.equal((html.match(/<svg/g) ?? []).length, (html.match(/<\/svg>/g) ?? []).length);
});

test('the export states the verdict, its cause and the numbers with intervals', () => {
  const r = sampleReport();
  const html = renderHtml(r);
  assert.match(html, /Diverges: negative curvature/);
  const summary = r.advice.summary.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  assert.ok(html.includes(summary), 'summary sentence');
  const lmin = rowValue(html, 'λ_min');
  close(lmin.value, r.spectrum.lambdaMin, 'λ_min');
  close(lmin.interval![0], r.spectrum.lambdaMinInterval[0], 'λ_min lo');
  close(lmin.interval![1], r.spectrum.lambdaMinInterval[1], 'λ_min hi');
  const lmax = rowValue(html, 'λ_max');
  close(lmax.value, r.spectrum.lambdaMax, 'λ_max');
  close(lmax.interval![1], r.spectrum.lambdaMaxInterval[1], 'λ_max hi');
  const rho = rowValue(html, r.neumann.damping > 0 ? 'ρ(I−α(H+δI))' : 'ρ(I−αH)');
  close(rho.value, r.neumann.rho, 'ρ');
  close(rho.interval![0], r.neumann.rhoInterval[0], 'ρ lo');
  close(rowValue(html, 'α').value, r.neumann.alpha, 'α');
  close(rowValue(html, '2/α').value, 2 / r.neumann.alpha, '2/α');
  for (const m of r.advice.messages) if (m.fix) assert.ok(html.includes(m.fix.path.join('.')), `fix ${m.fix.label}`);
  assert.match(html, /<figcaption>Neumann term norms/);
  assert.match(html, /<figcaption>Exact Hessian spectrum/);
});

test('user text is escaped and non-finite numbers never reach SVG coordinates', () => {
  const r = sampleReport();
  r.name = '<script>alert(1)</script> & co';
  r.neumann.termNorms = [1, 10, 1e200, Infinity, NaN];
  r.neumann.rho = Infinity;
  r.neumann.residuals = [1, 1, 1, NaN, NaN];
  const html = renderHtml(r);
  assert.doesNotMatch(html, /<script>alert/);
  assert.match(html, /&lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; co/);
  for (const m of html.matchAll(/(?:points|x|y|x1|x2|y1|y2|width|height)="([^"]*)"/g)) {
    assert.doesNotMatch(m[1], /NaN|Infinity/, `attribute value ${m[1]}`);
  }
  assert.match(html, /∞/);
});

test('a 100 000-term series (the schema maximum) exports without overflowing the stack', () => {
  const r = sampleReport();
  const K = 100000;
  const norms = Array.from({ length: K + 1 }, (_, j) => 0.99999 ** j);
  const report = { ...r, neumann: { ...r.neumann, terms: K, rho: 0.99999, termNorms: norms, residuals: norms, growthRatios: norms.slice(1).map(() => 0.99999) } };
  const html = renderHtml(report);
  assert.match(html, /<svg/);
});
