/**
 * The panel's HTML shell. Everything the panel draws comes from media/panel.js; this page only
 * sets a strict Content-Security-Policy (scripts by nonce, styles/fonts/images from the webview's
 * own origin, nothing remote, no inline handlers) and loads the bundle. Pure, so its policy is
 * unit-tested.
 */
import { randomBytes } from 'node:crypto';

export interface PanelHtmlInput {
  /** webview.cspSource */
  cspSource: string;
  nonce: string;
  /** webview.asWebviewUri of media/panel.js, as a string. */
  scriptUri: string;
  /** Stylesheets under media/ (panel.css, uPlot's CSS when shipped), as webview URIs. */
  styleUris: string[];
  title: string;
}

export function makeNonce(): string {
  return randomBytes(18).toString('base64').replace(/[^A-Za-z0-9]/g, '');
}

export function contentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    `font-src ${cspSource}`,
  ].join('; ');
}

const escapeAttr = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function panelHtml(input: PanelHtmlInput): string {
  if (!/^[A-Za-z0-9+/=]{16,}$/.test(input.nonce)) throw new Error('nonce must be at least 16 base64 characters');
  const csp = contentSecurityPolicy(input.cspSource, input.nonce);
  const styles = input.styleUris.map((u) => `  <link rel="stylesheet" href="${escapeAttr(u)}">`).join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${escapeAttr(csp)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
${styles}
  <title>${escapeAttr(input.title)}</title>
</head>
<body>
  <main id="app"></main>
  <script nonce="${input.nonce}" src="${escapeAttr(input.scriptUri)}"></script>
</body>
</html>
`;
}
