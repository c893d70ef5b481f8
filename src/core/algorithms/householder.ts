/**
 * Householder reduction of a dense symmetric matrix to tridiagonal form, A = Q T Qᵀ, on a flat
 * row-major Float64Array. This is the O(n³) part of the dense path (everything after it is O(n²)),
 * so it is written for V8: the upper triangle is worked row by row (contiguous), columns are
 * reduced in panels of two (LAPACK's dsytrd/dlatrd idea: the trailing matrix gets one rank-4
 * update per panel instead of two rank-2 updates), and the symmetric products are unrolled over
 * four rows so that each loaded entry does several independent multiply-adds. Measured against
 * ml-matrix and alternatives in bench/dense.ts. On two cores the rows of those passes are split
 * with a partner worker thread over shared memory (the machine this runs on has two).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Tridiagonal {
  /** Diagonal of T (length n). */
  diagonal: Float64Array;
  /** Off-diagonal of T: T[k][k+1] = offDiagonal[k] (length n − 1). */
  offDiagonal: Float64Array;
}

export class HouseholderTridiagonal implements Tridiagonal {
  constructor(
    readonly size: number,
    readonly diagonal: Float64Array,
    readonly offDiagonal: Float64Array,
    /** Row k holds reflector k's vector u = (1, v) in columns k+1 … n−1. */
    private readonly reflectors: Float64Array,
    private readonly tau: Float64Array,
  ) {}

  /** x ← Qᵀ x (in place): coordinates of x in the basis where A is T. */
  applyQt(x: Float64Array): Float64Array {
    for (let k = 0; k < this.size - 1; k++) this.reflect(k, x);
    return x;
  }

  /** x ← Q x (in place): back from T's coordinates to A's. */
  applyQ(x: Float64Array): Float64Array {
    for (let k = this.size - 2; k >= 0; k--) this.reflect(k, x);
    return x;
  }

  private reflect(k: number, x: Float64Array): void {
    const t = this.tau[k];
    if (t === 0) return;
    const n = this.size;
    const r = k * n;
    const u = this.reflectors;
    let s = x[k + 1];
    for (let j = k + 2; j < n; j++) s += u[r + j] * x[j];
    s *= t;
    x[k + 1] -= s;
    for (let j = k + 2; j < n; j++) x[j] -= s * u[r + j];
  }
}

export interface TridiagonalizeOptions {
  /**
   * Threads for the two O(n²) passes per panel: 1, or 2 to split their rows with a partner
   * worker thread over shared memory. Default: 2 from n = 600 on when the machine has two cores.
   */
  threads?: 1 | 2;
}

/** Below this trailing size a pass is not worth a thread round trip. */
const PARALLEL_MIN_ROWS = 256;

