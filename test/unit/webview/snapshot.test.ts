// What the extension host hands the diagram: every sandbox with its endpoints, the shared namespaces,
// the published ports, and traces whose hops name the drawn elements they pass.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSnapshot } from '../../../src/extension/diagramSnapshot';
import { parseElementId, ids } from '../../../src/extension/elementIds';
import { engineTracerFor } from '../../../src/extension/engineTracer';
import { destinationOf, traceForDiagram } from '../../../src/extension/tracing';
import { buildSourceTree, walk } from '../../../src/extension/treeNodes';
import { snapshotIds } from '../../../src/protocol/diagram';
import { loadTopology } from '../../../src/topology';

const load = (name: string) => loadTopology(readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8'));

test('element ids round-trip, also for names with slashes or spaces', () => {
  assert.deepEqual(parseElementId(ids.endpoint('h 1', 'a/b', 'c')), { kind: 'endpoint', host: 'h 1', network: 'a/b', container: 'c' });
  assert.deepEqual(parseElementId(ids.port('host1', 'web', '0.0.0.0:8080->80/tcp')), { kind: 'port', host: 'host1', container: 'web', binding: '0.0.0.0:8080->80/tcp' });
  for (const bad of ['', 'x/y', 'n/onlyhost', 'c/h/%E0%A4%A', 'e/a/b']) assert.equal(parseElementId(bad), undefined, bad);
});

test('the custom bridge: sandboxes with their interfaces and the networks with their bridges', () => {
  const { snapshot } = buildSnapshot(load('02-custom-bridge.cnm.yaml').engine.state, 'x');
  const host = snapshot.hosts[0]!;
  const b1 = host.sandboxes.find((s) => s.name === 'b1')!;
  assert.deepEqual(b1.endpoints.map((e) => `${e.ifname} ${e.ipv4} ${e.networkId}`), ['eth0 172.17.0.2 n/host1/bridge', 'eth1 10.10.0.3 n/host1/mybridge10']);
  assert.match(b1.endpoints[1]!.veth ?? '', /^veth[0-9a-f]{7}$/);
  assert.deepEqual(host.sandboxes.find((s) => s.name === 'web')!.endpoints[0]!.aliases, ['www']);
  const net = host.networks.find((n) => n.name === 'mybridge10')!;
  assert.deepEqual({ subnet: net.subnet, gateway: net.gateway, predefined: net.predefined }, { subnet: '10.10.0.0/16', gateway: '10.10.0.1', predefined: false });
  assert.match(net.device ?? '', /^br-[0-9a-f]{12}$/);
  assert.equal(host.networks.find((n) => n.name === 'bridge')!.device, 'docker0');
});

test('container mode: one box for the namespace, naming both containers', () => {
  const { snapshot, index } = buildSnapshot(load('05-container-mode.cnm.yaml').engine.state, 'x');
  const boxes = snapshot.hosts[0]!.sandboxes;
  const b1 = boxes.find((s) => s.name === 'b1')!;
  assert.deepEqual(b1.sharedBy.map((m) => m.name), ['c1']);
  assert.equal(boxes.some((s) => s.name === 'c1'), false);
  // One network stack: what c1 listens on (listen: ["8080"]) listens in b1's box too.
  assert.deepEqual(b1.listening, ['80/tcp', '8080/tcp']);
  assert.equal(index.sandboxOf('host1', 'c1'), b1.id);
  assert.ok(snapshotIds(snapshot).has('c/host1/c1'), 'c1 can still be selected by its own id');
});

test('published ports: every binding, with the sandbox it forwards to', () => {
  const { snapshot } = buildSnapshot(load('06-port-mapping.cnm.yaml').engine.state, 'x');
  const ports = snapshot.hosts[0]!.ports.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.proto}`).sort();
  assert.deepEqual(ports, ['0.0.0.0:32768->80/tcp', '0.0.0.0:8080->80/tcp', '127.0.0.1:8081->80/tcp', ':::32768->80/tcp', ':::8080->80/tcp']);
  assert.deepEqual(snapshot.hosts[0]!.interfaces.map((i) => `${i.name} ${i.address}`), ['eth0 192.168.50.10/24']);
});

test('a trace\'s hops name the diagram elements on the way: the source\'s veth, the bridge, the target\'s veth', () => {
  const loaded = load('02-custom-bridge.cnm.yaml');
  const { snapshot, index } = buildSnapshot(loaded.engine.state, 'x');
  const dest = destinationOf(snapshot, 'c/host1/web', 'name');
  assert.deepEqual(dest, { to: 'web', defaultPort: 80 });
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'host1', from: '10_b1', to: 'web', proto: 'tcp', port: 80 });
  assert.ok('trace' in r);
  const lit = new Set(r.trace.hops.flatMap((h) => h.elements));
  for (const id of ['l/host1/mybridge10/10_b1', 'n/host1/mybridge10', 'l/host1/mybridge10/web', 'e/host1/mybridge10/web']) assert.ok(lit.has(id), `${id} is lit`);
  assert.equal(lit.has('n/host1/bridge'), false, 'docker0 is not on the way');
  assert.equal(r.trace.verdict, 'delivered');
  const all = snapshotIds(snapshot);
  for (const id of lit) assert.ok(all.has(id), `${id} is drawn`);
});

test('a trace across hosts lights the target host\'s elements after the crossing, not the source host\'s', () => {
  const loaded = load('two-host-lab.cnm.yaml');
  const { snapshot, index } = buildSnapshot(loaded.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'node1', from: 'api', to: 'db', proto: 'icmp' });
  assert.ok('trace' in r);
  assert.equal(r.trace.verdict, 'delivered');
  const last = r.trace.hops.at(-1)!;
  assert.ok(last.elements.length > 0 && last.elements.every((id) => id.includes('/node2/')), `db's hops are on node2: ${last.elements.join(', ')}`);
  assert.ok(r.trace.hops[0]!.elements.every((id) => id.includes('/node1/')), 'api\'s first hop is on node1');
  const all = snapshotIds(snapshot);
  for (const id of r.trace.hops.flatMap((h) => h.elements)) assert.ok(all.has(id), `${id} is drawn`);
});

