/**
 * The synthetic data of the motivating report: x ~ N(0,1), y = 2x + 1 + 0.1·ε with ε ~ N(0,1).
 * Train and validation are drawn from separate generators, `Rng(seed)` and `Rng(seed + 1)`, so
 * they are independent (as the report's two separate `torch.randn` draws are) and each split is
 * reproducible on its own. The numbers differ from PyTorch's (a different generator); the
 * distribution is the same.
 */
import { Rng } from '../util/rng';
import type { SyntheticSource } from '../config/experiment';
import type { Dataset } from './dataset';

/** `n` rows of seed-regression data from `Rng(seed)`; per row x is drawn first, then ε. */
export function seedRegression(n: number, seed: number, split = 'train'): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(n);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const xi = rng.normal();
    x[i] = xi;
    y[i] = 2 * xi + 1 + 0.1 * rng.normal();
  }
  return { rows: n, features: 1, x, y, featureNames: ['x'], targetName: 'y', source: `synthetic seed-regression n=${n} seed=${seed} (${split})` };
}

/** The train (seed) and validation (seed + 1) splits of a synthetic data spec. */
export function syntheticSplits(spec: SyntheticSource, seed: number): { train: Dataset; validation: Dataset } {
  return { train: seedRegression(spec.n, seed, 'train'), validation: seedRegression(spec.n, seed + 1, 'validation') };
}
