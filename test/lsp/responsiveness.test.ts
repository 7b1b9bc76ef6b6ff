// The language server stays responsive on big files: while the engine rebuilds after an edit, hover
// and completion answer at once from the edited text (the build pauses between slices), or from the last
// complete reading where the edit left the entry under the cursor alone, and the
// complete diagnostics follow; the debounce holds back only the edits of a burst, never the first
// diagnostics. The order of what the client receives is asserted, not a time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CompletionItem, CompletionList, Hover } from 'vscode-languageserver/node';
import { LAB, bigTopology } from './fixtures';
import { LspSession, positionOf } from './lspHarness';

const URI = 'file:///w/rebuild.cnm.yaml';
const BASE = bigTopology(3000);
// A network added at the top: nothing can be re-played in place, so the whole engine is built again.
const EDITED = BASE.replace('networks:\n', 'networks:\n  netnew:\n    subnet: 10.200.0.0/24\n');

const hoverText = (h: Hover | null): string => (h && typeof h.contents === 'object' && 'value' in h.contents ? h.contents.value : JSON.stringify(h));

describe('requests during a rebuild', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start({ debounceMs: 0 });
    await lsp.open(URI, BASE);
    await lsp.request('cnm/analysisInfo', { uri: URI });
  });
  after(async () => lsp.stop());

  it('answers hover and completion on the edited text before the rebuilt diagnostics are published', async () => {
    const events: string[] = [];
    let firstPublish!: () => void;
    const published = new Promise<void>((resolve) => (firstPublish = resolve));
    const stop = lsp.onPublish((p) => {
      if (p.version !== 2) return;
      events.push(`publish ${p.diagnostics.length}`);
      firstPublish();
    });
    try {
      await lsp.change(URI, EDITED, false);
      // The parser's diagnostics come first (a big file whose last build was slow): the build is running now.
      await published;
      const [hover, completion] = await Promise.all([
        lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(EDITED, 'netnew', 2) }).then((h) => {
          events.push('hover');
          return h;
        }),
        lsp.request<CompletionItem[] | CompletionList>('textDocument/completion', { textDocument: { uri: URI }, position: positionOf(EDITED, 'driver: bridge', 'driver: '.length) }).then((c) => {
          events.push('completion');
          return c;
        }),
      ]);
      const info = await lsp.request<{ version: number } | null>('cnm/analysisInfo', { uri: URI });
      assert.equal(info?.version, 2);
      await lsp.diagnosticsFor(URI, 2);
      // Two publishes of version 2 (the parser's, then the complete set), and both answers between them.
      assert.deepEqual(events.map((e) => e.replace(/ \d+$/, '')), ['publish', 'hover', 'completion', 'publish']);
      // The hover reads the edited text (the new network) and says the engine is still at work.
      assert.match(hoverText(hover), /\*\*network `netnew`\*\* · bridge on /);
      assert.match(hoverText(hover), /rebuilding/);
      const items = Array.isArray(completion) ? completion : completion.items;
      assert.ok(items.some((i) => i.label === 'bridge'), `driver completion offers bridge: ${items.map((i) => i.label).join(', ')}`);
    } finally {
      stop();
    }
    // Once built, the same hover has the network's addresses.
    const done = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri: URI }, position: positionOf(EDITED, 'netnew', 2) });
    assert.match(hoverText(done), /\| subnet \| 10\.200\.0\.0\/24 \|/);
  });
});

