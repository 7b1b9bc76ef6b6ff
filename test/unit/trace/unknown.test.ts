// The verdict `unknown`: where the tracer does not model a path, or the packet leaves what the topology
// describes, it says so — what it does not model, where the packet leaves — and never guesses `dropped`.
// The last hop is where the engine stops following the packet (action "unknown").
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkExpectation, expectationProblem, reachabilityMatrix, Tracer, type TraceResult } from '../../../src/engine/trace';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { assertVerdict, lab, type Lab } from './helpers';
import { TWO_LANS } from '../../fixtures/twoLans';

function lastHopUnknown(r: TraceResult, node: string, iface: string): void {
  assert.deepEqual(r.hops.at(-1), { node, interface: iface, action: 'unknown', detail: r.reason }, 'the last hop is where the engine stops following it');
  assert.equal(r.rule, undefined, 'no rule decided it');
}

/** A tracer on the lab's state after `change` (a state the topology format cannot write, but a live host could). */
function after(l: Lab, change: (l: Lab) => void): Tracer {
  change(l);
  return new Tracer(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) });
}

const BRIDGE = `
hosts:
  host1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "20.10" } }
networks:
  six-a: { enable_ipv6: true, ipam: { config: [ { subnet: 10.113.0.0/24 }, { subnet: "fd00:113::/64" } ] } }
containers:
  a1: { networks: [six-a], expose: ["80"] }
  a2: { networks: [six-a] }
`;

