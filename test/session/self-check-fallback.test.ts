/**
 * The analysis never trusts its HVP: a Hessian operator that is 5 % wrong (as a dropped
 * second-order term would be) must fail the self-check, be replaced by finite differences, and the
 * report must say so — with the spectrum still right (checked against a run with the true operator).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateExperiment } from '../../src/core/config/load';
import type { HessianOperator, Objective } from '../../src/core/model/objective';
import { CountingOperator } from '../../src/core/operators/linear-operator';
import { analyse } from '../../src/session/analyse';
import { prepareTarget } from '../../src/session/prepare';
import { ProgressReporter } from '../../src/session/progress';
import { initBackend } from '../../src/core/model/backend';

class Scaled extends CountingOperator implements HessianOperator {
  constructor(private readonly inner: HessianOperator, private readonly factor: number) {
    super();
  }
  get size(): number {
    return this.inner.size;
  }
  protected async product(v: Float64Array): Promise<Float64Array> {
    return (await this.inner.apply(v)).map((x) => x * this.factor);
  }
  dispose(): void {
    this.inner.dispose();
  }
}

function withWrongHessian(o: Objective, factor: number): Objective {
  return {
    size: o.size,
    loss: (w) => o.loss(w),
    gradient: (w) => o.gradient(w),
    hessianAt: async (w) => new Scaled(await o.hessianAt(w), factor),
    frozenGradientNear: (w) => o.frozenGradientNear(w),
    dispose: () => o.dispose(),
  };
}

test('a wrong exact HVP is caught by the self-check and replaced by finite differences', async () => {
  await initBackend('cpu');
  const exp = validateExperiment(
    {
      name: 'fallback',
      seed: 3,
      data: { synthetic: { kind: 'seed-regression', n: 300 } },
      model: { layers: [1, 6, 1], activation: 'tanh' },
      loss: 'mse',
      weightDecay: 0.1,
      training: { epochs: 2, batchSize: 32, learningRate: 0.05 },
      neumann: { alpha: 0.5, terms: 8 },
    },
    null,
  );
  const ctx = { emit: () => {}, progress: new ProgressReporter(() => {}), exactMaxParams: 500 };
  const target = await prepareTarget(exp, ctx);
  try {
    const truth = await analyse(exp, target, ctx);
    assert.equal(truth.hvpSelfCheck.operator, 'r-operator');
    assert.ok(truth.hvpSelfCheck.passed);

    const broken = await analyse(exp, { ...target, objective: withWrongHessian(target.objective, 1.05) }, ctx);
    assert.equal(broken.hvpSelfCheck.passed, false);
    assert.ok(broken.hvpSelfCheck.relativeError > 0.04 && broken.hvpSelfCheck.relativeError < 0.06, `error ${broken.hvpSelfCheck.relativeError}`);
    assert.equal(broken.hvpSelfCheck.operator, 'finite-difference');
    assert.ok(broken.advice.messages.some((m) => m.kind === 'hvp-self-check' && m.severity === 'warning'));
    // With finite differences the spectrum is the true one, not 5 % off.
    const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
    assert.ok(rel(broken.spectrum.lambdaMax, truth.spectrum.lambdaMax) < 1e-3, `${broken.spectrum.lambdaMax} vs ${truth.spectrum.lambdaMax}`);
    const scale = Math.abs(truth.spectrum.lambdaMax);
    assert.ok(Math.abs(broken.spectrum.lambdaMin - truth.spectrum.lambdaMin) < 1e-3 * scale, `${broken.spectrum.lambdaMin} vs ${truth.spectrum.lambdaMin}`);
  } finally {
    target.dispose();
  }
});
