import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ctr, engine, ep, H, ip, sandboxOf, throwsDocker } from './helpers';

test('container names follow [a-zA-Z0-9][a-zA-Z0-9_.-]+', () => {
  const e = engine('20.10');
  for (const bad of ['x', '-ab', 'a b', 'a/b', '_ab']) {
    const err = throwsDocker(() => e.createContainer(H, { name: bad }), `Invalid container name (${bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`, 400);
    assert.equal(err.hint?.field, 'name');
  }
  for (const good of ['ab', '10_b1', 'a.b-c_d', '/slashed']) e.createContainer(H, { name: good });
  assert.ok(ctr(e, 'slashed'));
});

test('a duplicate container name is a 409 Conflict naming the holder', () => {
  const e = engine('20.10');
  const { id } = e.createContainer(H, { name: 'web' });
  throwsDocker(() => e.createContainer(H, { name: 'web' }),
    `Conflict. The container name "/web" is already in use by container "${id}". You have to remove (or rename) that container to be able to reuse that name.`, 409);
});

test('a container without network_mode is on the default bridge at 172.17.0.2 with MAC 02:42:ac:11:00:02', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'b1' });
  const c = ctr(e, 'b1');
  assert.equal(c.network_mode, 'default');
  assert.deepEqual(ep(e, 'b1', 'bridge'), {
    network: 'bridge', ipv4_address: '172.17.0.2', ipv4_prefix: 16, ipv6_address: null,
    mac_address: '02:42:ac:11:00:02', interface: 'eth0', host_interface: ep(e, 'b1', 'bridge').host_interface,
    gateway: '172.17.0.1', aliases: [], ipv6_prefix: null, ipv6_gateway: null,
  });
  assert.equal(c.default_gateway_network, 'bridge');
});

test('20.10 MACs are 02:42 + the IPv4 address: 172.18.0.2 gives 02:42:ac:12:00:02', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  assert.equal(ep(e, 'c1', 'n').mac_address, '02:42:ac:12:00:02');
});

test('28+ MACs are random-looking locally administered unicast, and stable', () => {
  const mac = () => {
    const e = engine('28.0');
    e.runContainer(H, { name: 'c1' });
    return ep(e, 'c1', 'bridge').mac_address!;
  };
  const m = mac();
  assert.equal(m, mac());
  assert.notEqual(m, '02:42:ac:11:00:02');
  const first = parseInt(m.slice(0, 2), 16);
  assert.equal(first & 0x01, 0, 'unicast');
  assert.equal(first & 0x02, 2, 'locally administered');
});

test('a given MAC is used on the create-time network only', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n2' });
  e.runContainer(H, { name: 'c1', endpoint: { macAddress: '02:00:00:aa:bb:cc' } });
  e.connect(H, 'n2', 'c1');
  assert.equal(ep(e, 'c1', 'bridge').mac_address, '02:00:00:aa:bb:cc');
  assert.equal(ep(e, 'c1', 'n2').mac_address, '02:42:ac:12:00:02');
});

test('host-side veth names are veth + 7 hex and differ per endpoint', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'c1' });
  e.runContainer(H, { name: 'c2' });
  const a = ep(e, 'c1', 'bridge').host_interface!, b = ep(e, 'c2', 'bridge').host_interface!;
  assert.match(a, /^veth[0-9a-f]{7}$/);
  assert.notEqual(a, b);
  const host = e.state.hosts.get(H)!;
  assert.equal(host.veths.get(a)!.containerIfname, 'eth0');
  assert.ok(host.bridges.get('docker0')!.ports.has(a));
});

test('`docker create` on a missing network succeeds; start fails and the container stays created', () => {
  const e = engine('20.10');
  e.createContainer(H, { name: 'c2', networkMode: 'missing' });
  throwsDocker(() => e.startContainer(H, 'c2'), 'network missing not found', 404);
  assert.equal(ctr(e, 'c2').running, false);
  assert.equal(e.state.hosts.get(H)!.containers.values().next().value!.status, 'created');
});

test('run = create + start: a failed start leaves the created container behind', () => {
  const e = engine('20.10');
  throwsDocker(() => e.runContainer(H, { name: 'c1', endpoint: { ipv4Address: '172.17.0.50' } }),
    'user specified IP address is supported on user defined networks only', 400);
  assert.equal(ctr(e, 'c1').running, false);
  throwsDocker(() => e.createContainer(H, { name: 'c1' }), /is already in use/);
});

