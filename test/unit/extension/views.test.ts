// The views' pure parts on the examples: which rules of a host's iptables-save a trace marks (the
// rules view), the matrix grid (matrixView), and a container's namespace nodes in the tree.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { engineRules, formatIptablesSave, reachabilityMatrix } from '../../../src/engine';
import { loadTopology } from '../../../src/topology';
import { engineTracerFor, listeningOf } from '../../../src/extension/engineTracer';
import { matrixHtml, matrixModel, MAX_SINGLE } from '../../../src/extension/matrixView';
import { ruleMarks, rulesOf } from '../../../src/extension/rulesMarks';
import { buildSourceTree, walk } from '../../../src/extension/treeNodes';
import type { TraceView } from '../../../src/protocol/trace';

const examples = join(__dirname, '../../../examples');
const load = (file: string) => loadTopology(readFileSync(join(examples, file), 'utf8'));

/** The engine's trace as the extension holds it (TraceView), without the diagram's elements. */
function traceOf(file: string, host: string, from: string, to: string, port?: number): TraceView {
  const t = load(file);
  const r = engineTracerFor(t.spec)(t.engine.state, { host, from, to, proto: port ? 'tcp' : 'icmp', ...(port ? { port } : {}) });
  return { from, to, proto: port ? 'tcp' : 'icmp', verdict: r.verdict, reason: r.reason, hops: r.hops.map((h) => ({ node: h.node, action: h.action, detail: h.detail, elements: [] })), ...(r.rule ? { rule: r.rule } : {}) };
}

function rulesText(file: string, host: string): string {
  const t = load(file);
  return engineRules(t.engine.state, host).map((rs) => formatIptablesSave(rs)).join('');
}

describe('rules view marks', () => {
  it('a drop between bridges: the isolation rule that dropped it, and the rules it passed', () => {
    const text = rulesText('02-custom-bridge.cnm.yaml', 'host1');
    const lines = text.split('\n');
    const marks = ruleMarks(text, traceOf('02-custom-bridge.cnm.yaml', 'host1', '10_b1', '172.17.0.2'), 'host1', ['host1']);
    const dropped = marks.filter((m) => m.kind === 'dropped');
    assert.deepEqual(dropped.map((m) => lines[m.line]), ['-A DOCKER-ISOLATION-STAGE-2 -o docker0 -j DROP']);
    assert.match(dropped[0]!.note, /dropped the packet/);
    const passed = marks.filter((m) => m.kind === 'passed').map((m) => lines[m.line]);
    assert.ok(passed.includes('-A FORWARD -j DOCKER-USER') && passed.includes('-A DOCKER-ISOLATION-STAGE-1 -i br-428ba3822d38 ! -o br-428ba3822d38 -j DOCKER-ISOLATION-STAGE-2'), passed.join('\n'));
  });

  it('a published port: the DNAT rule in the nat table, and the chain policy where no rule matched', () => {
    const text = rulesText('06-port-mapping.cnm.yaml', 'host1');
    const lines = text.split('\n');
    const marks = ruleMarks(text, traceOf('06-port-mapping.cnm.yaml', 'host1', 'host1', '192.168.50.10', 8080), 'host1', ['host1']);
    const decided = marks.filter((m) => m.kind === 'decided').map((m) => lines[m.line]);
    assert.ok(decided.some((l) => /^-A DOCKER ! -i docker0 -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172\.17\.0\.2:80$/.test(l!)), decided.join('\n'));
    // nat's DOCKER rule is found in the nat table, not in filter's DOCKER chain.
    const nat = lines.indexOf('*nat');
    assert.ok(marks.filter((m) => /DNAT/.test(lines[m.line]!)).every((m) => m.line > nat));
    assert.ok(decided.some((l) => l!.startsWith(':OUTPUT ACCEPT')), 'filter OUTPUT: the policy decided');
  });

  it('reads the rules out of a hop: the chain walked, the diagram\'s appended rule', () => {
    assert.deepEqual(rulesOf('(-i a -o b) -A FORWARD -j DOCKER-USER → -A DOCKER-USER -j RETURN'), ['-A FORWARD -j DOCKER-USER', '-A DOCKER-USER -j RETURN']);
    assert.deepEqual(rulesOf('policy ACCEPT (no rule matched)'), []);
  });
});

