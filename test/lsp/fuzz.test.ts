// Fuzzing the running server: 1,200 random and mutated topology documents sent through didChange
// (whole-text and ranged edits), each followed by a random feature request. The server must answer
// every one (no crash, no hang) and every published diagnostic must lie inside its document.
import { after, before, describe, it } from 'node:test';
import { mulberry32 } from '../../bench/generate';
import assert from 'node:assert/strict';
import type { Position, TextDocumentContentChangeEvent } from 'vscode-languageserver/node';
import { EXPECT_LAB, LAB, MISTAKES, bigTopology } from './fixtures';
import { featureRequests, LspSession } from './lspHarness';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const DOCUMENTS = Number(process.env.FUZZ_DOCUMENTS ?? 1200);

// A deterministic PRNG, so a failure can be replayed with FUZZ_SEED.
const prng = mulberry32;

const TOKENS = [
  ' ', '\n', '\n  ', '\n    ', ':', ': ', '- ', '-', '#', '{', '}', '[', ']', ',', '"', "'", '|', '>', '&a', '*a', '!!str', '?', '\t', '\r\n',
  'networks:', 'containers:', 'expect:', 'hosts:', 'services:', 'driver: overlay', 'network_mode: host', 'network_mode: container:b1',
  'subnet: 10.10.0.0/16', 'gateway: 10.99.0.1', 'ipv4_address: 10.10.0.300', 'ports: ["80:80", "x"]', 'ports: [1, 2]', 'expose: 80',
  '172.17.0.0/16', '0.0.0.0/0', '::1', 'é', '💥', '\u0000', '\\', '%YAML 1.2\n---\n', '---\n', '...\n', '<<: *a', 'null', '~', 'true', '1e9',
  '  b9:\n    image: x\n', '- { from: b1, to: "web:80", verdict: delivered }\n', 'swarm: manager', 'daemon: { version: "20.10" }',
  // expect entries: failing, unknown names, odd destinations (the tracer runs on each as the user types)
  '  - { from: intruder, to: "web:80", verdict: refused }\n', '  - { from: client, to: "nosuch:80", verdict: unresolved }\n',
  '  - { from: host1, to: "10.1.0.2:80/udp", verdict: dropped }\n', '  - { from: web, to: "[::1]:80", verdict: delivered }\n',
  '  - { from: web, to: "web:0", verdict: delivered }\n', '  - { from: web, to: "x/icmp:1", verdict: delivered }\n',
  '  - { from: client, to: "www.front", verdict: delivered }\n', '  - { from: 1, to: [a], verdict: maybe }\n', 'verdict: dropped', 'to: ":80/udp"',
];

const SEEDS = [LAB, MISTAKES, EXPECT_LAB, bigTopology(40), 'name: x\n', '', 'containers:\n  a1:\n    image: busybox\n'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rnd() * list.length)]!;
  const at = Math.floor(rnd() * (text.length + 1));
  const lines = text.split('\n');
  switch (Math.floor(rnd() * 8)) {
    case 0:
      return text.slice(0, at) + pick(TOKENS) + text.slice(at);
    case 1:
      return text.slice(0, at) + text.slice(at + 1 + Math.floor(rnd() * 20));
    case 2: {
      const i = Math.floor(rnd() * lines.length);
      lines.splice(i, 0, lines[Math.floor(rnd() * lines.length)] ?? '');
      return lines.join('\n');
    }
    case 3: {
      const i = Math.floor(rnd() * lines.length);
      const j = Math.floor(rnd() * lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join('\n');
    }
    case 4: {
      const i = Math.floor(rnd() * lines.length);
      lines[i] = rnd() < 0.5 ? `  ${lines[i]}` : lines[i]!.replace(/^ {1,2}/, '');
      return lines.join('\n');
    }
    case 5:
      return text.slice(0, at);
    case 6:
      return Array.from({ length: 1 + Math.floor(rnd() * 30) }, () => pick(TOKENS)).join('');
    default: {
      let out = text;
      for (let k = 0; k < 5; k++) {
        const p = Math.floor(rnd() * (out.length + 1));
        out = out.slice(0, p) + String.fromCharCode(Math.floor(rnd() * 0x3000)) + out.slice(p);
      }
      return out;
    }
  }
}