/** Reduces symmetric A (row-major n×n, not modified; the upper triangle is what is read). */
export function tridiagonalize(a: Float64Array, n: number, opts: TridiagonalizeOptions = {}): HouseholderTridiagonal {
  if (a.length !== n * n) throw new RangeError(`tridiagonalize: ${a.length} entries for ${n}×${n}`);
  const threads = opts.threads ?? (n >= 600 && availableParallelism() >= 2 ? 2 : 1);
  const shared = threads === 2;
  const alloc = (len: number): Float64Array => (shared ? new Float64Array(new SharedArrayBuffer(8 * len)) : new Float64Array(len));
  const w = alloc(n * n);
  w.set(a);
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const tau = new Float64Array(Math.max(0, n - 1));
  const bufs = Array.from({ length: 8 }, () => alloc(n));
  // Current panel's vectors, and the previous panel's (its rank-4 update is still pending: it is
  // applied in the same pass over the trailing matrix as the next product, one sweep instead of two).
  let [v0, w0, v1, w1, pv0, pw0, pv1, pw1] = bufs;
  let pending = false;
  const p = new Float64Array(n);
  const partner = shared ? RowPartner.start(w, bufs, n) : null;
  const pass = (s: number, u: Float64Array, update: boolean) => {
    p.fill(0, s, n);
    const mid = partner && n - s >= PARALLEL_MIN_ROWS ? s + Math.floor((n - s) * (1 - Math.SQRT1_2)) : n;
    if (mid < n) partner?.post(update ? 1 : 2, mid, n, [pv0, pw0, pv1, pw1, u].map((x) => bufs.indexOf(x)));
    if (update) rank4SymvRows(w, n, s, mid, pv0, pw0, pv1, pw1, u, p);
    else symvRows(w, n, s, mid, u, p);
    if (mid < n) (partner as RowPartner).addInto(p, mid);
  };
  try {
  let k = 0;
  while (k < n - 1) {
    if (pending) rank4Row(w, n, k, pv0, pw0, pv1, pw1);
    reflector(w, n, k, v0, d, e, tau);
    pass(k + 1, v0, pending);
    formW(p, v0, tau[k], w0, k + 1, n);
    if (k + 1 < n - 1) {
      // Second column of the panel: its row needs the first column's update now, the rest of
      // the trailing matrix only with the next panel (its product is corrected instead).
      const r = (k + 1) * n;
      const wk = w0[k + 1];
      for (let j = k + 1; j < n; j++) w[r + j] -= w0[j] + wk * v0[j];
      reflector(w, n, k + 1, v1, d, e, tau);
      pass(k + 2, v1, false);
      let wv = 0;
      let vv = 0;
      for (let j = k + 2; j < n; j++) {
        wv += w0[j] * v1[j];
        vv += v0[j] * v1[j];
      }
      for (let j = k + 2; j < n; j++) p[j] -= v0[j] * wv + w0[j] * vv;
      formW(p, v1, tau[k + 1], w1, k + 2, n);
      k += 2;
    } else {
      v1.fill(0);
      w1.fill(0);
      k += 1;
    }
    [pv0, pw0, pv1, pw1, v0, w0, v1, w1] = [v0, w0, v1, w1, pv0, pw0, pv1, pw1];
    pending = true;
  }
  if (pending && k < n) rank4Row(w, n, k, pv0, pw0, pv1, pw1);
  } finally {
    partner?.stop();
  }
  if (n > 0) d[n - 1] = w[(n - 1) * n + n - 1];
  return new HouseholderTridiagonal(n, d, e, w, tau);
}

/** Control words shared with the partner thread. */
const enum Ctl {
  Seq,
  Done,
  Ready,
  Op,
  R0,
  R1,
  /** Five buffer indices: pending v0, w0, v1, w1, then u. */
  Bufs,
  Length = Bufs + 5,
}

/**
 * A worker thread that takes the bottom rows of each pass (rows are independent apart from the
 * scatter into p, which it keeps in its own vector). Blocking Atomics.wait on both sides: a pass
 * is milliseconds, far longer than a wake-up.
 */
class RowPartner {
  private seq = 0;
  private constructor(
    private readonly worker: Worker,
    private readonly ctrl: Int32Array,
    private readonly p: Float64Array,
  ) {}

  /** null when the thread cannot start (then everything runs on this thread). */
  static start(a: Float64Array, bufs: Float64Array[], n: number): RowPartner | null {
    const ctrl = new Int32Array(new SharedArrayBuffer(4 * Ctl.Length));
    const p = new Float64Array(new SharedArrayBuffer(8 * n));
    let worker: Worker;
    try {
      worker = new Worker(partnerSource(), { eval: true, workerData: { ctrl: ctrl.buffer, a: a.buffer, bufs: bufs.map((b) => b.buffer), p: p.buffer, n } });
    } catch {
      return null;
    }
    worker.unref();
    if (Atomics.wait(ctrl, Ctl.Ready, 0, 10_000) === 'timed-out') {
      void worker.terminate();
      return null;
    }
    return new RowPartner(worker, ctrl, p);
  }

  post(op: 0 | 1 | 2, r0: number, r1: number, bufIndices: number[] = []): void {
    this.ctrl[Ctl.Op] = op;
    this.ctrl[Ctl.R0] = r0;
    this.ctrl[Ctl.R1] = r1;
    bufIndices.forEach((b, i) => (this.ctrl[Ctl.Bufs + i] = b));
    this.seq++;
    Atomics.store(this.ctrl, Ctl.Seq, this.seq);
    Atomics.notify(this.ctrl, Ctl.Seq);
  }

  /** Waits for the posted pass and adds the partner's part of p (entries from r0 on). */
  addInto(p: Float64Array, r0: number): void {
    while (Atomics.load(this.ctrl, Ctl.Done) !== this.seq) Atomics.wait(this.ctrl, Ctl.Done, this.seq - 1);
    const q = this.p;
    for (let j = r0; j < p.length; j++) p[j] += q[j];
  }

  stop(): void {
    this.post(0, 0, 0);
    void this.worker.terminate();
  }
}

