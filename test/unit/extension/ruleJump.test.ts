// From a trace hop to the rule that decided it: each netfilter hop carries a structured reference
// (host, table, chain, rule) that finds its line in `cnm rules`' text, a rule-based drop's trace names
// its rule, and the webview's request for it is checked before anything opens.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { engineRules, formatIptablesSave, trace } from '../../../src/engine';
import { buildSnapshot } from '../../../src/extension/diagramSnapshot';
import { engineTracerFor, listeningOf } from '../../../src/extension/engineTracer';
import { ruleLine, ruleMarks } from '../../../src/extension/rulesMarks';
import { traceForDiagram } from '../../../src/extension/tracing';
import { isWebviewMessage, PROTOCOL_VERSION } from '../../../src/protocol/messages';
import { loadTopology } from '../../../src/topology';

const load = (name: string) => loadTopology(readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8'));

test('a drop between bridges: the hop that dropped it names DOCKER-ISOLATION-STAGE-2\'s DROP, and it is a line of cnm rules', () => {
  const t = load('02-custom-bridge.cnm.yaml');
  const r = trace(t.engine.state, { host: 'host1', from: '10_b1', to: '172.17.0.2', proto: 'icmp' }, { listening: listeningOf(t.spec) });
  assert.equal(r.verdict, 'dropped');
  const refs = r.hops.filter((h) => h.ruleRef).map((h) => h.ruleRef!);
  assert.ok(refs.length > 0);
  const last = refs.at(-1)!;
  assert.deepEqual(last, { host: 'host1', table: 'filter', chain: 'FORWARD', rule: '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP', verdict: 'DROP' });
  const text = engineRules(t.engine.state, 'host1').map((rs) => formatIptablesSave(rs)).join('');
  const line = ruleLine(text, last.table, last.chain, last.rule);
  assert.equal(text.split('\n')[line], '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP');
  // The diagram's trace names the rule of the drop (the rules view's red line), from the hop.
  const { index } = buildSnapshot(t.engine.state, 'x');
  const d = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'host1', from: '10_b1', to: '172.17.0.2', proto: 'icmp' });
  assert.ok('trace' in d);
  assert.equal(d.trace.rule, '-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP');
  assert.deepEqual(d.trace.hops.filter((h) => h.ruleRef).at(-1)!.ruleRef, last);
  const marks = ruleMarks(text, d.trace, 'host1', ['host1']);
  assert.deepEqual(marks.filter((m) => m.kind === 'dropped').map((m) => m.line), [line]);
});

test('a policy decides: the reference has no rule and finds the chain\'s policy line; the nat DNAT rule is found in nat', () => {
  const t = load('06-port-mapping.cnm.yaml');
  const r = trace(t.engine.state, { host: 'host1', from: 'host1', to: '192.168.50.10', proto: 'tcp', port: 8080 }, { listening: listeningOf(t.spec) });
  const text = engineRules(t.engine.state, 'host1').map((rs) => formatIptablesSave(rs)).join('');
  const lines = text.split('\n');
  const policy = r.hops.find((h) => h.ruleRef && h.ruleRef.rule === null)!.ruleRef!;
  assert.match(lines[ruleLine(text, policy.table, policy.chain, null)]!, new RegExp(`^:${policy.chain} ACCEPT`));
  const dnat = r.hops.find((h) => h.ruleRef?.verdict === 'DNAT')!.ruleRef!;
  const at = ruleLine(text, dnat.table, dnat.chain, dnat.rule);
  assert.ok(at > lines.indexOf('*nat'), 'found in the nat table');
  assert.match(lines[at]!, /-j DNAT --to-destination 172\.17\.0\.2:80$/);
  assert.equal(ruleLine(text, 'filter', 'FORWARD', '-A NOPE -j DROP'), -1);
});

test('the webview\'s showRule message is checked: a table, a chain name, a rule or null', () => {
  const ok = { protocol: PROTOCOL_VERSION, type: 'showRule', host: 'host1', table: 'filter', chain: 'FORWARD', rule: '-A DOCKER-USER -j RETURN' };
  assert.ok(isWebviewMessage(ok));
  assert.ok(isWebviewMessage({ ...ok, rule: null }));
  for (const bad of [{ ...ok, table: 'evil' }, { ...ok, chain: 'a b' }, { ...ok, rule: 'rm -rf /' }, { ...ok, rule: `-A ${'x'.repeat(5000)}` }, { ...ok, host: '' }]) {
    assert.equal(isWebviewMessage(bad), false, JSON.stringify(bad).slice(0, 60));
  }
});
