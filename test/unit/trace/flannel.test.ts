// The flannel-style plug-in in the tracer, through the same TraceDriver hook the built-in drivers use:
// per-host leases routed over flannel.1 (VXLAN, VNI 1, UDP 8472) or by host routes (host-gw), with
// flanneld's own FORWARD and no-masquerade rules.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertVerdict, hop, lab } from './helpers';

const PODS = (backend: string) => `
hosts:
  node1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "20.10" } }
  node2: { interfaces: { eth0: 192.168.50.11/24 }, daemon: { version: "20.10" } }
networks:
  pods:
    driver: flannel
    host: node1
    subnet: 10.244.0.0/16
    driver_opts: { backend: ${backend} }
containers:
  pod-a: { host: node1, networks: [pods] }
  pod-b: { host: node2, networks: [pods], expose: ["8080"] }
`;

describe('flannel', () => {
  it('vxlan: node1 routes node2\'s lease via flannel.1, which encapsulates in UDP 8472 to node2', () => {
    const r = lab(PODS('vxlan')).t('pod-a', 'pod-b:8080');
    assertVerdict(r, 'delivered', /pod-b accepts 10\.244\.1\.2:8080\/tcp/);
    assert.match(hop(r, 'route', /flannel\.1 onlink/)!.detail, /10\.244\.1\.0\/24 via 10\.244\.1\.0 dev flannel\.1 onlink/);
    assert.match(hop(r, 'route', /flannel \(backend vxlan\)/)!.detail, /10\.244\.1\.2 is in node2's lease 10\.244\.1\.0\/24 of 10\.244\.0\.0\/16/);
    assert.match(hop(r, 'encapsulate')!.detail, /VNI 1: outer UDP 192\.168\.50\.10 → 192\.168\.50\.11:8472/);
    assert.equal(hop(r, 'decapsulate')!.node, 'node2');
    assert.ok(hop(r, 'filter FORWARD', /-A FORWARD -s 10\.244\.0\.0\/16 -j ACCEPT/), "flanneld's FORWARD rule lets it onto cni0");
    assert.ok(hop(r, 'nat POSTROUTING', /-A POSTROUTING -s 10\.244\.0\.0\/16 -d 10\.244\.0\.0\/16 -j RETURN/), 'no masquerade inside the cluster');
    assert.equal(hop(r, 'MASQUERADE'), undefined);
  });

  it('host-gw: a plain route via node2\'s underlay address, no encapsulation', () => {
    const r = lab(PODS('host-gw')).t('pod-a', 'pod-b:8080');
    assertVerdict(r, 'delivered');
    assert.ok(hop(r, 'route', /10\.244\.1\.0\/24 via 192\.168\.50\.11 dev eth0/));
    assert.equal(hop(r, 'encapsulate'), undefined);
  });

  it('the rules flanneld adds show in the host ruleset', () => {
    const rules = lab(PODS('vxlan')).rules('node1');
    assert.match(rules, /-A FORWARD -s 10\.244\.0\.0\/16 -j ACCEPT\n-A FORWARD -d 10\.244\.0\.0\/16 -j ACCEPT/);
    assert.match(rules, /-A POSTROUTING -s 10\.244\.0\.0\/16 -d 10\.244\.0\.0\/16 -j RETURN/);
  });
});
