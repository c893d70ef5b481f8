/**
 * The exact HVP against the independent float64 reference: for every activation × loss, the full
 * Hessian assembled from batched HVP columns matches the reference (central differences of the
 * analytic float64 gradient) and is symmetric, on the cpu and wasm backends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Activation, LossKind } from '../../../src/core/config/experiment';
import { initBackend } from '../../../src/core/model/backend';
import { initParams, type MlpSpec } from '../../../src/core/model/mlp';
import { MlpObjective } from '../../../src/core/model/mlp-objective';
import { referenceHessian, referenceObjective } from '../../../src/core/reference/mlp64';
import { linearRegressionHessian, logisticRegressionHessian } from '../../../src/core/reference/closed-forms';
import { BACKENDS, assemble, asymmetry, randomDataset, relativeError } from './helpers';

const ACTIVATIONS: Activation[] = ['relu', 'tanh', 'sigmoid', 'softplus', 'linear'];
const LOSSES: LossKind[] = ['mse', 'cross-entropy', 'binary-cross-entropy'];
const TOL = 1e-4;

for (const backend of BACKENDS) {
  for (const activation of ACTIVATIONS) {
    for (const loss of LOSSES) {
      test(`${backend}: ${activation} × ${loss}: Hessian from HVP columns matches the float64 reference`, async () => {
        await initBackend(backend);
        const out = loss === 'cross-entropy' ? 3 : 1;
        const spec: MlpSpec = { layers: [3, 6, 5, out], activation, loss, weightDecay: 0.05 };
        const data = randomDataset(40, 3, loss, out, 11);
        const w = initParams(spec.layers, 7);
        // larger weights than the default init so that curvature terms (σ'') matter
        for (let i = 0; i < w.length; i++) w[i] *= 2;
        const objective = new MlpObjective(spec, data);
        try {
          const ref = referenceObjective(spec, data, w);
          const g = await objective.gradient(w);
          assert.ok(relativeError(g.grad, ref.grad) < TOL, `gradient error ${relativeError(g.grad, ref.grad)}`);
          assert.ok(Math.abs(g.loss - ref.loss) <= TOL * Math.abs(ref.loss), `loss ${g.loss} vs ${ref.loss}`);
          assert.ok(Math.abs((await objective.loss(w)) - ref.loss) <= TOL * Math.abs(ref.loss));

          const op = await objective.hessianAt(w);
          const h = await assemble(op);
          op.dispose();
          const n = objective.size;
          const err = relativeError(h, referenceHessian(spec, data, w));
          assert.ok(err < TOL, `relative Frobenius error ${err.toExponential(2)} ≥ ${TOL}`);
          assert.ok(asymmetry(h, n) < TOL, `asymmetry ${asymmetry(h, n)}`);
          assert.equal(op.matvecCount, n);
        } finally {
          objective.dispose();
        }
      });
    }
  }

  test(`${backend}: linear and logistic regression Hessians match their closed forms`, async () => {
    await initBackend(backend);
    const lin = randomDataset(60, 4, 'mse', 1, 3);
    const linObj = new MlpObjective({ layers: [4, 1], activation: 'linear', loss: 'mse', weightDecay: 0.1 }, lin);
    const wLin = initParams([4, 1], 1);
    const opLin = await linObj.hessianAt(wLin);
    assert.ok(relativeError(await assemble(opLin), linearRegressionHessian(lin, 0.1)) < TOL);
    opLin.dispose();
    linObj.dispose();

    const log = randomDataset(60, 4, 'binary-cross-entropy', 1, 4);
    const logObj = new MlpObjective({ layers: [4, 1], activation: 'relu', loss: 'binary-cross-entropy', weightDecay: 0 }, log);
    const wLog = initParams([4, 1], 2).map((v) => 3 * v);
    const opLog = await logObj.hessianAt(wLog);
    assert.ok(relativeError(await assemble(opLog), logisticRegressionHessian(log, wLog, 0)) < TOL);
    opLog.dispose();
    logObj.dispose();
  });

  test(`${backend}: the seed model 1-8-4-1 relu/mse matches the reference`, async () => {
    await initBackend(backend);
    const spec: MlpSpec = { layers: [1, 8, 4, 1], activation: 'relu', loss: 'mse', weightDecay: 0.1 };
    const data = randomDataset(200, 1, 'mse', 1, 123);
    const w = initParams(spec.layers, 123);
    const objective = new MlpObjective(spec, data);
    const op = await objective.hessianAt(w);
    const err = relativeError(await assemble(op), referenceHessian(spec, data, w));
    op.dispose();
    objective.dispose();
    assert.ok(err < TOL, `relative error ${err}`);
  });
}
