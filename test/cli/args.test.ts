import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UsageError, parseArgs } from '../../src/cli/args';
import { describeInputError } from '../../src/cli/run-cli';
import { InputError } from '../../src/core/errors';

test('diagnose with every option, in both --flag value and --flag=value forms', () => {
  assert.deepEqual(parseArgs(['diagnose', 'x.json', '--json', 'r.json', '--markdown=r.md', '--events', 'e.jsonl', '--save-weights=w.json', '--backend=wasm', '--python', '/opt/py/bin/python', '--quiet']), {
    command: 'diagnose',
    experiment: 'x.json',
    json: 'r.json',
    markdown: 'r.md',
    events: 'e.jsonl',
    saveWeights: 'w.json',
    backend: 'wasm',
    python: '/opt/py/bin/python',
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
    python: undefined,
    quiet: false,
  });
  // Short flags, also grouped, and the `--` terminator for a file name that starts with '-'.
  assert.deepEqual(parseArgs(['diagnose', '-q', '--', '-odd.json']), { ...parseArgs(['diagnose', 'x.json']), experiment: '-odd.json', quiet: true });
});

test('--help per command (anywhere in its arguments), help <command>, --version', () => {
  assert.deepEqual(parseArgs(['--help']), { command: 'help' });
  assert.deepEqual(parseArgs(['-h']), { command: 'help' });
  assert.deepEqual(parseArgs(['help']), { command: 'help' });
  assert.deepEqual(parseArgs(['help', 'diagnose']), { command: 'help', topic: 'diagnose' });
  assert.deepEqual(parseArgs(['-h', 'diagnose']), { command: 'help', topic: 'diagnose' });
  assert.deepEqual(parseArgs(['diagnose', '-h']), { command: 'help', topic: 'diagnose' });
  // Help wins over a mistake in the same line: the user is asking how to fix it.
  assert.deepEqual(parseArgs(['diagnose', 'x.json', '--fast', '--help']), { command: 'help', topic: 'diagnose' });
  assert.deepEqual(parseArgs(['diagnose', '-qh']), { command: 'help', topic: 'diagnose' });
  assert.deepEqual(parseArgs(['--version']), { command: 'version' });
  assert.deepEqual(parseArgs(['diagnose', 'x.json', '-v']), { command: 'version' });
  // `--json --help` is a missing value, not a request for help.
  assert.throws(() => parseArgs(['diagnose', 'x.json', '--json', '--help']), /--json needs a value/);
});

test('usage mistakes are UsageErrors that name the flag and the expected form', () => {
  const cases: [string[], RegExp, string | undefined][] = [
    [[], /^missing command \(expected "diagnose" or "python-path"\)$/, undefined],
    [['train', 'x.json'], /^unknown command "train"/, undefined],
    [['diagnos', 'x.json'], /^unknown command "diagnos" .*did you mean diagnose\?/, undefined],
    [['help', 'train'], /^unknown command "train"/, undefined],
    [['help', 'diagnose', 'x'], /"help" takes one command name, got 2/, undefined],
    [['--quiet', 'diagnose', 'x.json'], /^options go after the command: neumann-lens diagnose x\.json --quiet$/, 'diagnose'],
    [['-x'], /^unknown option -x$/, undefined],
    [['diagnose'], /^missing the experiment file \(neumann-lens diagnose <experiment\.neumann\.json> \[options\]\)$/, 'diagnose'],
    [['diagnose', 'a.json', 'b.json'], /^expected one experiment file, got 2: a\.json b\.json \(neumann-lens diagnose </, 'diagnose'],
    [['diagnose', 'a.json', '--backend', 'gpu'], /^--backend must be one of auto, tensorflow, wasm, cpu \(got "gpu"\)$/, 'diagnose'],
    [['diagnose', 'a.json', '--json'], /^--json needs a value \(--json <file>\)$/, 'diagnose'],
    [['diagnose', 'a.json', '--json='], /^--json needs a value \(--json <file>\)$/, 'diagnose'],
    [['diagnose', 'a.json', '--json', '--quiet'], /^--json needs a value \(--json <file>\), but the next argument is the option --quiet; .*--json=--quiet/, 'diagnose'],
    [['diagnose', 'a.json', '--fast'], /^unknown option --fast for "diagnose"$/, 'diagnose'],
    [['diagnose', 'a.json', '--markdwn', 'r.md'], /^unknown option --markdwn for "diagnose"; did you mean --markdown\?$/, 'diagnose'],
    [['diagnose', 'a.json', '-z'], /^unknown option -z for "diagnose"$/, 'diagnose'],
    [['diagnose', 'a.json', '--quiet=yes'], /^--quiet takes no value \(got --quiet=yes\)$/, 'diagnose'],
    [['diagnose', 'a.json', '--json', 'a', '--json=b'], /^--json is given twice \(a and b\): give it once$/, 'diagnose'],
  ];
  for (const [argv, re, topic] of cases) {
    assert.throws(
      () => parseArgs(argv),
      (e: unknown) => e instanceof UsageError && re.test(e.message) && e.topic === topic,
      `${argv.join(' ')}`,
    );
  }
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
  // A JSON path without a file (raised during the session) is in the experiment file.
  const during = new InputError('training loss became Infinity at epoch 1, step 4: lower training.learningRate', { kind: 'json', path: 'training.learningRate' });
  const withRate = '{\n  "training": { "epochs": 3, "learningRate": 1e6 }\n}\n';
  assert.equal(describeInputError(during, withRate, '/x/e.json'), `/x/e.json:2:30 (at training.learningRate): ${during.detail}`);
  assert.equal(describeInputError(during, null, '/x/e.json'), `/x/e.json at training.learningRate: ${during.detail}`);
  assert.equal(describeInputError(during, withRate), `training.learningRate: ${during.detail}`, 'no file known: the path alone');
});
