/**
 * One code-server (VS Code 1.100.3 in a browser, with a real Node extension host) per test file:
 * fresh user data, extensions and workspace folders under a temp dir, its own process group so
 * that stopping it also ends the `bootstrap-fork` children and anything the extension forked.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { codeServerEntry, extensionFolderName } from './prerequisites';

export interface ExtensionToInstall {
  /** Folder holding the extension's package.json. */
  root: string;
  /** What to copy (relative to root); missing entries are ignored. Default: the whole folder. */
  include?: string[];
}

export interface CodeServerOptions {
  extensions: ExtensionToInstall[];
  /** Extra user settings merged over the defaults (no workspace trust prompt, no start editor). */
  settings?: Record<string, unknown>;
  /** Files to place in the workspace: destination (relative) → source path or literal content. */
  workspaceFiles?: Record<string, { from: string } | { text: string }>;
  /** Extra environment for the server and the extension hosts it forks. */
  env?: Record<string, string>;
}

export interface ProcessInfo {
  pid: number;
  pgid: number;
  args: string;
}

export class CodeServer {
  private exited = false;

  private constructor(
    readonly port: number,
    readonly tempRoot: string,
    readonly workspace: string,
    readonly extensionsDir: string,
    readonly userDataDir: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
  ) {
    child.once('exit', () => (this.exited = true));
  }

  static async start(options: CodeServerOptions): Promise<CodeServer> {
    const tempRoot = mkdtempSync(join(tmpdir(), 'neumann-e2e-'));
    const workspace = join(tempRoot, 'workspace');
    const extensionsDir = join(tempRoot, 'extensions');
    const userDataDir = join(tempRoot, 'user-data');
    for (const d of [workspace, extensionsDir, join(userDataDir, 'User')]) mkdirSync(d, { recursive: true });

    const settings = {
      'security.workspace.trust.enabled': false,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'telemetry.telemetryLevel': 'off',
      ...options.settings,
    };
    writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify(settings, null, 2));

    for (const ext of options.extensions) {
      const dest = join(extensionsDir, extensionFolderName(ext.root));
      mkdirSync(dest, { recursive: true });
      for (const entry of ext.include ?? ['.']) {
        const src = join(ext.root, entry);
        if (existsSync(src)) cpSync(src, join(dest, entry), { recursive: true, dereference: true });
      }
    }
    for (const [rel, spec] of Object.entries(options.workspaceFiles ?? {})) {
      const dest = join(workspace, rel);
      mkdirSync(join(dest, '..'), { recursive: true });
      if ('from' in spec) cpSync(spec.from, dest);
      else writeFileSync(dest, spec.text);
    }

    const port = await freePort();
    const logFile = join(tempRoot, 'code-server.log');
    const logFd = openSync(logFile, 'a');
    const env = { ...process.env };
    // Do not let the test runner's own settings leak into VS Code's Node processes.
    for (const k of Object.keys(env)) if (k.startsWith('NODE_TEST') || k.startsWith('VSCODE_') || k === 'NODE_OPTIONS') delete env[k];
    Object.assign(env, options.env);
    const child = spawn(
      process.execPath,
      [
        codeServerEntry,
        '--config',
        join(tempRoot, 'config.yaml'),
        '--bind-addr',
        `127.0.0.1:${port}`,
        '--auth',
        'none',
        '--disable-telemetry',
        '--disable-update-check',
        '--user-data-dir',
        userDataDir,
        '--extensions-dir',
        extensionsDir,
        workspace,
      ],
      { detached: true, stdio: ['ignore', logFd, logFd], env },
    );
    closeSync(logFd);
    const server = new CodeServer(port, tempRoot, workspace, extensionsDir, userDataDir, logFile, child);
    try {
      await server.waitHealthy(60_000);
    } catch (e) {
      await server.stop();
      throw e;
    }
    return server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(this.workspace)}`;
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8') : '';
  }

  /** Processes of this server's group, or whose command line mentions its temp dir (e.g. a detached worker). */
  processes(): ProcessInfo[] {
    const out = execFileSync('ps', ['-eo', 'pid=,pgid=,args='], { encoding: 'utf8' });
    const pgid = this.child.pid!;
    return out
      .split('\n')
      .map((line) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ pid: Number(m[1]), pgid: Number(m[2]), args: m[3] }))
      .filter((p) => p.pid !== process.pid && (p.pgid === pgid || p.args.includes(this.tempRoot)));
  }

  /** Worker processes forked from the installed extension (its dist/worker.js). */
  workerProcesses(): ProcessInfo[] {
    return this.processes().filter((p) => /[\\/]dist[\\/]worker\.js\b/.test(p.args) && p.args.includes(this.extensionsDir));
  }

  /** Ends the whole process group (TERM, then KILL after a grace period) and removes the temp dir. */
  async stop(options: { keepTemp?: boolean } = {}): Promise<void> {
    const pgid = this.child.pid!;
    signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + 5000;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
    if (groupAlive(pgid)) signalGroup(pgid, 'SIGKILL');
    while (groupAlive(pgid) && Date.now() < deadline + 3000) await sleep(100);
    // Anything that escaped the group but lives in our temp dir is ours too.
    for (const p of this.processes()) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    if (!options.keepTemp) rmSync(this.tempRoot, { recursive: true, force: true });
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`code-server exited during start-up:\n${this.log().slice(-3000)}`);
      try {
        const r = await fetch(`http://127.0.0.1:${this.port}/healthz`);
        if (r.ok) return;
      } catch {
        /* not listening yet */
      }
      await sleep(200);
    }
    throw new Error(`code-server did not answer on port ${this.port}:\n${this.log().slice(-3000)}`);
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* group already gone */
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
