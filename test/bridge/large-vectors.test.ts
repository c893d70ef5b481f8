/**
 * Vectors larger than every buffer on the way (the stdio socketpair's, the pipe a server may widen,
 * Node's reads of 64 KiB): 2,001,000 float64 values (16 MB) per frame, through a real Python child.
 * Each frame then crosses in many partial writes and reads on both sides; the values must arrive
 * exactly (float64), in order, and an HVP must equal the model's closed-form Hessian times v.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeClient } from '../../src/bridge/client';
import { fixture, maxAbs, maxAbsDiff, torchPython } from './helpers';

const IN = 2000;
const OUT = 1000;
const ROWS = 3;
const feature = (n: number, i: number) => (((7 * n + 3 * i) % 11) - 5) / 4;

/** H·v of mean-over-(rows, outputs) MSE of Linear(IN, OUT), PyTorch order: weight [OUT, IN] row-major, then bias. */
function closedFormHvp(v: Float64Array): Float64Array {
  const out = new Float64Array(v.length);
  const scale = 2 / (ROWS * OUT);
  for (let n = 0; n < ROWS; n++) {
    const x = Float64Array.from({ length: IN }, (_, i) => feature(n, i));
    for (let o = 0; o < OUT; o++) {
      let z = v[OUT * IN + o];
      for (let i = 0; i < IN; i++) z += v[o * IN + i] * x[i];
      for (let i = 0; i < IN; i++) out[o * IN + i] += scale * z * x[i];
      out[OUT * IN + o] += scale * z;
    }
  }
  return out;
}

test('16 MB float64 vectors cross the bridge exactly in both directions, and H·v equals the closed form', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const bridge = await BridgeClient.spawn({ python, problem: fixture('wide_linear.py'), dtype: 'float64' });
  try {
    const n = bridge.paramCount;
    assert.equal(n, IN * OUT + OUT);
    // Values that use all 64 bits, so any lost, reordered or rounded byte shows.
    const w = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 0.5) / 3);
    await bridge.setParams(w);
    assert.ok(maxAbsDiff(await bridge.getParams(), w) === 0, 'parameters came back changed');
    const v = Float64Array.from({ length: n }, (_, i) => Math.cos(0.37 * i) * (1 + (i % 7)));
    const [hv, hv2] = await bridge.hvp([v, v.map((x) => 2 * x)]);
    const expected = closedFormHvp(v);
    assert.ok(maxAbs(expected) > 1e-3, 'the closed form is not trivially zero');
    assert.ok(maxAbsDiff(hv, expected) <= 1e-12 * maxAbs(expected), `H·v differs from the closed form by ${maxAbsDiff(hv, expected)}`);
    assert.ok(maxAbsDiff(hv2, hv.map((x) => 2 * x)) <= 1e-12 * maxAbs(expected), 'the second vector of one request is not H·2v');
  } finally {
    await bridge.close();
  }
});
