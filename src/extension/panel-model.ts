/**
 * The host-side copy of what the panel shows. Every message is folded with the same
 * reducePanelState the panel uses, so a panel that (re)loads or becomes visible again is brought
 * up to date with one `snapshot`, then follows incremental messages. Pure (no vscode): the panel
 * host attaches a `post` function and reports ready/visibility changes.
 */
import { emptyPanelState, reducePanelState } from '../protocol/panel-state';
import type { ErrorInfo, SessionEvent, SessionOutcome } from '../protocol/messages';
import type { HostToPanel, PanelState } from '../protocol/webview';
import type { DiagnosisReport } from '../core/diagnosis/report';

export type Post = (msg: HostToPanel) => void;

export class PanelModel {
  private state: PanelState;
  private lastId: number;
  private post: Post | null = null;
  /** The panel has announced `ready` since it was (re)loaded. */
  private ready = false;
  private visible = true;
  private listeners: ((state: PanelState) => void)[] = [];

  constructor(initial: PanelState = emptyPanelState()) {
    this.state = initial;
    this.lastId = initial.session?.id ?? 0;
  }

  get current(): PanelState {
    return this.state;
  }

  /** Called after every change of state (status bar, persistence). Returns an unsubscribe. */
  subscribe(listener: (state: PanelState) => void): () => void {
    this.listeners.push(listener);
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
    };
  }

  /**
   * Adopts a state saved before a window reload (already validated by the caller) unless this
   * window has shown a session of its own since. Returns whether it was adopted.
   */
  restore(state: PanelState): boolean {
    if (this.state.session || this.state.report) return false;
    // A session that was running when the window went away died with it.
    const s = state.session;
    this.state = s?.status === 'running' ? { ...state, session: { ...s, status: 'cancelled' } } : state;
    this.lastId = Math.max(this.lastId, state.session?.id ?? 0);
    this.sendSnapshot();
    for (const l of this.listeners) l(this.state);
    return true;
  }

  /** A new panel (or a reloaded webview): nothing is posted until it says `ready`. */
  attach(post: Post): void {
    this.post = post;
    this.ready = false;
    this.visible = true;
  }

  detach(): void {
    this.post = null;
    this.ready = false;
  }

  panelReady(): void {
    this.ready = true;
    this.sendSnapshot();
  }

  /** A hidden webview may miss messages (or be torn down): resync with a snapshot when shown. */
  setVisible(visible: boolean): void {
    const wasVisible = this.visible;
    this.visible = visible;
    if (visible && !wasVisible) this.sendSnapshot();
  }

  startSession(name: string, experimentFile: string | null, alpha?: number): number {
    const id = ++this.lastId;
    this.apply({ type: 'sessionStarted', id, name, experimentFile, ...(alpha !== undefined ? { alpha } : {}) });
    return id;
  }

  event(id: number, event: SessionEvent): void {
    // Logs go to the output channel; the panel's state ignores them.
    if (event.type === 'log') return;
    this.apply({ type: 'event', id, event });
  }

  report(id: number, report: DiagnosisReport): void {
    this.apply({ type: 'report', id, report });
  }

  ended(id: number, outcome: SessionOutcome, error: ErrorInfo | null): void {
    this.apply({ type: 'sessionEnded', id, outcome, error });
  }

  /** True while the session with this id is the one shown and still running. */
  isRunning(id?: number): boolean {
    const s = this.state.session;
    return !!s && s.status === 'running' && (id === undefined || s.id === id);
  }

  private apply(msg: HostToPanel): void {
    const next = reducePanelState(this.state, msg);
    const changed = next !== this.state;
    this.state = next;
    // Messages the reducer ignored (a stale session's late events) are not worth posting.
    if (!changed) return;
    if (this.post && this.ready && this.visible) this.post(msg);
    for (const l of this.listeners) l(this.state);
  }

  private sendSnapshot(): void {
    if (this.post && this.ready && this.visible) this.post({ type: 'snapshot', state: this.state });
  }
}
