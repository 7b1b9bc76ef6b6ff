import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine';
import { ctr, engine, H, net } from './helpers';

test('inspect lists every host\'s networks and containers in creation order', () => {
  const e = new Engine();
  e.addHost({ name: 'h1', daemon: { version: '20.10' } });
  e.addHost({ name: 'h2', daemon: { version: '20.10' } });
  e.createNetwork('h2', { name: 'n2' });
  e.createNetwork('h1', { name: 'n1' });
  e.createContainer('h1', { name: 'c2' });
  e.createContainer('h1', { name: 'c1' });
  const r = e.inspect();
  assert.deepEqual(r.networks.map((n) => `${n.host}/${n.name}`), ['h1/none', 'h1/host', 'h1/bridge', 'h1/n1', 'h2/none', 'h2/host', 'h2/bridge', 'h2/n2']);
  assert.deepEqual(r.containers.map((c) => c.name), ['c2', 'c1']);
});

test('inspect network: canonical subnet, the gateway even when none was given, IPv6 fields', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'mybridge10', ipam: { config: [{ subnet: '10.10.0.0/16' }] } });
  assert.deepEqual(net(e, 'mybridge10'), {
    name: 'mybridge10', host: H, id: net(e, 'mybridge10').id, driver: 'bridge', scope: 'local',
    subnet: '10.10.0.0/16', gateway: '10.10.0.1', ip_range: null, ipv6_subnet: null, ipv6_gateway: null,
    internal: false, attachable: false, ingress: false, enable_ipv6: false, options: {}, bridge: `br-${net(e, 'mybridge10').id.slice(0, 12)}`,
  });
});

test('inspect container: network mode as given, running flag, ports, gateway network', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'mybridge10', ipam: { config: [{ subnet: '10.10.0.0/16' }] } });
  e.runContainer(H, { name: '10_b1', networkMode: 'mybridge10', ports: ['8080:80'] });
  const c = ctr(e, '10_b1');
  assert.equal(c.network_mode, 'mybridge10');
  assert.equal(c.running, true);
  assert.equal(c.endpoints[0].ipv4_address, '10.10.0.2');
  assert.equal(c.endpoints[0].mac_address, '02:42:0a:0a:00:02');
  assert.equal(c.endpoints[0].gateway, '10.10.0.1');
  assert.equal(c.default_gateway_network, 'mybridge10');
  assert.deepEqual(c.ports.map((p) => p.host_ip), ['0.0.0.0', '::']);
});

test('inspect is plain data: JSON round-trips', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'b1', ports: ['80'] });
  const r = e.inspect();
  assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
});

test('the state model: a sandbox knows its interfaces and the host its bridges', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'b1' });
  const host = e.state.hosts.get(H)!;
  const sb = [...host.sandboxes.values()][0];
  assert.deepEqual(sb.interfaces.map((i) => [i.name, i.ipv4?.address]), [['lo', '127.0.0.1'], ['eth0', '172.17.0.2']]);
  const eth0 = sb.interfaces[1];
  assert.equal(host.veths.get(eth0.hostPeer!)!.bridge, 'docker0');
  assert.equal(host.bridges.get('docker0')!.ipv4!.address, '172.17.0.1');
  assert.equal(sb.key, `/var/run/docker/netns/${sb.id.slice(0, 12)}`);
});

test('every operation bumps the host revision, so caches of derived data know to rebuild', () => {
  const e = engine('20.10');
  const host = e.state.hosts.get(H)!;
  const r0 = host.revision;
  e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  e.disconnect(H, 'n', 'c1');
  assert.ok(host.revision >= r0 + 4);
});

test('inspect container: the namespace as ip link, ip route, /etc/hosts and resolv.conf show it (both stacks)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'dual', enableIpv6: true, ipam: { config: [{ subnet: '10.74.0.0/24' }, { subnet: 'fd00:74::/64' }] } });
  e.runContainer(H, { name: 'bb' });
  e.connect(H, 'dual', 'bb');
  const c = ctr(e, 'bb');
  const sid = c.id.slice(0, 12);
  const ep = c.endpoints.find((x) => x.network === 'dual')!;
  assert.equal(ep.ipv6_prefix, 64);
  assert.equal(ep.ipv6_gateway, 'fd00:74::1');
  assert.deepEqual(c.interfaces, [{ name: 'lo', mtu: 65536 }, { name: 'eth0', mtu: 1500 }, { name: 'eth1', mtu: 1500 }]);
  assert.deepEqual(c.routes, [
    '10.74.0.0/24 dev eth1 scope link src 10.74.0.2',
    '172.17.0.0/16 dev eth0 scope link src 172.17.0.2',
    'default via 10.74.0.1 dev eth1',
    'default via fd00:74::1 dev eth1',
    'fd00:74::/64 dev eth1',
    'fe80::/64 dev eth1',
    'multicast ff00::/8 dev eth1',
  ]);
  // One line per address, IPv6 too (what dockerd 20.10 writes).
  assert.deepEqual(c.hosts_file!.slice(-3), [`172.17.0.2\t${sid}`, `10.74.0.2\t${sid}`, `fd00:74::2\t${sid}`]);
  assert.deepEqual(c.resolv_conf, ['nameserver 127.0.0.11', 'options ndots:0']);
  e.disconnect(H, 'dual', 'bb');
  assert.deepEqual(ctr(e, 'bb').hosts_file!.slice(-1), [`172.17.0.2\t${sid}`]);
});
