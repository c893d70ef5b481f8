/**
 * Seeded pseudo-random numbers (mulberry32 + Box–Muller). Everything random in a session
 * (initialisation, shuffles, synthetic data, Lanczos/Hutchinson start vectors) draws from one of
 * these, so a run is reproducible from its seed.
 */
export class Rng {
  private state: number;
  private spare: number | null = null;

  constructor(seed: number) {
    this.state = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal. */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  normalVector(n: number): Float64Array {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = this.normal();
    return v;
  }

  rademacherVector(n: number): Float64Array {
    const v = new Float64Array(n);
    for (let i = 0; i < n; i++) v[i] = this.uniform() < 0.5 ? -1 : 1;
    return v;
  }

  /** Fisher–Yates permutation of 0..n-1. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i];
      p[i] = p[j];
      p[j] = t;
    }
    return p;
  }
}

/**
 * Independent seeds for the different random uses of one experiment seed (data, initialisation,
 * shuffling, start vectors), so that e.g. the initial weights are not drawn from the same stream
 * as the synthetic data. Offsets are fixed: a run stays reproducible from its seed.
 */
export const SEED_OFFSETS = { init: 1000, shuffle: 2000, selfCheck: 3000, lanczos: 4000, power: 5000, trace: 6000, epochSpectrum: 7000, density: 8000, hyperSpectrum: 9000 } as const;

export function subSeed(seed: number, purpose: keyof typeof SEED_OFFSETS): number {
  return seed + SEED_OFFSETS[purpose];
}
