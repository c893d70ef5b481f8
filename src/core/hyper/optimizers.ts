/**
 * The optimisers of φ = log(weight decay), written out exactly as torch.optim 1.13 steps a
 * parameter (no weight decay, no momentum, no amsgrad), so a loop here and the same loop in
 * PyTorch take the same hyper-steps:
 *   sgd      φ ← φ − lr·g
 *   adam     m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², φ ← φ − (lr/(1−β₁ᵗ))·m/(√v/√(1−β₂ᵗ) + ε)
 *   rmsprop  v ← αv + (1−α)g², φ ← φ − lr·g/(√v + ε)
 * (operations in PyTorch's order, so float64 runs agree to the last bits or nearly),
 * with PyTorch's defaults β = (0.9, 0.999), ε = 1e-8 (Adam) and α = 0.99, ε = 1e-8 (RMSprop).
 */
export type HyperOptimizerSpec =
  | { kind: 'sgd'; learningRate: number }
  | { kind: 'adam'; learningRate: number; betas?: [number, number]; eps?: number }
  | { kind: 'rmsprop'; learningRate: number; alpha?: number; eps?: number };

export const ADAM_DEFAULTS = { betas: [0.9, 0.999] as [number, number], eps: 1e-8 };
export const RMSPROP_DEFAULTS = { alpha: 0.99, eps: 1e-8 };

export interface PhiOptimizer {
  /** One step on φ in place, from the hypergradient g = dL_V/dφ (same length). */
  step(phi: Float64Array, g: Float64Array): void;
}

export function createOptimizer(spec: HyperOptimizerSpec, size: number): PhiOptimizer {
  const lr = spec.learningRate;
  switch (spec.kind) {
    case 'sgd':
      return {
        step(phi, g) {
          for (let i = 0; i < size; i++) phi[i] -= lr * g[i];
        },
      };
    case 'adam': {
      const [b1, b2] = spec.betas ?? ADAM_DEFAULTS.betas;
      const eps = spec.eps ?? ADAM_DEFAULTS.eps;
      const m = new Float64Array(size);
      const v = new Float64Array(size);
      let t = 0;
      return {
        step(phi, g) {
          t += 1;
          const stepSize = lr / (1 - b1 ** t);
          const bc2 = Math.sqrt(1 - b2 ** t);
          for (let i = 0; i < size; i++) {
            m[i] = b1 * m[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * (g[i] * g[i]);
            phi[i] -= stepSize * (m[i] / (Math.sqrt(v[i]) / bc2 + eps));
          }
        },
      };
    }
    case 'rmsprop': {
      const alpha = spec.alpha ?? RMSPROP_DEFAULTS.alpha;
      const eps = spec.eps ?? RMSPROP_DEFAULTS.eps;
      const v = new Float64Array(size);
      return {
        step(phi, g) {
          for (let i = 0; i < size; i++) {
            v[i] = alpha * v[i] + (1 - alpha) * (g[i] * g[i]);
            phi[i] -= lr * (g[i] / (Math.sqrt(v[i]) + eps));
          }
        },
      };
    }
  }
}