function wellFormed(s: string): string {
  return s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Pretend LSP's notion of lines: \n, \r\n and a lone \r all end a line. */
function lspLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`hang: ${what} took over ${ms} ms`)), ms))]);
}

describe('fuzzing the language server', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start({ debounceMs: 0 });
  });
  after(async () => lsp.stop());

  it(`survives ${DOCUMENTS} random and mutated documents (seed ${SEED})`, { timeout: 600_000 }, async () => {
    await fuzz(lsp, 'file:///fuzz/doc.cnm.yaml', SEEDS, DOCUMENTS, prng(SEED));
  });

  it('survives 150 edits of a big file (the path of the incremental parser)', { timeout: 600_000 }, async () => {
    await fuzz(lsp, 'file:///fuzz/big.cnm.yaml', [bigTopology(700)], 150, prng(SEED + 1), 0);
  });
});

async function fuzz(lsp: LspSession, uri: string, seeds: string[], documents: number, rnd: () => number, resetChance = 0.1): Promise<void> {
  let text = seeds[0]!;
  await lsp.open(uri, text);
  let checked = 0;
  for (let n = 0; n < documents; n++) {
    // Now and then start again from a seed; the ranged edit below is computed against what the server has.
    const serverText = text;
    if (rnd() < resetChance) text = seeds[Math.floor(rnd() * seeds.length)]!;
    // Editors send well-formed UTF-16 (JSON-RPC carries UTF-8): a mutation that split an emoji is mended.
    const next = wellFormed(mutate(text, rnd));
    let changes: TextDocumentContentChangeEvent[];
    if (rnd() < 0.5 || next.includes('\r') || serverText.includes('\r')) {
      changes = [{ text: next }];
    } else {
      // A ranged edit: the smallest span that differs.
      let s = 0;
      const old = serverText;
      while (s < old.length && s < next.length && old[s] === next[s]) s++;
      let e1 = old.length;
      let e2 = next.length;
      while (e1 > s && e2 > s && old[e1 - 1] === next[e2 - 1]) {
        e1--;
        e2--;
      }
      // Never cut a surrogate pair in two.
      const isLow = (str: string, i: number) => i > 0 && i < str.length && /[\uDC00-\uDFFF]/.test(str[i]!);
      while (s > 0 && (isLow(old, s) || isLow(next, s))) s--;
      while (isLow(old, e1) || isLow(next, e2)) {
        e1++;
        e2++;
      }
      changes = [{ range: { start: positionAt(old, s), end: positionAt(old, e1) }, text: next.slice(s, e2) }];
    }
    text = next;
    const diagnostics = await withTimeout(lsp.change(uri, changes), 15_000, `diagnostics of document ${n}`);
    const lines = lspLines(text);
    for (const d of diagnostics ?? []) {
      for (const p of [d.range.start, d.range.end]) {
        assert.ok(p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length, `document ${n}: ${JSON.stringify(d.range)} "${d.message}" lies outside the text:\n${JSON.stringify(text)}`);
      }
      assert.ok(d.range.start.line < d.range.end.line || (d.range.start.line === d.range.end.line && d.range.start.character <= d.range.end.character), 'range start before end');
      checked++;
    }
    // A random feature request at a random place: it must be answered.
    const offset = Math.floor(rnd() * (text.length + 1));
    const position = positionAt(text, offset);
    const requests = featureRequests(uri, position, diagnostics ?? []);
    const [method, params] = requests[Math.floor(rnd() * requests.length)]!;
    await withTimeout(lsp.request(method, params), 15_000, `${method} on document ${n}`);
  }
  assert.equal(lsp.exited, null, 'the server is still running');
  assert.ok(!lsp.stderr.join('').includes('uncaught'), lsp.stderr.join(''));
  assert.ok(checked > 0);
}
