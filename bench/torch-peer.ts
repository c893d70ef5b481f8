/**
 * The PyTorch peer on the same machine in the same run (`npm run bench`): the shared
 * torch_hvp_bench.py (reverse-over-reverse autograd, the baseline a user would otherwise write),
 * for the same models as bench/hvp.ts. Writes bench/results/torch-peer.json, one object per model.
 * Needs Debian's python3-torch; without it this prints why and writes nothing.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const script = [process.env.NEUMANN_TORCH_PEER, join(root, '..', 'shared', 'peer', 'torch_hvp_bench.py')].find((p): p is string => !!p && existsSync(p));
const python = '/usr/bin/python3';

function main(): void {
  if (!script) {
    console.log('torch peer: ../shared/peer/torch_hvp_bench.py not found (set NEUMANN_TORCH_PEER); skipped');
    return;
  }
  if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status !== 0) {
    console.log('torch peer: python3-torch is not installed (apt-get install -y python3-torch); skipped');
    return;
  }
  const r = spawnSync(python, [script, '2'], { encoding: 'utf8', timeout: 10 * 60_000 });
  if (r.status !== 0) {
    console.error(`torch peer failed (${r.status ?? r.signal}): ${r.stderr.slice(-2000)}`);
    process.exitCode = 1;
    return;
  }
  const rows = r.stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
  console.table(rows.map((x) => ({ sizes: JSON.stringify(x.sizes), n: x.n, params: x.params, grad_ms: x.grad_ms, hvp_ms: x.hvp_ms, hvp_over_grad: x.hvp_over_grad })));
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'torch-peer.json'), JSON.stringify(rows, null, 2) + '\n');
}

main();