/** The partner thread's program: the two row kernels (their own source) and a wait loop. */
function partnerSource(): string {
  return `
const { workerData } = require('node:worker_threads');
const symvRows = (${symvRows.toString()});
const rank4SymvRows = (${rank4SymvRows.toString()});
const ctrl = new Int32Array(workerData.ctrl);
const a = new Float64Array(workerData.a);
const bufs = workerData.bufs.map((b) => new Float64Array(b));
const p = new Float64Array(workerData.p);
const n = workerData.n;
Atomics.store(ctrl, ${Ctl.Ready}, 1);
Atomics.notify(ctrl, ${Ctl.Ready});
for (let seq = 0; ; ) {
  Atomics.wait(ctrl, ${Ctl.Seq}, seq);
  seq = Atomics.load(ctrl, ${Ctl.Seq});
  const op = ctrl[${Ctl.Op}];
  if (op === 0) break;
  const r0 = ctrl[${Ctl.R0}], r1 = ctrl[${Ctl.R1}];
  const b = (i) => bufs[ctrl[${Ctl.Bufs} + i]];
  p.fill(0, r0, n);
  if (op === 1) rank4SymvRows(a, n, r0, r1, b(0), b(1), b(2), b(3), b(4), p);
  else symvRows(a, n, r0, r1, b(4), p);
  Atomics.store(ctrl, ${Ctl.Done}, seq);
  Atomics.notify(ctrl, ${Ctl.Done});
}
`;
}

/**
 * Reflector H = I − τ u uᵀ with H·(row k from column k+1) = (β, 0, …) (LAPACK dlarfg; the norm
 * is scaled so that large entries cannot overflow). u = (1, v) is stored in row k and in `u`.
 */
function reflector(w: Float64Array, n: number, k: number, u: Float64Array, d: Float64Array, e: Float64Array, tau: Float64Array): void {
  const r = k * n;
  d[k] = w[r + k];
  const alpha = w[r + k + 1];
  let scale = 0;
  for (let j = k + 2; j < n; j++) scale = Math.max(scale, Math.abs(w[r + j]));
  u[k + 1] = 1;
  if (scale === 0) {
    tau[k] = 0;
    e[k] = alpha;
    for (let j = k + 2; j < n; j++) u[j] = 0;
    return;
  }
  let ss = 0;
  for (let j = k + 2; j < n; j++) {
    const x = w[r + j] / scale;
    ss += x * x;
  }
  const xnorm = scale * Math.sqrt(ss);
  const beta = -(alpha >= 0 ? 1 : -1) * Math.hypot(alpha, xnorm);
  tau[k] = (beta - alpha) / beta;
  const s = 1 / (alpha - beta);
  w[r + k + 1] = 1;
  for (let j = k + 2; j < n; j++) {
    const x = w[r + j] * s;
    w[r + j] = x;
    u[j] = x;
  }
  e[k] = beta;
}

/** w = τ p − (τ²/2)(pᵀu) u on indices from..n−1. */
function formW(p: Float64Array, u: Float64Array, t: number, out: Float64Array, from: number, n: number): void {
  let pu = 0;
  for (let i = from; i < n; i++) pu += p[i] * u[i];
  const c = 0.5 * t * t * pu;
  for (let i = from; i < n; i++) out[i] = t * p[i] - c * u[i];
}

/**
 * p += (rows r0 … r1−1 of A's upper triangle, as a symmetric matrix) v: row i adds to p[i … n−1].
 * Four rows per pass. Self-contained (no outer names): it also runs in the partner thread.
 */
function symvRows(a: Float64Array, n: number, r0: number, r1: number, v: Float64Array, p: Float64Array): void {
  let i = r0;
  for (; i + 3 < r1; i += 4) {
    const r0 = i * n;
    const r1 = r0 + n;
    const r2 = r1 + n;
    const r3 = r2 + n;
    const v0 = v[i];
    const v1 = v[i + 1];
    const v2 = v[i + 2];
    const v3 = v[i + 3];
    const a01 = a[r0 + i + 1];
    const a02 = a[r0 + i + 2];
    const a03 = a[r0 + i + 3];
    const a12 = a[r1 + i + 2];
    const a13 = a[r1 + i + 3];
    const a23 = a[r2 + i + 3];
    let s0 = a[r0 + i] * v0 + a01 * v1 + a02 * v2 + a03 * v3;
    let s1 = a01 * v0 + a[r1 + i + 1] * v1 + a12 * v2 + a13 * v3;
    let s2 = a02 * v0 + a12 * v1 + a[r2 + i + 2] * v2 + a23 * v3;
    let s3 = a03 * v0 + a13 * v1 + a23 * v2 + a[r3 + i + 3] * v3;
    for (let j = i + 4; j < n; j++) {
      const x0 = a[r0 + j];
      const x1 = a[r1 + j];
      const x2 = a[r2 + j];
      const x3 = a[r3 + j];
      const vj = v[j];
      s0 += x0 * vj;
      s1 += x1 * vj;
      s2 += x2 * vj;
      s3 += x3 * vj;
      p[j] += x0 * v0 + x1 * v1 + (x2 * v2 + x3 * v3);
    }
    p[i] += s0;
    p[i + 1] += s1;
    p[i + 2] += s2;
    p[i + 3] += s3;
  }
  for (; i < r1; i++) {
    const r = i * n;
    const vi = v[i];
    let acc = a[r + i] * vi;
    for (let j = i + 1; j < n; j++) {
      acc += a[r + j] * v[j];
      p[j] += a[r + j] * vi;
    }
    p[i] += acc;
  }
}

