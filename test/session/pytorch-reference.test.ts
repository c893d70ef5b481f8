/**
 * The motivating report's own PyTorch model, held against PyTorch. scripts/make-pytorch-seed.py ran
 * the report's snippet (seed 123, one epoch of SGD) in torch 1.13, exported the weights and data, and
 * computed in float64 what PyTorch says at those weights: every Hessian eigenvalue
 * (torch.autograd.functional.hessian + eigvalsh), ∇L_V and the report's loop v ← v − Hv with v[:5].
 * Neumann Lens imports the state_dict and must reproduce those numbers: the user's printout
 * (0.1156, −0.1112, −0.1701, 0.1533, 0.2598 … 1452, −268.4, −396.2, 1175, 2300) included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readExperimentFile } from '../../src/core/config/load';
import type { BackendName } from '../../src/core/config/experiment';
import { runSession } from '../../src/session/run-session';

const dir = join(__dirname, '../../examples/pytorch-seed');
const torchRef = JSON.parse(readFileSync(join(dir, 'torch-reference.json'), 'utf8')) as {
  params: number;
  eigenvalues: number[];
  lambdaMin: number;
  lambdaMax: number;
  gradValidationHead: number[];
  neumannTermHeads: number[][];
  neumannTermNorms: number[];
  trainLoss: number;
};

for (const backend of ['cpu', 'wasm'] as BackendName[]) {
  test(`${backend}: the report's PyTorch model gives PyTorch's spectrum and the user's printed Neumann terms`, async () => {
    const exp = readExperimentFile(join(dir, 'pytorch-seed.neumann.json'));
    const report = await runSession(exp, { backend }, { onEvent: () => {} });
    assert.equal(report.backend, backend);
    assert.equal(report.params, torchRef.params);
    const scale = Math.max(Math.abs(torchRef.lambdaMin), Math.abs(torchRef.lambdaMax));

    // Every eigenvalue, not only the ends (float32 data pass: 1e-5 of the spectral scale).
    const ours = report.spectrum.eigenvalues!;
    assert.equal(ours.length, torchRef.eigenvalues.length);
    ours.forEach((l, i) => assert.ok(Math.abs(l - torchRef.eigenvalues[i]) < 1e-5 * scale, `λ_${i}: ${l} vs torch ${torchRef.eigenvalues[i]}`));
    assert.ok(Math.abs(report.loss.train! - torchRef.trainLoss) < 1e-5 * torchRef.trainLoss);
    // The reported intervals contain PyTorch's float64 extremes (they include the float32 rounding allowance).
    const inside = (x: number, [lo, hi]: [number, number]) => lo <= x && x <= hi;
    assert.ok(inside(torchRef.lambdaMax, report.spectrum.lambdaMaxInterval), `λ_max ${torchRef.lambdaMax} ∉ ${report.spectrum.lambdaMaxInterval}`);
    assert.ok(inside(torchRef.lambdaMin, report.spectrum.lambdaMinInterval), `λ_min ${torchRef.lambdaMin} ∉ ${report.spectrum.lambdaMinInterval}`);
    assert.ok(report.spectrum.roundingAllowance! < 1e-3 * scale, 'the allowance stays small');
    assert.equal(report.spectrum.negativeCount, torchRef.eigenvalues.filter((l) => l < 0).length, 'negative eigenvalues counted as PyTorch has them');

    // The report's answer: λ_min ≈ −1.75, λ_max ≈ 2.12, ρ = 1 − λ_min ≈ 2.75, negative curvature sets it.
    assert.equal(report.advice.verdict, 'diverges-negative-curvature');
    // ρ is an upper bound: at least PyTorch's value, above it by no more than the intervals' width.
    const rhoTorch = 1 - torchRef.lambdaMin;
    assert.ok(report.neumann.rho >= rhoTorch && report.neumann.rho - rhoTorch <= 2 * report.spectrum.roundingAllowance! + 1e-9, `ρ ${report.neumann.rho} vs ${rhoTorch}`);

    // The Neumann terms, head by head, as the user printed them from PyTorch.
    assert.equal(report.neumann.termHeads.length, torchRef.neumannTermHeads.length);
    report.neumann.termHeads.forEach((h, j) =>
      h.forEach((x, k) => {
        const t = torchRef.neumannTermHeads[j][k];
        assert.ok(Math.abs(x - t) <= 1e-4 * Math.abs(t) + 1e-6 * torchRef.neumannTermNorms[j], `v_${j}[${k}] = ${x} vs torch ${t}`);
      }),
    );
    report.neumann.termNorms.forEach((nj, j) => assert.ok(Math.abs(nj - torchRef.neumannTermNorms[j]) < 1e-4 * torchRef.neumannTermNorms[j]));
  });
}
