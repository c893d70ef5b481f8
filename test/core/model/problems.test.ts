/** The analytic problems against their closed forms, and their input errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputError } from '../../../src/core/errors';
import { buildProblem } from '../../../src/core/model/problems';
import { hvpSelfCheck } from '../../../src/core/model/self-check';
import type { ProblemSpec } from '../../../src/core/config/experiment';
import { assemble } from './helpers';

test('sum-of-cubes at the seed point (0.05, 0.05): H = diag(0.3, 0.3), gradient 3x²', async () => {
  const p = buildProblem({ kind: 'sum-of-cubes', point: [0.05, 0.05] });
  const op = await p.objective.hessianAt(p.point);
  const h = await assemble(op);
  [0.3, 0, 0, 0.3].forEach((want, i) => assert.ok(Math.abs(h[i] - want) < 1e-15, `H[${i}] = ${h[i]}`));
  assert.deepEqual(Array.from(p.hessian), Array.from(h));
  const g = await p.objective.gradient(p.point);
  g.grad.forEach((v) => assert.ok(Math.abs(v - 3 * 0.05 ** 2) < 1e-15));
  assert.ok(Math.abs(g.loss - 2 * 0.05 ** 3) < 1e-18);
  assert.equal(op.matvecCount, 2);
  assert.ok((await hvpSelfCheck(p.objective, p.point, 1, 1e-6)).passed);
});

test('quadratic: H = A, gradient Ax − b, loss ½xᵀAx − bᵀx', async () => {
  const a = [
    [4, 1, 0],
    [1, 3, -1],
    [0, -1, 2],
  ];
  const b = [1, -2, 0.5];
  const p = buildProblem({ kind: 'quadratic', matrix: a, vector: b });
  assert.deepEqual(Array.from(await assemble(await p.objective.hessianAt(p.point))), a.flat());
  const x = Float64Array.from([1, 2, 3]);
  const g = await p.objective.gradient(x);
  // A·x = (6, 4, 4)
  assert.deepEqual(Array.from(g.grad), [6 - 1, 4 + 2, 4 - 0.5]);
  assert.equal(g.loss, 0.5 * (6 + 8 + 12) - (1 - 4 + 1.5));
  assert.deepEqual(Array.from(p.point), [0, 0, 0]);
  assert.ok((await hvpSelfCheck(p.objective, x, 2, 1e-6)).passed);
});

function inputErrorAt(spec: unknown, path: string, message: RegExp): void {
  assert.throws(
    () => buildProblem(spec as ProblemSpec),
    (e: unknown) => e instanceof InputError && e.where?.kind === 'json' && e.where.path === path && message.test(e.message),
  );
}

test('bad problems are InputErrors at their JSON path', () => {
  inputErrorAt({ kind: 'quadratic', matrix: [[1, 2], [3, 1]], vector: [0, 0] }, 'problem.matrix', /symmetric.*A\[0\]\[1\] = 2 but A\[1\]\[0\] = 3/);
  inputErrorAt({ kind: 'quadratic', matrix: [[1, 0], [0]], vector: [0, 0] }, 'problem.matrix[1]', /2 entries/);
  inputErrorAt({ kind: 'quadratic', matrix: [[1, 0], [0, 1]], vector: [0] }, 'problem.vector', /expected 2 entries/);
  inputErrorAt({ kind: 'quadratic', matrix: [], vector: [] }, 'problem.matrix', /non-empty/);
  inputErrorAt({ kind: 'sum-of-cubes', point: [1, null] }, 'problem.point[1]', /finite number/);
  inputErrorAt({ kind: 'sum-of-cubes', point: [] }, 'problem.point', /non-empty/);
  inputErrorAt({ kind: 'cubes' }, 'problem.kind', /unknown problem/);
});