test('static address errors are verbatim', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'ax', ipam: { config: [{ subnet: '10.231.250.0/24', auxAddresses: { r1: '10.231.250.2' } }] } });
  e.createNetwork(H, { name: 'auto' });
  e.runContainer(H, { name: 'a1', networkMode: 'ax' });
  throwsDocker(() => e.runContainer(H, { name: 'a2', networkMode: 'ax', endpoint: { ipv4Address: '10.231.250.3' } }), 'Address already in use', 403);
  throwsDocker(() => e.runContainer(H, { name: 'a3', networkMode: 'ax', endpoint: { ipv4Address: '10.9.9.9' } }),
    "Invalid address 10.9.9.9: It does not belong to any of this network's subnets", 400);
  throwsDocker(() => e.runContainer(H, { name: 'a4', networkMode: 'ax', endpoint: { ipv4Address: '10.231.250.2' } }), 'Address already in use');
  throwsDocker(() => e.runContainer(H, { name: 'a5', networkMode: 'ax', endpoint: { ipv4Address: '10.231.250.1' } }), 'Address already in use');
  throwsDocker(() => e.runContainer(H, { name: 'a6', networkMode: 'ax', endpoint: { ipv4Address: '10.231.250.255' } }), 'Address already in use');
  const err = throwsDocker(() => e.runContainer(H, { name: 'n1', networkMode: 'auto', endpoint: { ipv4Address: '172.18.0.5' } }),
    'user specified IP address is supported only when connecting to networks with user configured subnets', 400);
  assert.equal(err.hint?.field, 'ipv4_address');
  throwsDocker(() => e.runContainer(H, { name: 'h1', networkMode: 'host', endpoint: { ipv4Address: '10.0.0.1' } }),
    'user specified IP address is supported on user defined networks only');
});

test('address formats are checked at create', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createContainer(H, { name: 'c1', networkMode: 'n', endpoint: { ipv4Address: '10.0.0' } }), 'invalid IPv4 address: 10.0.0', 400);
  throwsDocker(() => e.createContainer(H, { name: 'c1', networkMode: 'n', endpoint: { ipv4Address: '2001:db8::1' } }), 'invalid IPv4 address: 2001:db8::1');
  throwsDocker(() => e.createContainer(H, { name: 'c1', networkMode: 'n', endpoint: { ipv6Address: '10.0.0.1' } }), 'invalid IPv6 address: 10.0.0.1');
});

test('aliases on the default bridge are refused at start', () => {
  const e = engine('20.10');
  const err = throwsDocker(() => e.runContainer(H, { name: 'b2', endpoint: { aliases: ['foo'] } }),
    'network-scoped alias is supported only for containers in user defined networks', 400);
  assert.equal(err.hint?.field, 'aliases');
});

test('20.10 aliases on a user network are: user aliases, short id, hostname', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n' });
  const { id } = e.runContainer(H, { name: 'c1', networkMode: 'n', hostname: 'web1', endpoint: { aliases: ['web'] } });
  assert.deepEqual(ep(e, 'c1', 'n').aliases, ['web', id.slice(0, 12), 'web1']);
  const e28 = engine('28.0');
  e28.createNetwork(H, { name: 'n' });
  e28.runContainer(H, { name: 'c1', networkMode: 'n', endpoint: { aliases: ['web'] } });
  assert.deepEqual(ep(e28, 'c1', 'n').aliases, ['web']);
});

test('host mode: no interfaces of its own, warning when -p is given', () => {
  const e = engine('20.10');
  const { warnings } = e.runContainer(H, { name: 'h1', networkMode: 'host', ports: ['39413:80'] });
  assert.deepEqual(warnings, ['Published ports are discarded when using host network mode']);
  const c = ctr(e, 'h1');
  assert.deepEqual(c.ports, []);
  assert.deepEqual(c.warnings, ['Published ports are discarded when using host network mode']);
  assert.equal(ep(e, 'h1', 'host').ipv4_address, null);
  assert.equal(sandboxOf(e, 'h1').hostNetwork, true);
  assert.equal(c.default_gateway_network, null);
  // -P alone does not warn.
  assert.deepEqual(e.runContainer(H, { name: 'h2', networkMode: 'host', publishAll: true, expose: ['80'] }).warnings, []);
});

test('host mode with a MAC is refused at create', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createContainer(H, { name: 'h1', networkMode: 'host', endpoint: { macAddress: '02:42:ac:11:00:09' } }),
    'conflicting options: mac-address and the network mode', 400);
});

test('none mode: only lo, no gateway', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'n1', networkMode: 'none' });
  assert.deepEqual(sandboxOf(e, 'n1').interfaces.map((i) => i.name), ['lo']);
  assert.deepEqual(sandboxOf(e, 'n1').routes, []);
  assert.equal(ep(e, 'n1', 'none').ipv4_address, null);
});

