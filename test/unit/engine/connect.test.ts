import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, engine, ep, H, sandboxOf, throwsDocker } from './helpers';

function twoNets(version = '20.10') {
  const e = engine(version);
  e.createNetwork(H, { name: 'zz', ipam: { config: [{ subnet: '172.29.0.0/16' }] } });
  e.createNetwork(H, { name: 'aa', ipam: { config: [{ subnet: '172.30.0.0/16' }] } });
  return e;
}

test('connect: unknown container is "No such container: x" (404)', () => {
  const e = twoNets();
  throwsDocker(() => e.connect(H, 'aa', 'ghost'), 'No such container: ghost', 404);
});

test('connect a running container: unknown network is "network x not found"', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  throwsDocker(() => e.connect(H, 'nothere', 'c1'), 'network nothere not found', 404);
});

test('connect a stopped container to a missing network is accepted; start then fails', () => {
  const e = twoNets();
  e.createContainer(H, { name: 'c3', networkMode: 'zz' });
  e.connect(H, 'nothere', 'c3');
  assert.deepEqual(ctr(e, 'c3').endpoints.map((x) => x.network), ['zz', 'nothere']);
  throwsDocker(() => e.startContainer(H, 'c3'), 'network nothere not found');
});

test('connecting twice: silent while stopped, an error while running', () => {
  const e = twoNets();
  e.createContainer(H, { name: 'c1', networkMode: 'zz' });
  e.connect(H, 'zz', 'c1');
  assert.equal(ctr(e, 'c1').endpoints.length, 1);
  e.startContainer(H, 'c1');
  throwsDocker(() => e.connect(H, 'zz', 'c1'), 'endpoint with name c1 already exists in network zz', 403);
});

test('connect to none or host from a bridge container is refused', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'a1', networkMode: 'zz' });
  throwsDocker(() => e.connect(H, 'none', 'a1'), 'container cannot be connected to multiple networks with one of the networks in private (none) mode', 403);
  throwsDocker(() => e.connect(H, 'host', 'a1'), 'container cannot be disconnected from host network or connected to host network', 403);
  const e28 = twoNets('28.0.2');
  e28.runContainer(H, { name: 'a1', networkMode: 'zz' });
  throwsDocker(() => e28.connect(H, 'host', 'a1'), 'cannot connect container to host network - container must be created in host network mode');
});

test('a host-mode container cannot join anything nor leave host', () => {
  const e = twoNets();
  const { id } = e.runContainer(H, { name: 'h2', networkMode: 'host' });
  throwsDocker(() => e.connect(H, 'zz', 'h2'), 'container sharing network namespace with another container or host cannot be connected to any other network', 403);
  throwsDocker(() => e.disconnect(H, 'host', 'h2'), 'container cannot be disconnected from host network or connected to host network', 403);
  throwsDocker(() => e.disconnect(H, 'zz', 'h2'), `container ${id} is not connected to network zz`, 500);
});

test('a none-mode container cannot join another network', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'n1', networkMode: 'none' });
  throwsDocker(() => e.connect(H, 'zz', 'n1'), 'container cannot be connected to multiple networks with one of the networks in private (none) mode');
});

test('disconnect errors: running vs stopped wording', () => {
  const e = twoNets();
  const r = e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  throwsDocker(() => e.disconnect(H, 'aa', 'c1'), `container ${r.id} is not connected to network aa`, 500);
  const s = e.createContainer(H, { name: 'c2', networkMode: 'zz' });
  throwsDocker(() => e.disconnect(H, 'aa', 'c2'), `container ${s.id} is not connected to the network aa`, 500);
  throwsDocker(() => e.disconnect(H, 'nope', 'c1'), 'network nope not found', 404);
});

test('disconnecting a stopped container removes the configured network', () => {
  const e = twoNets();
  e.createContainer(H, { name: 'c2', networkMode: 'zz' });
  e.connect(H, 'aa', 'c2');
  e.disconnect(H, 'aa', 'c2');
  assert.deepEqual(ctr(e, 'c2').endpoints.map((x) => x.network), ['zz']);
});

test('disconnect releases the address and the veth', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  e.connect(H, 'aa', 'c1');
  const veth = ep(e, 'c1', 'aa').host_interface!;
  e.disconnect(H, 'aa', 'c1');
  assert.equal(e.state.hosts.get(H)!.veths.has(veth), false);
  e.runContainer(H, { name: 'c2', networkMode: 'aa' });
  assert.equal(ep(e, 'c2', 'aa').ipv4_address, '172.30.0.2');
});

test('connecting a network whose name sorts first moves the default route and the published ports', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz', ports: ['127.0.0.1:39412:80'] });
  assert.equal(ctr(e, 'c1').default_gateway_network, 'zz');
  e.connect(H, 'aa', 'c1');
  const c = ctr(e, 'c1');
  assert.equal(c.default_gateway_network, 'aa');
  assert.deepEqual(c.ports, [{ container_port: 80, protocol: 'tcp', host_ip: '127.0.0.1', host_port: 39412 }]);
  const host = e.state.hosts.get(H)!;
  const aaEp = [...[...host.networks.values()].find((n) => n.name === 'aa')!.endpoints.values()][0];
  assert.equal(aaEp.portBindings[0].containerIp, '172.30.0.2');
  assert.equal(sandboxOf(e, 'c1').routes[0].gateway, '172.30.0.1');
  e.disconnect(H, 'aa', 'c1');
  assert.equal(ctr(e, 'c1').default_gateway_network, 'zz');
  assert.equal(sandboxOf(e, 'c1').routes[0].dev, 'eth0');
  assert.equal(ctr(e, 'c1').ports.length, 1);
});

