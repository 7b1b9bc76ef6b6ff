// macvlan (reference §2.6, §6): parent link, 802.1Q sub-interfaces made on demand, the dummy parent,
// modes, one network per parent, MACs from the IPv4 address (20.10), no published ports, and the rule
// that the host cannot reach its own macvlan children.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine';
import { H, ep, net, sandboxOf, throwsDocker } from './helpers';

function lan(version = '20.10'): Engine {
  const e = new Engine();
  e.addHost({ name: H, interfaces: { eth0: '192.168.50.10/24' }, daemon: { version } });
  return e;
}

const LAN = { config: [{ subnet: '192.168.50.0/24', gateway: '192.168.50.1', ipRange: '192.168.50.128/25' }] };

test('a macvlan container gets an address on the LAN, a MAC 02:42+IPv4 and the LAN gateway as default route', () => {
  const e = lan();
  e.createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0' } });
  e.runContainer(H, { name: 'web', networkMode: 'lan' });
  const x = ep(e, 'web', 'lan');
  assert.equal(x.ipv4_address, '192.168.50.128');
  assert.equal(x.mac_address, '02:42:c0:a8:32:80');
  assert.equal(x.interface, 'eth0');
  assert.equal(x.host_interface, 'eth0', 'no veth: the interface is a macvlan child of eth0 (its iflink, as the differential suite reads it)');
  const sb = sandboxOf(e, 'web');
  assert.deepEqual(sb.routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), ['default 192.168.50.1 eth0', '192.168.50.0/24 - eth0']);
  const n = e.state.hosts.get(H)!.networks.get(net(e, 'lan').id)!;
  assert.equal(n.parentLink?.parent, 'eth0');
  assert.equal(n.parentLink?.mode, 'bridge');
  assert.equal(n.parentLink?.hostUnreachable, true, 'docs/macvlan.md: the host cannot talk to its own macvlan children');
  assert.deepEqual(sb.endpoints[0]!.link, { kind: 'macvlan', parent: 'eth0', mode: 'bridge' });
});

test('all four macvlan modes are accepted; anything else fails with the driver\'s text', () => {
  for (const mode of ['bridge', 'vepa', 'private', 'passthru']) {
    const e = lan();
    e.createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0', macvlan_mode: mode } });
    assert.equal(e.state.hosts.get(H)!.networks.get(net(e, 'lan').id)!.parentLink?.mode, mode);
  }
  throwsDocker(() => lan().createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0', macvlan_mode: 'l2' } }),
    "requested macvlan mode 'l2' is not valid, 'bridge' mode is the macvlan driver default");
});

test('parent eth0.10 makes an 802.1Q link on eth0 (deleted with the network); bad VLAN ids fail', () => {
  const e = lan();
  e.createNetwork(H, { name: 'vlan10', driver: 'macvlan', ipam: { config: [{ subnet: '10.10.10.0/24' }] }, options: { parent: 'eth0.10' } });
  const host = e.state.hosts.get(H)!;
  assert.deepEqual({ ...host.links.get('eth0.10'), ipv4: undefined }, {
    name: 'eth0.10', kind: 'vlan', networkId: net(e, 'vlan10').id, parent: 'eth0', vlanId: 10, vxlan: null, mtu: 1500, ipv4: undefined, createdByEngine: true,
  });
  e.removeNetwork(H, 'vlan10');
  assert.equal(host.links.has('eth0.10'), false);
  throwsDocker(() => lan().createNetwork(H, { name: 'v', driver: 'macvlan', options: { parent: 'eth0.4095' } }), 'vlan id must be between 1-4094, received: 4095');
  throwsDocker(() => lan().createNetwork(H, { name: 'v', driver: 'macvlan', options: { parent: 'eth0.0' } }), 'vlan id must be between 1-4094, received: 0');
  throwsDocker(() => lan().createNetwork(H, { name: 'v', driver: 'macvlan', options: { parent: 'eth9' } }), 'invalid subinterface vlan name eth9, example formatting is eth0.10');
  throwsDocker(() => lan().createNetwork(H, { name: 'v', driver: 'macvlan', options: { parent: 'lo' } }), 'loopback interface is not a valid macvlan parent link');
});

test('one network per parent: the error names the existing network\'s dm-<12hex>', () => {
  const e = lan();
  e.createNetwork(H, { name: 'a', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0' } });
  const first = net(e, 'a').id;
  throwsDocker(() => e.createNetwork(H, { name: 'b', driver: 'macvlan', ipam: { config: [{ subnet: '192.168.60.0/24' }] }, options: { parent: 'eth0' } }),
    `network dm-${first.slice(0, 12)} is already using parent interface eth0`);
});

test('without a parent: a dummy link dm-<12hex>, no gateway for the containers', () => {
  const e = lan();
  e.createNetwork(H, { name: 'iso', driver: 'macvlan', ipam: { config: [{ subnet: '10.20.0.0/24' }] } });
  const id = net(e, 'iso').id;
  const host = e.state.hosts.get(H)!;
  assert.equal(host.links.get(`dm-${id.slice(0, 12)}`)?.kind, 'dummy');
  e.runContainer(H, { name: 'c1', networkMode: 'iso' });
  assert.equal(ep(e, 'c1', 'iso').gateway, null);
  assert.equal(host.networks.get(id)!.parentLink?.dummy, true);
});

test('ports are ignored on macvlan (only a daemon log line), and 28.0 gives random MACs', () => {
  const e = lan();
  e.createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0' } });
  e.runContainer(H, { name: 'web', networkMode: 'lan', ports: ['8080:80'] });
  assert.deepEqual(e.inspect().containers.find((c) => c.name === 'web')!.ports, []);
  const n = lan('28.0');
  n.createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: LAN, options: { parent: 'eth0' } });
  n.runContainer(H, { name: 'web', networkMode: 'lan' });
  assert.notEqual(ep(n, 'web', 'lan').mac_address, '02:42:c0:a8:32:80');
});

test('macvlan subnets live in the local address space: overlapping a bridge is refused', () => {
  const e = lan();
  e.createNetwork(H, { name: 'br', ipam: { config: [{ subnet: '192.168.50.0/24' }] } });
  throwsDocker(() => e.createNetwork(H, { name: 'lan', driver: 'macvlan', ipam: { config: [{ subnet: '192.168.50.0/24', gateway: '192.168.50.1' }] }, options: { parent: 'eth0' } }),
    'Pool overlaps with other one on this address space');
});
