/**
 * Output files that never cost the user an old one. Before the run every target is checked and
 * a temporary file is created beside it (so a missing or read-only folder, or a target that is a
 * folder, is reported before any work); during the run streamed output goes to its temporary
 * file; only after the run succeeded is each temporary file renamed over its target (atomic on
 * one file system). A failed or interrupted run removes the temporary files and leaves every
 * existing file as it was. Devices and pipes (`/dev/stdout`, `>(…)`) are written directly:
 * there is no file to lose, and renaming over a device would replace it.
 *
 * Everything here is synchronous on purpose: the process-exit hook (a second Ctrl+C exits at
 * once) must be able to remove the temporary files, and an exit handler cannot wait. A process
 * killed outright leaves its temporary files; the next run writing the same output removes them.
 */
import { accessSync, closeSync, constants, fchmodSync, fsyncSync, openSync, readdirSync, realpathSync, renameSync, statSync, unlinkSync, writeSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../core/errors';

export interface OutputRequest {
  /** The flag that asked for it, e.g. `--json`: messages name it. */
  flag: string;
  path: string;
}

interface Pending {
  flag: string;
  /** The path as the user named it (absolute): what messages show. */
  target: string;
  /** Where the result goes: the real file behind a symlink, so the link survives. */
  final: string;
  /** null: a device or pipe, written directly. */
  temp: string | null;
  fd: number;
  /** The replaced file's permissions, kept for the new file. */
  mode?: number;
  writeError?: string;
}

const live = new Set<OutputFiles>();

/** Removes the temporary files of every uncommitted output set (the CLI's process-exit hook). */
export function discardPendingOutputs(): void {
  for (const o of live) o.discard();
}

export class OutputFiles {
  private constructor(private readonly files: Map<string, Pending>) {
    live.add(this);
  }

  /**
   * Checks every target and creates its temporary file. `inputs` are files the run reads
   * (experiment, data), which no output may replace. Throws an InputError at the target's
   * path, with nothing left behind, when an output cannot be written.
   */
  static open(requests: readonly OutputRequest[], inputs: readonly string[]): OutputFiles {
    const planned = requests.map((r) => plan(r));
    const protectedFiles = new Map(inputs.map((f) => [realOrSame(f), f]));
    planned.forEach((p, i) => {
      const input = protectedFiles.get(p.final);
      if (input !== undefined) fail(p, `would replace an input of this run${input === p.target ? '' : ` (${input})`}; choose another path`);
      const earlier = planned.slice(0, i).find((q) => q.final === p.final);
      if (earlier) fail(p, `the same file as ${earlier.flag}; give each output its own file`);
    });
    const files = new Map<string, Pending>();
    try {
      for (const p of planned) files.set(p.flag, create(p));
    } catch (e) {
      for (const f of files.values()) removeTemp(f);
      throw e;
    }
    return new OutputFiles(files);
  }

  has(flag: string): boolean {
    return this.files.has(flag);
  }

  /** Appends to a streamed output (the events). A write error is kept and reported by commit. */
  append(flag: string, text: string): void {
    const f = this.get(flag);
    if (f.writeError) return;
    try {
      writeAll(f.fd, text);
    } catch (e) {
      f.writeError = errorCode(e);
    }
  }

  /**
   * Writes the remaining contents (by flag) and renames every temporary file over its target.
   * Every file is complete and on disk before the first rename, so a full disk changes nothing.
   */
  commit(contents: Readonly<Record<string, string>>): void {
    try {
      for (const f of this.files.values()) {
        const text = contents[f.flag];
        if (text !== undefined && !f.writeError) {
          try {
            writeAll(f.fd, text);
          } catch (e) {
            f.writeError = errorCode(e);
          }
        }
        if (f.writeError) fail(f, `could not write (${f.writeError}); existing files are unchanged`);
        if (f.temp === null) continue;
        if (f.mode !== undefined) fchmodSync(f.fd, f.mode);
        fsyncSync(f.fd);
      }
      for (const f of this.files.values()) {
        closeSync(f.fd);
        f.fd = -1;
      }
      for (const f of this.files.values()) {
        if (f.temp !== null) renameSync(f.temp, f.final);
        f.temp = null;
      }
    } catch (e) {
      this.discard();
      throw e;
    }
    live.delete(this);
  }

  /** Removes the temporary files; existing targets are never touched. Safe to call twice. */
  discard(): void {
    for (const f of this.files.values()) removeTemp(f);
    live.delete(this);
  }

  private get(flag: string): Pending {
    const f = this.files.get(flag);
    if (!f) throw new Error(`no output was opened for ${flag}`);
    return f;
  }
}

type Plan = Omit<Pending, 'fd' | 'temp'> & { direct: boolean };

/** What the target is, where its result goes, and whether it can be written at all. */
function plan(r: OutputRequest): Plan {
  const target = resolve(r.path);
  const base = { flag: r.flag, target };
  let st: Stats;
  try {
    st = statSync(target);
  } catch (e) {
    const code = errorCode(e);
    if (code !== 'ENOENT' && code !== 'ENOTDIR') fail(base, `cannot reach this path (${code})`);
    checkFolderChain(base);
    return { ...base, final: target, direct: false };
  }
  if (st.isDirectory()) fail(base, `is a folder; expected a file path (${r.flag} <file>)`);
  if (!st.isFile()) return { ...base, final: target, direct: true };
  const final = realpathSync(target);
  try {
    accessSync(final, constants.W_OK);
  } catch (e) {
    fail(base, `the file is read-only (${errorCode(e)})`);
  }
  return { ...base, final, mode: st.mode & 0o7777, direct: false };
}

/** A new file's folder must exist and be a folder: name the first part of the path that is not. */
function checkFolderChain(p: Pick<Pending, 'flag' | 'target'>): void {
  let missing: string | null = null;
  for (let dir = dirname(p.target); ; dir = dirname(dir)) {
    let st: Stats | null = null;
    try {
      st = statSync(dir);
    } catch (e) {
      if (errorCode(e) !== 'ENOENT') fail(p, `cannot reach the folder ${dir} (${errorCode(e)})`);
    }
    if (st) {
      if (!st.isDirectory()) fail(p, `${dir} is a file, not a folder`);
      if (missing !== null) fail(p, `the folder ${missing} does not exist`);
      return;
    }
    missing = dir;
    if (dirname(dir) === dir) fail(p, `the folder ${missing} does not exist`);
  }
}

function create(p: Plan): Pending {
  if (p.direct) {
    try {
      return { ...p, temp: null, fd: openSync(p.final, 'w') };
    } catch (e) {
      fail(p, `cannot open for writing (${errorCode(e)})`);
    }
  }
  const dir = dirname(p.final);
  removeStaleTemps(dir, basename(p.final));
  const temp = join(dir, `.${basename(p.final)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  try {
    return { ...p, temp, fd: openSync(temp, 'wx') };
  } catch (e) {
    const code = errorCode(e);
    const why = code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? `the folder ${dir} is not writable (${code})` : `cannot create a file in ${dir} (${code})`;
    fail(p, why);
  }
}

/**
 * A run killed outright (SIGKILL, out of memory, a signal during a long synchronous step) leaves
 * its temporary files behind; the next run writing the same output removes those whose process
 * is gone. Only names of exactly this form are touched.
 */
function removeStaleTemps(dir: string, base: string): void {
  const pattern = new RegExp(`^\\.${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.(\\d+)-[0-9a-f]{8}\\.tmp$`);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return; // create() reports the folder's problem
  }
  for (const name of names) {
    const pid = Number(pattern.exec(name)?.[1]);
    if (!Number.isInteger(pid) || pid === process.pid || isAlive(pid)) continue;
    try {
      unlinkSync(join(dir, name));
    } catch {
      // another run removed it first, or it is not ours to remove: leave it
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(e) === 'EPERM';
  }
}

function removeTemp(f: Pending): void {
  if (f.fd >= 0) {
    try {
      closeSync(f.fd);
    } catch {
      // already closed: nothing to release
    }
    f.fd = -1;
  }
  if (f.temp === null) return;
  try {
    unlinkSync(f.temp);
  } catch {
    // gone already (or its folder was removed): nothing of the user's is at stake
  }
  f.temp = null;
}

function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
}

function realOrSame(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return resolve(file);
  }
}

/** `<target>: --json: <message>`: the path first (terminals link it), then the flag that named it. */
function fail(p: Pick<Pending, 'target' | 'flag'>, message: string): never {
  throw new InputError(`${p.flag}: ${message}`, { kind: 'file', file: p.target });
}

function errorCode(e: unknown): string {
  return (e as NodeJS.ErrnoException).code ?? String(e);
}
