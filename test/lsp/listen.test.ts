// `listen` in the editor, over a real LSP connection: completion of the key and of expect targets from
// the ports a container listens on, hover on the key (how it differs from expose) and on an entry of a
// `container:` joiner, Docker's error for expose in container mode on the expose key, and the quick fix
// that turns it into listen.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CodeAction, CompletionItem, CompletionList, Hover } from 'vscode-languageserver/node';
import { LspSession, applyEdits, cursor, messageOf, positionOf } from './lspHarness';

const POD = `name: pod
hosts: { host1: { daemon: { version: "20.10" } } }
networks:
  pod: { subnet: 10.133.0.0/24 }
containers:
  owner:
    networks: [pod]
    ports: ["18134:80"]
  joiner:
    network_mode: container:owner
    listen: ["8081"]
  sidecar:
    network_mode: container:owner
    expose: ["8082"]
  peer:
    networks: [pod]
expect:
  - { from: peer, to: "owner:8081", verdict: delivered }
`;

describe('listen in the language server', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start();
  });
  after(async () => lsp.stop());

  const hover = async (uri: string, text: string, needle: string, delta = 0): Promise<string> => {
    const h = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(text, needle, delta) });
    assert.ok(h, `a hover on ${needle}`);
    return typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : JSON.stringify(h.contents);
  };

  it('expose in container mode: Docker\'s words on the expose key, and a quick fix to listen that clears it', async () => {
    const uri = 'file:///w/pod.cnm.yaml';
    const diagnostics = await lsp.open(uri, POD);
    const errors = diagnostics.filter((d) => d.severity === 1);
    assert.deepEqual(errors.map(messageOf), ['conflicting options: port exposing and the container type network mode']);
    const d = errors[0]!;
    const at = positionOf(POD, 'expose: ["8082"]');
    assert.deepEqual(d.range, { start: at, end: { line: at.line, character: at.character + 'expose'.length } });
    const actions = await lsp.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: d.range, context: { diagnostics: [d] } });
    const fix = actions.find((a) => /listen/.test(a.title));
    assert.ok(fix, actions.map((a) => a.title).join(', '));
    const fixed = applyEdits(POD, fix.edit!.changes![uri]!);
    assert.match(fixed, /network_mode: container:owner\n {4}listen: \["8082"\]/);
    const again = await lsp.open('file:///w/pod-fixed.cnm.yaml', fixed);
    assert.deepEqual(again.filter((x) => x.severity === 1).map(messageOf), []);
  });

  it('hover on the key says how listen differs from expose; on a joiner\'s entry, where to reach it', async () => {
    const uri = 'file:///w/pod-hover.cnm.yaml';
    await lsp.open(uri, POD);
    const key = await hover(uri, POD, 'listen: ["8081"]');
    assert.match(key, /\*\*listen\*\*/);
    assert.match(key, /What the container's processes listen on/);
    assert.match(key, /Default: the `expose` ports plus the container ports of `ports`/);
    assert.match(key, /allowed with `network_mode: container:`/);
    const expose = await hover(uri, POD, 'expose: ["8082"]');
    assert.match(expose, /metadata/);
    const entry = await hover(uri, POD, '"8081"', 1);
    assert.match(entry, /\*\*listen `8081\/tcp`\*\*/);
    assert.match(entry, /shares the network namespace of `owner`: reach it at owner's addresses \(10\.133\.0\.2\)/);
  });

  it('completes the listen key, and expect targets from what listens (listen, else published and exposed ports)', async () => {
    const uri = 'file:///w/pod-complete.cnm.yaml';
    const complete = async (marked: string): Promise<string[]> => {
      const { text, position } = cursor(marked);
      if (lsp.version(uri) === 0) await lsp.open(uri, text);
      else await lsp.change(uri, text);
      const r = await lsp.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri }, position });
      return (Array.isArray(r) ? r : r.items).map((i) => String(i.label));
    };
    assert.ok((await complete(POD.replace('  peer:\n    networks: [pod]\n', '  peer:\n    networks: [pod]\n    ‸\n'))).includes('listen'));
    const targets = await complete(POD.replace('to: "owner:8081"', 'to: ‸'));
    // The joiner's port at its owner's name (the joiner itself has no DNS name); owner's published target.
    assert.ok(targets.includes('owner:8081'), targets.join(' '));
    assert.ok(!targets.includes('joiner:8081'), targets.join(' '));
    assert.ok(targets.includes('owner:80'), targets.join(' '));
  });
});
