// Traces across a weave network: switched on the local weave bridge, or through the router's port and
// the datapath to VXLAN UDP 6784 between the hosts' addresses (router/fastdp.go), or sleeve's UDP 6783
// (router/sleeve.go); the far host's INPUT chain sees the outer packet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tracer } from '../../../src/engine/trace';
import { loadTopology } from '../../../src/topology';

const l = loadTopology(readFileSync(join(import.meta.dirname, '../../../examples/13-weave.cnm.yaml'), 'utf8'));
const tracer = new Tracer(l.engine.state);
const steps = (r: { hops: { node: string; interface: string; action: string }[] }) => r.hops.map((h) => `${h.node} ${h.interface} ${h.action}`);

test('fast datapath: vethwe-bridge → datapath → vxlan-6784, VXLAN UDP 6784 from node1 to node2', () => {
  const r = tracer.trace({ host: 'node1', from: 'web', to: 'db', proto: 'icmp' });
  assert.equal(r.verdict, 'delivered');
  const s = steps(r);
  assert.ok(s.includes('weave vethwe-bridge switch') && s.includes('node1 vxlan-6784 encapsulate') && s.includes('node2 vxlan-6784 decapsulate'), s.join('\n'));
  const enc = r.hops.find((h) => h.action === 'encapsulate')!;
  assert.match(enc.detail, /outer UDP 192\.168\.60\.10 → 192\.168\.60\.11:6784/);
  assert.ok(r.hops.some((h) => h.node === 'node2' && h.action === 'filter INPUT'), 'the far host INPUT sees the UDP packet');
});

test('sleeve: the router captures on vethwe-pcap and sends UDP 6783', () => {
  const r = tracer.trace({ host: 'node1', from: 'web', to: 'cache', proto: 'icmp' });
  assert.equal(r.verdict, 'delivered');
  assert.match(r.hops.find((h) => h.action === 'switch')!.detail, /vethwe-pcap/);
  const enc = r.hops.find((h) => h.action === 'encapsulate')!;
  assert.match(enc.detail, /192\.168\.60\.11:6783/);
  // Sleeve is the router's own UDP framing: no VXLAN header, so no VNI is named (it once said "VNI 0").
  assert.doesNotMatch(enc.detail, /VNI/);
  assert.match(enc.detail, /its own UDP encapsulation/);
  assert.equal(enc.packet?.outer?.vni, undefined);
});

test('weave.local names resolve; another weave subnet is not on-link (isolation): out the default route, beyond the topology', () => {
  assert.equal(tracer.trace({ host: 'node1', from: 'web', to: 'db.weave.local', proto: 'icmp' }).verdict, 'delivered');
  const r = tracer.trace({ host: 'node2', from: 'db', to: '10.2.1.128', proto: 'icmp' });
  assert.equal(r.verdict, 'unknown');
  assert.match(r.hops[0]!.detail, /default/);
});

test('nobody holds the address: weave carries the ARP to every peer, no answer', () => {
  const r = tracer.trace({ host: 'node1', from: 'web', to: '10.33.0.9', proto: 'icmp' });
  assert.equal(r.verdict, 'dropped');
  assert.match(r.reason, /nobody on weave network weavenet has 10\.33\.0\.9/);
});