test('a network sorting later does not take the default route', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'aa' });
  e.connect(H, 'zz', 'c1');
  assert.equal(ctr(e, 'c1').default_gateway_network, 'aa');
});

test('an internal network never wins the default route over a normal one', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'aaa-internal', internal: true, ipam: { config: [{ subnet: '10.8.0.0/24' }] } });
  e.createNetwork(H, { name: 'zzz', ipam: { config: [{ subnet: '10.9.0.0/24' }] } });
  e.runContainer(H, { name: 'c1', networkMode: 'aaa-internal' });
  assert.equal(ctr(e, 'c1').default_gateway_network, 'aaa-internal');
  e.connect(H, 'zzz', 'c1');
  assert.equal(ctr(e, 'c1').default_gateway_network, 'zzz');
});

test('25+: an internal network gives no gateway, so no default route', () => {
  const e = engine('28.0');
  e.createNetwork(H, { name: 'int', internal: true });
  e.runContainer(H, { name: 'c1', networkMode: 'int' });
  assert.equal(ctr(e, 'c1').default_gateway_network, null);
  assert.ok(sandboxOf(e, 'c1').routes.every((r) => r.destination !== 'default'));
  const e20 = engine('20.10');
  e20.createNetwork(H, { name: 'int', internal: true });
  e20.runContainer(H, { name: 'c1', networkMode: 'int' });
  assert.equal(sandboxOf(e20, 'c1').routes[0].destination, 'default');
});

// libnetwork 20.10 keeps a sandbox's endpoints sorted (sort.Search insert); the differential suite saw
// dockerd answer a name from the name-sorted network (test/docker scenario 09), not from heap order.
test('endpoint order is the sorted order, whatever the connect order', () => {
  const e = engine('20.10');
  for (const n of ['c', 'b', 'a']) e.createNetwork(H, { name: n });
  e.runContainer(H, { name: 'x1', networkMode: 'c' });
  e.connect(H, 'b', 'x1');
  e.connect(H, 'a', 'x1');
  assert.deepEqual(sandboxOf(e, 'x1').endpoints.map((x) => x.networkName), ['a', 'b', 'c']);
});

test('connect options: aliases and static IP on a user network', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  e.connect(H, 'aa', 'c1', { ipv4Address: '172.30.9.9', aliases: ['db'] });
  const x = ep(e, 'c1', 'aa');
  assert.equal(x.ipv4_address, '172.30.9.9');
  assert.equal(x.aliases[0], 'db');
});

test('connect refuses static IPs and aliases on the default bridge', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  throwsDocker(() => e.connect(H, 'bridge', 'c1', { ipv4Address: '172.17.0.9' }), 'user specified IP address is supported on user defined networks only');
  throwsDocker(() => e.connect(H, 'bridge', 'c1', { aliases: ['x'] }), 'network-scoped alias is supported only for containers in user defined networks');
  e.connect(H, 'bridge', 'c1');
  assert.equal(ep(e, 'c1', 'bridge').ipv4_address, '172.17.0.2');
});

test('connect with a MAC: ignored in 20.10, used from 25.0', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  e.connect(H, 'aa', 'c1', { macAddress: '02:00:00:00:00:42' });
  assert.equal(ep(e, 'c1', 'aa').mac_address, '02:42:ac:1e:00:02');
  const e28 = twoNets('28.0');
  e28.runContainer(H, { name: 'c1', networkMode: 'zz' });
  e28.connect(H, 'aa', 'c1', { macAddress: '02:00:00:00:00:42' });
  assert.equal(ep(e28, 'c1', 'aa').mac_address, '02:00:00:00:00:42');
});

test('a container disconnected from everything keeps a sandbox with only lo', () => {
  const e = twoNets();
  e.runContainer(H, { name: 'c1', networkMode: 'zz' });
  e.disconnect(H, 'zz', 'c1');
  assert.deepEqual(sandboxOf(e, 'c1').interfaces.map((i) => i.name), ['lo']);
  assert.equal(ctr(e, 'c1').default_gateway_network, null);
});

test('28+: gw-priority beats the network name for the default route', () => {
  const e = twoNets('28.0');
  e.runContainer(H, { name: 'c1', networkMode: 'zz', endpoint: { gwPriority: 10 } });
  e.connect(H, 'aa', 'c1');
  assert.equal(ctr(e, 'c1').default_gateway_network, 'zz');
  const e20 = twoNets('20.10');
  e20.runContainer(H, { name: 'c1', networkMode: 'zz', endpoint: { gwPriority: 10 } });
  e20.connect(H, 'aa', 'c1');
  assert.equal(ctr(e20, 'c1').default_gateway_network, 'aa');
});

test('a dual-stack network wins the default route over an IPv4-only one', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'aa', ipam: { config: [{ subnet: '10.1.0.0/24' }] } });
  e.createNetwork(H, { name: 'zz', enableIpv6: true, ipam: { config: [{ subnet: '10.2.0.0/24' }, { subnet: 'fd00:2::/64' }] } });
  e.runContainer(H, { name: 'c1', networkMode: 'aa' });
  e.connect(H, 'zz', 'c1');
  assert.equal(ctr(e, 'c1').default_gateway_network, 'zz');
});
