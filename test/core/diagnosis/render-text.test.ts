/** The terminal text of a report (the CLI's stdout): verdict first, then the numbers it rests on. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtNum } from '../../../src/core/diagnosis/format';
import { renderText } from '../../../src/core/diagnosis/render-text';
import { sampleReport } from '../../fixtures/sample-report';

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
