// The drivers' own devices in the diagram: calico's tunl0 with its per-host routes, the weave router,
// pipework's hand-made links, and the tunnels between hosts — in the snapshot, in the layout, and lit
// by a trace across the hosts at the hop that encapsulates.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildSnapshot } from '../../../src/extension/diagramSnapshot';
import { ids, parseElementId } from '../../../src/extension/elementIds';
import { engineTracerFor } from '../../../src/extension/engineTracer';
import { destinationOf, traceForDiagram } from '../../../src/extension/tracing';
import { snapshotIds } from '../../../src/protocol/diagram';
import { loadTopology } from '../../../src/topology';
import { layoutDiagram } from '../../../webview/layout';

const load = (name: string) => loadTopology(readFileSync(join(import.meta.dirname, '../../../examples', name), 'utf8'));

function traced(name: string, from: string, to: string, port?: number) {
  const loaded = load(name);
  const { snapshot, index } = buildSnapshot(loaded.engine.state, name);
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'node1', from, to, proto: port ? 'tcp' : 'icmp', ...(port ? { port } : {}) });
  assert.ok('trace' in r, JSON.stringify(r));
  return { snapshot, trace: r.trace };
}

test('calico: tunl0 on each host with its address, its block and the BGP-learned route to the other host, one IP-in-IP tunnel between them', () => {
  const { snapshot } = buildSnapshot(load('14-calico.cnm.yaml').engine.state, 'x');
  const [n1, n2] = snapshot.hosts;
  assert.deepEqual(n1!.devices?.map((d) => `${d.name} ${d.kind} ${d.driver}`), ['tunl0 ipip calico']);
  assert.deepEqual(n1!.devices![0]!.lines, [
    '192.168.0.0/32 · IP-in-IP, ipipMode Always',
    "node1's block 192.168.0.0/26 of pool 192.168.0.0/16",
    '192.168.0.64/26 via 10.0.0.2 dev tunl0 proto bird onlink',
    '2 workload routes /32 dev cali… (proxy ARP)',
  ]);
  assert.ok(n2!.devices![0]!.lines.includes('192.168.0.0/26 via 10.0.0.1 dev tunl0 proto bird onlink'));
  assert.deepEqual(snapshot.deviceTunnels?.map((t) => `${t.from} ${t.to} ${t.network} ${t.label}`), ['d/node1/tunl0 d/node2/tunl0 calinet IP-in-IP (protocol 4)']);
  const all = snapshotIds(snapshot);
  assert.ok(all.has('d/node1/tunl0') && all.has(snapshot.deviceTunnels![0]!.id), 'devices and tunnels are selectable ids');
  assert.deepEqual(parseElementId(ids.device('node1', 'weave router')), { kind: 'device', host: 'node1', device: 'weave router' });
  assert.match((destinationOf(snapshot, 'd/node1/tunl0') as { error: string }).error, /not a destination/);
});

test('calico: a trace from node1 to node2 lights tunl0 and the tunnel from the route through it to the underlay, then the far tunl0', () => {
  const { trace } = traced('14-calico.cnm.yaml', 'web', 'db', 5432);
  assert.equal(trace.verdict, 'delivered');
  const tunnel = ids.deviceTunnel('d/node1/tunl0', 'd/node2/tunl0', 'IP-in-IP (protocol 4)');
  const encap = trace.hops.find((h) => h.action === 'encapsulate')!;
  assert.deepEqual(encap.elements, ['d/node1/tunl0', tunnel]);
  assert.ok(trace.hops.find((h) => h.action === 'underlay')!.elements.includes(tunnel));
  assert.deepEqual(trace.hops.find((h) => h.action === 'decapsulate')!.elements, ['d/node2/tunl0']);
});

test('weave: one router per host (both networks), a fast datapath tunnel for weavenet and a sleeve one for slow, each lit by its own trace', () => {
  const { snapshot, trace } = traced('13-weave.cnm.yaml', 'web', 'db');
  assert.deepEqual(snapshot.hosts.map((h) => h.devices?.map((d) => d.name)), [['weave router'], ['weave router']]);
  const lines = snapshot.hosts[1]!.devices![0]!.lines;
  assert.ok(lines.includes('weavenet: fast datapath, vxlan-6784 (VXLAN UDP 6784)') && lines.includes('slow: sleeve, vethwe-pcap (UDP 6783)'), lines.join('\n'));
  assert.ok(lines.includes('weavenet: share 10.40.0.0–10.47.255.255 of 10.32.0.0/12'));
  assert.deepEqual(snapshot.deviceTunnels?.map((t) => `${t.network}: ${t.label}`), ['weavenet: fast datapath: VXLAN UDP 6784', 'slow: sleeve: UDP 6783']);
  const [fast, sleeve] = snapshot.deviceTunnels!;
  assert.ok(trace.hops.find((h) => h.action === 'encapsulate')!.elements.includes(fast!.id));
  assert.ok(trace.hops.find((h) => h.action === 'switch')!.elements.includes('d/node1/weave%20router'), "the router's port on the bridge lights the router");
  const viaSleeve = traced('13-weave.cnm.yaml', 'web', 'cache').trace;
  assert.ok(viaSleeve.hops.find((h) => h.action === 'encapsulate')!.elements.includes(sleeve!.id));
  assert.ok(!viaSleeve.hops.some((h) => h.elements.includes(fast!.id)));
});

