import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseArgs } from '../../src/cli/args';
import { describeInputError } from '../../src/cli/run-cli';
import { InputError } from '../../src/core/errors';

test('diagnose with every option, in both --flag value and --flag=value forms', () => {
  assert.deepEqual(parseArgs(['diagnose', 'x.json', '--json', 'r.json', '--markdown=r.md', '--events', 'e.jsonl', '--save-weights=w.json', '--backend=wasm', '--quiet']), {
    command: 'diagnose',
    experiment: 'x.json',
    json: 'r.json',
    markdown: 'r.md',
    events: 'e.jsonl',
    saveWeights: 'w.json',
    backend: 'wasm',
    quiet: true,
  });
  assert.deepEqual(parseArgs(['diagnose', 'x.json']), {
    command: 'diagnose',
    experiment: 'x.json',
    json: undefined,
    markdown: undefined,
    events: undefined,
    saveWeights: undefined,
    backend: 'auto',
    quiet: false,
  });
  assert.deepEqual(parseArgs(['--help']), { command: 'help' });
  assert.deepEqual(parseArgs(['diagnose', '-h']), { command: 'help' });
  assert.deepEqual(parseArgs(['--version']), { command: 'version' });
});

test('usage mistakes are UsageErrors that say what is wrong', () => {
  const cases: [string[], RegExp][] = [
    [[], /missing command/],
    [['train', 'x.json'], /unknown command "train"/],
    [['diagnose'], /missing the experiment file/],
    [['diagnose', 'a.json', 'b.json'], /expected one experiment file, got 2/],
    [['diagnose', 'a.json', '--backend', 'gpu'], /--backend must be one of auto, tensorflow, wasm, cpu \(got "gpu"\)/],
    [['diagnose', 'a.json', '--json'], /--json needs a value/],
    [['diagnose', 'a.json', '--fast'], /unknown option --fast/],
  ];
  for (const [argv, re] of cases) assert.throws(() => parseArgs(argv), (e: unknown) => e instanceof UsageError && re.test(e.message), argv.join(' '));
});

test('input errors point at file:line:col and name the JSON path when the text has it', () => {
  const text = '{\n  "neumann": {\n    "alpha": -1,\n    "terms": 10\n  }\n}\n';
  const e = new InputError('must be > 0 (got -1)', { kind: 'json', file: '/x/e.json', path: 'neumann.alpha' });
  const msg = describeInputError(e, text);
  assert.match(msg, /^\/x\/e\.json:3:\d+ \(at neumann\.alpha\): must be > 0 \(got -1\)$/);
  // Without the text (or a path not in it) the error's own location is used.
  assert.equal(describeInputError(e, null), '/x/e.json at neumann.alpha: must be > 0 (got -1)');
  const f = new InputError('experiment file not found', { kind: 'file', file: '/x/none.json' });
  assert.equal(describeInputError(f, null), '/x/none.json: experiment file not found');
});