test('container mode: create-time conflicts', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:' }), 'Invalid network mode: invalid container format container:<name|id>', 400);
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container' }), 'Invalid network mode: invalid container format container:<name|id>');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:web', ports: ['80'] }), 'conflicting options: port publishing and the container type network mode');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:web', publishAll: true }), 'conflicting options: port publishing and the container type network mode');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:web', expose: ['80'] }), 'conflicting options: port exposing and the container type network mode');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:web', hostname: 'foo' }), 'conflicting options: hostname and the network mode');
  throwsDocker(() => e.createContainer(H, { name: 'k1', networkMode: 'container:web', endpoint: { macAddress: '02:00:00:00:00:01' } }), 'conflicting options: mac-address and the network mode');
});

test('container mode: start-time errors', () => {
  const e = engine('20.10');
  e.createContainer(H, { name: 'web' });
  e.createContainer(H, { name: 'k1', networkMode: 'container:web' });
  throwsDocker(() => e.startContainer(H, 'k1'), 'cannot join network of a non running container: web', 409);
  e.createContainer(H, { name: 'k2', networkMode: 'container:k2' });
  throwsDocker(() => e.startContainer(H, 'k2'), 'cannot join own network');
  e.createContainer(H, { name: 'k3', networkMode: 'container:ghost' });
  throwsDocker(() => e.startContainer(H, 'k3'), 'No such container: ghost', 404);
});

test('container mode shares the target\'s sandbox and has no endpoints of its own', () => {
  const e = engine('20.10');
  e.runContainer(H, { name: 'web' });
  e.runContainer(H, { name: 'side', networkMode: 'container:web' });
  const c = ctr(e, 'side');
  assert.equal(c.network_mode, 'container:web');
  assert.deepEqual(c.endpoints, []);
  assert.equal(sandboxOf(e, 'side'), sandboxOf(e, 'web'));
  const host = e.state.hosts.get(H)!;
  const side = [...host.containers.values()].find((x) => x.name === 'side')!;
  const web = [...host.containers.values()].find((x) => x.name === 'web')!;
  assert.equal(side.hostname, web.hostname);
  throwsDocker(() => e.connect(H, 'bridge', 'side'), 'container sharing network namespace with another container or host cannot be connected to any other network', 403);
});

test('removing a running container needs force', () => {
  const e = engine('20.10');
  const { id } = e.runContainer(H, { name: 'c1' });
  throwsDocker(() => e.removeContainer(H, 'c1'),
    `You cannot remove a running container ${id}. Stop the container before attempting removal or force remove`, 409);
  e.removeContainer(H, 'c1', { force: true });
  assert.equal(e.inspect().containers.length, 0);
  throwsDocker(() => e.removeContainer(H, 'c1'), 'No such container: c1', 404);
});

test('a stopped container shows its networks without addresses', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'c1', networkMode: 'n' });
  e.stopContainer(H, 'c1');
  const c = ctr(e, 'c1');
  assert.equal(c.running, false);
  assert.equal(c.endpoints.length, 1);
  assert.equal(c.endpoints[0].network, 'n');
  assert.equal(c.endpoints[0].ipv4_address, null);
  assert.equal(c.endpoints[0].mac_address, null);
  assert.equal(e.state.hosts.get(H)!.veths.size, 0);
});

test('interface names: eth0, eth1; after a disconnect the next is eth2; a restart starts over', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n1' });
  e.createNetwork(H, { name: 'n2' });
  e.createNetwork(H, { name: 'n3' });
  e.runContainer(H, { name: 'c1', networkMode: 'n1' });
  e.connect(H, 'n2', 'c1');
  assert.equal(ep(e, 'c1', 'n2').interface, 'eth1');
  e.disconnect(H, 'n2', 'c1');
  e.connect(H, 'n3', 'c1');
  assert.equal(ep(e, 'c1', 'n3').interface, 'eth2');
  e.stopContainer(H, 'c1');
  e.startContainer(H, 'c1');
  assert.equal(ep(e, 'c1', 'n1').interface, 'eth0');
  assert.equal(ep(e, 'c1', 'n3').interface, 'eth1');
});

test('a restart connects the default bridge first', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n1' });
  e.runContainer(H, { name: 'c1', networkMode: 'n1' });
  e.connect(H, 'bridge', 'c1');
  assert.equal(ep(e, 'c1', 'bridge').interface, 'eth1');
  e.stopContainer(H, 'c1');
  e.startContainer(H, 'c1');
  assert.equal(ep(e, 'c1', 'bridge').interface, 'eth0');
  assert.equal(ep(e, 'c1', 'n1').interface, 'eth1');
});

