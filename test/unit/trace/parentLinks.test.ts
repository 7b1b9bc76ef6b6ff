// macvlan (bridge, vepa, private, passthru) and ipvlan (l2, l3) in the tracer: between children of one
// parent, to the host's own address on the parent, across hosts through the LAN, on 802.1Q parents.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertVerdict, hop, lab } from './helpers';

const LAN = (driver: string, opts: string, extra = '') => `
hosts:
  node1:
    interfaces: { eth0: 192.168.60.10/24 }
    daemon: { version: "20.10" }
  node2:
    interfaces: { eth0: 192.168.60.11/24 }
    daemon: { version: "20.10" }
networks:
  lan:
    driver: ${driver}
    host: node1
    subnet: 192.168.60.0/24
    gateway: 192.168.60.1
    ip_range: 192.168.60.128/25
    driver_opts: { ${opts} }
${extra}
containers:
  c1: { host: node1, networks: [lan], expose: ["80"] }
  c2: { host: node1, networks: [lan], expose: ["80"] }
`;

describe('macvlan modes between two children of one parent', () => {
  it('bridge (the default): switched by the kernel, no veth, no bridge, no iptables', () => {
    const l = lab(LAN('macvlan', 'parent: eth0'));
    const r = l.t('c1', 'c2:80');
    assertVerdict(r, 'delivered', /c2 accepts/);
    assert.match(hop(r, 'send')!.detail, /a macvlan child of eth0, bridge mode: no veth, no bridge, so no host iptables/);
    assert.match(hop(r, 'switch')!.detail, /macvlan bridge: 192\.168\.60\.129 is c2 .*another child of eth0/);
    assert.equal(r.hops.filter((h) => h.action.startsWith('filter')).length, 0, 'no iptables chain on the way');
  });

  it('private: the kernel drops frames between children', () => {
    const r = lab(LAN('macvlan', 'parent: eth0, macvlan_mode: private')).t('c1', 'c2');
    assertVerdict(r, 'dropped', /private mode: the kernel drops frames between children of eth0/);
    assert.match(r.fix!, /macvlan_mode bridge/);
  });

  it('vepa: the frame goes to the external switch, which must hairpin it back', () => {
    const r = lab(LAN('macvlan', 'parent: eth0, macvlan_mode: vepa')).t('c1', 'c2');
    assertVerdict(r, 'dropped', /vepa mode: every frame.*goes out of eth0 to the external switch.*reflective relay \(hairpin/);
    assert.match(r.fix!, /hairpin/);
  });

  it('passthru: one child owns the parent; a second child cannot exist', () => {
    const r = lab(LAN('macvlan', 'parent: eth0, macvlan_mode: passthru')).t('c1', 'c2');
    assertVerdict(r, 'dropped', /passthru mode: the single child takes over eth0.*no second child/);
  });
});

describe('macvlan and the host', () => {
  it("a child → the host's own address on the parent: dropped, the kernel filters it (reference §2.6)", () => {
    const r = lab(LAN('macvlan', 'parent: eth0')).t('c1', '192.168.60.10');
    assertVerdict(r, 'dropped', /192\.168\.60\.10 is node1's own address \(eth0\): a host cannot reach its own macvlan children.*explicitly filters.*reference §2\.6/);
    assert.match(r.fix!, /ip link add macvlan-shim link eth0 type macvlan mode bridge/);
  });

  it('the host → its own child: dropped for the same reason', () => {
    const r = lab(LAN('macvlan', 'parent: eth0')).t('node1', '192.168.60.128');
    assertVerdict(r, 'dropped', /is c1, a macvlan child of eth0.*a host cannot reach its own macvlan children/);
  });

  it('another host on the LAN reaches the child, and the child reaches it', () => {
    const l = lab(LAN('macvlan', 'parent: eth0'));
    const r = l.t('node2', '192.168.60.128');
    assertVerdict(r, 'delivered');
    assert.ok(hop(r, 'send', /onto the LAN: 192\.168\.60\.128 is c1, a macvlan child of eth0 on node1 \(another machine/));
    const back = l.t('c1', '192.168.60.11');
    assertVerdict(back, 'delivered', /node2 answered/);
    assert.ok(hop(back, 'send', /192\.168\.60\.11 is node2 \(eth0\), another machine/));
  });

  it('children of two hosts on one LAN reach each other through the parent link', () => {
    const l = lab(LAN('macvlan', 'parent: eth0', `  lan2:
    driver: macvlan
    host: node2
    subnet: 192.168.60.0/24
    gateway: 192.168.60.1
    ip_range: 192.168.60.64/26
    driver_opts: { parent: eth0 }`) + `  c3: { host: node2, networks: [lan2], expose: ["80"] }\n`);
    const r = l.t('c1', `${l.ip('c3', 'lan2')}:80`);
    assertVerdict(r, 'delivered', /c3 accepts/);
    assert.ok(hop(r, 'send', /onto the LAN behind eth0: 192\.168\.60\.64 answers ARP from node2 — c3, a macvlan child of eth0, bridge mode/));
  });
});

describe('802.1Q sub-interfaces as the parent', () => {
  it('eth0.10 is made on demand; its frames are tagged VLAN 10, so the untagged host next door is another LAN', () => {
    const l = lab(LAN('macvlan', 'parent: eth0.10'));
    const r = l.t('c1', 'c2');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'send')!.detail, /a macvlan child of eth0\.10 \(802\.1Q VLAN 10 on eth0: frames leave tagged 10\)/);
    const out = l.t('c1', '192.168.60.11');
    assertVerdict(out, 'dropped', /node2's eth0, which is untagged, while eth0\.10 sends frames tagged VLAN 10/);
    assert.match(out.fix!, /ip link add link eth0 name eth0\.10 type vlan id 10/);
  });
});

describe('ipvlan', () => {
  it('l2: children share the parent MAC; the kernel hands the frame to the child owning the address', () => {
    const r = lab(LAN('ipvlan', 'parent: eth0')).t('c1', 'c2:80');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'switch')!.detail, /ipvlan l2: ARP for 192\.168\.60\.129 is answered with eth0's MAC .*ipvlan children share it/);
  });

  it('l3: routed by IP in the parent (no ARP, no broadcast); the default route is "dev eth0"', () => {
    const l = lab(LAN('ipvlan', 'parent: eth0, ipvlan_mode: l3'));
    const r = l.t('c1', 'c2:80');
    assertVerdict(r, 'delivered');
    assert.match(hop(r, 'route', /ipvlan l3/)!.detail, /the parent routes between its children by IP \(no ARP, no broadcast/);
  });

  it("l2: the host's own address is as unreachable as with macvlan", () => {
    assertVerdict(lab(LAN('ipvlan', 'parent: eth0')).t('c1', '192.168.60.10'), 'dropped', /a host cannot reach its own ipvlan children/);
  });
});

describe('no parent: a dummy link', () => {
  it('children reach each other; the host cannot reach them', () => {
    const l = lab(`
hosts: { h: { daemon: { version: "20.10" } } }
networks: { mv: { driver: macvlan, subnet: 10.111.0.0/24 } }
containers:
  m1: { networks: [mv] }
  m2: { networks: [mv] }
`);
    assertVerdict(l.t('m1', 'm2'), 'delivered');
    assertVerdict(l.t('h', l.ip('m1', 'mv')), 'dropped', /dummy link has no address and goes nowhere/);
  });
});

describe('ipvlan l3 and the LAN', () => {
  it('a request gets out through the parent, but the reply finds no ARP answer for an l3 child', () => {
    const r = lab(LAN('ipvlan', 'parent: eth0, ipvlan_mode: l3')).t('c1', '192.168.60.11');
    assertVerdict(r, 'dropped', /the request arrives, but the echo reply is lost on the way back: .* ipvlan l3 mode: l3 children get no ARP or broadcast/);
    assert.match(r.fix!, /ip route add <subnet> via <node1's address>|use ipvlan_mode l2/);
  });
});
