// Failing `expect` entries as the user sees them in the Problems panel: the real server over a real LSP
// connection. One diagnostic per failing entry, on its verdict, with the trace's reason and the rule
// that decided; none for an entry that holds; an unknown container name is an error on that name.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DiagnosticSeverity, type CodeLens, type Diagnostic } from 'vscode-languageserver/node';
import { EXPECT_LAB as ISOLATED } from './fixtures';
import { LspSession, messageOf, positionOf } from './lspHarness';
import { TWO_LANS } from '../fixtures/twoLans';

function at(text: string, needle: string, occurrence = 0) {
  const start = positionOf(text, needle, 0, occurrence);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

const expectDiagnostics = (diags: Diagnostic[]) => diags.filter((d) => d.code === 'expect-failed' || d.code === 'undefined-target' || d.code === 'expect-input');
const list = (diags: Diagnostic[]) => diags.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${String(d.code)} ${messageOf(d)}`).join('\n');

describe('failing expect entries over LSP', () => {
  let lsp: LspSession;
  before(async () => {
    lsp = await LspSession.start();
  });
  after(async () => lsp.stop());

  it('a passing and a failing entry: exactly one error, on the failing verdict, with the reason and the rule', async () => {
    const diags = await lsp.open('file:///w/expect.cnm.yaml', ISOLATED);
    const failing = expectDiagnostics(diags);
    assert.equal(failing.length, 1, list(diags));
    const d = failing[0]!;
    assert.equal(d.severity, DiagnosticSeverity.Error);
    assert.deepEqual(d.range, at(ISOLATED, 'delivered', 1), 'on the verdict of the second entry');
    const message = messageOf(d);
    assert.match(message, /^intruder → web:80: expected delivered, got dropped: /);
    assert.match(message, /-j DROP/, 'names the deciding iptables rule');
    assert.match(message, /inter-container communication is off on network locked/);
    assert.match(message, /com\.docker\.network\.bridge\.enable_icc=false/, "in Docker's own option name");
    assert.match(message, /Fix: /);
    // The only error of the file is the failing expectation.
    assert.deepEqual(diags.filter((x) => x.severity === DiagnosticSeverity.Error), failing);
  });

  it('editing the file so the entry holds clears the error', async () => {
    const uri = 'file:///w/expect-fix.cnm.yaml';
    const first = await lsp.open(uri, ISOLATED);
    assert.equal(expectDiagnostics(first).length, 1, list(first));
    // Turn inter-container communication back on: the packet goes through.
    const pos = positionOf(ISOLATED, '"false"', 1);
    const next = await lsp.change(uri, [{ range: { start: pos, end: { line: pos.line, character: pos.character + '"false"'.length } }, text: '"true"' }]);
    assert.ok(next);
    assert.deepEqual(expectDiagnostics(next), [], list(next));
    // And back: the error returns, on the same verdict.
    const again = await lsp.change(uri, ISOLATED);
    assert.ok(again);
    assert.deepEqual(expectDiagnostics(again).map((d) => d.range), [at(ISOLATED, 'delivered', 1)]);
  });

  it('an edit re-played in place on the same engine is traced again, not served from the last answer', async () => {
    const uri = 'file:///w/expect-replay.cnm.yaml';
    assert.equal(expectDiagnostics(await lsp.open(uri, ISOLATED)).length, 1);
    // An edit the build does not read keeps the engine; the next one changes one container only, which
    // the server re-plays on that same engine.
    const renamed = ISOLATED.replace('image: nginx', 'image: nginx:1.27');
    assert.equal(expectDiagnostics((await lsp.change(uri, renamed))!).length, 1);
    const moved = renamed.replace('networks: [locked]', 'networks: [front]');
    const next = await lsp.change(uri, moved);
    assert.ok(next);
    assert.deepEqual(expectDiagnostics(next), [], `intruder now shares "front" with web: ${list(next)}`);
    const back = await lsp.change(uri, renamed);
    assert.ok(back);
    assert.deepEqual(expectDiagnostics(back).map((d) => d.range), [at(renamed, 'delivered', 1)]);
  });

  it('changing the verdict to what the trace finds clears the error', async () => {
    const uri = 'file:///w/expect-verdict.cnm.yaml';
    await lsp.open(uri, ISOLATED);
    const fixed = ISOLATED.replace('{ from: intruder, to: "web:80", verdict: delivered }', '{ from: intruder, to: "web:80", verdict: dropped }');
    const next = await lsp.change(uri, fixed);
    assert.ok(next);
    assert.deepEqual(expectDiagnostics(next), [], list(next));
  });

  it('says "refused" and why when nothing listens on the port', async () => {
    const text = ISOLATED.replace('to: "web:80", verdict: delivered }\n  - { from: intruder', 'to: "web:81", verdict: delivered }\n  - { from: intruder').replace('from: intruder, to: "web:80", verdict: delivered', 'from: intruder, to: "web:80", verdict: dropped');
    const diags = expectDiagnostics(await lsp.open('file:///w/expect-refused.cnm.yaml', text));
    assert.equal(diags.length, 1, list(diags));
    assert.deepEqual(diags[0]!.range, at(text, 'delivered'));
    assert.match(messageOf(diags[0]!), /^client → web:81: expected delivered, got refused: nothing in web listens on 81\/tcp .*Connection refused/);
  });

  it('an entry naming an unknown container: an error on that name, and no trace', async () => {
    const text = ISOLATED.replace('to: "web:80", verdict: delivered }\n  - { from: intruder', 'to: "wbe:80", verdict: delivered }\n  - { from: intruder');
    const diags = await lsp.open('file:///w/expect-unknown.cnm.yaml', text);
    const unknown = diags.filter((d) => d.code === 'undefined-target');
    assert.equal(unknown.length, 1, list(diags));
    assert.equal(unknown[0]!.severity, DiagnosticSeverity.Error);
    assert.deepEqual(unknown[0]!.range, at(text, 'wbe'));
    assert.match(messageOf(unknown[0]!), /No container, service or alias named "wbe"/);
    // The other failing entry is still reported; the unknown one is not traced on top.
    assert.deepEqual(diags.filter((d) => d.code === 'expect-failed').map((d) => d.range), [at(text, 'delivered', 1)]);
  });

  it('an unknown source container is an error on `from`, once', async () => {
    const text = ISOLATED.replace('from: client', 'from: cleint');
    const diags = await lsp.open('file:///w/expect-from.cnm.yaml', text);
    const onFrom = diags.filter((d) => d.range.start.line === at(text, 'cleint').start.line && d.range.start.character === at(text, 'cleint').start.character);
    assert.equal(onFrom.length, 1, list(diags));
    assert.equal(onFrom[0]!.severity, DiagnosticSeverity.Error);
    assert.match(messageOf(onFrom[0]!), /cleint/);
  });

  it('aliases, hostnames, hosts and addresses are not unknown names', async () => {
    const text = ISOLATED.replace('networks: [front, locked]', 'hostname: webhost\n    networks:\n      front: { aliases: [www] }\n      locked: {}').replace(
      'expect:\n',
      'expect:\n  - { from: client, to: "www:80", verdict: delivered }\n  - { from: client, to: "webhost:80", verdict: unresolved }\n  - { from: client, to: "10.1.0.2:80", verdict: delivered }\n  - { from: host1, to: "10.1.0.2:80", verdict: delivered }\n',
    );
    const diags = await lsp.open('file:///w/expect-names.cnm.yaml', text);
    assert.deepEqual(diags.filter((d) => d.code === 'undefined-target'), [], list(diags));
  });

  it('does not trace while the file has an error outside expect:, and traces again once it is fixed', async () => {
    const uri = 'file:///w/expect-blocked.cnm.yaml';
    const broken = ISOLATED.replace('subnet: 10.3.0.0/24', 'subnet: 10.1.0.0/24'); // overlaps front
    const diags = await lsp.open(uri, broken);
    assert.ok(diags.some((d) => messageOf(d).includes('Pool overlaps with other one on this address space')), list(diags));
    assert.deepEqual(diags.filter((d) => d.code === 'expect-failed'), [], list(diags));
    const fixed = await lsp.change(uri, ISOLATED);
    assert.ok(fixed);
    assert.equal(fixed.filter((d) => d.code === 'expect-failed').length, 1, list(fixed));
  });

  it('an entry whose trace is unknown is a warning that it cannot be checked, never an error claiming a drop; `verdict: unknown` holds', async () => {
    const text = `${TWO_LANS.trimStart()}expect:
  - { from: b2, to: "192.168.60.128:80", verdict: delivered }
  - { from: b2, to: "192.168.60.128", verdict: unknown }
`;
    const diags = await lsp.open('file:///w/expect-unknown-verdict.cnm.yaml', text);
    const unknown = diags.filter((d) => d.code === 'expect-unknown');
    assert.equal(unknown.length, 1, list(diags));
    const d = unknown[0]!;
    assert.equal(d.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(d.range, at(text, 'delivered'), 'on the verdict of the first entry');
    assert.match(messageOf(d), /^b2 → 192\.168\.60\.128:80: cannot check: the engine cannot know whether it is delivered: 192\.168\.60\.128 is c1 on node1, but the topology gives node2 no route to it/);
    assert.doesNotMatch(messageOf(d), /got dropped|got unknown/);
    assert.deepEqual(diags.filter((x) => x.severity === DiagnosticSeverity.Error), [], list(diags));
  });

  it('keeps the "Trace ▸" lens on every expect entry, failing or not', async () => {
    const uri = 'file:///w/expect-lens.cnm.yaml';
    await lsp.open(uri, ISOLATED);
    const lenses = await lsp.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    const onEntries = lenses.filter((l) => l.command?.title.startsWith('Trace ▸ '));
    assert.deepEqual(onEntries.map((l) => l.command!.title), ['Trace ▸ client → web:80', 'Trace ▸ intruder → web:80']);
    assert.deepEqual(
      onEntries.map((l) => [l.range.start.line, l.command!.command, l.command!.arguments]),
      [
        [positionOf(ISOLATED, '{ from: client').line, 'cnm.traceFrom', [{ uri, from: 'client', to: 'web', port: 80, proto: 'tcp', interactive: true }]],
        [positionOf(ISOLATED, '{ from: intruder').line, 'cnm.traceFrom', [{ uri, from: 'intruder', to: 'web', port: 80, proto: 'tcp', interactive: true }]],
      ],
    );
  });
});
