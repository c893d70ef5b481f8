/**
 * The MLP's shape: layer widths, the flat parameter layout (PyTorch order, so a state_dict maps
 * onto it one-to-one) and the seeded PyTorch-style initialisation. No TF.js here: the layout is
 * shared by the TF.js objective and the float64 reference.
 */
import type { Activation, LossKind } from '../config/experiment';
import type { Dataset } from '../data/dataset';
import { InputError } from '../errors';
import { Rng } from '../util/rng';

/** What the data loss depends on: the network and its loss (weight decay is added on top of it). */
export interface MlpShape {
  /** Widths [in, h1, …, out]; at least two entries. */
  layers: number[];
  activation: Activation;
  loss: LossKind;
}

export interface MlpSpec extends MlpShape {
  /** λ of the ½λ‖w‖² penalty over every parameter, biases included. */
  weightDecay: number;
}

/** Where layer l's weight [out, in] and bias [out] sit in the flat vector. */
export interface LayerSlot {
  inputs: number;
  outputs: number;
  weightOffset: number;
  biasOffset: number;
}

export const ACTIVATIONS: readonly Activation[] = ['relu', 'tanh', 'sigmoid', 'softplus', 'linear'];
export const LOSSES: readonly LossKind[] = ['mse', 'cross-entropy', 'binary-cross-entropy'];

/** Checks a spec and throws InputError at the config path of the first problem. */
export function validateMlpSpec(spec: MlpSpec): void {
  validateMlpShape(spec);
  if (!Number.isFinite(spec.weightDecay) || spec.weightDecay < 0) {
    throw new InputError(`weightDecay must be a finite number ≥ 0, got ${spec.weightDecay}`, { kind: 'json', path: 'weightDecay' });
  }
}

/** The spec without its weight decay: layers, activation, loss and the output width the loss needs. */
export function validateMlpShape(spec: MlpShape): void {
  const { layers } = spec;
  if (!Array.isArray(layers) || layers.length < 2) {
    throw new InputError(`model.layers needs at least 2 widths [in, …, out], got ${JSON.stringify(layers)}`, {
      kind: 'json',
      path: 'model.layers',
    });
  }
  layers.forEach((w, i) => {
    if (!Number.isInteger(w) || w < 1) {
      throw new InputError(`layer width must be a positive integer, got ${w}`, { kind: 'json', path: `model.layers[${i}]` });
    }
  });
  if (!ACTIVATIONS.includes(spec.activation)) {
    throw new InputError(`unknown activation "${spec.activation}" (one of ${ACTIVATIONS.join(', ')})`, {
      kind: 'json',
      path: 'model.activation',
    });
  }
  if (!LOSSES.includes(spec.loss)) {
    throw new InputError(`unknown loss "${spec.loss}" (one of ${LOSSES.join(', ')})`, { kind: 'json', path: 'loss' });
  }
  const out = layers[layers.length - 1];
  if ((spec.loss === 'mse' || spec.loss === 'binary-cross-entropy') && out !== 1) {
    throw new InputError(`loss "${spec.loss}" needs exactly 1 output, but model.layers ends in ${out}`, {
      kind: 'json',
      path: `model.layers[${layers.length - 1}]`,
    });
  }
  if (spec.loss === 'cross-entropy' && out < 2) {
    throw new InputError(`loss "cross-entropy" needs at least 2 outputs (one per class), but model.layers ends in ${out}`, {
      kind: 'json',
      path: `model.layers[${layers.length - 1}]`,
    });
  }
}

/**
 * Checks the data against the model: feature count vs input width, and the targets against
 * what the loss can take. `role` names the data set in messages (train/validation).
 */
export function validateDatasetForModel(spec: MlpShape, data: Dataset, role: 'train' | 'validation'): void {
  const where = { kind: 'json' as const, path: `data.${role}` };
  if (data.rows < 1) throw new InputError(`${role} data (${data.source}) has no rows`, where);
  if (data.x.length !== data.rows * data.features || data.y.length !== data.rows) {
    throw new InputError(`${role} data (${data.source}) is malformed: ${data.x.length} feature values and ${data.y.length} targets for ${data.rows} rows × ${data.features} features`, where);
  }
  if (data.features !== spec.layers[0]) {
    throw new InputError(
      `${role} data (${data.source}) has ${data.features} feature column(s) (${data.featureNames.join(', ')}) but model.layers[0] is ${spec.layers[0]}`,
      { kind: 'json', path: 'model.layers[0]' },
    );
  }
  const classes = spec.layers[spec.layers.length - 1];
  for (let i = 0; i < data.rows; i++) {
    const t = data.y[i];
    const bad =
      !Number.isFinite(t)
        ? 'is not a finite number'
        : spec.loss === 'cross-entropy' && !(Number.isInteger(t) && t >= 0 && t < classes)
          ? `is not a class index in 0..${classes - 1}`
          : spec.loss === 'binary-cross-entropy' && t !== 0 && t !== 1
            ? 'is not 0 or 1'
            : null;
    if (bad) {
      throw new InputError(`${role} data (${data.source}): target "${data.targetName}" in row ${i + 1} is ${t}, which ${bad} (loss "${spec.loss}")`, where);
    }
  }
}

export function layerSlots(layers: readonly number[]): LayerSlot[] {
  const slots: LayerSlot[] = [];
  let offset = 0;
  for (let l = 1; l < layers.length; l++) {
    const inputs = layers[l - 1];
    const outputs = layers[l];
    slots.push({ inputs, outputs, weightOffset: offset, biasOffset: offset + inputs * outputs });
    offset += inputs * outputs + outputs;
  }
  return slots;
}

export function paramCount(layers: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < layers.length; l++) n += layers[l - 1] * layers[l] + layers[l];
  return n;
}

/** PyTorch nn.Linear's default: weight and bias ~ U(−1/√fan_in, 1/√fan_in), drawn from a seeded Rng. */
export function initParams(layers: readonly number[], seed: number): Float64Array {
  const rng = new Rng(seed);
  const w = new Float64Array(paramCount(layers));
  for (const s of layerSlots(layers)) {
    const bound = 1 / Math.sqrt(s.inputs);
    const end = s.biasOffset + s.outputs;
    for (let i = s.weightOffset; i < end; i++) w[i] = (2 * rng.uniform() - 1) * bound;
  }
  return w;
}

/** Throws unless w has the model's parameter count (a programming or state_dict error, caught early). */
export function checkParamVector(layers: readonly number[], w: Float64Array, what = 'parameter vector'): void {
  const n = paramCount(layers);
  if (w.length !== n) throw new RangeError(`${what} has ${w.length} entries, the model [${layers.join(', ')}] has ${n}`);
}
