import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentSecurityPolicy, makeNonce, panelHtml } from '../../src/extension/panel-html';

const cspSource = 'https://file+.vscode-resource.vscode-cdn.net';
const nonce = 'abcdefghijklmnopqrstuvwx';
const html = panelHtml({
  cspSource,
  nonce,
  scriptUri: `${cspSource}/ext/media/panel.js`,
  styleUris: [`${cspSource}/ext/media/uPlot.min.css`, `${cspSource}/ext/media/panel.css`],
  title: 'Neumann Lens',
});

function csp(): Map<string, string[]> {
  const m = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html);
  assert.ok(m, 'a CSP meta tag');
  const directives = new Map<string, string[]>();
  for (const d of m[1].replace(/&#39;/g, "'").split(';')) {
    const [name, ...values] = d.trim().split(/\s+/);
    directives.set(name, values);
  }
  return directives;
}

test('the CSP denies by default and allows only nonce scripts and the webview origin', () => {
  const d = csp();
  assert.deepEqual(d.get('default-src'), ["'none'"]);
  assert.deepEqual(d.get('script-src'), [`'nonce-${nonce}'`]);
  assert.deepEqual(d.get('style-src'), [cspSource]);
  assert.deepEqual(d.get('img-src'), [cspSource, 'data:']);
  assert.deepEqual(d.get('font-src'), [cspSource]);
  assert.equal(d.size, 5);
  assert.ok(!html.includes('unsafe-inline') && !html.includes('unsafe-eval'));
  assert.equal(contentSecurityPolicy(cspSource, nonce).split('; ').length, 5);
});

test('one script, by nonce, from media; stylesheets in order; no inline code or handlers', () => {
  const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
  assert.equal(scripts.length, 1);
  assert.match(scripts[0][1], new RegExp(`nonce="${nonce}"`));
  assert.match(scripts[0][1], /src="[^"]+\/media\/panel\.js"/);
  assert.equal(scripts[0][2].trim(), '', 'no inline script body');
  assert.doesNotMatch(html, /\son[a-z]+\s*=/i);
  assert.doesNotMatch(html, /<style/);
  assert.doesNotMatch(html, /style="/);
  const links = [...html.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
  assert.deepEqual(links, [`${cspSource}/ext/media/uPlot.min.css`, `${cspSource}/ext/media/panel.css`]);
  // Nothing remote beyond the webview's own resource origin.
  for (const url of html.match(/https?:\/\/[^"' ;]+/g) ?? []) assert.ok(url.startsWith(cspSource), url);
});

test('attribute values are escaped; a weak nonce is refused', () => {
  const evil = panelHtml({ cspSource, nonce, scriptUri: 'x" onload="alert(1)', styleUris: [], title: '<script>' });
  assert.doesNotMatch(evil, /\sonload="/);
  assert.equal(evil.match(/<script/g)?.length, 1);
  assert.throws(() => panelHtml({ cspSource, nonce: "x' 'unsafe-inline", scriptUri: 'a', styleUris: [], title: 't' }));
  assert.throws(() => panelHtml({ cspSource, nonce: 'short', scriptUri: 'a', styleUris: [], title: 't' }));
});

test('nonces are long, base64-alphanumeric and differ', () => {
  const a = makeNonce();
  const b = makeNonce();
  assert.match(a, /^[A-Za-z0-9]{16,}$/);
  assert.notEqual(a, b);
});
