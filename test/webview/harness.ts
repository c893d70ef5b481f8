/**
 * Loads the real panel bundle in Debian's Chromium the way a VS Code webview does: an HTML page
 * with the same strict CSP (scripts by nonce, styles/images only from the serving origin, which
 * plays `webview.cspSource`), a stub `acquireVsCodeApi` that records what the panel posts and
 * keeps its setState in sessionStorage (so a reload restores it, as VS Code does), and theme
 * variables on body classes like VS Code's. The bundle is built fresh from src/ for each run.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, copyFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';

export const ROOT = join(__dirname, '..', '..');
const NONCE = 'nlTestNonce0123456789';

/** CHROMIUM_PATH, when set, is the only candidate (so a wrong path is reported, not papered over). */
export function findChromium(): string | null {
  const env = process.env.CHROMIUM_PATH;
  const candidates = env ? [env] : ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
  return candidates.find((p): p is string => !!p && existsSync(p)) ?? null;
}

export async function launchChromium(executablePath: string): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export type Theme = 'light' | 'dark' | 'high-contrast';
export const BODY_CLASS: Record<Theme, string> = { light: 'vscode-light', dark: 'vscode-dark', 'high-contrast': 'vscode-high-contrast' };

/** A subset of VS Code's default theme colours (Light+/Dark+/High Contrast) the panel uses. */
export const THEME_VARS: Record<Theme, Record<string, string>> = {
  light: {
    '--vscode-foreground': '#3b3b3b', '--vscode-editor-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff',
    '--vscode-descriptionForeground': '#717171', '--vscode-focusBorder': '#005fb8', '--vscode-errorForeground': '#f85149',
    '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#0258a8',
    '--vscode-button-secondaryBackground': '#e5e5e5', '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-charts-red': '#e51400', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90',
    '--vscode-charts-lines': 'rgba(59,59,59,0.15)', '--vscode-panel-border': '#e5e5e5', '--vscode-textLink-foreground': '#005fb8',
    '--vscode-progressBar-background': '#005fb8', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
  },
  dark: {
    '--vscode-foreground': '#cccccc', '--vscode-editor-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f',
    '--vscode-descriptionForeground': '#9d9d9d', '--vscode-focusBorder': '#0078d4', '--vscode-errorForeground': '#f85149',
    '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-button-hoverBackground': '#026ec1',
    '--vscode-button-secondaryBackground': '#313131', '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-lines': 'rgba(204,204,204,0.15)', '--vscode-panel-border': '#2b2b2b', '--vscode-textLink-foreground': '#4daafc',
    '--vscode-progressBar-background': '#0078d4', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
  },
  'high-contrast': {
    '--vscode-foreground': '#ffffff', '--vscode-editor-foreground': '#ffffff', '--vscode-editor-background': '#000000',
    '--vscode-descriptionForeground': '#ffffff', '--vscode-focusBorder': '#f38518', '--vscode-errorForeground': '#f48771',
    '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-button-border': '#6fc3df',
    '--vscode-button-secondaryBackground': '#000000', '--vscode-button-secondaryForeground': '#ffffff', '--vscode-contrastBorder': '#6fc3df',
    '--vscode-charts-red': '#f14c4c', '--vscode-charts-blue': '#3794ff', '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-orange': '#d18616', '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-lines': 'rgba(255,255,255,0.3)', '--vscode-panel-border': '#6fc3df', '--vscode-textLink-foreground': '#21a6ff',
    '--vscode-progressBar-background': '#6fc3df', '--vscode-font-family': 'system-ui, sans-serif', '--vscode-font-size': '13px',
  },
};

function themeCss(): string {
  return (Object.keys(THEME_VARS) as Theme[])
    .map((t) => `body.${BODY_CLASS[t]} {\n${Object.entries(THEME_VARS[t]).map(([k, v]) => `  ${k}: ${v};`).join('\n')}\n}`)
    .join('\n');
}

function pageHtml(origin: string, theme: Theme): string {
  const csp = `default-src 'none'; script-src 'nonce-${NONCE}'; style-src ${origin}; img-src ${origin} data:; font-src ${origin}`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="${origin}/theme.css">
<link rel="stylesheet" href="${origin}/media/uPlot.min.css">
<link rel="stylesheet" href="${origin}/media/panel.css">
<script nonce="${NONCE}">
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push({ directive: e.violatedDirective, blocked: e.blockedURI, sample: e.sample }));
  window.__posted = [];
  window.__setStateCalls = 0;
  window.acquireVsCodeApi = () => ({
    postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
    getState: () => { const s = sessionStorage.getItem('vscodeState'); return s === null ? undefined : JSON.parse(s); },
    setState: (s) => { window.__setStateCalls++; sessionStorage.setItem('vscodeState', JSON.stringify(s)); },
  });
</script>
</head>
<body class="${BODY_CLASS[theme]}">
<main id="app"></main>
<script nonce="${NONCE}" src="${origin}/media/panel.js"></script>
</body>
</html>`;
}

export interface PanelServer {
  origin: string;
  url(theme: Theme): string;
  close(): Promise<void>;
}

/** Bundles src/webview/main.ts and serves it with media/panel.css, uPlot's CSS and the test page. */
export async function startPanelServer(): Promise<PanelServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nl-webview-'));
  await esbuild.build({
    entryPoints: [join(ROOT, 'src/webview/main.ts')], outfile: join(dir, 'panel.js'), bundle: true, format: 'iife',
    platform: 'browser', target: 'chrome114', logLevel: 'warning', absWorkingDir: ROOT,
    // Minified as in the packaged extension (build.mjs --production).
    minify: true,
  });
  copyFileSync(join(ROOT, 'media/panel.css'), join(dir, 'panel.css'));
  copyFileSync(join(ROOT, 'node_modules/uplot/dist/uPlot.min.css'), join(dir, 'uPlot.min.css'));
  writeFileSync(join(dir, 'theme.css'), themeCss());
  let origin = '';
  const files: Record<string, [string, string]> = {
    '/media/panel.js': ['panel.js', 'text/javascript'], '/media/panel.css': ['panel.css', 'text/css'],
    '/media/uPlot.min.css': ['uPlot.min.css', 'text/css'], '/theme.css': ['theme.css', 'text/css'],
  };
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const f = files[u.pathname];
    if (u.pathname === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(pageHtml(origin, (u.searchParams.get('theme') as Theme) || 'dark'));
    } else if (u.pathname === '/favicon.ico') {
      res.writeHead(204);
      res.end();
    } else if (f) {
      res.writeHead(200, { 'content-type': f[1] });
      res.end(readFileSync(join(dir, f[0])));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    url: (theme) => `${origin}/index.html?theme=${theme}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
        rmSync(dir, { recursive: true, force: true });
      }),
  };
}

/** Where the recorded session lives (override for development with NEUMANN_FIXTURE_DIR). */
export function fixturePaths(): { events: string; report: string } {
  const dir = process.env.NEUMANN_FIXTURE_DIR ?? join(ROOT, 'test/fixtures');
  return { events: join(dir, 'seed-regression.events.jsonl'), report: join(dir, 'seed-regression.report.json') };
}

/** The recorded hyperparameter-loop session (scripts/record-hyper-fixture.ts). */
export function hyperFixturePaths(): { events: string; report: string } {
  const dir = join(ROOT, 'test/fixtures');
  return { events: join(dir, 'hyper-logistic.events.jsonl'), report: join(dir, 'hyper-logistic.report.json') };
}
