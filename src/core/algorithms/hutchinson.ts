/**
 * Hutchinson's trace estimator tr(H) ≈ mean of zᵀHz over Rademacher z (unbiased; Rademacher has
 * the smallest variance among i.i.d. probes), with the standard error of that mean.
 */
import type { LinearOperator } from '../operators/linear-operator';
import { checkpoint } from '../util/abort';
import { Rng } from '../util/rng';
import { dot } from '../util/vec';

export interface HutchinsonOptions {
  samples: number;
  seed: number;
  /** Probes per operator call (one applyMany; the Hessian batches them). */
  batch?: number;
  signal?: AbortSignal;
  onStep?: (info: { samples: number; estimate: number }) => void;
}

export interface HutchinsonResult {
  estimate: number;
  /** Sample standard deviation / √samples; null with a single sample. */
  stdErr: number | null;
  samples: number;
  hvps: number;
}

export async function hutchinsonTrace(op: LinearOperator, opts: HutchinsonOptions): Promise<HutchinsonResult> {
  const samples = Math.floor(opts.samples);
  if (!(samples >= 1)) throw new RangeError(`hutchinsonTrace: samples must be ≥ 1, got ${opts.samples}`);
  const batch = Math.max(1, Math.floor(opts.batch ?? 8));
  const rng = new Rng(opts.seed);
  const start = op.matvecCount;
  const values: number[] = [];
  while (values.length < samples) {
    await checkpoint(opts.signal);
    const k = Math.min(batch, samples - values.length);
    const probes = Array.from({ length: k }, () => rng.rademacherVector(op.size));
    const products = await op.applyMany(probes);
    probes.forEach((z, i) => values.push(dot(z, products[i])));
    opts.onStep?.({ samples: values.length, estimate: mean(values) });
  }
  const m = mean(values);
  let ss = 0;
  for (const x of values) ss += (x - m) * (x - m);
  const stdErr = samples > 1 ? Math.sqrt(ss / (samples - 1) / samples) : null;
  return { estimate: m, stdErr, samples, hvps: op.matvecCount - start };
}

function mean(xs: number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}
