/**
 * Closed-form Hessians, a second reference that involves no differentiation at all:
 *   linear regression (layers [d, 1], mse):      H = (2/N)·X̃ᵀX̃ + λI
 *   logistic regression (layers [d, 1], bce):    H = (1/N)·X̃ᵀ diag(p(1−p)) X̃ + λI
 * with X̃ = [X, 1] (weights then bias: PyTorch order for one Linear layer), p = σ(X̃w).
 */
import type { Dataset } from '../data/dataset';

function augmentedRow(data: Dataset, r: number): Float64Array {
  const d = data.features;
  const row = new Float64Array(d + 1);
  for (let j = 0; j < d; j++) row[j] = data.x[r * d + j];
  row[d] = 1;
  return row;
}

function weightedGram(data: Dataset, weight: (row: Float64Array) => number, lambda: number): Float64Array {
  const p = data.features + 1;
  const h = new Float64Array(p * p);
  for (let r = 0; r < data.rows; r++) {
    const x = augmentedRow(data, r);
    const c = weight(x);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) h[i * p + j] += c * x[i] * x[j];
  }
  for (let i = 0; i < p; i++) h[i * p + i] += lambda;
  return h;
}

export function linearRegressionHessian(data: Dataset, lambda: number): Float64Array {
  return weightedGram(data, () => 2 / data.rows, lambda);
}

export function logisticRegressionHessian(data: Dataset, w: Float64Array, lambda: number): Float64Array {
  return weightedGram(
    data,
    (x) => {
      let z = 0;
      for (let i = 0; i < x.length; i++) z += w[i] * x[i];
      const p = 1 / (1 + Math.exp(-z));
      return (p * (1 - p)) / data.rows;
    },
    lambda,
  );
}
