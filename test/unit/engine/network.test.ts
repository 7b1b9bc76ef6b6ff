import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../../../src/engine';
import { engine, H, net, throwsDocker } from './helpers';

test('every host starts with none, host and bridge, in that order', () => {
  const e = engine('20.10');
  assert.deepEqual(e.inspect().networks.map((n) => [n.name, n.driver, n.bridge]), [
    ['none', 'null', null], ['host', 'host', null], ['bridge', 'bridge', 'docker0'],
  ]);
  assert.deepEqual(e.hostNames(), [H]);
});

test('docker0 shows the daemon options as `docker network inspect bridge` does', () => {
  const e = engine('20.10', { daemon: { icc: false, mtu: 1400, ip: '127.0.0.1' } });
  assert.deepEqual(net(e, 'bridge').options, {
    'com.docker.network.bridge.default_bridge': 'true',
    'com.docker.network.bridge.enable_icc': 'false',
    'com.docker.network.bridge.enable_ip_masquerade': 'true',
    'com.docker.network.bridge.host_binding_ipv4': '127.0.0.1',
    'com.docker.network.bridge.name': 'docker0',
    'com.docker.network.driver.mtu': '1400',
  });
});

test('creating a predefined network fails with the trailing-space text (403)', () => {
  const e = engine('20.10');
  for (const name of ['bridge', 'host', 'none', 'default']) {
    throwsDocker(() => e.createNetwork(H, { name }), `operation is not permitted on predefined ${name} network `, 403);
  }
});

test('removing a predefined network: "bridge is a pre-defined network and cannot be removed"', () => {
  const e = engine('20.10');
  throwsDocker(() => e.removeNetwork(H, 'bridge'), 'bridge is a pre-defined network and cannot be removed', 403);
  throwsDocker(() => e.removeNetwork(H, 'none'), 'none is a pre-defined network and cannot be removed');
});

test('a duplicate name: "network with name foo already exists" (409)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'foo' });
  const err = throwsDocker(() => e.createNetwork(H, { name: 'foo' }), 'network with name foo already exists', 409);
  assert.equal(err.hint?.field, 'name');
});

test('a blank name is "invalid name: "', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: '  ' }), 'invalid name:   ', 400);
});

test('an unknown driver: plugin "x" not found (404)', () => {
  const e = engine('20.10');
  const err = throwsDocker(() => e.createNetwork(H, { name: 'n', driver: 'weave' }), 'plugin "weave" not found', 404);
  assert.equal(err.hint?.field, 'driver');
});

test('overlay without swarm: "This node is not a swarm manager…"', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'ov', driver: 'overlay' }),
    'This node is not a swarm manager. Use "docker swarm init" or "docker swarm join" to connect this node to swarm and try again.', 403);
});

test('user bridges are br- + 12 hex of the id; the name option overrides it', () => {
  const e = engine('20.10');
  const { id } = e.createNetwork(H, { name: 'a' });
  assert.equal(net(e, 'a').bridge, `br-${id.slice(0, 12)}`);
  e.createNetwork(H, { name: 'b', options: { 'com.docker.network.bridge.name': 'mybr0' } });
  assert.equal(net(e, 'b').bridge, 'mybr0');
  assert.deepEqual(net(e, 'b').options, { 'com.docker.network.bridge.name': 'mybr0' });
  assert.ok(e.state.hosts.get(H)!.bridges.has('mybr0'));
});

test('two networks on the same bridge name conflict', () => {
  const e = engine('20.10');
  const a = e.createNetwork(H, { name: 'a', options: { 'com.docker.network.bridge.name': 'br0' } });
  const err = throwsDocker(() => e.createNetwork(H, { name: 'b', options: { 'com.docker.network.bridge.name': 'br0' } }),
    /^cannot create network [0-9a-f]{64} \(br0\): conflicts with network [0-9a-f]{64} \(br0\): networks have same bridge name$/, 403);
  assert.ok(err.message.includes(a.id));
  assert.deepEqual(err.hint, { field: 'driver_opts', key: 'com.docker.network.bridge.name' });
});

test('bad bridge option values fail with parseErr texts', () => {
  const e = engine('20.10');
  let err = throwsDocker(() => e.createNetwork(H, { name: 'x', options: { 'com.docker.network.bridge.enable_icc': 'yes' } }),
    'failed to parse com.docker.network.bridge.enable_icc value: yes (strconv.ParseBool: parsing "yes": invalid syntax)', 400);
  assert.deepEqual(err.hint, { field: 'driver_opts', key: 'com.docker.network.bridge.enable_icc' });
  throwsDocker(() => e.createNetwork(H, { name: 'x', options: { 'com.docker.network.driver.mtu': 'big' } }),
    'failed to parse com.docker.network.driver.mtu value: big (strconv.Atoi: parsing "big": invalid syntax)');
  throwsDocker(() => e.createNetwork(H, { name: 'x', options: { 'com.docker.network.bridge.host_binding_ipv4': 'nowhere' } }),
    'failed to parse com.docker.network.bridge.host_binding_ipv4 value: nowhere (nil ip)');
  throwsDocker(() => e.createNetwork(H, { name: 'x', options: { 'com.docker.network.driver.mtu': '-1' } }), 'invalid MTU number: -1');
  err = throwsDocker(() => e.createNetwork(H, { name: 'x', options: { 'com.docker.network.bridge.enable_ip_masquerade': 'off' } }),
    /enable_ip_masquerade value: off/);
  // Nothing leaked: the pool of the failed networks is free, though the 20.10 cursor moved on.
  e.createNetwork(H, { name: 'ok' });
});

