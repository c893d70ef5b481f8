import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hutchinsonTrace } from '../../../src/core/algorithms/hutchinson';
import { DenseOperator } from '../../../src/core/operators/linear-operator';
import { linspace, operatorWithSpectrum } from './matrices';

test('Hutchinson is exact for a diagonal matrix (zᵀDz = tr D for Rademacher z)', async () => {
  const op = DenseOperator.fromRows([
    [3, 0, 0],
    [0, -1, 0],
    [0, 0, 0.5],
  ]);
  const r = await hutchinsonTrace(op, { samples: 5, seed: 1 });
  assert.ok(Math.abs(r.estimate - 2.5) < 1e-15);
  assert.equal(r.stdErr, 0);
  assert.equal(r.hvps, 5);
});

test('Hutchinson estimate is within a few standard errors of the trace, batched through applyMany', async () => {
  const values = linspace(-2, 6, 40);
  const trace = values.reduce((s, x) => s + x, 0);
  const op = operatorWithSpectrum(values, 41);
  let batches = 0;
  const original = op.applyMany.bind(op);
  op.applyMany = (vs) => {
    batches++;
    return original(vs);
  };
  const r = await hutchinsonTrace(op, { samples: 200, seed: 7, batch: 50 });
  assert.equal(batches, 4);
  assert.equal(r.hvps, 200);
  const se = r.stdErr as number;
  assert.ok(se > 0);
  assert.ok(Math.abs(r.estimate - trace) < 4 * se, `${r.estimate} vs ${trace} ± ${se}`);
  // Var(zᵀAz) = 2 Σ_{i≠j} a_ij² for Rademacher z: the standard error must be of that size.
  const n = 40;
  let off = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (i !== j) off += op.data[i * n + j] ** 2;
  const expectedSe = Math.sqrt((2 * off) / 200);
  assert.ok(se > 0.7 * expectedSe && se < 1.3 * expectedSe, `${se} vs ${expectedSe}`);
});

test('Hutchinson is cancellable', async () => {
  const { CancelledError } = await import('../../../src/core/util/abort');
  const ac = new AbortController();
  await assert.rejects(
    hutchinsonTrace(operatorWithSpectrum([1, 2, 3], 43), { samples: 50, seed: 1, signal: ac.signal, batch: 2, onStep: (s) => s.samples === 2 && ac.abort() }),
    CancelledError,
  );
});
