/** The damping table, MINRES, density and tensor-share lines in every renderer, from a hand-made report. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { renderMarkdown } from '../../../src/core/diagnosis/render-markdown';
import { renderText } from '../../../src/core/diagnosis/render-text';
import { dampingRows, densityLine, minresLine, negativeCountText, shareText } from '../../../src/core/diagnosis/report-facts';
import type { DiagnosisReport } from '../../../src/core/diagnosis/report';
import { sampleReport } from '../../fixtures/sample-report';

function lanczosReport(): DiagnosisReport {
  const r = sampleReport();
  r.spectrum.method = 'lanczos';
  r.spectrum.eigenvalues = null;
  r.spectrum.negativeCount = 16.93;
  r.spectrum.negativeCountStdErr = 2.498;
  r.spectrum.negativeCountInterval = [11.25, 24.31];
  r.spectrum.density = { method: 'slq', grid: [-3, 0, 5], values: [0.1, 0.2, 0.1], sigma: 0.104, probes: 4, steps: 40, hvps: 160, negativeFraction: 0.297, negativeFractionStdErr: 0.0438, negativeFractionInterval: [0.197, 0.426] };
  r.spectrum.bottomEigenvector = { value: -2.5, residual: 1e-3, tensorShare: { '0.weight': 0.97, '0.bias': 0.025, '2.weight': 0.005 } };
  r.hypergradient.minres = { value: -10.22, residual: 4.9e-6, iterations: 83, converged: true, status: 'converged', conditionEstimate: 26.57 };
  r.hypergradient.reference = 'minres';
  r.hypergradient.damped = [
    { damping: 0, value: null, method: 'cg', iterations: 1, residual: null, converged: false },
    { damping: 2.75, value: 4.899, method: 'cg', iterations: 13, residual: 1.9e-6, converged: true },
  ];
  return r;
}

test('the facts as lines: MINRES, density with its error bar, negative count with its interval, shares largest first', () => {
  const r = lanczosReport();
  assert.equal(minresLine(r), 'MINRES (undamped): −10.22 — converged, residual 4.9e-6 after 83 iterations, cond(H) ≳ 26.6');
  assert.equal(densityLine(r), 'spectral density (SLQ, 4 probes × 40 steps = 160 HVPs, σ = 0.104): negative fraction 29.7 % ± 4.38 % (interval [19.7, 42.6] %)');
  assert.equal(negativeCountText(r), '≈ 16.9 ± 2.5 of 57 (in [11.3, 24.3])');
  assert.equal(shareText(r.spectrum.bottomEigenvector), '0.weight 97 %, 0.bias 2.5 %, …');
  assert.deepEqual(dampingRows(r).map((d) => [d.damping, d.value, d.notes]), [['0', '— (not converged)', 'undamped, configured'], ['2.75', '4.899', 'recommended']]);
});

test('text, Markdown and HTML show the damping table, MINRES, the density and the shares', () => {
  const r = lanczosReport();
  for (const out of [renderText(r), renderMarkdown(r), renderHtml(r)]) {
    assert.match(out, /MINRES \(undamped\): −10\.22/);
    assert.match(out, /negative fraction 29\.7 %/);
    assert.match(out, /0\.weight 97 %/);
    assert.match(out, /2\.75/);
    assert.match(out, /4\.899/);
  }
});
