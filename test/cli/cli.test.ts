/** The built CLI (dist/cli.js) as a user runs it: exit codes, report files, located input errors. */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGNOSE_FLAGS } from '../../src/cli/flags';
import { commandUsage, topUsage } from '../../src/cli/usage';
import { DiagnosisReport } from '../../src/core/diagnosis/report';
import { problemIn } from '../../src/protocol/check';
import { SessionEvent } from '../../src/protocol/messages';
import { ROOT, ensureBuilt, tempDir, tinyMlp, writeJson } from '../worker/helpers';
import { cli, tempFiles } from './helpers';

before(ensureBuilt);

test('--help per command, --version and usage errors', async () => {
  const [help, diagnoseHelp, version, none, unknown] = await Promise.all([
    cli(['--help']),
    cli(['diagnose', '--help']),
    cli(['--version']),
    cli([]),
    cli(['diagnose', 'x.json', '--jsn', 'r.json']),
  ]);
  assert.equal(help.code, 0);
  assert.equal(help.stdout, topUsage());
  assert.match(help.stdout, /^Usage: neumann-lens <command> \[options\]\n/);
  assert.equal(diagnoseHelp.code, 0);
  assert.equal(diagnoseHelp.stdout, commandUsage('diagnose'));
  for (const name of Object.keys(DIAGNOSE_FLAGS)) assert.ok(diagnoseHelp.stdout.includes(`--${name}`), `--help lists --${name}`);
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /missing command/);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /^neumann-lens: unknown option --jsn for "diagnose"; did you mean --json\?\nRun "neumann-lens diagnose --help" for the usage\.\n$/);
});

test('the toy cubic converges (exit 0) and reproduces H⁻¹v = (10/3, 10/3)', async () => {
  const dir = tempDir();
  const json = join(dir, 'cubic.json');
  const r = await cli(['diagnose', 'examples/seed-toy-cubic.neumann.json', '--json', json, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0], /^✓ Converges/);
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.schemaVersion, 1);
  // f = Σ x³ at (0.05, 0.05): H = diag(6·0.05) = 0.3·I, so H⁻¹(1, 1) = (1/0.3, 1/0.3).
  for (const x of report.neumann.solutionHead) assert.ok(Math.abs(x - 1 / 0.3) < 5e-4, `${x}`);
});

