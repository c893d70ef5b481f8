/**
 * The Python interpreter with torch that a benchmark uses: $NEUMANN_LENS_PYTHON, else the first of
 * `python3` on PATH and /usr/bin/python3 that imports torch (on this kind of machine the python3 on
 * PATH is often another Python without torch). Null when none has it.
 */
import { spawnSync } from 'node:child_process';

export function torchPython(): string | null {
  const candidates = [process.env.NEUMANN_LENS_PYTHON, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  for (const python of candidates) {
    if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}
