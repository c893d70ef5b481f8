/**
 * PyTorch ranks from an experiment file, through the real CLI (dist/cli.js) and real torch.distributed
 * ranks: `"distributed": {"worldSize": 2, "backend": "gloo"}` (local ranks the bridge starts itself)
 * and `"connect"` + `"tokenFile"` to two cluster ranks started here by hand with the variables a
 * launcher sets (`serve --listen 127.0.0.1:0 --token-file F`) give the one-process run's numbers on
 * the whole data in float64 (λ_max, λ_min, every Neumann term, the hypergradients, the losses after
 * training through the ranks) to 1e-9 relative, and say worldSize 2 in report.runtime; a wrong
 * token is exit 2 with "token rejected by HOST:PORT" and leaves the ranks serving.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { freeLoopbackPort } from '../../src/bridge/local-ranks';
import { bridgeEnv, bridgePythonPath } from '../../src/bridge/python-env';
import type { DiagnosisReport } from '../../src/core/diagnosis/report';
import { ensureBuilt, tempDir } from '../worker/helpers';
import { fixture, isPidAlive, torchPython } from '../bridge/helpers';
import { cli } from './helpers';

before(ensureBuilt);

const TOL = 1e-9;
const TOKEN = 'c3f1e6d2-distributed-cli-token';
/** Every key but `pytorch`: a converging damped series, and two epochs of training through the ranks. */
const COMMON = {
  seed: 5,
  weightDecay: 0.05,
  training: { epochs: 2, learningRate: 0.05 },
  neumann: { alpha: 0.17, terms: 40, damping: 2.2 },
};

function writeExperiment(dir: string, name: string, pytorch: Record<string, unknown>): string {
  const file = join(dir, `${name}.neumann.json`);
  writeFileSync(file, JSON.stringify({ name, pytorch, ...COMMON }, null, 2));
  return file;
}