test('a successful run replaces existing outputs and leaves no temporary file', async () => {
  const dir = tempDir();
  const [json, md, events] = ['r.json', 'r.md', 'e.jsonl'].map((f) => join(dir, f));
  for (const f of [json, md, events]) writeFileSync(f, 'previous\n');
  const r = await cli(['diagnose', 'examples/seed-toy-cubic.neumann.json', '--json', json, '--markdown', md, '--events', events, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).schemaVersion, 1);
  assert.match(readFileSync(md, 'utf8'), /^# Neumann Lens diagnosis: /);
  assert.match(readFileSync(events, 'utf8'), /^\{"type":/);
  assert.deepEqual(tempFiles(dir), []);
});

test('the seed scenario diverges (exit 3): verdict first, JSON, Markdown and the event stream', async () => {
  const dir = tempDir();
  const [json, md, events] = ['r.json', 'r.md', 'e.jsonl'].map((f) => join(dir, f));
  const r = await cli(['diagnose', 'examples/seed-regression.neumann.json', '--json', json, '--markdown', md, '--events', events]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout.split('\n')[0], /^✗ Diverges/);
  assert.equal(r.stderr, '', 'no progress bars when stderr is not a TTY');
  const report = JSON.parse(readFileSync(json, 'utf8'));
  assert.equal(report.schemaVersion, 1);
  assert.equal(problemIn(DiagnosisReport, report, 'report'), null, 'the JSON file is a valid report');
  assert.match(report.advice.verdict, /^diverges-/);
  assert.ok(r.stdout.includes(report.advice.summary));
  assert.match(readFileSync(md, 'utf8'), /^# Neumann Lens diagnosis: /);
  const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
  assert.ok(lines.length > 5);
  for (const e of lines) {
    // JSON has no NaN/Infinity: a diverging term norm is written as null, so only check the type tags here.
    assert.ok(problemIn(SessionEvent, e, 'event') === null || e.type === 'neumannTerm', JSON.stringify(e));
  }
  assert.ok(lines.some((e) => e.type === 'phase' && e.phase === 'train'));
  assert.equal(lines.filter((e) => e.type === 'neumannTerm').length, report.neumann.termNorms.length);
});

test('bad inputs exit 2 with the JSON path (or the file) in the message', async () => {
  const dir = tempDir();
  const base = tinyMlp();
  const cases: { name: string; config: unknown; expect: RegExp }[] = [
    { name: 'unknown-key', config: { ...base, colour: 'red' }, expect: /colour/ },
    { name: 'wrong-type', config: { ...base, training: { epochs: 'ten', batchSize: 32, learningRate: 0.01 } }, expect: /training\.epochs/ },
    { name: 'bad-activation', config: { ...base, model: { layers: [1, 4, 1], activation: 'swish' } }, expect: /model\.activation/ },
    { name: 'terms-zero', config: { ...base, neumann: { alpha: 1, terms: 0 } }, expect: /neumann\.terms/ },
    { name: 'terms-negative', config: { ...base, neumann: { alpha: 1, terms: -3 } }, expect: /neumann\.terms/ },
    { name: 'alpha-zero', config: { ...base, neumann: { alpha: 0, terms: 10 } }, expect: /neumann\.alpha/ },
    { name: 'alpha-negative', config: { ...base, neumann: { alpha: -1, terms: 10 } }, expect: /neumann\.alpha/ },
    {
      name: 'missing-data',
      config: { ...base, data: { train: { csv: 'absent.csv', target: 'y' }, validation: { csv: 'absent.csv', target: 'y' } } },
      expect: /data\.train\.csv[\s\S]*absent\.csv|absent\.csv[\s\S]*data\.train\.csv/,
    },
  ];
  const runs = cases.map(async (c) => {
    const file = writeJson(dir, `${c.name}.neumann.json`, c.config);
    const r = await cli(['diagnose', file, '--quiet']);
    assert.equal(r.code, 2, `${c.name}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, c.expect, c.name);
    assert.ok(r.stderr.includes(file), `${c.name} names the file: ${r.stderr}`);
    assert.equal(r.stdout, '', `${c.name}: no report`);
  });
  await Promise.all(runs);
});

test('a missing experiment file and a JSON syntax error exit 2 with file (and line:col)', async () => {
  const dir = tempDir();
  const missing = await cli(['diagnose', join(dir, 'nowhere.neumann.json')]);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /nowhere\.neumann\.json: experiment file not found/);
  const broken = join(dir, 'broken.neumann.json');
  writeFileSync(broken, '{\n  "name": "x",\n  "seed": 1,,\n}\n');
  const syntax = await cli(['diagnose', broken]);
  assert.equal(syntax.code, 2);
  assert.ok(syntax.stderr.includes(`${broken}:3:`), syntax.stderr);
});

test('a wrong alpha is located at its line and column', async () => {
  const dir = tempDir();
  const file = writeJson(dir, 'alpha.neumann.json', tinyMlp({ neumann: { alpha: -2, terms: 10 } }));
  const text = readFileSync(file, 'utf8');
  const line = text.split('\n').findIndex((l) => l.includes('"alpha"')) + 1;
  const r = await cli(['diagnose', file]);
  assert.equal(r.code, 2);
  assert.ok(r.stderr.includes(`${file}:${line}:`), r.stderr);
  assert.match(r.stderr, /\(at neumann\.alpha\)/);
});

test('a slowly converging series exits 0 but says so', async () => {
  const dir = tempDir();
  // H = diag(1, 0.01), α = 1: ρ = 0.99 < 1, so it converges, but ~690 terms are needed, not 10.
  const file = writeJson(dir, 'slow.neumann.json', {
    name: 'slow quadratic',
    problem: { kind: 'quadratic', matrix: [[1, 0], [0, 0.01]], vector: [1, 1] },
    neumann: { alpha: 1, terms: 10 },
  });
  const r = await cli(['diagnose', file, '--quiet']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout.split('\n')[0], /^⚠ Converges slowly/);
  assert.match(r.stderr, /converges, but slowly/);
});

test('a divergent analytic problem exits 3', async () => {
  const dir = tempDir();
  // H = diag(3, 1), α = 1: |1 − 3| = 2 > 1, the step is too large.
  const file = writeJson(dir, 'steep.neumann.json', {
    name: 'steep quadratic',
    problem: { kind: 'quadratic', matrix: [[3, 0], [0, 1]], vector: [1, 1] },
    neumann: { alpha: 1, terms: 10 },
  });
  const r = await cli(['diagnose', file, '--quiet']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stdout.split('\n')[0], /^✗ Diverges: step too large/);
});

test('--save-weights writes the trained weights as a PyTorch state_dict; analysing them as given (epochs 0) gives the same spectrum', async () => {
  const dir = tempDir();
  const trained = writeJson(dir, 'trained.neumann.json', tinyMlp());
  const weights = join(dir, 'weights.json');
  const first = join(dir, 'first.json');
  const r1 = await cli(['diagnose', trained, '--save-weights', weights, '--json', first, '--backend', 'cpu', '--quiet']);
  // This seeded net has λ_max ≈ 6.2 > 2/α = 4 (ρ ≈ 2.1, far from 1 on any backend): it diverges.
  assert.equal(r1.code, 3, r1.stderr);
  const dict = JSON.parse(readFileSync(weights, 'utf8')) as Record<string, unknown>;
  assert.deepEqual(Object.keys(dict), ['0.weight', '0.bias', '2.weight', '2.bias'], 'nn.Sequential(Linear, act, Linear) keys');
  assert.deepEqual([(dict['0.weight'] as number[][]).length, (dict['0.weight'] as number[][])[0].length], [4, 1], 'weight [out, in]');

  const given = writeJson(dir, 'given.neumann.json', tinyMlp({ model: { layers: [1, 4, 1], activation: 'tanh', init: { stateDict: 'weights.json' } }, training: { epochs: 0, batchSize: 32, learningRate: 0.05 } }));
  const second = join(dir, 'second.json');
  const r2 = await cli(['diagnose', given, '--json', second, '--backend', 'cpu', '--quiet']);
  assert.equal(r2.code, 3, r2.stderr);
  const a = JSON.parse(readFileSync(first, 'utf8'));
  const b = JSON.parse(readFileSync(second, 'utf8'));
  assert.equal(a.advice.verdict, 'diverges-step-too-large');
  assert.equal(b.advice.verdict, a.advice.verdict);
  assert.equal(b.loss.train, a.loss.train);
  assert.deepEqual(b.spectrum.eigenvalues, a.spectrum.eigenvalues);
  assert.deepEqual(b.neumann.termNorms, a.neumann.termNorms);

  const problem = await cli(['diagnose', 'examples/seed-toy-cubic.neumann.json', '--save-weights', join(dir, 'x.json'), '--quiet']);
  assert.equal(problem.code, 2);
  assert.match(problem.stderr, /--save-weights needs an MLP experiment/);
});

test('output paths are checked before the session, and a full disk while writing events is an input error, not a crash', async () => {
  const early = await cli(['diagnose', 'examples/seed-regression.neumann.json', '--json', '/nonexistent-dir/r.json', '--quiet']);
  assert.equal(early.code, 2);
  assert.match(early.stderr, /\/nonexistent-dir\/r\.json: --json: the folder \/nonexistent-dir does not exist/);
  assert.equal(early.stdout, '', 'no session ran');
  // A device is written directly (there is no file to lose, and renaming over it would replace it).
  const full = await cli(['diagnose', 'examples/seed-toy-cubic.neumann.json', '--events', '/dev/full', '--quiet']);
  assert.equal(full.code, 2);
  assert.match(full.stderr, /\/dev\/full: --events: could not write \(ENOSPC\); existing files are unchanged/);
});
