import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtNum, fmtPercent, fmtProgress } from '../../../src/core/diagnosis/format';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { renderMarkdown } from '../../../src/core/diagnosis/render-markdown';
import { renderText } from '../../../src/core/diagnosis/render-text';
import { sampleReport } from '../../fixtures/sample-report';

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

test('fmtPercent: a fraction as "25.3 %" (3 significant digits, a space), non-finite and null as fmtNum writes them', () => {
  assert.equal(fmtPercent(0.2534), '25.3 %');
  assert.equal(fmtPercent(2.948), '295 %');
  assert.equal(fmtPercent(1e-5), '0.001 %');
  assert.equal(fmtPercent(0), '0 %');
  assert.equal(fmtPercent(null), '—');
  assert.equal(fmtPercent(Infinity), '∞');
});

test('fmtProgress: whole percent in 0..100, the same shape', () => {
  assert.equal(fmtProgress(0.254), '25 %');
  assert.equal(fmtProgress(1.2), '100 %');
  assert.equal(fmtProgress(-0.1), '0 %');
  assert.equal(fmtProgress(NaN), '0 %');
});

test('every surface prints the hypergradient relative error as the same percentage, never as a bare fraction', () => {
  const r = sampleReport();
  r.hypergradient.relErrorNeumann = 0.2534;
  r.hypergradient.relErrorCg = 0.0012;
  const surfaces = { text: renderText(r), markdown: renderMarkdown(r), html: renderHtml(r) };
  for (const [name, out] of Object.entries(surfaces)) {
    assert.ok(out.includes('25.3 %'), `${name}: 25.3 %`);
    assert.ok(out.includes('0.12 %'), `${name}: 0.12 %`);
    assert.ok(!out.includes('0.2534'), `${name}: no bare fraction`);
  }
});