describe('unknown: beyond what the topology describes (IPv4)', () => {
  it('container → an address on the host\'s LAN that no one in the topology has: it leaves through eth0, its fate beyond is unknown', () => {
    const r = lab(BRIDGE).t('a1', '192.168.50.99');
    assertVerdict(r, 'unknown', /^no one in the topology has 192\.168\.50\.99: host1 sends it out eth0 with source 192\.168\.50\.10 \(MASQUERADE of 10\.113\.0\.2\), beyond what the topology describes, so the engine cannot know whether it is answered$/);
    lastHopUnknown(r, 'host1', 'eth0');
  });

  it('container → an address no route of the topology covers: the host\'s own default route is not in the topology', () => {
    const r = lab(BRIDGE).t('a1', '203.0.113.5:443');
    assertVerdict(r, 'unknown', /^no one in the topology has 203\.0\.113\.5: the topology gives host1 no route to it: a real host would send it by its own default route, which the topology does not describe/);
    assert.match(r.fix!, /give host1 its default route \(hosts\.host1\.gateway: <its router>/);
    assert.match(r.reason, /it would leave with source the address of the interface that route leaves by, which the topology does not name \(MASQUERADE of 10\.113\.0\.2\)$/);
    lastHopUnknown(r, 'host1', '');
  });

  it('a host → an address it has no route to: unknown, not "Network is unreachable"', () => {
    const r = lab(BRIDGE).t('host1', '203.0.113.5');
    assertVerdict(r, 'unknown', /the topology gives host1 no route to it/);
    lastHopUnknown(r, 'host1', '');
  });

  it('a sandbox without a route is a real drop: its routes are all known', () => {
    const l = lab(`${BRIDGE}  n1: { network_mode: none }\n`);
    assertVerdict(l.t('n1', '203.0.113.5'), 'dropped', /Network is unreachable/);
  });

  it('macvlan child → an address on the LAN no one in the topology has: it leaves through the parent', () => {
    const r = lab(LAN).t('c1', '192.168.60.50');
    assertVerdict(r, 'unknown', /^no one in the topology has 192\.168\.60\.50: node1 sends it out eth0, beyond what the topology describes/);
    lastHopUnknown(r, 'node1', 'eth0');
  });
});

const LAN = `
hosts:
  node1: { interfaces: { eth0: 192.168.60.10/24 }, daemon: { version: "20.10" } }
networks:
  lan:
    driver: macvlan
    host: node1
    enable_ipv6: true
    ipam: { config: [ { subnet: 192.168.60.0/24, gateway: 192.168.60.1, ip_range: 192.168.60.128/25 }, { subnet: "fd00:60::/64" } ] }
    driver_opts: { parent: eth0 }
containers:
  c1: { host: node1, networks: [lan] }
`;

const OVERLAY = `
hosts:
  node1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "20.10" }, swarm: manager }
  node2: { interfaces: { eth0: 192.168.50.11/24 }, daemon: { version: "20.10" }, swarm: worker }
networks:
  backend:
    driver: overlay
    host: node1
    attachable: true
    enable_ipv6: true
    ipam: { config: [ { subnet: 10.0.1.0/24 }, { subnet: "fd00:31::/64" } ] }
containers:
  api: { host: node1, networks: [backend] }
  db: { host: node2, networks: [backend], expose: ["5432"] }
`;

describe('unknown: paths the tracer does not model (IPv6)', () => {
  it('IPv6 on an overlay network', () => {
    const r = lab(OVERLAY).t('api', '[fd00:31::9]:5432');
    assertVerdict(r, 'unknown', /^the tracer does not model IPv6 on overlay network backend \(only bridge, macvlan and ipvlan networks\), so the engine cannot know what happens to this packet$/);
    lastHopUnknown(r, 'api', 'eth0');
  });

  it('container → an IPv6 address no network of the host has: routed by the host\'s own IPv6 routes', () => {
    const l = lab(BRIDGE);
    const r = l.t('a1', 'fd00:999::1');
    assertVerdict(r, 'unknown', /^no network on host1 has fd00:999::1: host1 would route it by its own IPv6 routes, which the topology does not describe/);
    lastHopUnknown(r, 'host1', l.bridge('six-a'));
  });

  it('a host → an IPv6 address no network of it has', () => {
    const r = lab(BRIDGE).t('host1', 'fd00:999::1');
    assertVerdict(r, 'unknown', /^no network on host1 has fd00:999::1/);
    lastHopUnknown(r, 'host1', '');
  });

  it('macvlan child → an IPv6 address no child of the parent has: it leaves through the parent onto the LAN', () => {
    const r = lab(LAN).t('c1', 'fd00:60::50');
    assertVerdict(r, 'unknown', /^no child of eth0 on node1 has fd00:60::50: it leaves through eth0 onto the LAN, and the tracer does not follow IPv6 beyond this host/);
    lastHopUnknown(r, 'eth0', 'eth0');
  });

  it('IPv6 between containers on one bridge is still known: delivered or dropped as before', () => {
    const l = lab(BRIDGE);
    assertVerdict(l.t('a2', '[fd00:113::2]:80'), 'delivered');
    assertVerdict(l.t('a1', 'fd00:113::77'), 'dropped', /neighbour discovery gets no answer/);
  });
});

describe('unknown: states the tracer does not follow (IPv4)', () => {
  it('routing through the overlay namespace\'s own bridge address (overlay containers have no gateway there)', () => {
    const r = lab(OVERLAY).t('api', '10.0.1.1');
    assertVerdict(r, 'unknown', /^the tracer does not model routing through 10\.0\.1\.1, the address of br0 inside backend's overlay namespace/);
    lastHopUnknown(r, 'api', '');
  });

  it('an overlay network without its overlay namespace on the host', () => {
    const l = lab(OVERLAY);
    const tracer = after(l, (x) => {
      const node1 = x.loaded.engine.state.hosts.get('node1')!;
      node1.overlays.clear();
    });
    const r = tracer.trace({ from: 'api', to: '10.0.1.3', proto: 'icmp' });
    assertVerdict(r, 'unknown', /^the tracer does not model overlay backend on node1, where the topology gives it no overlay namespace/);
  });

  it('an interface that is not a veth into a bridge (nor a link of a driver the tracer knows)', () => {
    const l = lab(BRIDGE);
    const tracer = after(l, (x) => x.loaded.engine.state.hosts.get('host1')!.veths.clear());
    const r = tracer.trace({ from: 'a1', to: l.ip('a2', 'six-a'), proto: 'icmp' });
    assertVerdict(r, 'unknown', /^the tracer does not model sending out of interface eth0 of a1 \(it is not a veth into a bridge/);
  });

  it('a flannel link without a VXLAN peer', () => {
    const l = lab(`
hosts:
  node1: { interfaces: { eth0: 192.168.50.10/24 }, daemon: { version: "20.10" } }
  node2: { interfaces: { eth0: 192.168.50.11/24 }, daemon: { version: "20.10" } }
networks:
  pods: { driver: flannel, host: node1, subnet: 10.244.0.0/16, driver_opts: { backend: vxlan } }
containers:
  pod-a: { host: node1, networks: [pods] }
  pod-b: { host: node2, networks: [pods], expose: ["8080"] }
`);
    const tracer = after(l, (x) => {
      const link = x.loaded.engine.state.hosts.get('node1')!.links.get('flannel.1')!;
      (link as { vxlan?: unknown }).vxlan = undefined;
    });
    const r = tracer.trace({ from: 'pod-a', to: l.ip('pod-b', 'pods'), port: 8080, proto: 'tcp' });
    assertVerdict(r, 'unknown', /^the tracer does not model flannel link flannel\.1 without a VXLAN peer/);
  });
});


describe('unknown in the matrix and in expect entries', () => {
  it('the matrix (verdict-only runs) gives unknown too, not dropped: a container on a host with no route to the other\'s LAN', () => {
    const l = lab(TWO_LANS);
    const m = reachabilityMatrix(l.loaded.engine.state, { listening: listeningFromSpec(l.loaded.spec) });
    const idx = (n: string) => m.containers.findIndex((c) => c.name === n);
    assert.deepEqual(m.cell(idx('b2'), idx('c1')), { address: '192.168.60.128', verdicts: ['unknown', 'unknown'] });
    const r = l.t('b2', '192.168.60.128:80');
    assertVerdict(r, 'unknown', /^192\.168\.60\.128 is c1 on node1, but the topology gives node2 no route to it/);
    assert.equal(lab(OVERLAY).tracer.verdict({ from: 'api', to: '10.0.1.1', proto: 'icmp' }), 'unknown');
  });

  it('an unknown trace satisfies no expectation of delivered, refused, dropped or unresolved, and says why', () => {
    const l = lab(BRIDGE);
    for (const verdict of ['delivered', 'refused', 'dropped', 'unresolved'] as const) {
      const r = checkExpectation(l.loaded.engine.state, { from: 'a1', to: '192.168.50.99', verdict });
      assert.equal(r.ok, false, verdict);
      assert.equal(r.unknown, true, verdict);
      assert.match(expectationProblem(r)!, new RegExp(`^cannot check: the engine cannot know whether it is ${verdict}: no one in the topology has 192\\.168\\.50\\.99`));
    }
  });

  it('an entry may record `verdict: unknown`; it fails (plainly) once the engine knows', () => {
    const l = lab(BRIDGE);
    const held = checkExpectation(l.loaded.engine.state, { from: 'a1', to: '192.168.50.99', verdict: 'unknown' });
    assert.deepEqual([held.ok, held.unknown, expectationProblem(held)], [true, false, null]);
    const known = checkExpectation(l.loaded.engine.state, { from: 'a1', to: 'a2', verdict: 'unknown' });
    assert.deepEqual([known.ok, known.unknown], [false, false]);
    assert.match(expectationProblem(known)!, /^expected unknown, got delivered: /);
  });
});
