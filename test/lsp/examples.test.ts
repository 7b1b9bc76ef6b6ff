// The shipped examples through the real server: each opens without an internal error, its outline
// lists every container, each container has a hover built from the engine and a trace lens, and
// every network reference goes to its definition.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CodeLens, DocumentSymbol, Hover, Location } from 'vscode-languageserver/node';
import { parseDocument, isMap, isScalar } from 'yaml';
import { LspSession } from './lspHarness';

const dir = join(__dirname, '..', '..', 'examples');
const examples = readdirSync(dir).filter((f) => f.endsWith('.cnm.yaml'));

describe('the examples over LSP', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start();
  });
  after(async () => lsp.stop());

  it('there are examples to check', () => assert.ok(examples.length > 0));

  for (const file of examples) {
    it(file, async () => {
      const text = readFileSync(join(dir, file), 'utf8');
      const uri = `file:///examples/${file}`;
      const diagnostics = await lsp.open(uri, text);
      assert.deepEqual(diagnostics.filter((d) => d.code === 'internal'), [], 'no internal errors');

      const doc = parseDocument(text);
      const containers = doc.get('containers');
      const names = isMap(containers) ? containers.items.map((p) => String((p.key as { value: unknown }).value)) : [];
      const expects = (doc.toJS() as { expect?: unknown[] }).expect?.length ?? 0;
      const hostsNode = doc.get('hosts');
      const hostCount = isMap(hostsNode) ? hostsNode.items.length : 0;

      const symbols = await lsp.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
      assert.deepEqual(symbols.find((s) => s.name === 'containers')?.children?.map((c) => c.name) ?? [], names);

      const lenses = await lsp.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      // One lens above every container and every host (trace from it), one on every expect entry.
      assert.equal(lenses.length, names.length + hostCount + expects);

      if (isMap(containers)) {
        for (const pair of containers.items) {
          const key = pair.key;
          if (!isScalar(key) || !key.range) continue;
          const before = text.slice(0, key.range[0]);
          const position = { line: before.split('\n').length - 1, character: key.range[0] - (before.lastIndexOf('\n') + 1) };
          const hover = await lsp.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position });
          assert.ok(hover && typeof hover.contents === 'object' && 'value' in hover.contents, `hover on ${String(key.value)}`);
          assert.match(hover.contents.value, new RegExp(`container \`${String(key.value)}\``));
        }
      }

      // Every `networks: [x]` item of a container leads to the network's definition.
      const networks = doc.get('networks');
      const defined = isMap(networks) ? networks.items.map((p) => String((p.key as { value: unknown }).value)) : [];
      for (const name of defined) {
        const re = new RegExp(`networks: \\[([^\\]]*\\b)?${name.replace(/[.-]/g, '\\$&')}\\b`);
        const m = re.exec(text);
        if (!m) continue;
        const offset = m.index + m[0].length - name.length;
        const before = text.slice(0, offset);
        const position = { line: before.split('\n').length - 1, character: offset - (before.lastIndexOf('\n') + 1) };
        const loc = await lsp.request<Location | null>('textDocument/definition', { textDocument: { uri }, position });
        assert.ok(loc, `definition of ${name}`);
        const defLine = text.split('\n').findIndex((l) => l.startsWith(`  ${name}:`));
        assert.equal(loc.range.start.line, defLine, `${name} is defined on line ${defLine + 1}`);
      }
    });
  }
});
