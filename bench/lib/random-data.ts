import type { Dataset } from '../../src/core/data/dataset';
import { Rng } from '../../src/core/util/rng';

/** Gaussian features with uniformly random class labels: the benchmarks' MNIST-sized stand-in. */
export function randomClassification(rows: number, features: number, classes: number): Dataset {
  const rng = new Rng(1);
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) y[r] = rng.int(classes);
  return { rows, features, x, y, featureNames: Array.from({ length: features }, (_, i) => `x${i}`), targetName: 'y', source: 'random' };
}
