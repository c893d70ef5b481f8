/**
 * Chart colours come from VS Code's theme variables (read from computed style, because canvas
 * drawing cannot use CSS variables). The body class changes with the theme; observers re-read.
 */
export interface Palette {
  foreground: string;
  muted: string;
  grid: string;
  background: string;
  blue: string;
  red: string;
  green: string;
  yellow: string;
  orange: string;
  purple: string;
  highContrast: boolean;
  /** Canvas text cannot use CSS variables: the resolved UI font. */
  fontFamily: string;
}

export type ThemeKind = 'light' | 'dark' | 'high-contrast' | 'high-contrast-light';

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-light') ? 'light' : 'dark';
}

const FALLBACK: Record<ThemeKind, Omit<Palette, 'highContrast' | 'fontFamily'>> = {
  dark: { foreground: '#cccccc', muted: '#9d9d9d', grid: 'rgba(204,204,204,0.15)', background: '#1e1e1e', blue: '#3794ff', red: '#f14c4c', green: '#89d185', yellow: '#cca700', orange: '#d18616', purple: '#b180d7' },
  light: { foreground: '#3b3b3b', muted: '#6f6f6f', grid: 'rgba(59,59,59,0.15)', background: '#ffffff', blue: '#1a85ff', red: '#e51400', green: '#388a34', yellow: '#bf8803', orange: '#d18616', purple: '#652d90' },
  'high-contrast': { foreground: '#ffffff', muted: '#ffffff', grid: 'rgba(255,255,255,0.35)', background: '#000000', blue: '#3794ff', red: '#f48771', green: '#89d185', yellow: '#ffd700', orange: '#ffa500', purple: '#b180d7' },
  'high-contrast-light': { foreground: '#292929', muted: '#292929', grid: 'rgba(41,41,41,0.35)', background: '#ffffff', blue: '#0f4a85', red: '#b5200d', green: '#374e06', yellow: '#895503', orange: '#895503', purple: '#652d90' },
};

export function readPalette(body: HTMLElement = document.body): Palette {
  const kind = themeKind(body);
  const cs = getComputedStyle(body);
  const v = (name: string, fallback: string) => cs.getPropertyValue(name).trim() || fallback;
  const f = FALLBACK[kind];
  const highContrast = kind.startsWith('high-contrast');
  return {
    foreground: v('--vscode-editor-foreground', v('--vscode-foreground', f.foreground)),
    muted: v('--vscode-descriptionForeground', f.muted),
    grid: highContrast ? f.grid : v('--vscode-charts-lines', f.grid),
    background: v('--vscode-editor-background', f.background),
    blue: v('--vscode-charts-blue', f.blue),
    red: v('--vscode-charts-red', f.red),
    green: v('--vscode-charts-green', f.green),
    yellow: v('--vscode-charts-yellow', f.yellow),
    orange: v('--vscode-charts-orange', f.orange),
    purple: v('--vscode-charts-purple', f.purple),
    highContrast,
    fontFamily: cs.fontFamily || 'sans-serif',
  };
}

/** Calls `onChange` whenever VS Code switches theme (it rewrites the body's class attribute). */
export function observeTheme(onChange: () => void, body: HTMLElement = document.body): () => void {
  let last = body.className;
  const obs = new MutationObserver(() => {
    if (body.className === last) return;
    last = body.className;
    onChange();
  });
  obs.observe(body, { attributes: true, attributeFilter: ['class'] });
  return () => obs.disconnect();
}

/** `color` with alpha, for band fills; accepts #rgb/#rrggbb(aa), otherwise returns it unchanged. */
export function withAlpha(color: string, alpha: number): string {
  const m = /^#([0-9a-f]{3}|[0-9a-f]{6})(?:[0-9a-f]{2})?$/i.exec(color.trim());
  if (!m) return color;
  const hex = m[1].length === 3 ? m[1].replace(/./g, (c) => c + c) : m[1];
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  return `rgba(${r},${g},${b},${alpha})`;
}
