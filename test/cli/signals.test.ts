/**
 * SIGINT/SIGTERM during a run of the built CLI (a real child process): the session stops through
 * its AbortSignal, the exit code is 130/143, and every output file that existed before is
 * byte-identical afterwards, with no temporary file left beside it.
 */
import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, longMlp, tempDir, writeJson } from '../worker/helpers';
import { snapshot, startCli, tempFiles, type Running } from './helpers';

before(ensureBuilt);

const OUTPUTS = { '--json': 'r.json', '--markdown': 'r.md', '--events': 'e.jsonl', '--save-weights': 'w.json' };

/** A long experiment and an old version of every output, as a previous run would have left them. */
function setup(): { dir: string; args: string[] } {
  const dir = tempDir();
  const file = writeJson(dir, 'long.neumann.json', longMlp());
  const args = ['diagnose', file];
  for (const [flag, name] of Object.entries(OUTPUTS)) {
    writeFileSync(join(dir, name), `previous ${name}\n`);
    args.push(flag, join(dir, name));
  }
  return { dir, args };
}

/** Polls until `ready()` holds; fails if the process ends first. */
async function waitFor(run: Running, ready: () => boolean, what: string): Promise<void> {
  let ended = false;
  void run.done.then(() => (ended = true));
  while (!ready()) {
    if (ended) assert.fail(`the CLI ended before ${what}: ${run.stderr()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Once training is under way: the events stream into a temporary file, the old file is untouched. */
async function whenTraining(run: Running, dir: string): Promise<void> {
  const streamed = () => tempFiles(dir).some((n) => n.startsWith('.e.jsonl.') && readFileSync(join(dir, n), 'utf8').includes('"trainStep"'));
  await waitFor(run, streamed, 'training started');
  assert.equal(readFileSync(join(dir, 'e.jsonl'), 'utf8'), 'previous e.jsonl\n', 'the old events file is untouched while the run streams');
  assert.equal(tempFiles(dir).length, Object.keys(OUTPUTS).length, 'one temporary file per output, created before the run');
}

for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
  test(`${signal} stops the run: exit ${code}, old outputs byte-identical, no temporary files`, async (t) => {
    const { dir, args } = setup();
    const old = snapshot(dir);
    const run = startCli(args);
    t.after(() => run.child.kill('SIGKILL'));
    await whenTraining(run, dir);
    run.child.kill(signal);
    const r = await run.done;
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`interrupted by ${signal}; existing output files are unchanged`));
    assert.equal(r.stdout, '', 'no report');
    assert.deepEqual(snapshot(dir), old);
    assert.deepEqual(tempFiles(dir), []);
  });
}

test('a second SIGINT exits too, with the old outputs intact and no temporary files', async (t) => {
  const { dir, args } = setup();
  const old = snapshot(dir);
  const run = startCli(args);
  // A failed assertion must not leave a long run behind (SIGKILL after the end is a no-op).
  t.after(() => run.child.kill('SIGKILL'));
  await whenTraining(run, dir);
  // Whether the second signal finds the process still stopping (exit at once, through the exit
  // hook) or already gone depends on scheduling; the outcome must be the same either way.
  run.child.kill('SIGINT');
  await new Promise((r) => setImmediate(r));
  run.child.kill('SIGINT');
  const r = await run.done;
  assert.equal(r.code, 130, r.stderr);
  assert.deepEqual(snapshot(dir), old);
  assert.deepEqual(tempFiles(dir), []);
});
