// The flannel-style plug-in driver: registered through the public plug-in interface, per-host leases of
// the cluster network in host order, routed between hosts over VXLAN (flannel.1, VNI 1, UDP 8472) or
// host-gw routes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, hostRoutes, registerFlannel } from '../../../src/engine';
import { throwsDocker } from './helpers';

function twoHosts(): Engine {
  const e = new Engine();
  registerFlannel(e);
  e.addHost({ name: 'node1', interfaces: { eth0: '192.168.50.10/24' }, daemon: { version: '20.10' } });
  e.addHost({ name: 'node2', interfaces: { eth0: '192.168.50.11/24' }, daemon: { version: '20.10' } });
  return e;
}

test('without registration the driver is unknown, as Docker says for a missing plug-in', () => {
  const e = new Engine();
  e.addHost({ name: 'node1' });
  throwsDocker(() => e.createNetwork('node1', { name: 'pods', driver: 'flannel' }), 'plugin "flannel" not found');
});

test('each host leases a /24 of the cluster network in host order; containers get addresses from their host\'s lease', () => {
  const e = twoHosts();
  e.createNetwork('node1', { name: 'pods', driver: 'flannel', ipam: { config: [{ subnet: '10.244.0.0/16' }] } });
  const nets = e.inspect().networks.filter((n) => n.name === 'pods');
  assert.deepEqual(nets.map((n) => `${n.host} ${n.subnet} ${n.gateway} ${n.bridge}`), ['node1 10.244.0.0/24 10.244.0.1 cni0', 'node2 10.244.1.0/24 10.244.1.1 cni0']);
  assert.equal(nets[0]!.id, nets[1]!.id, 'one global-scope network');
  e.runContainer('node1', { name: 'pod-a', networkMode: 'pods' });
  e.runContainer('node2', { name: 'pod-b', networkMode: 'pods' });
  const ips = e.inspect().containers.map((c) => `${c.name} ${c.endpoints[0]!.ipv4_address} ${c.endpoints[0]!.gateway}`);
  assert.deepEqual(ips, ['pod-a 10.244.0.2 10.244.0.1', 'pod-b 10.244.1.2 10.244.1.1']);
  assert.deepEqual(e.resolve('node1', 'pod-a', 'pod-b'), ['10.244.1.2'], 'DNS records are shared by the views');
});

test('vxlan backend: flannel.1 (VNI 1, UDP 8472, the host lease address) and a route per other host through it; MTU 1450', () => {
  const e = twoHosts();
  e.createNetwork('node1', { name: 'pods', driver: 'flannel', ipam: { config: [{ subnet: '10.244.0.0/16' }] } });
  const h1 = e.state.hosts.get('node1')!;
  const dev = h1.links.get('flannel.1')!;
  assert.deepEqual(dev.vxlan, { vni: 1, port: 8472, localAddress: '192.168.50.10', underlayDev: 'eth0' });
  assert.equal(dev.ipv4?.address, '10.244.0.0');
  const routes = hostRoutes(h1).filter((r) => r.dev === 'flannel.1').map((r) => `${r.destination} via ${r.gateway}`);
  assert.deepEqual(routes, ['10.244.1.0/24 via 10.244.1.0']);
  e.runContainer('node2', { name: 'pod-b', networkMode: 'pods' });
  const h2 = e.state.hosts.get('node2')!;
  const sb = h2.sandboxes.get([...h2.containers.values()][0]!.sandboxId!)!;
  assert.equal(sb.interfaces.find((i) => i.name === 'eth0')!.mtu, 1450);
});

test('host-gw backend: the other host\'s lease via its underlay address, no VXLAN device', () => {
  const e = twoHosts();
  e.createNetwork('node1', { name: 'pods', driver: 'flannel', ipam: { config: [{ subnet: '10.244.0.0/16' }] }, options: { backend: 'host-gw' } });
  const h2 = e.state.hosts.get('node2')!;
  assert.equal(h2.links.has('flannel.1'), false);
  assert.deepEqual(hostRoutes(h2).filter((r) => r.destination === '10.244.0.0/24').map((r) => `${r.gateway} ${r.dev}`), ['192.168.50.10 eth0']);
});

test('removing the network removes every host\'s view, device and routes', () => {
  const e = twoHosts();
  e.createNetwork('node1', { name: 'pods', driver: 'flannel' });
  e.removeNetwork('node2', 'pods');
  for (const h of e.state.hosts.values()) {
    assert.equal([...h.networks.values()].some((n) => n.name === 'pods'), false);
    assert.equal(h.links.size, 0);
    assert.equal(h.extraRoutes.length, 0);
  }
});

test('an unknown backend is refused on driver_opts.backend', () => {
  const err = throwsDocker(() => twoHosts().createNetwork('node1', { name: 'pods', driver: 'flannel', options: { backend: 'udp' } }),
    'flannel: unknown backend type "udp" (vxlan or host-gw)');
  assert.deepEqual(err.hint, { field: 'driver_opts', key: 'backend' });
});
