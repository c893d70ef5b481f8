/**
 * Runs diagnosis sessions for the editor: one worker process per run (SessionClient), one run at
 * a time. It feeds the panel model, shows a cancellable progress notification with the phase,
 * writes worker logs to the output channel, and turns the report or the error into diagnostics.
 */
import * as vscode from 'vscode';
import { basename, dirname } from 'node:path';
import { readFileSync } from 'node:fs';
import { parseJsonStrict } from '../core/config/json-location';
import { InputError, formatProblem } from '../core/errors';
import { errorToInfo } from '../process/faults';
import { pythonChoices } from './python-interpreter';
import { errorProblems, type ErrorInfo, type SessionEvent, type StartOptions } from '../protocol/messages';
import type { PanelState } from '../protocol/webview';
import { SessionClient, type SessionResult } from '../session/client';
import { errorDiagnostics, reportDiagnostics } from './diagnostics-model';
import { withRunValues } from './diagnostics-refresh';
import type { DiagnosticsManager } from './diagnostics';
import type { PanelHost } from './panel-host';
import type { PanelModel } from './panel-model';
import { decodeState, encodeState } from './persisted-state';
import { readSettings } from './settings';

const STATE_KEY = 'neumannLens.panelState';

export class SessionController implements vscode.Disposable {
  private current: { id: number; client: SessionClient } | null = null;
  /** Every client not yet ended: deactivate must leave no worker behind. */
  private readonly live = new Set<SessionClient>();

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly model: PanelModel,
    private readonly panel: PanelHost,
    private readonly diagnostics: DiagnosticsManager,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The panel state saved by the last run in this workspace, if it is well-formed. */
  savedState(): PanelState | null {
    const saved = this.context.workspaceState.get<unknown>(STATE_KEY);
    if (saved === undefined) return null;
    const decoded = decodeState(saved);
    if ('problem' in decoded) {
      this.log.warn(`ignored the saved panel state: ${decoded.problem}`);
      return null;
    }
    return decoded.state;
  }

  get running(): boolean {
    return this.current !== null;
  }

  /** Runs the experiment in `uri` (its current editor text, saved or not). */
  async run(uri: vscode.Uri): Promise<void> {
    if (uri.scheme !== 'file') {
      void vscode.window.showErrorMessage('Neumann Lens: save the experiment to a file first (relative data paths resolve against its folder).');
      return;
    }
    const file = uri.fsPath;
    const doc = await vscode.workspace.openTextDocument(uri);
    // The text this run reads: its diagnostics are about these values (stale once they change).
    const runText = doc.getText();
    let config: unknown;
    try {
      config = parseJsonStrict(runText, file);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      const info = errorToInfo(err);
      // Shown in the panel and status bar too, unless that would hide a session still running.
      if (!this.current) this.model.ended(this.model.startSession(basename(file), file), 'failed', info);
      this.showFailure(file, info, runText);
      return;
    }
    // Two runs started together must not both survive: from here to `this.current = …` is synchronous.
    while (this.current) await this.stop();
    const settings = readSettings((k) => vscode.workspace.getConfiguration('neumannLens').get(k));
    const name = isNamed(config) ? config.name : basename(file);
    const id = this.model.startSession(name, file, configuredAlpha(config));
    this.diagnostics.clearRun(file);
    if (settings.showPanelOnRun) this.panel.show(true);

    const client = new SessionClient({
      workerPath: this.context.asAbsolutePath('dist/worker.js'),
      maxMemoryMb: settings.maxMemoryMb,
      cwd: dirname(file),
    });
    this.live.add(client);
    this.current = { id, client };
    client.on('ready', ({ pid, backend }) => this.log.info(`[${name}] worker ${pid} started (TF.js backend: ${backend ?? 'not yet initialised'})`));
    client.on('event', (ev) => {
      if (ev.type === 'log') this.writeLog(name, ev);
      // The loop's warnings as they happen; Problems get them with the report.
      if (ev.type === 'hyperWarning') for (const m of ev.messages) this.writeLog(name, { type: 'log', level: m.severity === 'info' ? 'info' : 'warn', text: m.text });
      this.model.event(id, ev);
    });
    client.on('stderr', (text) => this.log.warn(`[${name}] worker stderr: ${text.trimEnd()}`));
    client.on('report', (report) => this.model.report(id, report));

    const options: StartOptions = { backend: settings.backend };
    if (settings.exactMaxParams !== null) options.exactMaxParams = settings.exactMaxParams;
    const python = await pythonChoices(config, uri, settings.pythonInterpreter, (text) => this.log.warn(`[${name}] ${text}`));
    if (python) options.python = python;
    this.log.info(`[${name}] starting ${file} (backend ${settings.backend}, heap ${settings.maxMemoryMb} MB)`);
    let started: Promise<SessionResult>;
    try {
      started = client.start(config, file, options);
    } catch (err) {
      // fork itself threw (e.g. a bad execPath): end this session as failed instead of leaving it "running".
      const message = err instanceof Error ? err.message : String(err);
      started = Promise.resolve({ outcome: 'failed', report: null, error: { message: `could not start the worker: ${message}`, code: 'worker-exit' }, exitCode: null, signal: null });
    }
    const result = await this.withProgress(name, client, started);
    this.live.delete(client);
    if (this.current?.client === client) this.current = null;
    this.finish(id, name, file, result, runText);
  }

