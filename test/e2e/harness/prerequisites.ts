/**
 * Whether the end-to-end tests can run here. A missing prerequisite (no chromium because nobody
 * could install it as root, no code-server cache, no built extension) makes them *skip with the
 * reason*; under CI=true it makes them fail instead, because CI must run everything.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const repoRoot = join(__dirname, '..', '..', '..');
export const chromiumPath = process.env.NEUMANN_CHROMIUM ?? '/usr/bin/chromium';
export const codeServerDir = join(repoRoot, '.cache', 'code-server');
export const codeServerEntry = join(codeServerDir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
const codeServerMarker = join(codeServerDir, '.neumann-setup-complete');

export interface Gate {
  /** For node:test's `skip` option: the reason, or false when the tests must run. */
  skip: string | false;
  /** Call first thing in `before`: throws the reason when it could not be skipped (CI). */
  assertReady(): void;
}

export interface GateNeeds {
  /** The real extension's bundle (dist/extension.js) and the panel bundle (media/panel.js). */
  extension?: boolean;
}

export function missingPrerequisite(needs: GateNeeds = {}): string | null {
  if (!existsSync(chromiumPath)) return `no Chromium at ${chromiumPath} (run scripts/setup-system.sh as root)`;
  if (!existsSync(codeServerMarker) || !existsSync(codeServerEntry))
    return 'no code-server in .cache/code-server (run scripts/setup-code-server.sh)';
  if (needs.extension) {
    for (const f of ['dist/extension.js', 'dist/worker.js', 'media/panel.js'])
      if (!existsSync(join(repoRoot, f))) return `the extension is not built: ${f} is missing (npm run build)`;
  }
  return null;
}

export function e2eGate(needs: GateNeeds = {}): Gate {
  const reason = missingPrerequisite(needs);
  const onCi = process.env.CI === 'true';
  return {
    skip: reason && !onCi ? reason : false,
    assertReady() {
      if (reason) throw new Error(`end-to-end prerequisite missing on CI: ${reason}`);
    },
  };
}

/** publisher.name-version, the folder name VS Code expects in an extensions dir. */
export function extensionFolderName(extensionRoot: string): string {
  const pkg = JSON.parse(readFileSync(join(extensionRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  return `${pkg.publisher}.${pkg.name}-${pkg.version}`;
}
