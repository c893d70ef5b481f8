/**
 * A table of examples in the form the model code consumes: float32 because that is what TF.js
 * computes in, row-major so a batch is a contiguous slice. The data layer (CSV, synthetic)
 * produces it; the model layer checks it against the model's widths and loss.
 */
export interface Dataset {
  rows: number;
  features: number;
  /** rows × features, row-major. */
  x: Float32Array;
  /** One target per row: the value (mse), the class index (cross-entropy), or 0/1 (binary-cross-entropy). */
  y: Float32Array;
  featureNames: string[];
  targetName: string;
  /** Where the rows came from, for messages: a file path or e.g. `synthetic seed-regression n=1000`. */
  source: string;
}