  /** Stops the current session (no-op when none); resolves when its worker is gone. */
  async stop(): Promise<void> {
    const cur = this.current;
    if (!cur) return;
    this.current = null;
    await cur.client.dispose();
  }

  /** Ends every session; for deactivate(). */
  async disposeAll(): Promise<void> {
    this.current = null;
    await Promise.all([...this.live].map((c) => c.dispose()));
    this.live.clear();
  }

  dispose(): void {
    void this.disposeAll();
  }

  private withProgress(name: string, client: SessionClient, done: Promise<SessionResult>): Promise<SessionResult> {
    return Promise.resolve(
      vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Neumann Lens: ${name}`, cancellable: true },
        async (progress, token) => {
          let reported = 0;
          let label = 'starting';
          const off = client.on('event', (ev) => {
            if (ev.type !== 'phase' && ev.type !== 'progress') return;
            if (ev.type === 'phase') label = ev.label;
            // Progress increments are cumulative percentages; fractions only move forward here.
            const pct = Math.max(reported, Math.min(100, Math.round(ev.fraction * 100)));
            const text = ev.type === 'progress' && ev.text ? `${label} — ${ev.text}` : label;
            progress.report({ message: text, increment: pct - reported });
            reported = pct;
          });
          token.onCancellationRequested(() => {
            this.log.info(`[${name}] cancelled from the notification`);
            client.cancel();
          });
          try {
            return await done;
          } finally {
            off();
          }
        },
      ),
    );
  }

  /**
   * After a window reload the panel comes back from the saved state; the Problems panel must come
   * back with it, from the same report (or error), relocated against the file's current text.
   * The text the run read is not saved, so staleness counts from the file as it is at the reload.
   */
  restoreDiagnostics(state: PanelState): void {
    const file = state.session?.experimentFile ?? state.report?.experimentFile ?? null;
    if (!file || state.session?.status === 'running') return;
    const text = this.textOf(file) ?? '';
    if (state.report) this.diagnostics.setRun(file, withRunValues(reportDiagnostics(state.report, file, text), file, text));
    else if (state.error) this.diagnostics.setRun(file, withRunValues(errorDiagnostics(state.error, file, (f) => this.textOf(f)), file, text));
  }

  private finish(id: number, name: string, file: string, result: SessionResult, runText: string): void {
    this.model.ended(id, result.outcome, result.error);
    void this.context.workspaceState.update(STATE_KEY, encodeState(this.model.current));
    if (result.outcome === 'completed' && result.report) {
      const report = result.report;
      this.diagnostics.setRun(file, withRunValues(reportDiagnostics(report, file, this.textOf(file) ?? ''), file, runText));
      this.log.info(`[${name}] ${report.neumann.verdict}: ${report.advice.summary}`);
      // The visible panel and the status bar already say it; a toast only when the panel is not in view.
      if (!this.panel.isVisible) {
        const show = report.neumann.verdict === 'converges' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
        void show(`Neumann Lens: ${report.advice.summary}`, 'Show Panel').then((pick) => pick && this.panel.show());
      }
    } else if (result.outcome === 'failed' && result.error) {
      this.showFailure(file, result.error, runText);
    } else {
      this.log.info(`[${name}] ${result.outcome}`);
    }
  }

  private showFailure(file: string, error: ErrorInfo, runText: string): void {
    const diags = withRunValues(errorDiagnostics(error, file, (f) => this.textOf(f)), file, runText);
    this.diagnostics.setRun(file, diags);
    this.log.error(`${basename(file)}: ${errorProblems(error).map(formatProblem).join('\n')}`);
    if (error.stack) this.log.debug(error.stack);
    // The toast names the first problem; the Problems panel has each one at its place.
    const more = diags.length > 1 ? ` (and ${diags.length - 1} more in Problems)` : '';
    const first = diags.length > 0 ? `${basename(diags[0].file)}: ${diags[0].message}${more}` : error.message;
    const action = error.code === 'input' ? 'Show Problems' : 'Show Output';
    void vscode.window.showErrorMessage(`Neumann Lens: ${first}`, action).then((pick) => {
      if (pick === 'Show Problems') void vscode.commands.executeCommand('workbench.actions.view.problems');
      else if (pick === 'Show Output') this.log.show(true);
    });
  }

  /** Current text of a file: the open editor's (possibly unsaved) text, else the disk's. */
  private textOf(file: string): string | null {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
    if (open) return open.getText();
    try {
      return readFileSync(file, 'utf8');
    } catch {
      return null;
    }
  }

  private writeLog(name: string, ev: Extract<SessionEvent, { type: 'log' }>): void {
    const text = `[${name}] ${ev.text}`;
    if (ev.level === 'debug') this.log.debug(text);
    else if (ev.level === 'info') this.log.info(text);
    else if (ev.level === 'warn') this.log.warn(text);
    else this.log.error(text);
  }
}

/** neumann.alpha as written in the (not yet validated) config, when it is a positive number. */
function configuredAlpha(config: unknown): number | undefined {
  const n = typeof config === 'object' && config !== null ? (config as { neumann?: { alpha?: unknown } }).neumann : undefined;
  const a = n?.alpha;
  return typeof a === 'number' && Number.isFinite(a) && a > 0 ? a : undefined;
}

function isNamed(v: unknown): v is { name: string } {
  return typeof v === 'object' && v !== null && typeof (v as { name?: unknown }).name === 'string';
}
