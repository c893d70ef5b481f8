/**
 * Symmetric tridiagonal matrices T (diagonal d, off-diagonal e, T[k][k+1] = e[k]): the small
 * problems every Krylov method and the dense path end in. Implicit QL with Wilkinson shifts for
 * all eigenvalues (optionally rotating rows of a start matrix along, e.g. only the first
 * components for Gauss quadrature), Sturm-sequence bisection for single eigenvalues in O(m) per
 * count, inverse iteration for single eigenvectors and pivoted shifted solves, each O(m).
 */

export interface TridiagonalEigen {
  /** Ascending. */
  values: Float64Array;
  /** Row i (length `components`) belongs to values[i]; null when no rows were tracked. */
  rows: Float64Array | null;
  components: number;
}

/** Gives up on QL after this many sweeps per eigenvalue (LAPACK allows 30; QL needs ~2). */
const MAX_SWEEPS = 60;

/**
 * Eigenvalues of T by implicit QL (EISPACK tql2 / JAMA). `rows` (m × components, row-major, row i
 * the components attached to basis vector i) is rotated along: start from the identity to get T's
 * eigenvectors, from (1, 0, …)ᵀ as one column to get their first components.
 */
export function tridiagonalEigen(diagonal: ArrayLike<number>, offDiagonal: ArrayLike<number>, start?: { rows: Float64Array; components: number }): TridiagonalEigen {
  const m = diagonal.length;
  const d = Float64Array.from(diagonal);
  const e = new Float64Array(m);
  for (let i = 0; i + 1 < m; i++) e[i] = offDiagonal[i];
  const c = start?.components ?? 0;
  const z = start ? Float64Array.from(start.rows) : null;
  if (z && z.length !== m * c) throw new RangeError(`tridiagonalEigen: rows have ${z.length} entries for ${m}×${c}`);
  let f = 0;
  let tst1 = 0;
  for (let l = 0; l < m; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let mm = l;
    while (mm < m - 1 && Math.abs(e[mm]) > Number.EPSILON * tst1) mm++;
    if (mm > l) {
      let sweeps = 0;
      do {
        if (++sweeps > MAX_SWEEPS) throw new Error(`tridiagonalEigen: QL did not converge for eigenvalue ${l} of ${m}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < m; i++) d[i] -= h;
        f += h;
        p = d[mm];
        let cs = 1;
        let c2 = 1;
        let c3 = 1;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = mm - 1; i >= l; i--) {
          c3 = c2;
          c2 = cs;
          s2 = s;
          g = cs * e[i];
          h = cs * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          cs = p / r;
          p = cs * d[i] - s * g;
          d[i + 1] = h + s * (cs * g + s * d[i]);
          if (z) rotateRows(z, c, i, cs, s);
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = cs * p;
      } while (Math.abs(e[l]) > Number.EPSILON * tst1);
    }
    d[l] += f;
    e[l] = 0;
  }
  return sortPairs(d, z, c);
}

/** Rows i, i+1 ← (c·row_i − s·row_{i+1}, s·row_i + c·row_{i+1}) (JAMA's column update, transposed). */
function rotateRows(z: Float64Array, c: number, i: number, cs: number, s: number): void {
  const a = i * c;
  const b = a + c;
  for (let k = 0; k < c; k++) {
    const h = z[b + k];
    const x = z[a + k];
    z[b + k] = s * x + cs * h;
    z[a + k] = cs * x - s * h;
  }
}

function sortPairs(d: Float64Array, z: Float64Array | null, c: number): TridiagonalEigen {
  const m = d.length;
  const order = Array.from({ length: m }, (_, i) => i).sort((i, j) => d[i] - d[j]);
  const values = Float64Array.from(order, (i) => d[i]);
  if (!z) return { values, rows: null, components: 0 };
  const rows = new Float64Array(m * c);
  order.forEach((src, dst) => rows.set(z.subarray(src * c, src * c + c), dst * c));
  return { values, rows, components: c };
}

/** Smallest |pivot| allowed in a Sturm count (LAPACK's pivmin idea): keeps 0 pivots from dividing. */
function pivotFloor(e: ArrayLike<number>): number {
  let maxE2 = 0;
  for (let i = 0; i < e.length; i++) maxE2 = Math.max(maxE2, e[i] * e[i]);
  return Number.MIN_VALUE / Number.EPSILON + Number.EPSILON * Number.EPSILON * maxE2;
}

/** Number of eigenvalues of T below x (signs of the LDLᵀ pivots of T − xI). */
export function sturmCount(d: ArrayLike<number>, e: ArrayLike<number>, x: number, floor = pivotFloor(e)): number {
  let count = 0;
  let q = d[0] - x;
  for (let i = 0; ; i++) {
    if (Math.abs(q) < floor) q = -floor;
    if (q < 0) count++;
    if (i + 1 >= d.length) break;
    q = d[i + 1] - x - (e[i] * e[i]) / q;
  }
  return count;
}

/** Gershgorin interval [lo, hi] containing every eigenvalue of T. */
export function gershgorin(d: ArrayLike<number>, e: ArrayLike<number>): [number, number] {
  const m = d.length;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < m; i++) {
    const r = (i > 0 ? Math.abs(e[i - 1]) : 0) + (i + 1 < m ? Math.abs(e[i]) : 0);
    lo = Math.min(lo, d[i] - r);
    hi = Math.max(hi, d[i] + r);
  }
  return [lo, hi];
}

/**
 * The k-th smallest eigenvalue of T (k = 0 … m−1) by bisection on Sturm counts, to a few ulps
 * (or ε‖T‖ near 0): at most about 60 counts of O(m) each, whatever the spectrum.
 */
export function kthEigenvalue(d: ArrayLike<number>, e: ArrayLike<number>, k: number): number {
  const m = d.length;
  if (!(k >= 0 && k < m)) throw new RangeError(`kthEigenvalue: index ${k} outside 0..${m - 1}`);
  let [lo, hi] = gershgorin(d, e);
  const width = Math.max(Math.abs(lo), Math.abs(hi));
  lo -= 2 * Number.EPSILON * width + Number.MIN_VALUE;
  hi += 2 * Number.EPSILON * width + Number.MIN_VALUE;
  const floor = pivotFloor(e);
  for (let it = 0; it < 200; it++) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    // Relative accuracy, but no finer than ε‖T‖ absolute (an eigenvalue at 0 would otherwise be
    // bisected down to the underflow threshold).
    if (hi - lo <= 2 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi)) + Number.EPSILON * width) break;
    if (sturmCount(d, e, mid, floor) > k) hi = mid;
    else lo = mid;
  }
  return 0.5 * (lo + hi);
}

/**
 * Solves (T + shift·I) x = b by Gaussian elimination with partial pivoting (LAPACK dgtsv): stable
 * for indefinite T. Returns null when a pivot is exactly zero (the shifted T is singular).
 */
export function solveTridiagonal(d: ArrayLike<number>, e: ArrayLike<number>, shift: number, b: ArrayLike<number>): Float64Array | null {
  const m = d.length;
  const diag = Float64Array.from(d, (x) => x + shift);
  const sub = Float64Array.from({ length: Math.max(0, m - 1) }, (_, i) => e[i]);
  const sup = Float64Array.from(sub);
  const sup2 = new Float64Array(Math.max(0, m - 2));
  const x = Float64Array.from(b);
  for (let i = 0; i < m - 1; i++) {
    if (Math.abs(diag[i]) >= Math.abs(sub[i])) {
      if (diag[i] === 0) return null;
      const f = sub[i] / diag[i];
      diag[i + 1] -= f * sup[i];
      x[i + 1] -= f * x[i];
      if (i < m - 2) sup2[i] = 0;
    } else {
      // Swap rows i and i+1.
      const f = diag[i] / sub[i];
      diag[i] = sub[i];
      const t = diag[i + 1];
      diag[i + 1] = sup[i] - f * t;
      sup[i] = t;
      if (i < m - 2) {
        sup2[i] = sup[i + 1];
        sup[i + 1] = -f * sup2[i];
      }
      const xi = x[i];
      x[i] = x[i + 1];
      x[i + 1] = xi - f * x[i + 1];
    }
  }
  if (m > 0 && diag[m - 1] === 0) return null;
  for (let i = m - 1; i >= 0; i--) {
    let s = x[i];
    if (i + 1 < m) s -= sup[i] * x[i + 1];
    if (i + 2 < m) s -= sup2[i] * x[i + 2];
    x[i] = s / diag[i];
  }
  return x;
}

export interface TridiagonalEigenvector {
  /** Unit vector s. */
  vector: Float64Array;
  /** ‖(T − θI) s‖: the vector is exact when 0; every bound built on it adds this term. */
  residual: number;
}

/**
 * Eigenvector of T for an eigenvalue θ known to working accuracy, by inverse iteration on
 * T − θI (O(m) per iteration; a nearly singular shift is what makes it converge in one or two).
 */
export function inverseIteration(d: ArrayLike<number>, e: ArrayLike<number>, theta: number, iterations = 3): TridiagonalEigenvector {
  const m = d.length;
  const scale = Math.max(...Array.from(gershgorin(d, e), Math.abs), Number.MIN_VALUE);
  // A shift a hair away from θ keeps every pivot non-zero without spoiling the convergence.
  let shift = -theta - 4 * Number.EPSILON * scale;
  let s = Float64Array.from({ length: m }, (_, i) => 1 / Math.sqrt(m) * (1 + 0.1 * Math.sin(i + 1)));
  for (let it = 0; it < iterations; it++) {
    let y = solveTridiagonal(d, e, shift, s);
    while (y === null) {
      shift -= 4 * Number.EPSILON * scale;
      y = solveTridiagonal(d, e, shift, s);
    }
    let nn = 0;
    for (const v of y) nn += v * v;
    nn = Math.sqrt(nn);
    if (!Number.isFinite(nn) || nn === 0) break;
    s = Float64Array.from(y, (v) => v / nn);
  }
  return { vector: s, residual: tridiagonalResidual(d, e, theta, s) };
}

/** ‖(T − θI) s‖. */
export function tridiagonalResidual(d: ArrayLike<number>, e: ArrayLike<number>, theta: number, s: ArrayLike<number>): number {
  const m = d.length;
  let r2 = 0;
  for (let i = 0; i < m; i++) {
    let r = (d[i] - theta) * s[i];
    if (i > 0) r += e[i - 1] * s[i - 1];
    if (i + 1 < m) r += e[i] * s[i + 1];
    r2 += r * r;
  }
  return Math.sqrt(r2);
}