/** Row i of the upper triangle −= (v0 w0ᵀ + w0 v0ᵀ + v1 w1ᵀ + w1 v1ᵀ) from column i on. */
function rank4Row(a: Float64Array, n: number, i: number, v0: Float64Array, w0: Float64Array, v1: Float64Array, w1: Float64Array): void {
  const r = i * n;
  const a0 = v0[i];
  const b0 = w0[i];
  const a1 = v1[i];
  const b1 = w1[i];
  for (let j = i; j < n; j++) a[r + j] -= a0 * w0[j] + b0 * v0[j] + (a1 * w1[j] + b1 * v1[j]);
}

/**
 * Rows r0 … r1−1 of the upper triangle −= v0 w0ᵀ + w0 v0ᵀ + v1 w1ᵀ + w1 v1ᵀ and, in the same pass,
 * p += (those updated rows) u as in symvRows; two rows per pass. Self-contained like symvRows.
 */
function rank4SymvRows(
  a: Float64Array,
  n: number,
  r0: number,
  r1: number,
  v0: Float64Array,
  w0: Float64Array,
  v1: Float64Array,
  w1: Float64Array,
  u: Float64Array,
  p: Float64Array,
): void {
  let i = r0;
  for (; i + 1 < r1; i += 2) {
    const r = i * n;
    const q = r + n;
    const a0 = v0[i];
    const b0 = w0[i];
    const a1 = v1[i];
    const b1 = w1[i];
    const c0 = v0[i + 1];
    const d0 = w0[i + 1];
    const c1 = v1[i + 1];
    const d1 = w1[i + 1];
    const u0 = u[i];
    const u1 = u[i + 1];
    const dii = a[r + i] - 2 * (a0 * b0 + a1 * b1);
    const off = a[r + i + 1] - (a0 * d0 + b0 * c0 + (a1 * d1 + b1 * c1));
    const djj = a[q + i + 1] - 2 * (c0 * d0 + c1 * d1);
    a[r + i] = dii;
    a[r + i + 1] = off;
    a[q + i + 1] = djj;
    let s0 = dii * u0 + off * u1;
    let s1 = off * u0 + djj * u1;
    for (let j = i + 2; j < n; j++) {
      const p0 = v0[j];
      const p1 = v1[j];
      const q0 = w0[j];
      const q1 = w1[j];
      const x = a[r + j] - (a0 * q0 + b0 * p0 + (a1 * q1 + b1 * p1));
      const y = a[q + j] - (c0 * q0 + d0 * p0 + (c1 * q1 + d1 * p1));
      a[r + j] = x;
      a[q + j] = y;
      const uj = u[j];
      s0 += x * uj;
      s1 += y * uj;
      p[j] += x * u0 + y * u1;
    }
    p[i] += s0;
    p[i + 1] += s1;
  }
  if (i < r1) {
    // An odd last row of the range (not necessarily the matrix's last row).
    const r = i * n;
    const a0 = v0[i];
    const b0 = w0[i];
    const a1 = v1[i];
    const b1 = w1[i];
    const ui = u[i];
    const dii = a[r + i] - 2 * (a0 * b0 + a1 * b1);
    a[r + i] = dii;
    let acc = dii * ui;
    for (let j = i + 1; j < n; j++) {
      const x = a[r + j] - (a0 * w0[j] + b0 * v0[j] + (a1 * w1[j] + b1 * v1[j]));
      a[r + j] = x;
      acc += x * u[j];
      p[j] += x * ui;
    }
    p[i] += acc;
  }
}
