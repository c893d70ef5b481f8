/** Shared fixtures for the model tests: seeded random data sets and matrix comparisons. */
import type { LossKind } from '../../../src/core/config/experiment';
import type { Dataset } from '../../../src/core/data/dataset';
import type { LinearOperator } from '../../../src/core/operators/linear-operator';
import { Rng } from '../../../src/core/util/rng';

export const BACKENDS = ['cpu', 'wasm'] as const;

/** Random features ~ N(0,1) and targets that suit the loss (values, class indices, 0/1). */
export function randomDataset(rows: number, features: number, loss: LossKind, classes: number, seed: number): Dataset {
  const rng = new Rng(seed);
  const x = new Float32Array(rows * features);
  for (let i = 0; i < x.length; i++) x[i] = rng.normal();
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    y[r] = loss === 'mse' ? rng.normal() + x[r * features] : loss === 'cross-entropy' ? rng.int(classes) : rng.int(2);
  }
  return {
    rows,
    features,
    x,
    y,
    featureNames: Array.from({ length: features }, (_, i) => `x${i}`),
    targetName: 'y',
    source: `random seed=${seed}`,
  };
}

/** The operator as a dense row-major matrix, one column per identity vector, all in one applyMany. */
export async function assemble(op: LinearOperator): Promise<Float64Array> {
  const n = op.size;
  const basis = Array.from({ length: n }, (_, j) => {
    const e = new Float64Array(n);
    e[j] = 1;
    return e;
  });
  const cols = await op.applyMany(basis);
  const m = new Float64Array(n * n);
  cols.forEach((c, j) => c.forEach((v, i) => (m[i * n + j] = v)));
  return m;
}

export function frobenius(a: Float64Array): number {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s);
}

/** ‖a − b‖_F / ‖b‖_F. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
}

/** ‖M − Mᵀ‖_F / ‖M‖_F for a row-major n×n matrix. */
export function asymmetry(m: Float64Array, n: number): number {
  let num = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) num += (m[i * n + j] - m[j * n + i]) ** 2;
  return Math.sqrt(num) / frobenius(m);
}
