/** The spectrum block's sentences come from spectrum.json: a changed figure changes the sentence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RENDERERS } from '../../bench/lib/render';
import type { BenchResults } from '../../bench/lib/results';
import type { SpectrumBenchRow } from '../../bench/spectrum';

const committed = () => JSON.parse(readFileSync(join(__dirname, '..', '..', 'bench', 'results', 'spectrum.json'), 'utf8')) as BenchResults<SpectrumBenchRow>;
const render = (r: BenchResults<SpectrumBenchRow>) => RENDERERS.spectrum(r as BenchResults<never>);
const row = (r: BenchResults<SpectrumBenchRow>, method: string, large: boolean) =>
  r.results.find((x) => x.kind === 'extremes' && x.method === method && (x.params > 1000) === large) as Extract<SpectrumBenchRow, { kind: 'extremes' }>;

test('the power/Lanczos ratio is computed from the counts, and an end power iteration never reached is said so', () => {
  const r = committed();
  const lanczos = row(r, 'lanczos', true);
  const power = row(r, 'power', true);
  lanczos.hvpsTo1e3 = 40;
  power.oracle = { budgetPerEnd: 150, max: 20, min: 80 };
  power.hvpsTo1e3 = 100;
  assert.match(render(r), /784-128-10[^\n]*Lanczos needs 40 HVPs \(power iteration \+ shifted power iteration: 100, 2\.5×\)/);
  power.oracle = { budgetPerEnd: 150, max: null, min: null };
  power.hvpsTo1e3 = null;
  assert.match(render(r), /did not get λ_max or λ_min within 10⁻³ in 150 products per end, so more than 7\.5× Lanczos/);
});

test('a Lanczos run that never got within the tolerance, a slow CLI and rounds that disagree are reported as such', () => {
  const r = committed();
  const lanczos = row(r, 'lanczos', false);
  lanczos.hvpsTo1e3 = null;
  lanczos.hvps = 77;
  lanczos.identicalAcrossRounds = false;
  const cli = r.results.find((x) => x.kind === 'cli')!;
  cli.seconds = 4.5;
  const out = render(r);
  assert.match(out, /Lanczos did not get both ends within 10⁻³ in its 77 products/);
  assert.match(out, /in 4\.50 s \(median[^\n]*\*\*over\*\* the target of 3 s/);
  assert.match(out, /differed between rounds/);
  assert.doesNotMatch(render(committed()), /differed between rounds/);
});