test('the sandbox has /etc/hosts lines for every joined network and a resolv.conf kind', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '172.29.0.0/16', ipRange: '172.29.5.0/24' }] } });
  e.createNetwork(H, { name: 's', ipam: { config: [{ subnet: '172.30.0.0/16' }] } });
  const { id } = e.runContainer(H, { name: 'c1', networkMode: 'r' });
  e.connect(H, 's', 'c1');
  const sb = sandboxOf(e, 'c1');
  assert.deepEqual(sb.hostsEntries, [{ ip: '172.29.5.1', names: [id.slice(0, 12)] }, { ip: '172.30.0.2', names: [id.slice(0, 12)] }]);
  assert.equal(sb.resolvConf, 'embedded');
  e.runContainer(H, { name: 'b1' });
  assert.equal(sandboxOf(e, 'b1').resolvConf, 'host-filtered');
});

test('sandbox routes: default via the gateway endpoint first, then on-link routes (as ip route prints)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '172.29.0.0/16', ipRange: '172.29.5.0/24' }] } });
  e.createNetwork(H, { name: 's', ipam: { config: [{ subnet: '172.30.0.0/16' }] } });
  e.runContainer(H, { name: 'c1', networkMode: 'r' });
  e.connect(H, 's', 'c1');
  assert.deepEqual(sandboxOf(e, 'c1').routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), [
    'default 172.29.5.0 eth0', '172.29.0.0/16 - eth0', '172.30.0.0/16 - eth1',
  ]);
});

test('IPv6 endpoints get an IPv6 default route', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'v6', enableIpv6: true, ipam: { config: [{ subnet: '172.31.250.0/24' }, { subnet: '2001:db8:77::/64' }] } });
  e.runContainer(H, { name: 'c6', networkMode: 'v6' });
  assert.equal(ep(e, 'c6', 'v6').ipv6_address, '2001:db8:77::2');
  assert.ok(sandboxOf(e, 'c6').routes.some((r) => r.family === 6 && r.destination === 'default' && r.gateway === '2001:db8:77::1'));
});

test('docker0 with --fixed-cidr-v6 (20.10): the IPv6 address is built from the MAC', () => {
  const e = engine('20.10', { daemon: { ipv6: true, fixedCidrV6: '2001:db8::/64' } });
  e.runContainer(H, { name: 'c1' });
  assert.equal(ep(e, 'c1', 'bridge').ipv6_address, '2001:db8::242:ac11:2');
  const e28 = engine('28.0', { daemon: { ipv6: true, fixedCidrV6: '2001:db8::/64' } });
  e28.runContainer(H, { name: 'c1' });
  assert.equal(ep(e28, 'c1', 'bridge').ipv6_address, '2001:db8::2');
});

test('a failed start releases everything it had taken', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n1', ipam: { config: [{ subnet: '10.3.0.0/24' }] } });
  e.createNetwork(H, { name: 'n2', ipam: { config: [{ subnet: '10.4.0.0/24' }] } });
  e.createContainer(H, { name: 'c1', networkMode: 'n1' });
  e.connect(H, 'n2', 'c1', { ipv4Address: '10.4.0.1' }); // the gateway: fails at start
  throwsDocker(() => e.startContainer(H, 'c1'), 'Address already in use');
  e.runContainer(H, { name: 'c2', networkMode: 'n1' });
  assert.equal(ip(e, 'c2', 'n1'), '10.3.0.2');
  assert.equal(e.state.hosts.get(H)!.sandboxes.size, 1);
});

test('a static IPv6 address on a network whose IPv6 subnet is off is silently ignored (20.10)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'v6off', ipam: { config: [{ subnet: '172.31.251.0/24' }, { subnet: '2001:db8:78::/64' }] } });
  e.runContainer(H, { name: 'c8', networkMode: 'v6off', endpoint: { ipv6Address: '2001:db8:78::9' } });
  assert.equal(ep(e, 'c8', 'v6off').ipv6_address, null);
  assert.equal(ep(e, 'c8', 'v6off').ipv4_address, '172.31.251.2');
  e.createNetwork(H, { name: 'v4only', ipam: { config: [{ subnet: '172.31.252.0/24' }] } });
  throwsDocker(() => e.runContainer(H, { name: 'c9', networkMode: 'v4only', endpoint: { ipv6Address: '2001:db8:78::9' } }),
    'user specified IP address is supported only when connecting to networks with user configured subnets');
});
