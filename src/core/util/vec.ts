/** Small float64 vector helpers shared by the algorithms (no TF.js here). */
export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** y ← y + a·x (in place). */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += a * x[i];
}

export function scale(a: number, x: Float64Array): Float64Array {
  const y = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) y[i] = a * x[i];
  return y;
}

export function isFiniteVector(x: Float64Array): boolean {
  for (let i = 0; i < x.length; i++) if (!Number.isFinite(x[i])) return false;
  return true;
}

export function head(x: ArrayLike<number>, k = 5): number[] {
  return Array.from({ length: Math.min(k, x.length) }, (_, i) => x[i]);
}
