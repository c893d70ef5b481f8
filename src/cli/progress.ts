/**
 * Progress bars on stderr: one line per phase, redrawn in place (≤ 10 times a second) and left
 * behind complete when the next phase starts. Only drawn on a TTY — a log file gets nothing.
 */
import type { Phase, SessionEvent } from '../protocol/messages';
import { formatNumber } from '../core/diagnosis/render-text';

const WIDTH = 24;
const REDRAW_MS = 100;

export interface ProgressSink {
  write(text: string): unknown;
  columns?: number;
}

export class ProgressBars {
  private phase: Phase | null = null;
  private label = '';
  private fraction = 0;
  private detail = '';
  private lastDraw = 0;
  private drawn = false;

  constructor(private readonly out: ProgressSink) {}

  onEvent(e: SessionEvent): void {
    switch (e.type) {
      case 'phase':
        if (e.phase !== this.phase) this.endLine();
        this.phase = e.phase;
        this.label = e.label;
        this.fraction = 0;
        this.detail = '';
        return this.draw(true);
      case 'progress':
        this.fraction = e.fraction;
        if (e.text) this.detail = e.text;
        return this.draw(false);
      case 'trainStep':
        this.detail = `epoch ${e.epoch + 1}, step ${e.step + 1}/${e.stepsPerEpoch}, loss ${formatNumber(e.loss)}`;
        return this.draw(false);
      case 'epoch':
        this.detail = `epoch ${e.epoch + 1}: train ${formatNumber(e.trainLoss)}, validation ${formatNumber(e.validationLoss)}`;
        return this.draw(true);
      case 'spectrumStep': {
        const parts = [`${e.method} step ${e.step}`, `${e.hvps} HVPs`];
        if (e.lambdaMax) parts.push(`λ_max ${formatNumber(e.lambdaMax.value)}`);
        if (e.lambdaMin) parts.push(`λ_min ${formatNumber(e.lambdaMin.value)}`);
        this.detail = parts.join(', ');
        return this.draw(false);
      }
      case 'neumannTerm':
        this.detail = `term ${e.term}: ‖v‖ ${formatNumber(e.norm)}`;
        return this.draw(false);
      default:
        return;
    }
  }

  /** Completes the current line (call before printing anything else on the terminal). */
  endLine(): void {
    if (!this.drawn) return;
    this.fraction = Math.max(this.fraction, 1);
    this.draw(true);
    this.out.write('\n');
    this.drawn = false;
  }

  private draw(force: boolean): void {
    if (this.phase === null) return;
    const now = Date.now();
    if (!force && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const f = Math.min(1, Math.max(0, this.fraction));
    const filled = Math.round(f * WIDTH);
    const bar = '█'.repeat(filled) + '░'.repeat(WIDTH - filled);
    let line = `${this.label.padEnd(14)} ${bar} ${String(Math.round(f * 100)).padStart(3)}%  ${this.detail}`;
    const cols = this.out.columns ?? 100;
    if (line.length > cols - 1) line = line.slice(0, cols - 1);
    // \r + erase line: redraw in place.
    this.out.write(`\r\x1b[2K${line}`);
    this.drawn = true;
  }
}