describe('matrix view', () => {
  it('one row and column per container, a square per probe, the diagonal empty, coloured by verdict', () => {
    const t = load('two-host-lab.cnm.yaml');
    const model = matrixModel(reachabilityMatrix(t.engine.state, { listening: listeningOf(t.spec) }), 'Matrix');
    assert.equal(model.grouped, false);
    assert.deepEqual(model.axis.map((a) => a.label), ['node1/api', 'node1/printer', 'node1/pod-a', 'node2/db', 'node2/pod-b']);
    assert.equal(model.cells[0]![0], null);
    const apiToPodA = model.cells[0]![2]!;
    assert.equal(apiToPodA.address, '10.244.0.2');
    assert.deepEqual(apiToPodA.probes, [{ label: 'icmp', verdict: 'dropped' }]);
    assert.ok(model.networks.includes('pods') && model.networks.includes('backend'));
    assert.equal(model.counts.delivered + model.counts.dropped + model.counts.unknown + model.counts.refused + model.counts.unresolved, 20);
    const html = matrixHtml(model, { cspSource: 'vscode-resource:', nonce: 'N0NCE' });
    assert.match(html, /script-src 'nonce-N0NCE'/);
    assert.ok(!/<[^>]+ style=/.test(html), 'no inline style attributes (the CSP has no unsafe-inline)');
    assert.match(html, /aria-label="node1\/api → node1\/pod-a \(10\.244\.0\.2\) icmp: dropped"/);
  });

  it('groups containers that behave alike beyond MAX_SINGLE', () => {
    const lines = ['hosts:', '  h1: {}', 'networks:', '  a: { driver: bridge }', '  b: { driver: bridge }', 'containers:'];
    for (let i = 0; i < MAX_SINGLE + 10; i++) lines.push(`  c${i}: { image: busybox, networks: [${i % 2 ? 'a' : 'b'}] }`);
    const t = loadTopology(lines.join('\n') + '\n');
    const model = matrixModel(reachabilityMatrix(t.engine.state, { listening: listeningOf(t.spec) }), 'Matrix');
    assert.equal(model.grouped, true);
    assert.equal(model.axis.length, 2);
    assert.equal(model.axis[0]!.size + model.axis[1]!.size, MAX_SINGLE + 10);
    // A group to itself: its members to each other; to the other bridge: isolated.
    assert.equal(model.cells[0]![0]!.probes[0]!.verdict, 'delivered');
    assert.equal(model.cells[0]![1]!.probes[0]!.verdict, 'dropped');
  });
});

describe('a container\'s namespace in the tree', () => {
  it('interfaces, routes, /etc/hosts and resolv.conf under "network namespace"', () => {
    const t = load('02-custom-bridge.cnm.yaml');
    const root = buildSourceTree({ key: 'file:///x', fileName: 'x.cnm.yaml', loaded: t });
    const b1 = [...walk(root)].find((n) => n.kind === 'container' && n.label === 'b1')!;
    const ns = b1.children.find((n) => n.kind === 'sandbox')!;
    assert.deepEqual(ns.children.map((c) => c.label), ['interfaces', 'routes', '/etc/hosts', '/etc/resolv.conf']);
    const [ifs, routes, , resolv] = ns.children;
    assert.ok(ifs!.children.some((l) => /^eth1 {2}10\.10\.0\.3\/16 .*mtu 1500/.test(l.label)), ifs!.children.map((l) => l.label).join('\n'));
    assert.ok(routes!.children.some((l) => l.label === 'default via 172.17.0.1 dev eth0'), routes!.children.map((l) => l.label).join('\n'));
    assert.deepEqual(resolv!.children.map((l) => l.label), ['nameserver 127.0.0.11', 'options ndots:0']);
  });
});
