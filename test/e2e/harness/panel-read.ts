/**
 * Reads what the Neumann Lens panel shows, by the ids and data attributes its views render
 * (src/webview/view-header.ts): the verdict title, the one-sentence cause, the numbers.
 */
import type { Frame } from 'playwright-core';
import { eventually } from './neumann';
import type { Workbench } from './workbench';

export interface ShownVerdict {
  frame: Frame;
  title: string;
  summary: string;
  /** data-num → value as a number (NaN when the panel shows '—'). */
  num: Record<string, number>;
  /** data-interval → [lo, hi]. */
  interval: Record<string, [number, number]>;
  /** The session line's status word (running, completed, stopped, failed). */
  status: string;
  text: string;
}

/** Parses the panel's number format (fmtNum: U+2212 minus, e-notation, ∞). */
export function parseShown(s: string): number {
  const t = s.trim().replace(/−/g, '-');
  if (t === '∞') return Infinity;
  if (t === '-∞') return -Infinity;
  return t === '' || t === '—' ? NaN : Number(t);
}

async function readVerdict(frame: Frame): Promise<ShownVerdict | null> {
  return frame.evaluate(() => {
    const title = document.querySelector('#verdict-title');
    if (!title) return null;
    const num: Record<string, string> = {};
    for (const el of Array.from(document.querySelectorAll('[data-num]'))) num[(el as HTMLElement).dataset.num!] = el.textContent ?? '';
    const interval: Record<string, string> = {};
    for (const el of Array.from(document.querySelectorAll('[data-interval]'))) interval[(el as HTMLElement).dataset.interval!] = el.textContent ?? '';
    return {
      title: title.textContent ?? '',
      summary: document.querySelector('#summary')?.textContent ?? '',
      num,
      interval,
      status: document.querySelector('.session .status')?.textContent ?? '',
      text: (document.querySelector('main#app')?.textContent ?? '').replace(/\s+/g, ' '),
    };
  }).then((raw) => {
    if (!raw) return null;
    const num: Record<string, number> = {};
    for (const [k, v] of Object.entries(raw.num)) num[k] = parseShown(v);
    const interval: Record<string, [number, number]> = {};
    for (const [k, v] of Object.entries(raw.interval)) {
      const m = /^\[(.*),(.*)\]$/.exec(v.trim());
      if (m) interval[k] = [parseShown(m[1]), parseShown(m[2])];
    }
    return { frame, title: raw.title, summary: raw.summary, num, interval, status: raw.status, text: raw.text };
  });
}

/** Waits for a completed session's verdict that satisfies `accept` (e.g. a re-run's new config). */
export function waitForVerdict(wb: Workbench, accept: (v: ShownVerdict) => boolean = () => true, timeoutMs = 180_000): Promise<ShownVerdict> {
  let last = '';
  return eventually(
    'the panel to show a completed verdict',
    async () => {
      for (const frame of wb.page.frames()) {
        const v = await readVerdict(frame).catch(() => null);
        if (!v) continue;
        last = `${v.status}: ${v.title} — ${v.summary}`;
        if (v.status === 'completed' && accept(v)) return v;
      }
      return null;
    },
    timeoutMs,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; last shown: ${last || 'no verdict'}`);
  });
}

/** The session line's status word in the panel, or '' when no panel frame shows one. */
export async function shownStatus(wb: Workbench): Promise<string> {
  for (const frame of wb.page.frames()) {
    const s = await frame
      .evaluate(() => (document.querySelector('main#app') ? document.querySelector('.session .status')?.textContent ?? '' : null))
      .catch(() => null);
    if (s !== null) return s;
  }
  return '';
}

/**
 * ρ(I − α(H + δI)) from the eigenvalue intervals shown, the closed form the verdict rests on:
 * the worst case over both ends of both intervals.
 */
export function rhoFromIntervals(alpha: number, delta: number, lmin: [number, number], lmax: [number, number]): number {
  return Math.max(...[...lmin, ...lmax].map((l) => Math.abs(1 - alpha * (l + delta))));
}

/** WCAG contrast ratio of two CSS colours (rgb()/rgba() or #rrggbb). */
export function contrastRatio(fg: string, bg: string): number {
  const channels = (c: string): number[] => {
    const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})/i.exec(c.trim());
    if (hex) return hex.slice(1, 4).map((x) => parseInt(x, 16));
    return (c.match(/[\d.]+/g) ?? ['0', '0', '0']).slice(0, 3).map(Number);
  };
  const lum = (c: string) => {
    const [r, g, b] = channels(c).map((x) => {
      const v = x / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
  return (a + 0.05) / (b + 0.05);
}