async function diagnose(python: string, file: string): Promise<DiagnosisReport> {
  const out = file.replace(/\.neumann\.json$/, '.report.json');
  const r = await cli(['diagnose', file, '--python', python, '--json', out, '--quiet']);
  assert.equal(r.code, 0, `exit ${r.code}\n${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as DiagnosisReport;
}

function close(a: number, b: number, what: string): void {
  assert.ok(Math.abs(a - b) <= TOL * Math.abs(b), `${what}: ${a} vs ${b} (relative ${Math.abs(a - b) / Math.abs(b)})`);
}

/** The numbers the issue names, each to TOL relative of the one-process run. */
function assertSameNumbers(got: DiagnosisReport, want: DiagnosisReport): void {
  close(got.spectrum.lambdaMax, want.spectrum.lambdaMax, 'λ_max');
  close(got.spectrum.lambdaMin, want.spectrum.lambdaMin, 'λ_min');
  assert.equal(got.neumann.verdict, want.neumann.verdict);
  assert.ok(want.neumann.rho < 1, `the series converges (ρ = ${want.neumann.rho})`);
  assert.equal(got.neumann.termNorms.length, COMMON.neumann.terms + 1);
  got.neumann.termNorms.forEach((v, j) => close(v!, want.neumann.termNorms[j]!, `‖v_${j}‖`));
  got.neumann.solutionHead.forEach((v, j) => close(v, want.neumann.solutionHead[j], `x_K[${j}]`));
  close(got.hypergradient.neumann!, want.hypergradient.neumann!, 'Neumann hypergradient');
  close(got.hypergradient.exact!, want.hypergradient.exact!, 'exact hypergradient');
  close(got.loss.train!, want.loss.train!, 'L_T after training');
  close(got.loss.validation!, want.loss.validation!, 'L_V after training');
  assert.deepEqual(got.training?.lossCurve.length, 2);
  got.training!.lossCurve.forEach((v, k) => close(v, want.training!.lossCurve[k], `epoch ${k + 1} loss`));
}

let oneProcess: Promise<DiagnosisReport> | null = null;
/** The one-process run on the whole data (no `distributed`), shared by both tests. */
function oneProcessReport(python: string, dir: string): Promise<DiagnosisReport> {
  oneProcess ??= diagnose(python, writeExperiment(dir, 'one', { file: 'sharded_cnn.py', dtype: 'float64' }));
  return oneProcess;
}

function problemDir(): string {
  const dir = tempDir();
  copyFileSync(fixture('sharded_cnn.py'), join(dir, 'sharded_cnn.py'));
  return dir;
}

test('"distributed": {"worldSize": 2, "backend": "gloo"}: the CLI gives the one-process numbers to 1e-9, runtime.worldSize 2', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const dir = problemDir();
  const two = await diagnose(python, writeExperiment(dir, 'two', { file: 'sharded_cnn.py', dtype: 'float64', distributed: { worldSize: 2, backend: 'gloo' } }));
  const one = await oneProcessReport(python, dir);
  assert.equal(one.runtime?.worldSize, 1);
  assert.equal(two.runtime?.worldSize, 2);
  assert.equal(two.params, one.params);
  assert.equal(two.spectrum.method, 'exact');
  assertSameNumbers(two, one);
});

interface ClusterRanks {
  children: ChildProcess[];
  address: string;
  exits: Promise<{ code: number | null; signal: NodeJS.Signals | null }>[];
}

/** Two ranks as a launcher starts them (MASTER_ADDR, MASTER_PORT, RANK, LOCAL_RANK, WORLD_SIZE); rank 0 listens on a free port. */
async function startClusterRanks(python: string, dir: string, tokenFile: string): Promise<ClusterRanks> {
  const masterPort = await freeLoopbackPort();
  const args = ['-m', 'neumann_lens', 'serve', '--problem', join(dir, 'sharded_cnn.py'), '--dtype', 'float64', '--listen', '127.0.0.1:0', '--token-file', tokenFile];
  const stderr: string[] = [];
  const children = [0, 1].map((rank) => {
    const env = { ...bridgeEnv(bridgePythonPath()), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(masterPort), WORLD_SIZE: '2', RANK: String(rank), LOCAL_RANK: String(rank) };
    const child = spawn(python, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(`rank ${rank}: ${l}`));
    return child;
  });
  const exits = children.map((c) => new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => c.once('exit', (code, signal) => resolve({ code, signal }))));
  // Rank 0 prints {"listening": "HOST:PORT"} on stdout once every rank has loaded its shard.
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: children[0].stdout! }).once('line', resolve);
    children[0].once('exit', (code) => reject(new Error(`rank 0 exited ${code}:\n${stderr.join('\n')}`)));
  });
  return { children, address: (JSON.parse(line) as { listening: string }).listening, exits };
}

test('"connect" + "tokenFile" to cluster ranks started by hand: a wrong token is exit 2 "token rejected by HOST:PORT", the right one the one-process numbers', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const dir = problemDir();
  const tokenFile = join(dir, 'server-token');
  writeFileSync(tokenFile, TOKEN + '\n', { mode: 0o600 });
  writeFileSync(join(dir, 'wrong-token'), 'not-the-token\n', { mode: 0o600 });
  writeFileSync(join(dir, 'token'), TOKEN, { mode: 0o600 });
  const one = oneProcessReport(python, dir);
  const ranks = await startClusterRanks(python, dir, tokenFile);
  try {
    const wrongFile = writeExperiment(dir, 'wrong', { connect: ranks.address, tokenFile: 'wrong-token' });
    const wrong = await cli(['diagnose', wrongFile, '--quiet']);
    assert.equal(wrong.code, 2, `exit ${wrong.code}\n${wrong.stderr}`);
    assert.equal(wrong.stdout, '');
    assert.match(wrong.stderr, new RegExp(`wrong\\.neumann\\.json:\\d+:\\d+ \\(at pytorch\\.tokenFile\\): token rejected by ${ranks.address.replace(/\./g, '\\.')}`));
    assert.ok(ranks.children.every((c) => isPidAlive(c.pid!)), 'the ranks keep serving after a refused token');

    const report = await diagnose(python, writeExperiment(dir, 'cluster', { connect: ranks.address, tokenFile: 'token' }));
    assert.equal(report.runtime?.worldSize, 2);
    assert.equal(report.runtime?.interpreterSource, `the server at ${ranks.address}`);
    assertSameNumbers(report, await one);
    // Without --keep the ranks exit when their client is done: nothing is left running.
    assert.deepEqual(await Promise.all(ranks.exits), [{ code: 0, signal: null }, { code: 0, signal: null }]);
  } finally {
    for (const c of ranks.children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }
});
