// Diagnostics as the user sees them in the Problems panel: the real server over a real LSP
// connection, on example-like topologies with one of each mistake.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import { LAB, MISTAKES } from './fixtures';
import { LspSession, messageOf, positionOf } from './lspHarness';

function at(text: string, needle: string, occurrence = 0) {
  const start = positionOf(text, needle, 0, occurrence);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

function find(diags: Diagnostic[], pattern: RegExp | string): Diagnostic {
  const d = diags.find((x) => (typeof pattern === 'string' ? messageOf(x).includes(pattern) : pattern.test(messageOf(x))));
  assert.ok(d, `no diagnostic matching ${String(pattern)} in:\n${diags.map((x) => `${x.range.start.line + 1}: ${messageOf(x)}`).join('\n')}`);
  return d;
}

describe('diagnostics over LSP', () => {
  let lsp: LspSession;
  let mistakes: Diagnostic[];
  before(async () => {
    lsp = await LspSession.start();
    mistakes = await lsp.open('file:///w/mistakes.cnm.yaml', MISTAKES);
  });
  after(async () => lsp.stop());

  it('a lab without mistakes but a name on the default bridge: the name warning, and its expectation fails', async () => {
    const diags = await lsp.open('file:///w/lab.cnm.yaml', LAB);
    // b3 → b4 by name on the default bridge: the only error is that expect entry, on its verdict.
    const errors = diags.filter((d) => d.severity === DiagnosticSeverity.Error);
    assert.deepEqual(errors.map((d) => [d.code, d.range]), [['expect-failed', at(LAB, 'delivered', 1)]]);
    assert.match(messageOf(errors[0]!), /^b3 → b4: expected delivered, got unresolved: "b4" does not resolve from b3: b3 is only on the default bridge/);
    const w = find(diags, '"b4" will not resolve from "b3"');
    assert.equal(w.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(w.range, at(LAB, '"b4"'));
  });

  it('reports a YAML syntax error where it is', async () => {
    const text = 'networks:\n  front: { subnet: 10.1.0.0/16\ncontainers:\n  a1: {}\n';
    const diags = await lsp.open('file:///w/syntax.cnm.yaml', text);
    const d = diags.find((x) => x.code === 'yaml-syntax');
    assert.ok(d, JSON.stringify(diags));
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.ok(d.range.start.line <= 2, `syntax error near the unclosed flow map, got line ${d.range.start.line}`);
  });

  it('reports an unknown key on the key, with the allowed keys', () => {
    const d = find(mistakes, 'Unknown key "colour"');
    assert.deepEqual(d.range, at(MISTAKES, 'colour'));
    assert.equal(d.severity, DiagnosticSeverity.Error);
  });

  it('reports a wrong type on the value', () => {
    const d = find(mistakes, /Expose must be a list/);
    assert.deepEqual(d.range, at(MISTAKES, 'yes'));
  });

  it('puts Docker\'s own error text on the overlapping subnet', () => {
    const d = find(mistakes, 'Pool overlaps with other one on this address space');
    assert.deepEqual(d.range, at(MISTAKES, '10.10.0.0/24'));
    assert.equal(d.severity, DiagnosticSeverity.Error);
  });

  it('puts the gateway error on the gateway', () => {
    // The docker CLI's own check comes first ("no matching subnet for gateway …"); the daemon's would be
    // "failed to allocate gateway (…): Requested address is out of range".
    const d = find(mistakes, /^(no matching subnet for gateway 10\.31\.0\.1|failed to allocate gateway \(10\.31\.0\.1\))/);
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.deepEqual(d.range, at(MISTAKES, '10.31.0.1'));
  });

  it('says an overlay network needs a swarm manager', () => {
    const d = find(mistakes, 'This node is not a swarm manager');
    assert.deepEqual(d.range, at(MISTAKES, 'overlay'));
  });

  it('reports an undefined network with a did-you-mean', () => {
    const d = find(mistakes, 'Network "frnot" is not defined in this file. Did you mean "front"?');
    assert.deepEqual(d.range, at(MISTAKES, 'frnot'));
  });

  it('warns that ports are discarded under network_mode host', () => {
    const d = find(mistakes, 'Published ports are discarded when using host network mode');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.equal(d.range.start.line, positionOf(MISTAKES, 'ports: ["8000:80"]').line);
  });

  it('warns that a name will not resolve on the default bridge', () => {
    const d = find(mistakes, '"other" will not resolve from "loner"');
    assert.deepEqual(d.range, at(MISTAKES, '"other"'));
  });

  it('warns about a static address outside ip_range', () => {
    const d = find(mistakes, '10.10.0.7 is outside ip_range 10.10.5.0/24');
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(d.range, at(MISTAKES, '10.10.0.7'));
  });

  it("warns about a subnet that overlaps a host's own interface", () => {
    const d = find(mistakes, 'Subnet 192.168.50.0/24 overlaps eth0 (192.168.50.10/24) of host "host1"');
    assert.deepEqual(d.range, at(MISTAKES, '192.168.50.0/24'));
  });

  it('warns when another container aims at a port published on 127.0.0.1 only', () => {
    const d = find(mistakes, '"web" publishes port 9090 on 127.0.0.1 of host "host1" only');
    assert.deepEqual(d.range, at(MISTAKES, '"192.168.50.10:9090"'));
  });

  it('explains why a host outside the swarm cannot reach an overlay', () => {
    const d = find(mistakes, 'Host "host2" is not in a swarm');
    assert.deepEqual(d.range, at(MISTAKES, 'wide', 1));
  });

  it('warns that services need a swarm manager', async () => {
    const text = 'networks:\n  mesh:\n    driver: bridge\nservices:\n  hello:\n    image: hello\n    replicas: 2\n';
    const diags = await lsp.open('file:///w/services.cnm.yaml', text);
    const d = find(diags, 'Swarm services need a swarm manager');
    assert.deepEqual(d.range, at(text, 'services'));
  });

  it('updates as the user types: fixing the subnet clears the error', async () => {
    const uri = 'file:///w/edit.cnm.yaml';
    const first = await lsp.open(uri, MISTAKES);
    assert.ok(first.some((d) => messageOf(d).includes('Pool overlaps')));
    const pos = positionOf(MISTAKES, '10.10.0.0/24');
    // One character: 10.10.0.0/24 → 10.11.0.0/24
    const next = await lsp.change(uri, [{ range: { start: { line: pos.line, character: pos.character + 4 }, end: { line: pos.line, character: pos.character + 5 } }, text: '1' }]);
    assert.ok(next);
    assert.ok(!next.some((d) => messageOf(d).includes('Pool overlaps')), 'the overlap error is gone');
    assert.ok(next.some((d) => messageOf(d).includes('Unknown key "colour"')), 'other diagnostics stay');
  });

  it('debounces a burst of edits and publishes the last version', async () => {
    const uri = 'file:///w/burst.cnm.yaml';
    await lsp.open(uri, LAB);
    const published: number[] = [];
    const stop = lsp.onPublish((p) => {
      if (p.uri === uri && p.version !== undefined) published.push(p.version);
    });
    let text = LAB;
    for (let i = 0; i < 8; i++) {
      text = text.replace('image: nginx', `image: nginx${i}`);
      await lsp.change(uri, text, false);
    }
    const last = await lsp.diagnosticsFor(uri, lsp.version(uri));
    stop();
    assert.equal(last.version, 9);
    assert.ok(published.length < 8, `a burst of 8 edits is analysed fewer than 8 times (published: ${published.join(',')})`);
  });

  it('keeps every diagnostic range inside the document', () => {
    const lines = MISTAKES.split('\n');
    for (const d of mistakes) {
      for (const p of [d.range.start, d.range.end]) {
        assert.ok(p.line < lines.length && p.character <= lines[p.line]!.length, `${JSON.stringify(d.range)} ${d.message}`);
      }
    }
  });
});
