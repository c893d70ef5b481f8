/**
 * Writes the files derived from the experiment declaration (src/core/config/experiment-schema.ts)
 * and the settings declaration (src/extension/settings.ts):
 *   schemas/experiment.schema.json          VS Code's completion, hover and squiggles
 *   docs/experiment.md                      every key, type, default and description
 *   package.json contributes.configuration  the extension's settings
 * scripts/build.mjs runs it; with --check (CI) it writes nothing and fails when a file is stale.
 *   node --import tsx scripts/gen-experiment-files.ts [--check]
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { dirname, join } from 'node:path';
import { EXPERIMENT_JSON_SCHEMA } from '../src/core/config/experiment-schema';
import { renderExperimentDocs } from '../src/core/config/experiment-docs';
import { contributedConfiguration } from '../src/extension/settings';

export interface Derived {
  /** Relative to the repository root. */
  path: string;
  /** The file's text as it should be. */
  text: string;
  /** Whether the file on disk already says it (package.json: only its configuration section counts). */
  upToDate: (onDisk: string | null) => boolean;
}

export function derivedFiles(root: string): Derived[] {
  const same = (text: string) => (onDisk: string | null) => onDisk === text;
  const schema = `${JSON.stringify(EXPERIMENT_JSON_SCHEMA, null, 2)}\n`;
  const docs = renderExperimentDocs();
  const pkgText = readFileSync(join(root, 'package.json'), 'utf8');
  const pkg = JSON.parse(pkgText) as { contributes: { configuration: unknown } };
  const configuration = contributedConfiguration();
  pkg.contributes.configuration = configuration;
  return [
    { path: 'schemas/experiment.schema.json', text: schema, upToDate: same(schema) },
    { path: 'docs/experiment.md', text: docs, upToDate: same(docs) },
    {
      path: 'package.json',
      text: `${JSON.stringify(pkg, null, 2)}\n`,
      upToDate: (onDisk) => onDisk !== null && isDeepStrictEqual((JSON.parse(onDisk) as typeof pkg).contributes.configuration, configuration),
    },
  ];
}

function readOrNull(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function main(): void {
  const root = join(__dirname, '..');
  const check = process.argv.includes('--check');
  const stale = derivedFiles(root).filter((d) => !d.upToDate(readOrNull(join(root, d.path))));
  if (check) {
    if (stale.length === 0) return;
    console.error(`stale, regenerate with npm run build and commit: ${stale.map((d) => d.path).join(', ')}`);
    process.exit(1);
  }
  for (const d of stale) {
    mkdirSync(dirname(join(root, d.path)), { recursive: true });
    writeFileSync(join(root, d.path), d.text);
    console.log(`wrote ${d.path} (from the experiment and settings declarations)`);
  }
}

if (require.main === module) main();
