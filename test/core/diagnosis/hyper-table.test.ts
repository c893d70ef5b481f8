/**
 * The loop in the three renderers: text, Markdown and HTML show one table per run with the same
 * columns and cells (hyper-table.ts), the run's stop and its warnings with their fixes; the HTML
 * adds a chart per quantity with a line per run. Rendering only: the numbers' truth is
 * test/core/hyper/loop.test.ts and test/session/hyper-phase.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HyperReport, HyperStep } from '../../../src/core/diagnosis/hyper-report';
import { HYPER_COLUMNS, hyperDiverged, hyperRow, hyperRuns, hyperStepLine } from '../../../src/core/diagnosis/hyper-table';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { renderMarkdown } from '../../../src/core/diagnosis/render-markdown';
import { renderText } from '../../../src/core/diagnosis/render-text';
import { reportMessages } from '../../../src/core/diagnosis/report-messages';
import { sampleReport } from '../../fixtures/sample-report';

const step = (t: number, rho: number, weightDecay = [0.05 / t]): HyperStep => ({
  step: t, hypergradient: [0.25], weightDecay, trainLoss: 0.4, validationLoss: 0.3 / t, gradientNorm: 1e-3, alpha: 2.9, rho, rhoInterval: [rho, rho],
  lambdaMax: 0.34, lambdaMin: 0.05, lambdaMaxInterval: [0.34, 0.34], lambdaMinInterval: [0.05, 0.05], spectrumMethod: 'exact', spectrumConverged: true,
  inverseStatus: 'ok', referenceHypergradient: [0.25], relativeError: 0.123, cosine: 1, hvps: 20, seconds: 0.031,
});

function loop(): HyperReport {
  return {
    granularity: 'global', groups: ['all'], optimizer: 'sgd', inverse: 'neumann', reference: 'exact',
    trajectory: [step(1, 0.8), step(2, 1.25), step(3, 0.9)], final: { weightDecay: [0.0167, 0.0167] }, stopped: null,
    compare: [{ inverse: 'identity', trajectory: [step(1, 0.8)], final: { weightDecay: [0.05] }, stopped: { step: 2, cause: 'inverse', reason: 'no finite solution <here>' } }],
    warnings: [
      {
        inverse: 'neumann', condition: 'rho', steps: [2],
        messages: [
          { kind: 'hyper-diverges', severity: 'error', text: 'Hyper-step 2 (neumann run): the Neumann series diverges.', key: 'neumann.alpha' },
          { kind: 'set-alpha', severity: 'info', text: 'Let α follow the curvature.', key: 'neumann.alpha', fix: { path: ['neumann', 'alpha'], value: 'auto', label: 'Set neumann.alpha to "auto"' } },
        ],
      },
      { inverse: 'neumann', condition: 'error', steps: [1, 2, 3], messages: [{ kind: 'hyper-error', severity: 'warning', text: 'Hyper-step 1 (neumann run): 12.3 % off.', key: 'neumann.terms' }] },
    ],
  };
}

const withLoop = () => ({ ...sampleReport(), hyper: loop() });

test('text and Markdown: a table per run with the declared columns, the stop, the warnings with their fixes', () => {
  const r = withLoop();
  const text = renderText(r);
  assert.match(text, /\nHyperparameter loop: neumann inverse, reference exact, global weight decay \(1 group\), sgd\n/);
  assert.match(text, /\nHyperparameter loop: identity inverse \(compared\), /);
  assert.match(text, new RegExp(`\\n {2}${HYPER_COLUMNS.join(' +').replace(/[()]/g, '\\$&')}\\n`));
  assert.match(text, /\n {2}2 +0\.025 +0\.4 +0\.15 +0\.05 +0\.34 +2\.9 +1\.25 ✖ +0\.25 +12\.3 % +1 +20 +0\.031\n/);
  assert.match(text, /\n {2}stopped at step 2: no finite solution <here>\n/);
  assert.match(text, /\n {2}✖ Hyper-step 2 \(neumann run\): the Neumann series diverges\.\n {2}ℹ Let α follow the curvature\. {2}\[fix: Set neumann\.alpha to "auto"\]\n/);
  assert.match(text, /⚠ Hyper-step 1 \(neumann run\): 12\.3 % off\. It held at 3 of the run's 3 hyper-steps \(1–3\)\./);

  const md = renderMarkdown(r);
  assert.ok(md.includes(`| ${HYPER_COLUMNS.join(' | ')} |`));
  assert.ok(md.includes(`| ${hyperRow(step(2, 1.25)).join(' | ')} |`));
  assert.match(md, /## Hyperparameter loop: identity inverse \(compared\)/);
  assert.match(md, /no finite solution \\<here\\>/);
  assert.match(md, /- \*\*Error\*\*: Hyper-step 2 \(neumann run\): the Neumann series diverges\.\n- Info: Let α follow the curvature\. \*Fix:\* Set neumann\.alpha to "auto"\./);
});

test('HTML: the same table per run, the stop and the warnings with the value each fix writes, and four charts of the loop', () => {
  const html = renderHtml(withLoop());
  const loopPart = html.slice(html.indexOf('<h2>Hyperparameter loop</h2>'), html.indexOf('</main>'));
  assert.ok(loopPart.length > 0);
  const tables = loopPart.match(/<table class="hyper">[\s\S]*?<\/table>/g) ?? [];
  assert.equal(tables.length, 2, 'one per run');
  const header = `<tr>${HYPER_COLUMNS.map((c) => `<th scope="col">${c}</th>`).join('')}</tr>`;
  assert.ok(tables.every((t) => t.includes(header)));
  assert.equal((tables[0].match(/<tr>/g) ?? []).length, 1 + 3);
  assert.equal((tables[1].match(/<tr>/g) ?? []).length, 1 + 1);
  assert.ok(tables[0].includes(`<tr>${hyperRow(step(2, 1.25)).map((c) => `<td>${c}</td>`).join('')}</tr>`));
  assert.ok(loopPart.includes('<p class="stopped">stopped at step 2: no finite solution &lt;here&gt;</p>'), 'escaped');
  assert.ok(loopPart.includes('<code>neumann.alpha = &quot;auto&quot;</code>'), 'the keyword as the file will hold it');
  assert.match(loopPart, /<li class="error"><strong>error<\/strong> Hyper-step 2 \(neumann run\)/);
  const captions = [...loopPart.matchAll(/<figcaption>([^<]*)<\/figcaption>/g)].map((m) => m[1]);
  assert.deepEqual(captions, ['Weight decay per hyper-step (log scale)', 'Validation loss per hyper-step', 'ρ(I − α(H + δI)) per hyper-step', 'Hypergradient error against the reference (log scale)']);
  // A line per run where it has ≥ 2 points (the identity run has 1: a marker), ρ = 1 marked.
  const rhoChart = loopPart.slice(loopPart.indexOf('<figcaption>ρ'));
  assert.match(rhoChart.slice(0, rhoChart.indexOf('</figure>')), /ρ = 1/);
  assert.equal((loopPart.match(/<polyline class="s0"/g) ?? []).length, 4);
  assert.equal(renderHtml(sampleReport()).includes('Hyperparameter loop'), false, 'no loop, no section');
});

test('several groups: ranges in the cells, the geometric mean charted; the step line; divergence needs ρ’s lower bound', () => {
  const h = loop();
  h.groups = ['0.weight', '0.bias'];
  h.granularity = 'per-tensor';
  h.trajectory = [step(1, 0.5, [0.01, 1]), step(2, 0.5, [0.01, 1])];
  h.compare = [];
  const html = renderHtml({ ...sampleReport(), hyper: h });
  assert.match(html, /Weight decay per hyper-step \(geometric mean of the groups, log scale\)/);
  assert.equal(hyperRow(h.trajectory[0])[1], '0.01…1 (2)');
  assert.equal(hyperRuns(h)[0].title, 'neumann inverse, reference exact, per-tensor weight decay (2 groups), sgd');
  assert.equal(
    hyperStepLine('neumann', step(2, 1.25), 15),
    'hyper neumann 2/15: weight decay 0.025, train loss 0.4, val loss 0.15, λ_min 0.05, λ_max 0.34, α 2.9, ρ 1.25 ✖, hypergradient 0.25, error 12.3 %, cosine 1, HVPs 20, s 0.031',
  );
  assert.equal(hyperDiverged(loop()), true);
  const straddles = loop();
  straddles.trajectory = [{ ...step(1, 1.02), rhoInterval: [0.99, 1.02] }];
  assert.equal(hyperDiverged(straddles), false, 'an upper bound ≥ 1 alone does not decide');
  // The loop's warnings join the diagnosis' messages, for Problems and the panel's fixes.
  const all = reportMessages({ ...sampleReport(), hyper: loop() });
  assert.equal(all.length, sampleReport().advice.messages.length + 3);
});
