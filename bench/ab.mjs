// A/B of the HVP benchmark between this checkout and another one (e.g. a worktree at the commit
// before a change): the same bench/hvp.ts cases, interleaved round by round (A, B, A, B, …) so that
// load from other processes hits both alike; prints medians per side and the ratio B/A, and saves
// them to bench/results/ab-hvp.json.
//   node bench/ab.mjs --baseline /path/to/other/checkout [--rounds 5] [--cases 0,2]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { baseline: { type: 'string' }, rounds: { type: 'string', default: '5' }, cases: { type: 'string', default: '0,2' } } });
if (!values.baseline) {
  console.error('usage: node bench/ab.mjs --baseline DIR [--rounds N] [--cases i,j]');
  process.exit(2);
}
const sides = { baseline: resolve(values.baseline), current: here };
const cases = values.cases.split(',').map(Number);
const rounds = Number(values.rounds);
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const samples = {};
for (let r = 0; r < rounds; r++) {
  for (const c of cases) {
    for (const [side, dir] of r % 2 ? Object.entries(sides).reverse() : Object.entries(sides)) {
      const p = spawnSync(process.execPath, ['--import', 'tsx', join(dir, 'bench', 'hvp.ts'), '--case', String(c)], { cwd: dir, encoding: 'utf8' });
      if (p.status !== 0) throw new Error(`${side} case ${c} failed:\n${p.stderr}`);
      const row = JSON.parse(p.stdout.trim().split('\n').pop());
      const key = `${row.model} / ${row.backend}`;
      ((samples[key] ??= { baseline: [], current: [] })[side]).push(row);
    }
  }
}
const out = Object.entries(samples).map(([model, s]) => {
  const pick = (side, k) => median(s[side].map((row) => row[k]));
  const entry = { model, rounds };
  for (const k of ['gradMs', 'hvpMs', 'tapeMs']) {
    entry[k] = { baseline: pick('baseline', k), current: pick('current', k), ratio: Math.round((pick('current', k) / pick('baseline', k)) * 1000) / 1000 };
  }
  return entry;
});
for (const e of out) {
  console.log(`${e.model}: ` + ['gradMs', 'hvpMs', 'tapeMs'].map((k) => `${k} ${e[k].baseline} → ${e[k].current} (×${e[k].ratio})`).join(', '));
}
mkdirSync(join(here, 'bench', 'results'), { recursive: true });
writeFileSync(join(here, 'bench', 'results', 'ab-hvp.json'), JSON.stringify({ date: new Date().toISOString(), baseline: sides.baseline, results: out }, null, 2) + '\n');