describe('requests before the new text is read', () => {
  let lsp: LspSession;
  // Edits in a burst wait out the debounce: a request in that time comes before the server reads the text.
  const DEBOUNCE_MS = 3000;
  before(async () => {
    lsp = await LspSession.start({ debounceMs: DEBOUNCE_MS });
  });
  after(async () => lsp.stop());

  it('answers from the last complete reading away from the edit, and reads the new text for the edited entry', async () => {
    const uri = 'file:///w/burst.cnm.yaml';
    await lsp.open(uri, BASE);
    await lsp.request('cnm/analysisInfo', { uri });
    const t0 = Date.now();
    await lsp.change(uri, EDITED, false);
    const far = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(EDITED, '  c2000:', 3) });
    const listAt = positionOf(EDITED, 'net40: { ipv4', 3);
    const completion = await lsp.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: listAt });
    // Both answered inside the debounce, i.e. before the edited text was read, from version 1's reading.
    assert.ok(Date.now() - t0 < DEBOUNCE_MS, 'answered before the debounce ran out');
    assert.match(hoverText(far), /\*\*container `c2000`\*\*/);
    assert.doesNotMatch(hoverText(far), /rebuilding/);
    assert.deepEqual(far?.range, { start: positionOf(EDITED, '  c2000:', 2), end: positionOf(EDITED, '  c2000:', 7) }, 'the range is on the edited text\'s lines');
    assert.ok(completion.some((i) => i.label === 'net41'), 'network names complete in c40\'s networks');
    assert.ok(completion.every((i) => !i.textEdit || !('range' in i.textEdit) || i.textEdit.range.start.line === listAt.line), 'completion edits on the edited text\'s line');
    // The new network's own entry is read from the new text (it is not in the last reading).
    const added = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(EDITED, 'netnew', 2) });
    assert.match(hoverText(added), /\*\*network `netnew`\*\*/);
    // Once version 2 is complete, the far hover has the same place and address (the new build's MACs and
    // veth names differ: the added network comes first).
    await lsp.request('cnm/analysisInfo', { uri });
    const built = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: positionOf(EDITED, '  c2000:', 3) });
    assert.deepEqual(built?.range, far?.range);
    const address = (h: Hover | null) => /\| net20 \(default route\) \| (\S+) \|/.exec(hoverText(h))?.[1];
    assert.equal(address(built), address(far));
    assert.ok(address(far));
  });
});

describe('opening a big file', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start({ debounceMs: 0 });
  });
  after(async () => lsp.stop());

  it('publishes the parser\'s diagnostics before the complete set even when the editor asks for the outline at once', async () => {
    const uri = 'file:///w/opened.cnm.yaml';
    const events: string[] = [];
    const stop = lsp.onPublish((p) => {
      if (p.uri === uri) events.push('publish');
    });
    try {
      // As an editor does on opening: didOpen, then outline and folding requests before any answer.
      const opened = lsp.open(uri, BASE);
      const symbols = lsp.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri } }).then((r) => {
        events.push('symbols');
        return r;
      });
      const folding = lsp.request<unknown[]>('textDocument/foldingRange', { textDocument: { uri } });
      await Promise.all([opened, symbols, folding]);
      await lsp.request('cnm/analysisInfo', { uri });
      // The parser's diagnostics while the engine builds, then the complete set; the outline needs the build.
      assert.deepEqual(events, ['publish', 'publish', 'symbols']);
      assert.ok((await symbols).length > 0);
    } finally {
      stop();
    }
  });
});

describe('debounce', () => {
  let lsp: LspSession;
  // A debounce far longer than any analysis: what is published before it ran out was not debounced.
  const DEBOUNCE_MS = 2000;
  before(async () => {
    lsp = await LspSession.start({ debounceMs: DEBOUNCE_MS });
  });
  after(async () => lsp.stop());

  it('analyses the first edit after a pause at once, and only the last edit of a burst after it', async () => {
    const uri = 'file:///w/debounce.cnm.yaml';
    const published: number[] = [];
    const stop = lsp.onPublish((p) => {
      if (p.uri === uri && p.version !== undefined) published.push(p.version);
    });
    try {
      await lsp.open(uri, LAB);
      await new Promise((r) => setTimeout(r, DEBOUNCE_MS + 100)); // the user pauses
      // v2, after the pause: published without waiting out the debounce.
      await lsp.change(uri, LAB.replace('image: nginx', 'image: nginx1'), false);
      const firstEdit = await Promise.race([
        lsp.diagnosticsFor(uri, 2).then(() => 'published'),
        new Promise((r) => setTimeout(() => r('debounced'), DEBOUNCE_MS - 300)),
      ]);
      assert.equal(firstEdit, 'published');
      // v3, v4, v5 in a burst right after its analysis: only v5 is analysed, once the burst pauses.
      for (let i = 2; i <= 4; i++) await lsp.change(uri, LAB.replace('image: nginx', `image: nginx${i}`), false);
      await lsp.diagnosticsFor(uri, 5, DEBOUNCE_MS * 4);
      assert.deepEqual(published, [1, 2, 5]);
    } finally {
      stop();
    }
  });
});
