// The messages between the extension host and the diagram: whatever the webview sends is checked
// before the host acts on it, and the page the webview runs in allows nothing but its own files.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { diagramHtml, makeNonce } from '../../../src/extension/webviewHtml';
import { isHostMessage, isWebviewMessage, LIMITS, PROTOCOL_VERSION } from '../../../src/protocol/messages';

const ok = { protocol: PROTOCOL_VERSION };

test('well-formed webview messages pass', () => {
  for (const m of [
    { ...ok, type: 'ready' },
    { ...ok, type: 'selected', id: null },
    { ...ok, type: 'selected', id: 'n/host1/mybridge10' },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: ['c/host1/web'], proto: 'tcp', port: 80, targetBy: 'name' },
    { ...ok, type: 'exportSvg', requestId: 2, svg: '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"></svg>' },
    { ...ok, type: 'reveal', id: 'c/host1/web' },
    { ...ok, type: 'log', level: 'warn', message: 'x' },
    { ...ok, type: 'saveViewState', state: { groups: [] } },
    { ...ok, type: 'saveViewState', state: { groups: [['n/node1/backend', true], ['node2', false]], transform: { x: -20.5, y: 10, k: 1.5625 } } },
    { ...ok, type: 'saveViewState', state: { groups: [], focus: { selection: 'c/node1/web' }, search: 'web', minimap: 'hidden' } },
    { ...ok, type: 'saveViewState', state: { groups: [], focus: {}, minimap: 'shown' } },
  ]) assert.equal(isWebviewMessage(m), true, JSON.stringify(m));
});

test('anything else is refused: wrong version, unknown type, wrong field types, out-of-range values, too much', () => {
  for (const m of [
    undefined, null, 0, 'ready', [], { type: 'ready' }, { protocol: 1, type: 'ready' }, { ...ok, type: 'shutdown' },
    { ...ok, type: 'selected' }, { ...ok, type: 'selected', id: 7 }, { ...ok, type: 'selected', id: '' },
    { ...ok, type: 'selected', id: 'x'.repeat(LIMITS.idLength + 1) },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: 'c/host1/web', proto: 'tcp', targetBy: 'name' },
    { ...ok, type: 'trace', requestId: 1.5, revision: 3, source: 'c/host1/b1', targets: [], proto: 'tcp', targetBy: 'name' },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: [], proto: 'sctp', targetBy: 'name' },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: [], proto: 'tcp', port: 70000, targetBy: 'name' },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: [], proto: 'tcp', targetBy: 'guess' },
    { ...ok, type: 'trace', requestId: 1, revision: 3, source: 'c/host1/b1', targets: new Array(LIMITS.targets + 1).fill('c/x/y'), proto: 'icmp', targetBy: 'name' },
    { ...ok, type: 'exportSvg', requestId: 1, svg: '<html><script>1</script></html>' },
    { ...ok, type: 'log', level: 'debug', message: 'x' },
    { ...ok, type: 'saveViewState' },
    { ...ok, type: 'saveViewState', state: { groups: [['n/node1/backend', 'yes']] } },
    { ...ok, type: 'saveViewState', state: { groups: [['', true]] } },
    { ...ok, type: 'saveViewState', state: { groups: new Array(LIMITS.groups + 1).fill(['n/a/b', true]) } },
    { ...ok, type: 'saveViewState', state: { groups: [], transform: { x: 0, y: 0, k: 0 } } },
    { ...ok, type: 'saveViewState', state: { groups: [], transform: { x: Infinity, y: 0, k: 1 } } },
    { ...ok, type: 'saveViewState', state: { groups: [], focus: true } },
    { ...ok, type: 'saveViewState', state: { groups: [], focus: { selection: '' } } },
    { ...ok, type: 'saveViewState', state: { groups: [], search: 'x'.repeat(LIMITS.nameLength + 1) } },
    { ...ok, type: 'saveViewState', state: { groups: [], minimap: 'auto' } },
  ]) assert.equal(isWebviewMessage(m), false, JSON.stringify(m)?.slice(0, 200));
});

test('the webview checks the host\'s messages too', () => {
  assert.equal(isHostMessage({ ...ok, type: 'snapshot', revision: 1, snapshot: { hosts: [] }, file: 'file:///x' }), true);
  assert.equal(isHostMessage({ ...ok, type: 'snapshot', revision: 1, snapshot: {} }), false);
  assert.equal(isHostMessage({ protocol: 1, type: 'select', id: null }), false);
  assert.equal(isHostMessage({ ...ok, type: 'traceResults', requestId: 1, revision: 1, results: [], done: true }), true);
  // The kept grouping and zoom: a store that holds something else is not applied.
  assert.equal(isHostMessage({ ...ok, type: 'viewState', state: { groups: [['node1', true]], transform: { x: 1, y: 2, k: 0.5 } } }), true);
  assert.equal(isHostMessage({ ...ok, type: 'viewState', state: { groups: 'node1' } }), false);
});

test('the webview page: scripts only with the nonce, nothing from the network, the title escaped', () => {
  const nonce = makeNonce((n) => new Uint8Array(n).map((_, i) => i * 7));
  assert.equal(nonce.length, 24);
  const html = diagramHtml({ cspSource: 'vscode-resource:', script: 's.js', elements: 'e.js', codicons: 'c.css', stylesheet: 'd.css', nonce }, 'Diagram: <b>&');
  const csp = /Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, new RegExp(`script-src 'nonce-${nonce}'`));
  assert.ok(!/unsafe-inline|unsafe-eval|https?:/.test(csp), csp);
  for (const tag of html.match(/<script[^>]*>/g) ?? []) assert.ok(tag.includes(`nonce="${nonce}"`), tag);
  assert.ok(html.includes('Diagram: &lt;b&gt;&amp;'));
  assert.ok(!html.includes('<b>&'));
});
