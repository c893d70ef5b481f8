/** OutputFiles on the real file system: nothing existing is touched until commit, and then atomically. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { InputError } from '../../src/core/errors';
import { OutputFiles, discardPendingOutputs } from '../../src/cli/outputs';
import { tempDir } from '../worker/helpers';
import { snapshot, tempFiles } from './helpers';

function withOld(names: string[]): string {
  const dir = tempDir();
  for (const n of names) writeFileSync(join(dir, n), `old ${n}\n`);
  return dir;
}

test('open creates one temporary file per output beside it and touches no existing file; commit renames them over', () => {
  const dir = withOld(['r.json', 'e.jsonl']);
  const old = snapshot(dir);
  const out = OutputFiles.open(
    [
      { flag: '--json', path: join(dir, 'r.json') },
      { flag: '--events', path: join(dir, 'e.jsonl') },
      { flag: '--markdown', path: join(dir, 'new.md') },
    ],
    [],
  );
  assert.equal(tempFiles(dir).length, 3);
  out.append('--events', 'line 1\n');
  out.append('--events', 'line 2\n');
  const streamed = tempFiles(dir).find((n) => n.startsWith('.e.jsonl.'))!;
  assert.equal(readFileSync(join(dir, streamed), 'utf8'), 'line 1\nline 2\n', 'appended as it goes');
  for (const [name, bytes] of old) assert.deepEqual(readFileSync(join(dir, name)), bytes, `${name} untouched before commit`);
  out.commit({ '--json': '{"new":1}\n', '--markdown': '# new\n' });
  assert.equal(readFileSync(join(dir, 'r.json'), 'utf8'), '{"new":1}\n');
  assert.equal(readFileSync(join(dir, 'e.jsonl'), 'utf8'), 'line 1\nline 2\n');
  assert.equal(readFileSync(join(dir, 'new.md'), 'utf8'), '# new\n');
  assert.deepEqual(tempFiles(dir), []);
});

test('discard (a failed or interrupted run) removes the temporary files and leaves the old ones byte-identical', () => {
  const dir = withOld(['r.json', 'e.jsonl']);
  const old = snapshot(dir);
  const out = OutputFiles.open(
    [
      { flag: '--json', path: join(dir, 'r.json') },
      { flag: '--events', path: join(dir, 'e.jsonl') },
    ],
    [],
  );
  out.append('--events', 'partial\n');
  out.discard();
  out.discard();
  assert.deepEqual(snapshot(dir), old);
  assert.deepEqual(tempFiles(dir), []);
});

test('the process-exit hook discards every uncommitted set (a second Ctrl+C exits at once)', () => {
  const dir = withOld(['r.json']);
  const old = snapshot(dir);
  const a = OutputFiles.open([{ flag: '--json', path: join(dir, 'r.json') }], []);
  const b = OutputFiles.open([{ flag: '--markdown', path: join(dir, 'r.md') }], []);
  b.commit({ '--markdown': 'committed\n' });
  discardPendingOutputs();
  assert.deepEqual(tempFiles(dir), []);
  assert.deepEqual(readFileSync(join(dir, 'r.json')), old.get('r.json'));
  assert.equal(readFileSync(join(dir, 'r.md'), 'utf8'), 'committed\n', 'a committed file is not removed');
  a.discard();
});

test('a replaced file keeps its permissions; a symlinked target keeps its link and the real file is replaced', () => {
  const dir = withOld(['r.json', 'real.md']);
  chmodSync(join(dir, 'r.json'), 0o640);
  symlinkSync(join(dir, 'real.md'), join(dir, 'link.md'));
  const out = OutputFiles.open(
    [
      { flag: '--json', path: join(dir, 'r.json') },
      { flag: '--markdown', path: join(dir, 'link.md') },
    ],
    [],
  );
  out.commit({ '--json': 'new\n', '--markdown': 'new md\n' });
  assert.equal(statSync(join(dir, 'r.json')).mode & 0o777, 0o640);
  assert.ok(lstatSync(join(dir, 'link.md')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'link.md')), join(dir, 'real.md'));
  assert.equal(readFileSync(join(dir, 'real.md'), 'utf8'), 'new md\n');
});

test('a write error while streaming is reported at commit, and then nothing is replaced', () => {
  const dir = withOld(['r.json']);
  const old = snapshot(dir);
  // /dev/full is a device: written directly (no temporary file), and every write fails with ENOSPC.
  const out = OutputFiles.open(
    [
      { flag: '--json', path: join(dir, 'r.json') },
      { flag: '--events', path: '/dev/full' },
    ],
    [],
  );
  out.append('--events', 'x\n');
  assert.throws(
    () => out.commit({ '--json': 'new\n' }),
    (e: unknown) => e instanceof InputError && /^\/dev\/full: --events: could not write \(ENOSPC\)/.test(e.message),
  );
  assert.deepEqual(snapshot(dir), old);
  assert.deepEqual(tempFiles(dir), []);
});

test('targets that cannot be written are InputErrors at the target path before any file is created', () => {
  const dir = withOld(['exp.neumann.json', 'r.json']);
  mkdirSync(join(dir, 'folder'));
  const cases: [{ flag: string; path: string }[], RegExp][] = [
    [[{ flag: '--json', path: join(dir, 'no', 'such', 'r.json') }], /\/no\/such\/r\.json: --json: the folder .*\/no does not exist$/],
    [[{ flag: '--json', path: join(dir, 'folder') }], /\/folder: --json: is a folder; expected a file path \(--json <file>\)$/],
    [[{ flag: '--json', path: join(dir, 'r.json', 'x.json') }], /\/r\.json\/x\.json: --json: .*\/r\.json is a file, not a folder$/],
    [[{ flag: '--json', path: join(dir, 'exp.neumann.json') }], /\/exp\.neumann\.json: --json: would replace an input of this run/],
    [
      [
        { flag: '--json', path: join(dir, 'a.json') },
        { flag: '--markdown', path: join(dir, 'a.json') },
      ],
      /\/a\.json: --markdown: the same file as --json; give each output its own file$/,
    ],
    [
      [
        { flag: '--json', path: join(dir, 'fine.json') },
        { flag: '--markdown', path: join(dir, 'folder') },
      ],
      /--markdown: is a folder/,
    ],
  ];
  const old = snapshot(dir);
  for (const [requests, re] of cases) {
    assert.throws(
      () => OutputFiles.open(requests, [join(dir, 'exp.neumann.json')]),
      (e: unknown) => e instanceof InputError && e.where?.kind === 'file' && re.test(e.message),
      re.source,
    );
    assert.deepEqual(snapshot(dir), old, re.source);
    assert.deepEqual(tempFiles(dir), [], `${re.source}: no temporary file left`);
  }
});

test('temporary files of a run that was killed outright are removed by the next run writing that output', async () => {
  const dir = withOld(['r.json']);
  // A process that has exited: its pid names no live process (1, init, is always alive).
  const child = spawn(process.execPath, ['-e', '']);
  const deadPid = await new Promise<number>((resolve) => child.on('exit', () => resolve(child.pid!)));
  const stale = `.r.json.${deadPid}-deadbeef.tmp`;
  const live = '.r.json.1-cafebabe.tmp';
  const other = `.other.json.${deadPid}-deadbeef.tmp`;
  for (const n of [stale, live, other]) writeFileSync(join(dir, n), 'partial');
  const out = OutputFiles.open([{ flag: '--json', path: join(dir, 'r.json') }], []);
  out.commit({ '--json': 'new\n' });
  assert.deepEqual([...snapshot(dir).keys()], [live, other, 'r.json'].sort());
});