test('a drop is marked on the hop where it happens', () => {
  const loaded = load('04-none-mode.cnm.yaml');
  const { index } = buildSnapshot(loaded.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'host1', from: 'n1', to: '172.17.0.2', proto: 'icmp' });
  assert.ok('trace' in r);
  assert.equal(r.trace.verdict, 'dropped');
  assert.equal(r.trace.hops.filter((h) => h.drop).length, 1);
  assert.equal(r.trace.hops.at(-1)?.drop, true);
  assert.ok(r.trace.hops.at(-1)!.elements.includes('c/host1/n1'), 'n1 cannot send: the drop is at n1');
});

test('unknown is marked as such on the hop where the engine stops following it, never as a drop', () => {
  const loaded = load('02-custom-bridge.cnm.yaml');
  const { index } = buildSnapshot(loaded.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'host1', from: 'b1', to: '203.0.113.5', proto: 'icmp' });
  assert.ok('trace' in r);
  assert.equal(r.trace.verdict, 'unknown');
  assert.match(r.trace.reason, /no one in the topology has 203\.0\.113\.5: the topology gives host1 no route to it/);
  assert.deepEqual(r.trace.hops.filter((h) => h.drop), [], 'no hop is a drop');
  const last = r.trace.hops.at(-1)!;
  assert.deepEqual([last.action, last.unknown, last.node], ['unknown', true, 'host1']);
  assert.equal(r.trace.hops.filter((h) => h.unknown).length, 1);
});

test('the tree of an example: every node has a unique id and the endpoints carry what the menus need', () => {
  const loaded = load('02-custom-bridge.cnm.yaml');
  const root = buildSourceTree({ key: 'file:///x.cnm.yaml', fileName: 'x.cnm.yaml', loaded });
  const nodes = [...walk(root)];
  assert.equal(new Set(nodes.map((n) => n.id)).size, nodes.length);
  const eps = nodes.filter((n) => n.kind === 'endpoint');
  assert.ok(eps.length >= 8);
  for (const e of eps) assert.ok(e.host && e.network && e.container, e.id);
  for (const n of nodes.filter((x) => x.elementId)) assert.ok(n.id.startsWith('file:///x.cnm.yaml#'), n.id);
});
