/**
 * Where the shipped Python package lives, and which interpreter can run it. The bridge runs as
 * `python -m neumann_lens` with PYTHONPATH pointing at the package's parent folder; `probe` asks an
 * interpreter for its version and torch's before a server is started, so a missing torch is named
 * with the interpreter that lacks it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * The folder holding neumann_lens/: python/ at the repository root, which is dist/../python in a
 * bundle (the .vsix and the npm package ship it there) and src/bridge/../../python from source.
 */
export function bridgePythonPath(from: string = __dirname): string {
  for (const candidate of [join(from, '..', 'python'), join(from, '..', '..', 'python')]) {
    if (existsSync(join(candidate, 'neumann_lens', '__main__.py'))) return candidate;
  }
  throw new Error(`the neumann_lens Python package is not beside ${from} (looked in ../python and ../../python)`);
}

/** The environment a bridge process runs with: PYTHONPATH gets the package folder first. */
export function bridgeEnv(pythonPath: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const rest = base.PYTHONPATH ? delimiter + base.PYTHONPATH : '';
  // Unbuffered, so a user's print reaches the log when it happens, not at exit; no .pyc files
  // written into the extension's folder or the user's project.
  return { ...base, PYTHONPATH: pythonPath + rest, PYTHONUNBUFFERED: '1', PYTHONDONTWRITEBYTECODE: '1' };
}

export interface ProbeResult {
  /** The interpreter as given. */
  python: string;
  /** null when it could not be run at all (then `error` says why). */
  executable: string | null;
  version: string | null;
  /** torch's version, when it imports and is ≥ 1.13. */
  torch: string | null;
  /** Why this interpreter cannot run the bridge, or null when it can. */
  error: string | null;
}

/** Runs `python -m neumann_lens probe`. Never rejects: a failure is in `error`. */
export function probePython(python: string, pythonPath: string = bridgePythonPath(), env?: NodeJS.ProcessEnv): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(python, ['-m', 'neumann_lens', 'probe'], { env: bridgeEnv(pythonPath, env), timeout: 60_000 }, (err, stdout, stderr) => {
      const base = { python, executable: null, version: null, torch: null };
      if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') {
        return resolve({ ...base, error: `the Python interpreter ${python} was not found` });
      }
      let parsed: { python: { executable: string; version: string }; torch: { version: string } | null; torchError: string | null };
      try {
        parsed = JSON.parse(stdout.trim().split('\n').pop() ?? '');
      } catch {
        const why = (stderr || (err?.message ?? '')).trim().split('\n').slice(-3).join(' ');
        return resolve({ ...base, error: `${python} could not run the bridge's probe: ${why || 'no output'}` });
      }
      const { executable, version } = parsed.python;
      const error = parsed.torchError
        ? `torch is not usable from ${executable} (Python ${version}): ${parsed.torchError}`
        : null;
      resolve({ python, executable, version, torch: error ? null : (parsed.torch?.version ?? null), error });
    });
  });
}

/** The first candidate that runs the bridge with torch, with every probe made (for the message when none does). */
export async function findPythonWithTorch(
  candidates: readonly string[],
  pythonPath: string = bridgePythonPath(),
): Promise<{ found: ProbeResult | null; tried: ProbeResult[] }> {
  const tried: ProbeResult[] = [];
  for (const c of candidates) {
    const r = await probePython(c, pythonPath);
    tried.push(r);
    if (!r.error) return { found: r, tried };
  }
  return { found: null, tried };
}
