/**
 * Progress on stderr: one line, redrawn in place (≤ 10 times a second), showing the session's
 * overall fraction (the runner weights its phases), the phase, and what it is doing right now.
 * Only used on a TTY — a log file or a pipe gets nothing.
 */
import type { SessionEvent } from '../protocol/messages';
import { fmtNum, fmtPercent, fmtProgress } from '../core/diagnosis/format';

const WIDTH = 24;
const REDRAW_MS = 100;

export interface ProgressSink {
  write(text: string): unknown;
  columns?: number;
}

export class ProgressBars {
  private label: string | null = null;
  private fraction = 0;
  private detail = '';
  private lastDraw = 0;
  private drawn = false;
  private readonly started = Date.now();

  constructor(private readonly out: ProgressSink) {}

  onEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'phase':
        this.label = e.label;
        this.fraction = e.fraction;
        this.detail = '';
        return this.draw(true);
      case 'progress':
        this.fraction = e.fraction;
        if (e.text) this.detail = e.text;
        return this.draw(false);
      case 'trainStep':
        this.detail = `epoch ${e.epoch}, step ${e.step}/${e.stepsPerEpoch}, loss ${fmtNum(e.loss)}`;
        return this.draw(false);
      case 'epoch':
        this.detail = `epoch ${e.epoch}: train ${fmtNum(e.trainLoss)}, validation ${fmtNum(e.validationLoss)}`;
        return this.draw(false);
      case 'spectrumStep': {
        const parts = [`${e.method} step ${e.step}`, `${e.hvps} HVPs`];
        if (e.lambdaMax) parts.push(`λ_max ${fmtNum(e.lambdaMax.value)}`);
        if (e.lambdaMin) parts.push(`λ_min ${fmtNum(e.lambdaMin.value)}`);
        this.detail = parts.join(', ');
        return this.draw(false);
      }
      case 'neumannTerm':
        this.detail = `term ${e.term}: ‖v‖ ${fmtNum(e.norm)}`;
        return this.draw(false);
      case 'hyperStep': {
        const s = e.step;
        const err = s.relativeError === null ? '' : `, error ${fmtPercent(s.relativeError)}`;
        this.detail = `${e.inverse} hyper-step ${s.step}: weight decay ${fmtNum(s.weightDecay[0])}${s.weightDecay.length > 1 ? '…' : ''}, val loss ${fmtNum(s.validationLoss)}, ρ ${fmtNum(s.rho)}${err}`;
        return this.draw(true);
      }
      default:
        return;
    }
  }

  /** Erases the line (before anything else is printed, and at the end); the next event redraws it. */
  clear(): void {
    if (!this.drawn) return;
    this.out.write('\r\x1b[2K');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    if (this.label === null) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const f = Math.min(1, Math.max(0, this.fraction));
    const filled = Math.round(f * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    const secs = ((now - this.started) / 1000).toFixed(1);
    let line = `${bar} ${fmtProgress(f).padStart(5)} ${secs.padStart(5)} s  ${this.label}${this.detail ? `: ${this.detail}` : ''}`;
    const cols = this.out.columns || 100;
    if (line.length > cols - 1) line = line.slice(0, cols - 2) + '…';
    // \r + erase line: redraw in place.
    this.out.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