test('bridge options are parsed into the bridge config the tracer reads', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n', options: { 'com.docker.network.bridge.enable_icc': 'false', 'com.docker.network.bridge.enable_ip_masquerade': '0', 'com.docker.network.driver.mtu': '9000', 'com.docker.network.container_iface_prefix': 'ens' } });
  const n = [...e.state.hosts.get(H)!.networks.values()].find((x) => x.name === 'n')!;
  assert.equal(n.bridge!.enableIcc, false);
  assert.equal(n.bridge!.enableIpMasquerade, false);
  assert.equal(n.bridge!.mtu, 9000);
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  assert.equal(e.inspect().containers[0].endpoints[0].interface, 'ens0');
});

test('the bridge driver takes one IPv4 subnet only', () => {
  const e = engine('20.10');
  const err = throwsDocker(() => e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/24' }, { subnet: '10.2.0.0/24' }] } }),
    "bridge driver doesn't support multiple subnets", 403);
  assert.equal(err.hint?.field, 'subnet');
});

test('removing a network with running containers fails; with only stopped ones it works', () => {
  const e = engine('20.10');
  const { id } = e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  throwsDocker(() => e.removeNetwork(H, 'n'), `error while removing network: network n id ${id} has active endpoints`, 403);
  e.stopContainer(H, 'c1');
  e.removeNetwork(H, 'n');
  assert.equal(e.inspect().networks.some((x) => x.name === 'n'), false);
});

test('28.1+ names the active endpoints', () => {
  const e = engine('28.1');
  e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  throwsDocker(() => e.removeNetwork(H, 'n'), 'error while removing network: network n has active endpoints (c1)');
});

test('networks are found by id, name or unique id prefix; otherwise "network x not found"', () => {
  const e = engine('20.10');
  const { id } = e.createNetwork(H, { name: 'n' });
  e.removeNetwork(H, id.slice(0, 6));
  throwsDocker(() => e.removeNetwork(H, 'n'), 'network n not found', 404);
});

test('removing a network frees its bridge device and pool', () => {
  const e = engine('28.0');
  e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '10.9.0.0/16' }] } });
  const br = net(e, 'n').bridge!;
  e.removeNetwork(H, 'n');
  assert.equal(e.state.hosts.get(H)!.bridges.has(br), false);
  e.createNetwork(H, { name: 'n2', ipam: { config: [{ subnet: '10.9.0.0/16' }] } });
});

test('internal, attachable and labels show in inspect', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'i', internal: true, attachable: true, labels: { a: 'b' } });
  const n = net(e, 'i');
  assert.equal(n.internal, true);
  assert.equal(n.attachable, true);
  assert.equal(n.gateway, '172.18.0.1');
});

test('ids are deterministic and 64 hex', () => {
  const build = () => {
    const e = new Engine();
    e.addHost({ name: 'h' });
    const n = e.createNetwork('h', { name: 'n' });
    const c = e.runContainer('h', { name: 'c1', networkMode: 'n' });
    return [n.id, c.id, e.inspect().containers[0].endpoints[0].host_interface];
  };
  const a = build(), b = build();
  assert.deepEqual(a, b);
  assert.match(a[0]!, /^[0-9a-f]{64}$/);
  assert.match(a[2]!, /^veth[0-9a-f]{7}$/);
});

test('hosts are independent: same names, separate pools', () => {
  const e = new Engine();
  e.addHost({ name: 'h1', daemon: { version: '20.10' } });
  e.addHost({ name: 'h2', daemon: { version: '20.10' } });
  e.createNetwork('h1', { name: 'n' });
  e.createNetwork('h2', { name: 'n' });
  const subnets = e.inspect().networks.filter((n) => n.name === 'n').map((n) => [n.host, n.subnet]);
  assert.deepEqual(subnets, [['h1', '172.18.0.0/16'], ['h2', '172.18.0.0/16']]);
  assert.throws(() => e.addHost({ name: 'h1' }), /already exists/);
});

test('a bad daemon version or IPv6 without --fixed-cidr-v6 fails the host (20.10)', () => {
  const e = new Engine();
  throwsDocker(() => e.addHost({ name: 'h', daemon: { version: 'latest' } }), 'unsupported Docker version "latest"');
  throwsDocker(() => e.addHost({ name: 'h', daemon: { version: '20.10', ipv6: true } }),
    'IPv6 is enabled for the default bridge, but no subnet is configured. Specify an IPv6 subnet using --fixed-cidr-v6');
});

test('the host view lists bridges with their gateway address and veths on them', async () => {
  const { hostInterfaces, hostRoutes } = await import('../../../src/engine');
  const e = engine('20.10', { interfaces: { eth0: '192.168.50.10/24' } });
  e.runContainer(H, { name: 'c1' });
  const host = e.state.hosts.get(H)!;
  const ifs = hostInterfaces(host);
  const docker0 = ifs.find((i) => i.name === 'docker0')!;
  assert.equal(docker0.ipv4[0].address, '172.17.0.1');
  const veth = ifs.find((i) => i.kind === 'veth')!;
  assert.equal(veth.master, 'docker0');
  assert.equal(veth.peer!.ifname, 'eth0');
  assert.deepEqual(hostRoutes(host).map((r) => `${r.destination} ${r.dev}`), ['192.168.50.0/24 eth0', '172.17.0.0/16 docker0']);
});

test('a second host or null network: only one instance is allowed', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'myhost', driver: 'host' }), 'only one instance of "host" network is allowed', 403);
  throwsDocker(() => e.createNetwork(H, { name: 'mynull', driver: 'null' }), 'only one instance of "null" network is allowed', 403);
});
