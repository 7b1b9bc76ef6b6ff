// The diagram webview alone in Chromium, with a fake extension host: a page that loads the real
// dist/webview.js, dist/vscode-elements.js and media/diagram.css from a loopback HTTP server, and a
// stub acquireVsCodeApi() that records what the webview sends and answers like the host would
// (snapshots built by the extension's own snapshot code, traces by the engine's tracer).
import { readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../scripts/lib/browser.mjs';
import { root } from '../../scripts/lib/paths.mjs';
import type { DiagramSnapshot } from '../../src/protocol/diagram';
import type { TraceView } from '../../src/protocol/trace';
import { PROTOCOL_VERSION } from '../../src/protocol/messages';

export interface Harness {
  page: Page;
  url: string;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript', '.css': 'text/css', '.html': 'text/html', '.ttf': 'font/ttf', '.svg': 'image/svg+xml' };

/** Serves dist/ and media/ (what the real webview may load) and the test page. */
async function serve(page: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    if (path === '/favicon.ico') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (path === '/' || path === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(page);
      return;
    }
    const file = normalize(join(root, path));
    const allowed = [join(root, 'dist'), join(root, 'media')].some((dir) => file.startsWith(dir + '/'));
    if (!allowed || !existsSync(file)) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/**
 * The page: the same CSP as in VS Code (scripts by nonce only), the fake host, the real bundles.
 * `traces` maps "sourceId|targetId" to a trace; unknown pairs get an error answer.
 */
export function harnessPage(snapshot: DiagramSnapshot, traces: Record<string, TraceView>, opts: { theme?: 'dark' | 'light'; replyDelayMs?: number } = {}): string {
  const nonce = 'testnonce0123456789abcdef';
  const dark = opts.theme !== 'light';
  const vars = dark
    ? '--vscode-editor-background:#1f1f1f;--vscode-foreground:#cccccc;--vscode-sideBar-background:#181818'
    // VS Code's Light Modern values for what the page uses.
    : '--vscode-editor-background:#ffffff;--vscode-foreground:#3b3b3b;--vscode-sideBar-background:#f8f8f8;--vscode-editorWidget-background:#f8f8f8;--vscode-editorWidget-border:#c8c8c8;--vscode-descriptionForeground:#3b3b3b;--vscode-panel-border:#e5e5e5;--vscode-settings-dropdownBackground:#ffffff;--vscode-settings-dropdownForeground:#3b3b3b;--vscode-settings-dropdownBorder:#cecece;--vscode-settings-textInputBackground:#ffffff;--vscode-settings-textInputForeground:#3b3b3b;--vscode-settings-textInputBorder:#cecece;--vscode-input-background:#ffffff;--vscode-input-foreground:#3b3b3b;--vscode-checkbox-background:#f8f8f8;--vscode-checkbox-border:#cecece;--vscode-icon-foreground:#3b3b3b;--vscode-charts-green:#388a34;--vscode-charts-blue:#1a85ff';
  const data = JSON.stringify({ snapshot, traces, protocol: PROTOCOL_VERSION, delay: opts.replyDelayMs ?? 0 }).replace(/</g, '\\u003c');
  return `<!DOCTYPE html>
<html><head><meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self' data:; style-src 'self' 'nonce-${nonce}'; font-src 'self'; script-src 'nonce-${nonce}'">
<style nonce="${nonce}">:root{${vars}}</style>
<link rel="stylesheet" href="/dist/codicons/codicon.css" id="vscode-codicon-stylesheet">
<link rel="stylesheet" href="/media/diagram.css">
<script type="module" src="/dist/vscode-elements.js" nonce="${nonce}"></script>
<script nonce="${nonce}">
(() => {
  const data = ${data};
  const sent = [];
  let state;
  window.__sent = sent;
  window.__host = {
    post(m) { window.postMessage(m, '*'); },
    snapshot(s, revision) { window.postMessage({ protocol: data.protocol, type: 'snapshot', revision, snapshot: s, file: 'file:///test.cnm.yaml' }, '*'); },
  };
  const reply = (m) => data.delay ? setTimeout(() => window.postMessage(m, '*'), data.delay) : window.postMessage(m, '*');
  window.acquireVsCodeApi = () => ({
    getState: () => state,
    setState: (s) => { state = s; },
    postMessage: (m) => {
      sent.push(m);
      if (m.type === 'ready') window.__host.snapshot(data.snapshot, 1);
      if (m.type === 'trace') {
        const results = m.targets.map((target) => {
          const trace = data.traces[m.source + '|' + target];
          return trace ? { target, trace } : { target, trace: null, error: 'no trace in this test for ' + target };
        });
        reply({ protocol: data.protocol, type: 'traceResults', requestId: m.requestId, revision: m.revision, results, done: true });
      }
      if (m.type === 'exportSvg') reply({ protocol: data.protocol, type: 'exportDone', requestId: m.requestId, saved: true, path: '/tmp/x.svg' });
    },
  });
})();
</script>
</head><body><div id="app" data-title="test"></div>
<script src="/dist/webview.js" nonce="${nonce}"></script>
</body></html>`;
}

export async function openHarness(page: string, viewport = { width: 1280, height: 800 }): Promise<Harness> {
  if (!existsSync(join(root, 'dist', 'webview.js'))) throw new Error('dist/webview.js is missing: run `npm run build` first');
  const server = await serve(page);
  let browser: Browser | undefined;
  try {
    browser = await launchChromium();
    const p = await browser.newPage({ viewport });
    const errors: string[] = [];
    p.on('pageerror', (e) => errors.push(e.message));
    p.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    await p.goto(url);
    return {
      page: p,
      url,
      close: async () => {
        await browser?.close();
        await new Promise<void>((r) => server.close(() => r()));
        if (errors.length) console.error(`page errors: ${errors.join('\n')}`);
      },
    };
  } catch (e) {
    await browser?.close();
    server.close();
    throw e;
  }
}
