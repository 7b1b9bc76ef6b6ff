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
