// Palette command → forked child process → result in a webview with a drawn canvas: the same
// path the real extension takes, so the harness can be checked before (and apart from) it.
const vscode = require('vscode');
const { fork } = require('node:child_process');
const path = require('node:path');

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('neumannProbe.run', () => {
      const child = fork(path.join(__dirname, 'child.js'), []);
      child.once('message', (m) => {
        const panel = vscode.window.createWebviewPanel('neumannProbe.panel', 'Probe', vscode.ViewColumn.One, {
          enableScripts: true,
        });
        panel.webview.html = `<!doctype html><html><body>
<div id="probe-root">sum of squares = <b id="result">${m.result}</b></div>
<canvas id="c" width="120" height="60"></canvas>
<script>const g = document.getElementById('c').getContext('2d'); g.fillStyle = '#d33'; g.fillRect(10, 10, 100, 40);</script>
</body></html>`;
        child.kill();
      });
      child.send({ n: 10 });
    }),
  );
}
module.exports = { activate, deactivate() {} };
