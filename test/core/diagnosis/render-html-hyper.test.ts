/**
 * The HTML export's loop charts: for the recorded loop (the CLI on test/fixtures/hyper-logistic),
 * one path per run with its points where the report's numbers put them, labelled axes and the
 * line ρ = 1; per-tensor lines and per-parameter bands; a non-finite step breaks the path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DiagnosisReport } from '../../../src/core/diagnosis/report';
import type { HyperReport } from '../../../src/core/diagnosis/hyper-report';
import { renderHtml } from '../../../src/core/diagnosis/render-html';
import { hyperChartsHtml } from '../../../src/core/diagnosis/render-html-hyper';
import { hyperReportWith, hyperStep, perGroupStep } from '../../fixtures/hyper-step';
import { sampleReport } from '../../fixtures/sample-report';

const recorded = JSON.parse(readFileSync(join(__dirname, '../../fixtures/hyper-logistic.report.json'), 'utf8')) as DiagnosisReport;
const h = recorded.hyper!;

/** Each inline SVG of the loop's section, by its figure caption. */
function figures(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of html.matchAll(/<figure><figcaption>([^<]+)<\/figcaption>(<svg[\s\S]*?<\/svg>)<\/figure>/g)) out.set(m[1], m[2]);
  return out;
}
const runPaths = (svg: string) => [...svg.matchAll(/<path class="run" data-run="(\w+)" d="([^"]*)"/g)].map((m) => ({ run: m[1], d: m[2] }));
/** The path's pieces (split at each M) as [x, y] points. */
const pieces = (d: string) => d.split('M').filter(Boolean).map((p) => p.split('L').map((xy) => xy.trim().split(/\s+/).map(Number) as [number, number]));

/** y must be one affine function of f(value) for every point: the path draws the values, not something else. */
function assertAffine(points: [number, number][], values: number[], f: (v: number) => number, what: string): void {
  assert.equal(points.length, values.length, `${what}: one point per step`);
  const [a, b] = [0, values.length - 1];
  const slope = (points[b][1] - points[a][1]) / (f(values[b]) - f(values[a]));
  assert.ok(slope < 0, `${what}: larger values are higher up`);
  points.forEach(([, y], i) => assert.ok(Math.abs(y - (points[a][1] + slope * (f(values[i]) - f(values[a])))) < 0.15, `${what} step ${i + 1}: y ${y}`));
  // x: equally spaced steps.
  const dx = (points[b][0] - points[a][0]) / (b - a);
  points.forEach(([x], i) => assert.ok(Math.abs(x - (points[a][0] + dx * i)) < 0.15, `${what} step ${i + 1}: x ${x}`));
}

test('the recorded loop: weight decay (log) and ρ charts with one path per run, the report’s numbers, labelled axes', () => {
  const html = renderHtml(recorded);
  assert.match(html, /<h2>Hyperparameter loop: charts<\/h2>/);
  const f = figures(html);
  const decay = f.get('Weight decay per hyper-step (log scale)')!;
  const rho = f.get('ρ(I − α(H + δI)) per hyper-step')!;
  assert.ok(decay && rho, 'both figures');
  const runs = [{ inverse: h.inverse, trajectory: h.trajectory }, ...h.compare];
  for (const [svg, what, value, f] of [[decay, 'weight decay', (s: HyperReport['trajectory'][number]) => s.weightDecay[0], Math.log10], [rho, 'ρ', (s: HyperReport['trajectory'][number]) => s.rho, (v: number) => v]] as const) {
    const paths = runPaths(svg);
    assert.equal(paths.length, runs.length, `${what}: one path per run`);
    // Drawn compared runs first, the loop's own on top.
    assert.deepEqual(paths.map((p) => p.run), ['exact', 'identity', 'neumann']);
    for (const run of runs) {
      const [only, ...more] = pieces(paths.find((p) => p.run === run.inverse)!.d);
      assert.equal(more.length, 0, `${what} ${run.inverse}: no gaps`);
      assertAffine(only, run.trajectory.map(value), f, `${what} ${run.inverse}`);
    }
    assert.match(svg, /<text x="[\d.]+" y="[\d.]+" text-anchor="middle">hyper-step<\/text>/, `${what}: x axis labelled`);
    assert.match(svg, /role="img" aria-label="[^"]*15 hyper-steps/);
  }
  assert.match(decay, /rotate\(-90\)" text-anchor="middle">weight decay λ<\/text>/);
  assert.match(rho, /rotate\(-90\)" text-anchor="middle">ρ<\/text>/);
  // ρ = 1 is drawn, and above every run (ρ < 1 throughout this loop).
  const one = /<line class="mk two" x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"/.exec(rho);
  assert.ok(one, 'the line ρ = 1');
  for (const p of runPaths(rho)) for (const [, y] of pieces(p.d)[0]) assert.ok(y > Number(one[1]), `${p.run} below ρ = 1`);
  assert.match(decay, /neumann \(the loop\)/);
  assert.doesNotMatch(html, /<script|https?:/i);
});

const withHyper = (hyper: HyperReport): DiagnosisReport => ({ ...sampleReport(), hyper });

test('per-tensor: a path per tensor and run; per-parameter: a band and a median per run; no hyper block: nothing', () => {
  const traj = [1, 2, 3].map((t) => perGroupStep(t, [0.1 / t, 0.2 / t]));
  const tensors = figures(hyperChartsHtml(withHyper(hyperReportWith({ granularity: 'per-tensor', groups: ['0.weight', '0.bias'], trajectory: traj, compare: [{ inverse: 'exact', trajectory: traj, final: { weightDecay: [] }, stopped: null }] }))));
  const lines = runPaths(tensors.get('Weight decay per hyper-step (log scale)')!);
  assert.deepEqual(lines.map((p) => p.run), ['exact', 'exact', 'neumann', 'neumann']);
  assert.match(tensors.get('Weight decay per hyper-step (log scale)')!, /stroke-dasharray="6 4"[^>]*><title>neumann λ 0\.bias/);
  const params = figures(hyperChartsHtml(withHyper(hyperReportWith({ granularity: 'per-parameter', groups: ['a', 'b', 'c'], trajectory: [1, 2].map((t) => perGroupStep(t, [0.1, 0.2 * t, 0.3])) }))));
  const svg = params.get('Weight decay per hyper-step (log scale)')!;
  assert.equal((svg.match(/<path class="band"/g) ?? []).length, 1);
  assert.deepEqual(runPaths(svg).map((p) => p.run), ['neumann'], 'the median');
  assert.match(svg, /<title>neumann λ median<\/title>/);
  assert.equal(hyperChartsHtml(sampleReport()), '');
  assert.doesNotMatch(renderHtml(sampleReport()), /Hyperparameter loop: charts/);
});

test('a non-finite step breaks the path instead of bridging it', () => {
  const traj = [hyperStep(1), hyperStep(2, { rho: Infinity, weightDecay: [NaN] }), hyperStep(3), hyperStep(4)];
  const f = figures(hyperChartsHtml(withHyper(hyperReportWith({ trajectory: traj }))));
  for (const title of ['Weight decay per hyper-step (log scale)', 'ρ(I − α(H + δI)) per hyper-step']) {
    const [p] = runPaths(f.get(title)!);
    assert.deepEqual(pieces(p.d).map((x) => x.length), [1, 2], title);
  }
});
