/**
 * The README's benchmark figures are rendered from bench/results/*.json, never typed in: each
 * `<!-- bench:NAME -->` … `<!-- /bench:NAME -->` block is replaced by the rendering of
 * bench/results/NAME.json. `npm run bench` rewrites the README after measuring; a unit test fails
 * when the README and the committed results disagree.
 *   node --import tsx bench/lib/readme.ts           rewrite README.md
 *   node --import tsx bench/lib/readme.ts --check   exit 1 if README.md is stale
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RENDERERS } from './render';
import type { BenchResults } from './results';

const root = join(__dirname, '..', '..');

export function renderReadme(readme: string, resultsDir = join(root, 'bench', 'results')): string {
  return readme.replace(/<!-- bench:([\w-]+) -->\n[\s\S]*?<!-- \/bench:\1 -->/g, (block, name: string) => {
    const render = RENDERERS[name];
    const file = join(resultsDir, `${name}.json`);
    if (!render) throw new Error(`README has a bench:${name} block but bench/lib/render.ts has no renderer for it`);
    if (!existsSync(file)) throw new Error(`README has a bench:${name} block but ${file} does not exist: run npm run bench`);
    const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults<never>;
    return `<!-- bench:${name} -->\n${render(results).trimEnd()}\n<!-- /bench:${name} -->`;
  });
}

if (require.main === module) {
  const path = join(root, 'README.md');
  const before = readFileSync(path, 'utf8');
  const after = renderReadme(before);
  if (process.argv.includes('--check')) {
    if (after !== before) {
      console.error('README.md benchmark figures differ from bench/results/*.json: run node --import tsx bench/lib/readme.ts');
      process.exit(1);
    }
  } else if (after !== before) {
    writeFileSync(path, after);
    console.log('README.md: benchmark figures rewritten from bench/results');
  }
}
