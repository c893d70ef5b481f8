/**
 * PyTorch experiments from the command line, each a real `node dist/cli.js` child running a real
 * Python bridge: the seed example's diagnosis and its runtime, --save-weights with the model's own
 * parameter names, and every bad input a user can make (exit 2 naming the place and what to do),
 * including an interpreter without torch (/usr/bin/python3 started with -S, so its dist-packages,
 * where Debian's torch lives, are not on its path) and one that does not exist.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, copyFileSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { ensureBuilt, tempDir } from '../worker/helpers';
import { fixture, lineOf, processesWith, torchPython } from '../bridge/helpers';
import { cli, startCli } from './helpers';

before(ensureBuilt);

const seed = join(__dirname, '../../examples/pytorch-seed');

function experiment(dir: string, pytorch: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'x.neumann.json');
  writeFileSync(file, JSON.stringify({ pytorch, weightDecay: 0.1, ...extra }, null, 2));
  return file;
}

test('diagnose the seed example through the bridge: exit 3, PyTorch’s numbers, the runtime, weights by parameter name', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const dir = tempDir();
  const report = join(dir, 'r.json');
  const weights = join(dir, 'w.json');
  const r = await cli(['diagnose', join(seed, 'bridge.neumann.json'), '--python', python, '--json', report, '--save-weights', weights, '--quiet']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout, /λ_min = −1\.749/);
  assert.match(r.stdout, /backend torch 1\.13[^\n]* · float64 on cpu · /);
  const json = JSON.parse(readFileSync(report, 'utf8'));
  assert.equal(json.backend, 'torch');
  assert.equal(json.runtime.interpreterSource, '--python');
  assert.equal(json.runtime.dtype, 'float64');
  // The saved tensors are the model's state_dict entries, equal to the weights it was given.
  const saved = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, unknown>;
  const given = JSON.parse(readFileSync(join(seed, 'weights.json'), 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(saved), Object.keys(given));
  for (const k of Object.keys(given)) {
    assert.deepEqual((saved[k] as number[] | number[][]).flat(), (given[k] as number[] | number[][]).flat().map((x) => Number(x)), k);
  }
});

test('NEUMANN_LENS_PYTHON chooses the interpreter; --python beats it', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const file = join(seed, 'bridge.neumann.json');
  const fromEnv = await cli(['diagnose', file, '--quiet'], { env: { ...process.env, NEUMANN_LENS_PYTHON: python } });
  assert.equal(fromEnv.code, 3, fromEnv.stderr);
  const both = await cli(['diagnose', file, '--quiet', '--python', python], { env: { ...process.env, NEUMANN_LENS_PYTHON: '/nonexistent/python3' } });
  assert.equal(both.code, 3, both.stderr);
});

async function bad(t: { skip(m: string): void }, args: (dir: string, python: string) => string[], expect: RegExp[]): Promise<void> {
  const python = await torchPython(t as never);
  if (!python) return;
  const dir = tempDir();
  const r = await cli(['diagnose', ...args(dir, python), '--quiet']);
  assert.equal(r.code, 2, `exit ${r.code}\n${r.stderr}`);
  assert.equal(r.stdout, '', 'no report');
  for (const re of expect) assert.match(r.stderr, re);
  assert.doesNotMatch(r.stderr, /internal error|neumann_lens[/\\]\w+\.py/, 'no bridge internals');
}

test('missing problem file: exit 2 at pytorch.file', (t) =>
  bad(t, (dir, py) => [experiment(dir, { file: 'nope.py' }), '--python', py], [/x\.neumann\.json:\d+:\d+ \(at pytorch\.file\): Python problem file not found: .*nope\.py/]));

test('a bad device: exit 2 at pytorch.device with the expected form', (t) =>
  bad(t, (dir, py) => [experiment(dir, { file: 'p.py', device: 'gpu' }), '--python', py], [/\(at pytorch\.device\): must be "cpu", "cuda" or "cuda:N" \(got "gpu"\)/]));

test('no neumann_problem(): exit 2 naming the file and what it must define', (t) =>
  bad(
    t,
    (dir, py) => {
      copyFileSync(fixture('bad/no_function.py'), join(dir, 'p.py'));
      return [experiment(dir, { file: 'p.py', dtype: 'float64' }), '--python', py];
    },
    [/p\.py: .*defines no neumann_problem\(\)/],
  ));

test('an exception in the user’s loss: exit 2 at the user’s file:line with the exception', (t) =>
  bad(
    t,
    (dir, py) => {
      copyFileSync(fixture('bad/raises_in_loss.py'), join(dir, 'p.py'));
      return [experiment(dir, { file: 'p.py', dtype: 'float64' }), '--python', py];
    },
    [new RegExp(`p\\.py:${lineOf(fixture('bad/raises_in_loss.py'))}: .*train_loss\\(model\\) raised: RuntimeError: mat1 and mat2 shapes cannot be multiplied`)],
  ));

test('a wrong return value: exit 2 saying what was expected', (t) =>
  bad(
    t,
    (dir, py) => {
      copyFileSync(fixture('bad/not_a_dict.py'), join(dir, 'p.py'));
      return [experiment(dir, { file: 'p.py', dtype: 'float64' }), '--python', py];
    },
    [/p\.py:\d+: .*returned list; expected a dict with keys model, train_loss, val_loss/],
  ));

test('the user’s code raising later, during the analysis: exit 2 at its file:line', (t) =>
  bad(
    t,
    (dir, py) => {
      writeFileSync(
        join(dir, 'p.py'),
        [
          'import torch',
          'calls = [0]',
          'def neumann_problem():',
          '    model = torch.nn.Linear(2, 1)',
          '    x = torch.ones(4, 2)',
          '    def train_loss(m):',
          '        calls[0] += 1',
          '        if calls[0] >= 6:',
          "            raise ValueError('call %d' % calls[0])  # MARK",
          '        return (m(x) ** 2).mean()',
          "    return {'model': model, 'train_loss': train_loss, 'val_loss': lambda m: m(x).mean()}",
          '',
        ].join('\n'),
      );
      return [experiment(dir, { file: 'p.py', dtype: 'float64' }), '--python', py];
    },
    [/p\.py:9: .*raised: ValueError: call \d+/],
  ));

test('torch not importable from the chosen interpreter: exit 2 naming it, who chose it and how to choose another', (t) =>
  bad(
    t,
    (dir, py) => {
      copyFileSync(join(seed, 'problem.py'), join(dir, 'p.py'));
      // A real interpreter whose site-packages are off: torch cannot be imported from it.
      const noTorch = join(dir, 'python-without-torch');
      writeFileSync(noTorch, `#!/bin/sh\nexec ${py} -S "$@"\n`);
      chmodSync(noTorch, 0o755);
      return [experiment(dir, { file: 'p.py', python: noTorch })];
    },
    [/\(at pytorch\.python\): torch is not importable from .*python-without-torch, chosen by pytorch\.python\); choose an interpreter with torch ≥ 1\.13 by "pytorch\.python" in the experiment, --python PATH or NEUMANN_LENS_PYTHON/],
  ));

test('an interpreter that does not exist: exit 2 naming it and who chose it', (t) =>
  bad(
    t,
    (dir) => {
      copyFileSync(join(seed, 'problem.py'), join(dir, 'p.py'));
      return [experiment(dir, { file: 'p.py' }), '--python', '/nonexistent/bin/python3'];
    },
    [/cannot run the Python interpreter \/nonexistent\/bin\/python3: not found \(chosen by --python\); choose an interpreter/],
  ));

test('connect to an address where nothing listens: exit 2 at pytorch.connect', (t) =>
  bad(
    t,
    (dir) => {
      writeFileSync(join(dir, 'token'), 'secret\n');
      return [experiment(dir, { connect: `127.0.0.1:${closedPort}`, tokenFile: 'token' })];
    },
    [/\(at pytorch\.connect\): .*is rank 0 running python -m neumann_lens serve --listen there\?/],
  ));

let closedPort = 9;
before(async () => {
  // A port that was free a moment ago: bound, then released.
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closedPort = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
});

test('SIGTERM during the analysis: exit 143 and no Python process left', async (t) => {
  const python = await torchPython(t);
  if (!python) return;
  const dir = tempDir();
  for (const f of ['problem.py', 'train.csv', 'val.csv', 'weights.json']) copyFileSync(join(seed, f), join(dir, f));
  const problem = join(dir, 'problem.py');
  const file = experiment(dir, { file: 'problem.py', dtype: 'float64' }, { analysis: { exactMaxParams: 0, maxLanczosSteps: 57, hutchinsonSamples: 100000 } });
  const run = startCli(['diagnose', file, '--python', python, '--events', join(dir, 'e.jsonl')]);
  // Wait until the server is up and the analysis has started, then stop the CLI.
  while (!readIfExists(join(dir, 'e.jsonl')).includes('"spectrumStep"') && !readTmpEvents(dir).includes('"spectrumStep"')) await new Promise((r) => setTimeout(r, 50));
  assert.ok(processesWith(problem).length > 0, 'the bridge runs');
  run.child.kill('SIGTERM');
  const r = await run.done;
  assert.equal(r.code, 143, r.stderr);
  while (processesWith(problem).length > 0) await new Promise((res) => setTimeout(res, 20));
});

function readIfExists(p: string): string {
  try {
    return readFileSync(p, 'utf8');
  } catch {
    return '';
  }
}

/** The events stream into a hidden temporary file beside the target until the run succeeds. */
function readTmpEvents(dir: string): string {
  return readdirSync(dir)
    .filter((n) => n.startsWith('.e.jsonl.'))
    .map((n) => readIfExists(join(dir, n)))
    .join('');
}