test("pipework: the links pipework made by hand, by the script's names, on the bridge and as a macvlan child", () => {
  const { snapshot } = buildSnapshot(load('12-pipework.cnm.yaml').engine.state, 'x');
  const devices = snapshot.hosts[0]!.devices!;
  assert.deepEqual(devices.map((d) => d.name), ['pipework br1', 'pipework eth0']);
  assert.deepEqual(devices[0]!.lines.slice(1), ['veth1pl<pid:web> ⇄ web eth1 192.168.1.10/24', 'veth1pl<pid:api> ⇄ api eth1 192.168.1.11/24', 'veth7pl<pid:db> ⇄ db eth7 192.168.1.12/24 @192.168.1.254']);
  assert.deepEqual(devices[1]!.lines.slice(1), ['macvlan (bridge) on eth0 ⇄ cam eth1 dhcp']);
  assert.equal(snapshot.deviceTunnels, undefined, 'one host: no tunnels');
  // The interfaces themselves: Docker's sandbox does not list them, the diagram does (with their links).
  const box = (name: string) => snapshot.hosts[0]!.sandboxes.find((s) => s.name === name)!;
  assert.deepEqual(box('web').endpoints.map((e) => `${e.ifname} ${e.ipv4 ?? 'dhcp'} ${e.networkId} ${e.veth ?? ''}`), ['eth0 172.17.0.2 n/node1/bridge veth' + box('web').endpoints[0]!.veth!.slice(4), 'eth1 192.168.1.10 n/node1/br1 veth1pl<pid:web>']);
  assert.equal(box('api').mode, 'sandbox', 'network_mode: none, but pipework gave it eth1: not "lo only"');
  assert.deepEqual(box('db').endpoints.map((e) => `${e.ifname} ${e.ipv4}`), ['eth7 192.168.1.12']);
  assert.deepEqual(box('cam').endpoints.map((e) => `${e.ifname} ${e.networkId} ${e.veth ?? 'no veth'}`), ['eth1 n/node1/eth0 no veth']);
});

test('pipework: a trace from a container over its hand-made interface lights that interface and its link', () => {
  const loaded = load('12-pipework.cnm.yaml');
  const { index } = buildSnapshot(loaded.engine.state, 'x');
  const r = traceForDiagram(engineTracerFor(loaded.spec), loaded.engine.state, index, { host: 'node1', from: 'web', to: '192.168.1.11', proto: 'icmp' });
  assert.ok('trace' in r);
  assert.equal(r.trace.verdict, 'dropped');
  assert.ok(r.trace.hops.some((h) => h.elements.includes('e/node1/br1/web') && h.elements.includes('l/node1/br1/web')), JSON.stringify(r.trace.hops.map((h) => h.elements)));
});

test('layout: devices in a row under the networks, tunnels in lanes under the hosts; a network with its own tunnels is not also joined bus to bus', () => {
  const { snapshot } = buildSnapshot(load('13-weave.cnm.yaml').engine.state, 'x');
  const l = layoutDiagram(snapshot);
  const [h1, h2] = l.hosts;
  assert.equal(h1!.devices.length, 1);
  const d1 = h1!.devices[0]!;
  assert.ok(d1.y >= Math.max(...h1!.buses.map((b) => b.y)), 'under the buses');
  assert.ok(d1.y + d1.h <= h1!.y + h1!.h, 'inside the host');
  assert.equal(l.deviceTunnels.length, 2);
  for (const t of l.deviceTunnels) assert.ok(t.labelY > Math.max(h1!.y + h1!.h, h2!.y + h2!.h), 'the lane runs under both hosts');
  assert.ok(l.height > Math.max(h1!.h, h2!.h), 'the lanes are part of the drawing');
  assert.deepEqual(l.tunnels, [], 'weave networks are joined by their routers, not bus to bus');
  // An overlay (no picture of its own) keeps its bus-to-bus VXLAN tunnel.
  const overlay = layoutDiagram(buildSnapshot(load('07-swarm-overlay.cnm.yaml').engine.state, 'x').snapshot);
  assert.ok(overlay.tunnels.length > 0 && overlay.deviceTunnels.length === 0);
});
