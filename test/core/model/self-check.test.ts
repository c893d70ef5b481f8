/**
 * The HVP self-check: passes for the exact operator on relu nets (where naive differencing would
 * cross kinks), fails for a deliberately wrong operator, and the finite-difference fallback
 * operator itself matches the float64 reference.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initBackend } from '../../../src/core/model/backend';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { FiniteDifferenceHessianOperator, finiteDifferenceHvp } from '../../../src/core/model/finite-difference';
import { hvpSelfCheck } from '../../../src/core/model/self-check';
import { CountingOperator, DenseOperator } from '../../../src/core/operators/linear-operator';
import { referenceHessian } from '../../../src/core/reference/mlp64';
import { Rng } from '../../../src/core/util/rng';
import { norm } from '../../../src/core/util/vec';
import { BACKENDS, assemble, randomDataset, relativeError } from './helpers';

const TOL = 1e-3;
const seedSpec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0.1 };

for (const backend of BACKENDS) {
  test(`${backend}: self-check passes on relu nets (seed model on 1000 rows, and a wider cross-entropy net)`, async () => {
    await initBackend(backend);
    const cases: [MlpSpec, number][] = [
      [seedSpec, 1],
      [{ layers: [4, 16, 16, 3], activation: 'relu', loss: 'cross-entropy', weightDecay: 0.01 }, 3],
    ];
    for (const [spec, classes] of cases) {
      const objective = new MlpObjective(spec, randomDataset(1000, spec.layers[0], spec.loss, classes, 8));
      for (const seed of [1, 2, 3]) {
        const r = await hvpSelfCheck(objective, initParams(spec.layers, seed), seed, TOL);
        assert.ok(r.passed, `${spec.layers.join('-')} seed ${seed}: relative error ${r.relativeError}`);
        assert.equal(r.tolerance, TOL);
      }
      objective.dispose();
    }
  });

  test(`${backend}: self-check fails on a wrong operator`, async () => {
    await initBackend(backend);
    const objective = new MlpObjective(seedSpec, randomDataset(200, 1, 'mse', 1, 9));
    const w = initParams(seedSpec.layers, 4);
    const exact = await objective.hessianAt(w);
    // what a dropped second-order term looks like: right on most of the space, 2 % off overall
    class Wrong extends CountingOperator {
      readonly size = exact.size;
      protected async product(v: Float64Array) {
        return (await exact.apply(v)).map((x) => 1.02 * x);
      }
    }
    const wrong = await hvpSelfCheck(objective, w, 5, TOL, new Wrong());
    assert.equal(wrong.passed, false);
    assert.ok(wrong.relativeError > 0.01 && wrong.relativeError < 0.03, `relative error ${wrong.relativeError}`);
    // the Hessian without its weight-decay term
    const noDecay = new DenseOperator(referenceHessian({ ...seedSpec, weightDecay: 0 }, objective.data, w), objective.size);
    assert.equal((await hvpSelfCheck(objective, w, 5, TOL, noDecay)).passed, false);
    assert.equal((await hvpSelfCheck(objective, w, 5, TOL, exact)).passed, true);
    exact.dispose();
    objective.dispose();
  });

  test(`${backend}: differencing relu gradients across kinks is wrong; the frozen pattern is not`, async () => {
    await initBackend(backend);
    const objective = new MlpObjective(seedSpec, randomDataset(1000, 1, 'mse', 1, 10));
    const w = initParams(seedSpec.layers, 6);
    const v = new Rng(7).normalVector(objective.size);
    const ref = await new DenseOperator(referenceHessian(seedSpec, objective.data, w), objective.size).apply(v);
    const plain = { gradient: async (x: Float64Array) => (await objective.gradient(x)).grad, dispose() {} };
    const frozen = await objective.frozenGradientNear(w);
    const kinked = relativeError(await finiteDifferenceHvp(plain, w, v, 1e-2), ref);
    const held = relativeError(await finiteDifferenceHvp(frozen, w, v, 1e-2), ref);
    frozen.dispose();
    objective.dispose();
    assert.ok(kinked > 10 * TOL, `plain differences should cross kinks: ${kinked}`);
    assert.ok(held < TOL, `frozen-pattern differences: ${held}`);
  });

  test(`${backend}: the finite-difference fallback operator matches the reference Hessian to 1e-3`, async () => {
    await initBackend(backend);
    const spec: MlpSpec = { layers: [2, 6, 3], activation: 'tanh', loss: 'cross-entropy', weightDecay: 0.02 };
    const objective = new MlpObjective(spec, randomDataset(50, 2, 'cross-entropy', 3, 12));
    const w = initParams(spec.layers, 13).map((x) => 2 * x);
    const fd = await FiniteDifferenceHessianOperator.at(objective, w);
    const h = await assemble(fd);
    assert.equal(fd.matvecCount, objective.size);
    fd.dispose();
    const err = relativeError(h, referenceHessian(spec, objective.data, w));
    objective.dispose();
    assert.ok(err < TOL, `relative error ${err}`);
    assert.ok(norm(h) > 0);
  });
}
