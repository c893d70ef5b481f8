/**
 * Test matrices with a known spectrum: Q·diag(λ)·Qᵀ with Q orthogonal from Gram–Schmidt on a
 * Gaussian matrix, so the eigenvalues are known in closed form independently of any eigensolver.
 */
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { Rng } from '../../../src/core/util/rng';

/** Columns of a random orthogonal n×n matrix (modified Gram–Schmidt, twice for accuracy). */
export function randomOrthogonal(n: number, seed: number): Float64Array[] {
  const rng = new Rng(seed);
  const cols: Float64Array[] = [];
  for (let k = 0; k < n; k++) {
    const v = rng.normalVector(n);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of cols) {
        let d = 0;
        for (let i = 0; i < n; i++) d += q[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * q[i];
      }
    }
    let s = 0;
    for (let i = 0; i < n; i++) s += v[i] * v[i];
    s = Math.sqrt(s);
    for (let i = 0; i < n; i++) v[i] /= s;
    cols.push(v);
  }
  return cols;
}

/** Row-major Q diag(values) Qᵀ. Use a seed different from the algorithm's: Q's first column is Rng(seed)'s first Gaussian vector. */
export function withSpectrum(values: number[], seed: number): Float64Array {
  const n = values.length;
  const q = randomOrthogonal(n, seed);
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const col = q[k];
    const lam = values[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += lam * col[i] * col[j];
  }
  // Exact symmetry (rounding in the sum above can differ between (i,j) and (j,i)).
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) a[i * n + j] = a[j * n + i];
  return a;
}

export function operatorWithSpectrum(values: number[], seed: number): DenseOperator {
  return new DenseOperator(withSpectrum(values, seed), values.length);
}

export function linspace(a: number, b: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => (n === 1 ? a : a + ((b - a) * i) / (n - 1)));
}

/** Named spectra the acceptance tests ask for. */
export const spectra = {
  wellSeparated: (n: number) => linspace(1, 100, n).map((x, i, xs) => (i === xs.length - 1 ? 200 : x)),
  clustered: (n: number) => [0.5, ...linspace(1, 1.01, n - 2), 3],
  indefinite: (n: number) => linspace(-3, 5, n),
};

export function denseMatvec(a: Float64Array, n: number, v: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
    y[i] = s;
  }
  return y;
}
