// Swarm services as the diagram and the tree show them: a service with its VIPs, routing-mesh ports and
// tasks on their nodes; a trace to a service that shows every task IPVS can send a connection to.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { trace } from '../../../src/engine';
import { buildSnapshot } from '../../../src/extension/diagramSnapshot';
import { ids, parseElementId } from '../../../src/extension/elementIds';
import { engineTracerFor, listeningOf } from '../../../src/extension/engineTracer';
import { destinationOf, traceForDiagram } from '../../../src/extension/tracing';
import { buildSourceTree, walk } from '../../../src/extension/treeNodes';
import { snapshotIds } from '../../../src/protocol/diagram';
import { loadTopology } from '../../../src/topology';
import { layoutDiagram } from '../../../webview/layout';
import { searchSnapshot } from '../../../webview/search';

const load = (name: string) => loadTopology(readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8'));

test('a service in the snapshot: mode, endpoint mode, a VIP per network, mesh ports, tasks on their nodes', () => {
  const { snapshot } = buildSnapshot(load('07-swarm-overlay.cnm.yaml').engine.state, 'x');
  const svcs = snapshot.services ?? [];
  assert.deepEqual(svcs.map((s) => s.name), ['hostname', 'api']);
  const hostname = svcs[0]!;
  assert.equal(hostname.id, ids.service('node1', 'hostname'));
  assert.deepEqual({ mode: hostname.mode, endpointMode: hostname.endpointMode, replicas: hostname.replicas }, { mode: 'replicated', endpointMode: 'vip', replicas: 3 });
  assert.deepEqual(hostname.vips, [{ network: 'myingress11', address: '10.11.0.3', ingress: true }, { network: 'backend', address: '10.0.1.4', ingress: false }]);
  assert.deepEqual(hostname.ports.map((p) => `${p.published}->${p.target}/${p.proto}`), ['8080->8000/tcp']);
  assert.deepEqual(hostname.tasks.map((t) => `${t.name.split('.').slice(0, 2).join('.')} ${t.host}`), ['hostname.1 node1', 'hostname.2 node2', 'hostname.3 node1']);
  // Each task's box is drawn on its node, so the service's lines have somewhere to go.
  for (const t of hostname.tasks) assert.ok(snapshot.hosts.find((h) => h.name === t.host)!.sandboxes.some((s) => s.id === t.sandboxId), t.name);
  const all = snapshotIds(snapshot);
  assert.ok(all.has(hostname.id) && all.has(hostname.ports[0]!.id), 'a service and its mesh port can be selected');
  assert.deepEqual(parseElementId(hostname.ports[0]!.id), { kind: 'mesh', host: 'node1', binding: '8080/tcp' });
  // No swarm: no services in the snapshot at all.
  assert.equal(buildSnapshot(load('02-custom-bridge.cnm.yaml').engine.state, 'x').snapshot.services, undefined);
});

test('the tree: Services → service (mode, VIPs, mesh ports) → tasks, each task selecting its box', () => {
  const t = load('07-swarm-overlay.cnm.yaml');
  const root = buildSourceTree({ key: 'file:///w/07.cnm.yaml', fileName: '07.cnm.yaml', loaded: t });
  const group = root.children.find((n) => n.kind === 'services')!;
  assert.ok(group, 'a Services group under the file');
  assert.deepEqual(group.children.map((n) => n.label), ['hostname', 'api']);
  const api = group.children[1]!;
  assert.equal(api.description, 'replicated 2/2 · endpoint_mode vip · VIP 10.0.1.9');
  assert.equal(api.elementId, ids.service('node1', 'api'));
  const hostname = group.children[0]!;
  assert.deepEqual(hostname.children.map((n) => `${n.label} · ${n.description}`), [
    'VIP 10.11.0.3 · myingress11 (ingress: the routing mesh)', 'VIP 10.0.1.4 · backend', '8080 → 8000/tcp · routing mesh · every node', 'Tasks · 3']);
  const tasks = hostname.children[3]!.children;
  assert.deepEqual(tasks.map((n) => `${n.label} ${n.description}`), [
    'hostname.1 on node1 · 10.11.0.4 (myingress11) · 10.0.1.5 (backend)',
    'hostname.2 on node2 · 10.11.0.5 (myingress11) · 10.0.1.6 (backend)',
    'hostname.3 on node1 · 10.11.0.6 (myingress11) · 10.0.1.7 (backend)']);
  assert.match(tasks[1]!.elementId!, /^c\/node2\/hostname\.2\./);
  // Ids stay unique in the whole tree (the task's container is listed under its host too).
  const seen = new Set<string>();
  for (const n of walk(root)) {
    assert.ok(!seen.has(n.id), `duplicate id ${n.id}`);
    seen.add(n.id);
  }
  assert.equal(hostname.path?.join('.'), 'services.hostname');
});

test('hover-to-trace to a service: by its name (DNS → VIP) or its VIP; a mesh port at the node', () => {
  const { snapshot } = buildSnapshot(load('07-swarm-overlay.cnm.yaml').engine.state, 'x');
  assert.deepEqual(destinationOf(snapshot, ids.service('node1', 'api')), { to: 'api', defaultPort: 80 });
  assert.deepEqual(destinationOf(snapshot, ids.service('node1', 'api'), 'address'), { to: '10.0.1.9', defaultPort: 80 });
  assert.deepEqual(destinationOf(snapshot, ids.mesh('node1', '8080/tcp')), { to: '192.168.50.10', defaultPort: 8080, proto: 'tcp' });
  assert.deepEqual(destinationOf(snapshot, ids.service('node1', 'nope')), { error: 'no service nope' });
});

test('load balancing: a trace to a VIP names every task IPVS can pick, each traced as its own connection', () => {
  const t = load('07-swarm-overlay.cnm.yaml');
  const { index } = buildSnapshot(t.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node2', from: 'probe', to: 'hostname', proto: 'tcp', port: 8000 });
  assert.ok('trace' in r);
  const spread = r.trace.spread!;
  assert.equal(spread.service, 'hostname');
  assert.equal(spread.via, 'vip');
  assert.equal(spread.serviceId, ids.service('node1', 'hostname'));
  assert.deepEqual(spread.backends.map((b) => `${b.connection} ${b.task.split('.').slice(0, 2).join('.')} ${b.host} ${b.address} ${b.verdict}`), [
    '1 hostname.1 node1 10.0.1.5 delivered', '2 hostname.2 node2 10.0.1.6 delivered', '3 hostname.3 node1 10.0.1.7 delivered']);
  assert.match(spread.backends[1]!.reason, /IPVS sent the connection to hostname\.2\./);
  assert.ok(spread.backends.every((b) => b.element && index.sandboxOf(b.host, b.task) === b.element));
  // Nothing listens on 81 in any task: every connection is refused, and each says so.
  const refused = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node2', from: 'probe', to: 'api', proto: 'tcp', port: 81 });
  assert.ok('trace' in refused);
  assert.deepEqual(refused.trace.spread!.backends.map((b) => b.verdict), ['refused', 'refused']);
  // A plain container trace has no spread.
  const plain = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node2', from: 'probe', to: '10.0.1.10', proto: 'tcp', port: 80 });
  assert.ok('trace' in plain && plain.trace.spread === undefined);
});

test('the routing mesh: connections to a node\'s published port reach each task in turn', () => {
  const t = load('overlay-ingress.cnm.yaml');
  const { index } = buildSnapshot(t.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node3', from: 'node3', to: '192.168.50.10', proto: 'tcp', port: 8080 });
  assert.ok('trace' in r);
  assert.equal(r.trace.spread?.via, 'mesh');
  assert.deepEqual(r.trace.spread!.backends.map((b) => `${b.host} ${b.address} ${b.verdict}`), ['node1 10.11.0.3 delivered', 'node2 10.11.0.4 delivered', 'node3 10.11.0.5 delivered']);
});

test('the engine: TraceQuery.connection picks the task IPVS round robin gives that connection', () => {
  const t = load('07-swarm-overlay.cnm.yaml');
  const q = { host: 'node2', from: 'probe', to: 'api', proto: 'tcp' as const, port: 80 };
  const first = trace(t.engine.state, q, { listening: listeningOf(t.spec) });
  const second = trace(t.engine.state, { ...q, connection: 1 }, { listening: listeningOf(t.spec) });
  const third = trace(t.engine.state, { ...q, connection: 2 }, { listening: listeningOf(t.spec) });
  assert.match(first.reason, /to api\.1\./);
  assert.match(second.reason, /to api\.2\./);
  assert.match(third.reason, /to api\.1\./, 'round robin wraps');
  const ipvs = second.hops.find((h) => h.action === 'ipvs')!;
  assert.match(ipvs.detail, /this is connection 2 \(tasks\[\(firstBackend 0 \+ 1\) mod 2\]\)/);
  assert.deepEqual({ service: ipvs.ipvs?.service, chosen: ipvs.ipvs?.chosen, n: ipvs.ipvs?.backends.length }, { service: 'api', chosen: 1, n: 2 });
});

test('layout: services above the hosts, a line from each service down to each task box; search finds a service by name or VIP', () => {
  const { snapshot } = buildSnapshot(load('07-swarm-overlay.cnm.yaml').engine.state, 'x');
  const l = layoutDiagram(snapshot);
  assert.equal(l.services.length, 2);
  const top = Math.min(...l.hosts.map((h) => h.y));
  for (const s of l.services) assert.ok(s.y + s.h < top, 'service boxes sit above the hosts');
  const hostname = l.services[0]!;
  assert.equal(hostname.links.length, 3);
  const boxes = new Map(l.hosts.flatMap((h) => h.boxes).map((b) => [b.id, b]));
  for (const link of hostname.links) {
    const box = boxes.get(link.sandboxId)!;
    assert.ok(link.path.endsWith(`V${box.y}`), `${link.path} ends at the top of ${link.sandboxId}`);
  }
  // Collapsed: the line goes to the group that holds the task.
  const collapsed = layoutDiagram(snapshot, { collapsed: new Set(snapshot.hosts.map((h) => h.id)) });
  assert.equal(collapsed.services[0]!.links.length, 3);
  assert.deepEqual(searchSnapshot(snapshot, '10.0.1.9').map((h) => h.what), ['service api VIP 10.0.1.9']);
  assert.ok(searchSnapshot(snapshot, 'api').some((h) => h.id === ids.service('node1', 'api')));
});

test("each swarm node's ingress-sbox is drawn with its legs on the ingress network and docker_gwbridge; a mesh trace passes through it", () => {
  const t = load('overlay-ingress.cnm.yaml');
  const { snapshot, index } = buildSnapshot(t.engine.state, 'x');
  for (const [node, ingressAddr] of [['node1', '10.11.0.6'], ['node2', '10.11.0.7'], ['node3', '10.11.0.8']] as const) {
    const sbox = snapshot.hosts.find((h) => h.name === node)!.sandboxes.find((s) => s.mode === 'ingress');
    assert.ok(sbox, `an ingress-sbox on ${node}`);
    assert.equal(sbox.id, ids.container(node, 'ingress-sbox'));
    assert.deepEqual(sbox.endpoints.map((e) => `${e.ifname} ${e.networkId} ${e.ipv4}`), [
      `eth0 ${ids.network(node, 'myingress11')} ${ingressAddr}`,
      `eth1 ${ids.network(node, 'docker_gwbridge')} 172.18.0.2`,
    ]);
    assert.deepEqual(sbox.listening, ['8080/tcp'], 'IPVS serves the mesh port');
  }
  // It is not a trace source; as a target it is its address (no name resolves to it).
  assert.deepEqual(destinationOf(snapshot, ids.container('node1', 'ingress-sbox')), { to: '10.11.0.6', defaultPort: 8080 });
  // From node3 to node1's published port: DNAT to the sbox on node1, IPVS and SNAT in it, out on the ingress overlay.
  const r = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node3', from: 'node3', to: '192.168.50.10', proto: 'tcp', port: 8080 });
  assert.ok('trace' in r && r.trace.verdict === 'delivered', JSON.stringify(r).slice(0, 300));
  const inSbox = r.trace.hops.filter((h) => h.node === 'ingress-sbox on node1');
  assert.deepEqual(inSbox.map((h) => h.action), ['receive', 'ipvs', 'SNAT', 'route', 'send', 'reply']);
  const lit = new Set(inSbox.flatMap((h) => h.elements));
  for (const id of [ids.endpoint('node1', 'docker_gwbridge', 'ingress-sbox'), ids.link('node1', 'docker_gwbridge', 'ingress-sbox'), ids.endpoint('node1', 'myingress11', 'ingress-sbox')]) assert.ok(lit.has(id), id);
  // The SNAT hop (no interface) is drawn at the box itself or where the packet is in it.
  assert.ok(inSbox.every((h) => h.elements.length > 0));
  // Out of it, the ingress overlay's bridge switches the frame from the sbox's veth to the task's.
  assert.ok(r.trace.hops.find((h) => h.node === 'br0')!.elements.includes(ids.link('node1', 'myingress11', 'ingress-sbox')));
  // Every id is one the diagram can select.
  const all = snapshotIds(snapshot);
  for (const h of r.trace.hops) for (const id of h.elements) assert.ok(all.has(id) || id.startsWith('t/'), id);
  // The layout places it in the ingress network's band on every node.
  const layout = layoutDiagram(snapshot);
  for (const node of ['node1', 'node2', 'node3']) assert.ok(layout.centres.has(ids.container(node, 'ingress-sbox')), node);
});

test('a routing-mesh trace to another node: its nat PREROUTING and DNAT hops are drawn on the destination node, not the source', () => {
  const t = load('overlay-ingress.cnm.yaml');
  const { snapshot, index } = buildSnapshot(t.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(t.spec), t.engine.state, index, { host: 'node3', from: 'node3', to: '192.168.50.10', proto: 'tcp', port: 8080 });
  assert.ok('trace' in r);
  const onNode1 = r.trace.hops.filter((h) => h.node === 'node1' && (h.action === 'nat PREROUTING' || h.action === 'DNAT'));
  assert.deepEqual(onNode1.map((h) => `${h.action} ${h.interface}`), ['nat PREROUTING eth0', 'DNAT eth0'], 'the engine names where the packet came in');
  for (const h of onNode1) assert.deepEqual(h.elements, [ids.hostIf('node1', 'eth0')], `${h.action} lit at node1's eth0`);
  assert.ok(!r.trace.hops.slice(r.trace.hops.findIndex((h) => h.node === 'node1')).some((h) => h.elements.includes(ids.hostIf('node3', 'eth0'))), "after the LAN, nothing is lit on node3's eth0");
  // A hop the diagram has no picture for, once the packet is on another host, is drawn at that host's box.
  const tracer = () => ({ verdict: 'delivered' as const, reason: 'x', hops: [
    { node: 'node3', interface: 'eth0', action: 'send', detail: 'onto the LAN' },
    { node: 'node1', interface: '', action: 'conntrack', detail: 'no interface named' },
  ] });
  const r2 = traceForDiagram(tracer, t.engine.state, index, { host: 'node3', from: 'node3', to: '192.168.50.10', proto: 'tcp', port: 8080 });
  assert.ok('trace' in r2);
  assert.deepEqual(r2.trace.hops.map((h) => h.elements), [[ids.hostIf('node3', 'eth0')], [ids.host('node1')]]);
  assert.ok(snapshotIds(snapshot).has(ids.host('node1')));
});
