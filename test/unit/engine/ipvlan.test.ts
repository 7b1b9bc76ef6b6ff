// ipvlan (reference §2.7). The kernel here has no ipvlan ("failed to create the ipvlan port: operation not
// supported" on the local dockerd), so these check the documented behaviour: [L drivers/ipvlan/*],
// [M23 libnetwork/drivers/ipvlan/ipvlan.go:26-32] for the 20.10 mode list, [RN28 28.0.0] for l3 gateways.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine';
import { H, ep, net, sandboxOf, throwsDocker } from './helpers';

function lan(): Engine {
  const e = new Engine();
  e.addHost({ name: H, interfaces: { eth0: '192.168.50.10/24' }, daemon: { version: '20.10' } });
  return e;
}

const LAN = { config: [{ subnet: '192.168.50.0/24', gateway: '192.168.50.1', ipRange: '192.168.50.64/26' }] };

test('ipvlan l2 (the default): LAN address, the network gateway, and no MAC of its own (children share the parent\'s)', () => {
  const e = lan();
  e.createNetwork(H, { name: 'lan', driver: 'ipvlan', ipam: LAN, options: { parent: 'eth0' } });
  e.runContainer(H, { name: 'web', networkMode: 'lan' });
  const x = ep(e, 'web', 'lan');
  assert.equal(x.ipv4_address, '192.168.50.64');
  assert.equal(x.gateway, '192.168.50.1');
  assert.equal(x.mac_address, null);
  const n = e.state.hosts.get(H)!.networks.get(net(e, 'lan').id)!;
  assert.equal(n.parentLink?.mode, 'l2');
  assert.match(n.parentLink?.sharedMac ?? '', /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
  assert.deepEqual(sandboxOf(e, 'web').routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), ['default 192.168.50.1 eth0', '192.168.50.0/24 - eth0']);
});

test('ipvlan l3: no gateway, default route "dev eth0", and no docker_gwbridge (DisableGatewayService)', () => {
  const e = lan();
  e.createNetwork(H, { name: 'l3', driver: 'ipvlan', ipam: { config: [{ subnet: '10.50.0.0/24' }] }, options: { parent: 'eth0', ipvlan_mode: 'l3' } });
  e.runContainer(H, { name: 'app', networkMode: 'l3' });
  assert.equal(ep(e, 'app', 'l3').gateway, null);
  assert.deepEqual(sandboxOf(e, 'app').routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), ['default - eth0', '10.50.0.0/24 - eth0']);
  assert.equal(e.inspect().networks.some((n) => n.name === 'docker_gwbridge'), false);
});

test('20.10 knows l2 and l3 only: l3s (23.0+) fails with the driver\'s text', () => {
  throwsDocker(() => lan().createNetwork(H, { name: 'x', driver: 'ipvlan', options: { parent: 'eth0', ipvlan_mode: 'l3s' } }),
    "requested ipvlan mode 'l3s' is not valid, 'l2' mode is the ipvlan driver default");
});

test('a custom MAC on an ipvlan endpoint is refused', () => {
  const e = lan();
  e.createNetwork(H, { name: 'lan', driver: 'ipvlan', ipam: LAN, options: { parent: 'eth0' } });
  throwsDocker(() => e.runContainer(H, { name: 'web', networkMode: 'lan', endpoint: { macAddress: '02:00:00:00:00:01' } }),
    'ipvlan interfaces do not support custom mac address assignment');
});

test('one ipvlan network per parent; the dummy parent of ipvlan is di-<12hex> (observed on 20.10.24)', () => {
  const e = lan();
  e.createNetwork(H, { name: 'a', driver: 'ipvlan', ipam: LAN, options: { parent: 'eth0' } });
  throwsDocker(() => e.createNetwork(H, { name: 'b', driver: 'ipvlan', ipam: { config: [{ subnet: '10.9.0.0/24' }] }, options: { parent: 'eth0' } }),
    `network di-${net(e, 'a').id.slice(0, 12)} is already using parent interface eth0`);
  e.createNetwork(H, { name: 'iso', driver: 'ipvlan', ipam: { config: [{ subnet: '10.8.0.0/24' }] } });
  assert.equal(e.state.hosts.get(H)!.links.get(`di-${net(e, 'iso').id.slice(0, 12)}`)?.kind, 'dummy');
});
