import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engine, H, ip, net, throwsDocker } from './helpers';
import { Engine } from '../../../src/engine';

test('default bridge is 172.17.0.0/16 with gateway 172.17.0.1 on docker0', () => {
  const e = engine('20.10');
  const b = net(e, 'bridge');
  assert.equal(b.subnet, '172.17.0.0/16');
  assert.equal(b.gateway, '172.17.0.1');
  assert.equal(b.bridge, 'docker0');
});

test('the first user network gets 172.18.0.0/16, gateway .1, containers .2 and .3', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n1' });
  assert.equal(net(e, 'n1').subnet, '172.18.0.0/16');
  assert.equal(net(e, 'n1').gateway, '172.18.0.1');
  e.runContainer(H, { name: 'c1', networkMode: 'n1' });
  e.runContainer(H, { name: 'c2', networkMode: 'n1' });
  assert.equal(ip(e, 'c1', 'n1'), '172.18.0.2');
  assert.equal(ip(e, 'c2', 'n1'), '172.18.0.3');
});

test('a freed address is handed out again (lowest free)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n1' });
  e.runContainer(H, { name: 'c1', networkMode: 'n1' });
  e.runContainer(H, { name: 'c2', networkMode: 'n1' });
  e.removeContainer(H, 'c1', { force: true });
  e.runContainer(H, { name: 'c3', networkMode: 'n1' });
  assert.equal(ip(e, 'c3', 'n1'), '172.18.0.2');
});

test('20.10 rotates over the default pools: A, B, rm A, C gives C 172.20.0.0/16', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'A' });
  e.createNetwork(H, { name: 'B' });
  e.removeNetwork(H, 'A');
  e.createNetwork(H, { name: 'C' });
  assert.equal(net(e, 'B').subnet, '172.19.0.0/16');
  assert.equal(net(e, 'C').subnet, '172.20.0.0/16');
});

test('28+ takes the lowest free pool: A, B, rm A, C gives C 172.18.0.0/16', () => {
  const e = engine('28.0');
  e.createNetwork(H, { name: 'A' });
  e.createNetwork(H, { name: 'B' });
  e.removeNetwork(H, 'A');
  e.createNetwork(H, { name: 'C' });
  assert.equal(net(e, 'C').subnet, '172.18.0.0/16');
});

test('the default pools run 172.17-31/16 then 192.168.x.0/20', () => {
  const e = engine('20.10');
  const subnets: string[] = [];
  for (let i = 0; i < 16; i++) {
    e.createNetwork(H, { name: `n${i}` });
    subnets.push(net(e, `n${i}`).subnet!);
  }
  assert.equal(subnets[0], '172.18.0.0/16');
  assert.equal(subnets[13], '172.31.0.0/16');
  assert.equal(subnets[14], '192.168.0.0/20');
  assert.equal(subnets[15], '192.168.16.0/20');
});

test('exhausting the 31 default pools fails with the 20.10 text (404)', () => {
  const e = engine('20.10');
  for (let i = 0; i < 30; i++) e.createNetwork(H, { name: `n${i}` });
  throwsDocker(() => e.createNetwork(H, { name: 'last' }),
    'could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network', 404);
});

test('exhaustion in 27+ says the pools are fully subnetted', () => {
  const e = engine('28.0');
  for (let i = 0; i < 30; i++) e.createNetwork(H, { name: `n${i}` });
  throwsDocker(() => e.createNetwork(H, { name: 'last' }), 'all predefined address pools have been fully subnetted');
});

test('a user subnet skips its pool: the next auto network goes on past it', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'fixed', ipam: { config: [{ subnet: '172.18.0.0/16' }] } });
  e.createNetwork(H, { name: 'auto' });
  assert.equal(net(e, 'auto').subnet, '172.19.0.0/16');
});

test('an overlapping user subnet fails with "Pool overlaps…" (403), also against docker0', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'a', ipam: { config: [{ subnet: '10.10.0.0/16' }] } });
  throwsDocker(() => e.createNetwork(H, { name: 'b', ipam: { config: [{ subnet: '10.10.5.0/24' }] } }),
    'Pool overlaps with other one on this address space', 403);
  throwsDocker(() => e.createNetwork(H, { name: 'c', ipam: { config: [{ subnet: '10.10.0.0/16' }] } }),
    'Pool overlaps with other one on this address space');
  throwsDocker(() => e.createNetwork(H, { name: 'd', ipam: { config: [{ subnet: '172.16.0.0/12' }] } }),
    'Pool overlaps with other one on this address space');
});

test('the same subnet with an ip-range passes IPAM but the bridge driver refuses the overlap', () => {
  const e = engine('20.10');
  const a = e.createNetwork(H, { name: 'a', ipam: { config: [{ subnet: '10.250.0.0/16' }] } });
  const err = throwsDocker(() => e.createNetwork(H, { name: 'b', ipam: { config: [{ subnet: '10.250.0.0/16', ipRange: '10.250.1.0/24' }] } }),
    /^cannot create network [0-9a-f]{64} \(br-[0-9a-f]{12}\): conflicts with network [0-9a-f]{64} \(br-[0-9a-f]{12}\): networks have overlapping IPv4$/, 403);
  assert.ok(err.message.includes(a.id));
  // The failed create released its share of the pool: removing `a` frees the subnet completely.
  e.removeNetwork(H, 'a');
  e.createNetwork(H, { name: 'c', ipam: { config: [{ subnet: '10.250.0.0/16' }] } });
});

test('a non-canonical subnet is masked in 20.10 and rejected from 25.0', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '172.28.1.0/16' }] } });
  assert.equal(net(e, 'n').subnet, '172.28.0.0/16');
  const e28 = engine('28.0');
  throwsDocker(() => e28.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '172.28.1.0/16' }] } }),
    'invalid network config:\ninvalid subnet 172.28.1.0/16: it should be 172.28.0.0/16', 400);
});

test('an unparsable subnet: "Invalid subnet x : invalid CIDR address: x"', () => {
  const e = engine('20.10');
  const err = throwsDocker(() => e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '10.0.0.0/33' }] } }),
    'Invalid subnet 10.0.0.0/33 : invalid CIDR address: 10.0.0.0/33', 500);
  assert.deepEqual(err.hint, { field: 'subnet', index: 0 });
});

test('a given gateway is used; without one the first address is the gateway', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'g', ipam: { config: [{ subnet: '10.10.0.0/16', gateway: '10.10.0.254' }] } });
  e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '10.11.0.0/16' }] } });
  assert.equal(net(e, 'g').gateway, '10.10.0.254');
  assert.equal(net(e, 'n').gateway, '10.11.0.1');
  e.runContainer(H, { name: 'cc', networkMode: 'g' });
  assert.equal(ip(e, 'cc', 'g'), '10.10.0.1');
});

test('a gateway outside the subnet: "failed to allocate gateway (x): Requested address is out of range"', () => {
  const e = engine('20.10');
  const err = throwsDocker(() => e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '172.28.0.0/16', gateway: '10.9.9.9' }] } }),
    'failed to allocate gateway (10.9.9.9): Requested address is out of range', 500);
  assert.equal(err.hint?.field, 'gateway');
  const e28 = engine('28.0');
  throwsDocker(() => e28.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '172.28.0.0/16', gateway: '10.9.9.9' }] } }),
    "invalid network config:\ninvalid gateway 10.9.9.9: parent subnet 172.28.0.0/16 doesn't contain this address");
});

test('a gateway on the network or broadcast address is "Address already in use"', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'a', ipam: { config: [{ subnet: '10.231.251.0/24', gateway: '10.231.251.0' }] } }),
    'failed to allocate gateway (10.231.251.0): Address already in use');
  throwsDocker(() => e.createNetwork(H, { name: 'b', ipam: { config: [{ subnet: '10.231.252.0/24', gateway: '10.231.252.255' }] } }),
    'failed to allocate gateway (10.231.252.255): Address already in use');
});

test('an unparsable gateway: "invalid gateway address x in Ipam configuration"', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'a', ipam: { config: [{ subnet: '10.1.0.0/24', gateway: 'nope' }] } }),
    'invalid gateway address nope in Ipam configuration', 400);
});

test('ip_range without gateway: gateway is the first address of the range, containers follow', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '172.28.0.0/16', ipRange: '172.28.5.0/24' }] } });
  assert.equal(net(e, 'r').gateway, '172.28.5.0');
  assert.equal(net(e, 'r').ip_range, '172.28.5.0/24');
  e.runContainer(H, { name: 'cc', networkMode: 'r' });
  assert.equal(ip(e, 'cc', 'r'), '172.28.5.1');
});

test('ip_range with a gateway: the first container gets the range start', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '172.28.0.0/16', ipRange: '172.28.5.0/24', gateway: '172.28.0.1' }] } });
  e.runContainer(H, { name: 'cc', networkMode: 'r' });
  assert.equal(ip(e, 'cc', 'r'), '172.28.5.0');
});

test('a static address may lie outside the ip_range but inside the subnet', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '172.28.0.0/16', ipRange: '172.28.5.0/24' }] } });
  e.runContainer(H, { name: 'cc', networkMode: 'r', endpoint: { ipv4Address: '172.28.9.9' } });
  assert.equal(ip(e, 'cc', 'r'), '172.28.9.9');
});

test('a full ip_range: "no available IPv4 addresses on this network\'s address pools"', () => {
  const e = engine('20.10');
  const { id } = e.createNetwork(H, { name: 'r', ipam: { config: [{ subnet: '10.5.0.0/24', ipRange: '10.5.0.8/30', gateway: '10.5.0.1' }] } });
  for (let i = 0; i < 4; i++) e.runContainer(H, { name: `c${i}`, networkMode: 'r' });
  assert.equal(ip(e, 'c0', 'r'), '10.5.0.8');
  assert.equal(ip(e, 'c3', 'r'), '10.5.0.11');
  throwsDocker(() => e.runContainer(H, { name: 'c4', networkMode: 'r' }), `no available IPv4 addresses on this network's address pools: r (${id})`);
});

test('aux_addresses are reserved for containers; the gateway is taken before them (checked on dockerd 20.10.24)', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.231.250.0/24', auxAddresses: { r1: '10.231.250.2' } }] } });
  e.runContainer(H, { name: 'a1', networkMode: 'x' });
  assert.equal(ip(e, 'a1', 'x'), '10.231.250.3');
  throwsDocker(() => e.createNetwork(H, { name: 'y', ipam: { config: [{ subnet: '10.231.251.0/24', auxAddresses: { gw: '10.231.251.1' } }] } }),
    'failed to allocate secondary ip address (gw:10.231.251.1): Address already in use', 500);
});

test('aux_addresses errors: outside the pool, unparsable, clashing', () => {
  const e = engine('20.10');
  let err = throwsDocker(() => e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/24', auxAddresses: { k: '10.2.0.1' } }] } }),
    'auxiliary address: (k:10.2.0.1) must belong to the master pool: 10.1.0.0/24', 403);
  assert.deepEqual(err.hint, { field: 'aux_addresses', index: 0, key: 'k' });
  err = throwsDocker(() => e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/24', auxAddresses: { k: 'bad' } }] } }),
    'non parsable secondary ip address (k:bad) passed for network x', 400);
  throwsDocker(() => e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/24', gateway: '10.1.0.1', auxAddresses: { k: '10.1.0.1' } }] } }),
    'failed to allocate secondary ip address (k:10.1.0.1): Address already in use');
  // Nothing of the failed creates stayed allocated.
  e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/24' }] } });
});

test('a /31 or /32 subnet has no address for the gateway', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '10.1.0.0/31' }] } }),
    'failed to allocate gateway (): No available addresses on this pool');
});

test('IPv6 with enable_ipv6: gateway ::1, containers ::2 then ::3', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'v6', enableIpv6: true, ipam: { config: [{ subnet: '172.31.250.0/24' }, { subnet: '2001:db8:77::/64' }] } });
  const n = net(e, 'v6');
  assert.equal(n.ipv6_subnet, '2001:db8:77::/64');
  assert.equal(n.ipv6_gateway, '2001:db8:77::1');
  e.runContainer(H, { name: 'aa', networkMode: 'v6' });
  e.runContainer(H, { name: 'bb', networkMode: 'v6' });
  const host = e.state.hosts.get(H)!;
  const eps = [...[...host.networks.values()].find((x) => x.name === 'v6')!.endpoints.values()];
  assert.deepEqual(eps.map((x) => x.ipv6?.address), ['2001:db8:77::2', '2001:db8:77::3']);
});

test('20.10 ignores an IPv6 subnet without enable_ipv6; 25+ turns IPv6 on', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '172.31.251.0/24' }, { subnet: '2001:db8:78::/64' }] } });
  assert.equal(net(e, 'x').enable_ipv6, false);
  assert.equal(net(e, 'x').ipv6_subnet, null);
  const e28 = engine('28.0');
  e28.createNetwork(H, { name: 'x', ipam: { config: [{ subnet: '172.31.251.0/24' }, { subnet: '2001:db8:78::/64' }] } });
  assert.equal(net(e28, 'x').enable_ipv6, true);
  assert.equal(net(e28, 'x').ipv6_gateway, '2001:db8:78::1');
});

test('enable_ipv6 without an IPv6 subnet fails in 20.10; 27+ uses the ULA default pool', () => {
  const e = engine('20.10');
  throwsDocker(() => e.createNetwork(H, { name: 'x', enableIpv6: true }),
    'could not find an available, non-overlapping IPv6 address pool among the defaults to assign to the network', 404);
  const e28 = engine('28.0');
  e28.createNetwork(H, { name: 'x', enableIpv6: true });
  assert.match(net(e28, 'x').ipv6_subnet!, /^fd[0-9a-f]{2}:[0-9a-f]{1,4}:[0-9a-f]{1,4}::\/64$/);
  // A failed create advanced nothing it should not have: the IPv4 pool of the failed 20.10 network is free.
  e.createNetwork(H, { name: 'y' });
});

test('--default-address-pools replaces the local list (docker0 takes the first pool)', () => {
  const e = engine('20.10', { daemon: { defaultAddressPools: [{ base: '10.100.0.0/16', size: 24 }] } });
  assert.equal(net(e, 'bridge').subnet, '10.100.0.0/24');
  e.createNetwork(H, { name: 'a' });
  e.createNetwork(H, { name: 'b' });
  assert.equal(net(e, 'a').subnet, '10.100.1.0/24');
  assert.equal(net(e, 'b').subnet, '10.100.2.0/24');
});

test('bad default address pools fail like dockerd', () => {
  throwsDocker(() => engine('20.10', { daemon: { defaultAddressPools: [{ base: '10.100.0.0/16', size: 8 }] } }), 'invalid pools size: 8');
});

test('--bip sets docker0; a network-address bip fails to start the daemon', () => {
  const e = engine('20.10', { daemon: { bip: '192.168.5.1/24' } });
  assert.equal(net(e, 'bridge').subnet, '192.168.5.0/24');
  assert.equal(net(e, 'bridge').gateway, '192.168.5.1');
  const err = throwsDocker(() => engine('20.10', { daemon: { bip: '172.17.0.0/24' } }),
    'Error creating default "bridge" network: failed to allocate gateway (172.17.0.0): Address already in use');
  assert.equal(err.hint?.field, 'daemon');
});

test('auto pools avoid the host\'s own on-link networks', () => {
  const e = engine('20.10', { interfaces: { eth0: '172.18.3.10/24' } });
  e.createNetwork(H, { name: 'a' });
  assert.equal(net(e, 'a').subnet, '172.19.0.0/16');
  // docker0 too: an underlay on 172.17.x pushes docker0 to the next free pool.
  const e2 = engine('20.10', { interfaces: { eth0: '172.17.0.10/16' } });
  assert.equal(net(e2, 'bridge').subnet, '172.18.0.0/16');
});

test('a user subnet may overlap the host\'s own network (no route check for explicit pools)', () => {
  const e = engine('20.10', { interfaces: { eth0: '192.168.50.10/24' } });
  e.createNetwork(H, { name: 'lan', ipam: { config: [{ subnet: '192.168.50.0/24' }] } });
  assert.equal(net(e, 'lan').subnet, '192.168.50.0/24');
});

test('a stopped container loses its address; a restart asks again', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n' });
  e.runContainer(H, { name: 'aa', networkMode: 'n' });
  e.runContainer(H, { name: 'bb', networkMode: 'n' });
  e.stopContainer(H, 'aa');
  assert.equal(ip(e, 'aa', 'n'), null);
  e.runContainer(H, { name: 'cc', networkMode: 'n' });
  assert.equal(ip(e, 'cc', 'n'), '172.18.0.2');
  e.startContainer(H, 'aa');
  assert.equal(ip(e, 'aa', 'n'), '172.18.0.4');
});

test('a static address survives a restart', () => {
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n', ipam: { config: [{ subnet: '10.7.0.0/24' }] } });
  e.runContainer(H, { name: 'aa', networkMode: 'n', endpoint: { ipv4Address: '10.7.0.50' } });
  e.stopContainer(H, 'aa');
  e.startContainer(H, 'aa');
  assert.equal(ip(e, 'aa', 'n'), '10.7.0.50');
});

// Texts read off a real dockerd 26.1 (lab host) answering POST /networks/create, as Compose sends it.
test('25.0+ checks the whole IPAM config and tells every error: ip-range, gateway, aux addresses, in that order', () => {
  const e = engine('26.1');
  throwsDocker(() => e.createNetwork(H, { name: 'a', ipam: { config: [{ subnet: '10.84.0.0/24', auxAddresses: { far: '10.7.7.7' } }] } }),
    "invalid network config:\ninvalid auxiliary address far: parent subnet 10.84.0.0/24 doesn't contain this address", 400);
  throwsDocker(() => e.createNetwork(H, { name: 'b', ipam: { config: [{ subnet: '10.84.0.0/24', gateway: '10.9.9.9', ipRange: '10.8.0.0/24' }] } }),
    "invalid network config:\n* invalid ip-range 10.8.0.0/24: parent subnet 10.84.0.0/24 doesn't contain ip-range\n* invalid gateway 10.9.9.9: parent subnet 10.84.0.0/24 doesn't contain this address");
  throwsDocker(() => e.createNetwork(H, { name: 'c', ipam: { config: [{ subnet: '10.84.0.0/24', gateway: '10.9.9.9' }, { subnet: '10.85.0.1/24' }] } }),
    "invalid network config:\n* invalid gateway 10.9.9.9: parent subnet 10.84.0.0/24 doesn't contain this address\n* invalid subnet 10.85.0.1/24: it should be 10.85.0.0/24");
  const err = throwsDocker(() => e.createNetwork(H, { name: 'd', ipam: { config: [{ subnet: '10.84.0.0/24', auxAddresses: { x: 'nope' } }] } }),
    'invalid network config:\ninvalid auxiliary address x: invalid address');
  assert.deepEqual(err.hint, { field: 'aux_addresses', index: 0, key: 'x' });
  // Overlay networks are checked by the API the same way, before the driver.
  const s = new Engine();
  s.addHost({ name: H, daemon: { version: '26.1' }, swarm: 'manager' });
  throwsDocker(() => s.createNetwork(H, { name: 'o', driver: 'overlay', ipam: { config: [{ subnet: '10.86.0.0/24', auxAddresses: { far: '10.7.7.7' } }] } }),
    "invalid network config:\ninvalid auxiliary address far: parent subnet 10.86.0.0/24 doesn't contain this address");
});

test('20.10 through the API: an ip_range outside the subnet is taken as the same host bits of the subnet', () => {
  // dockerd 20.10 (lab host): the network is made, gateway .1, the first container .2.
  const e = engine('20.10');
  e.createNetwork(H, { name: 'n3', ipam: { config: [{ subnet: '10.81.0.0/24', ipRange: '10.8.0.0/24' }] } });
  e.runContainer(H, { name: 'c1', networkMode: 'n3' });
  assert.equal(net(e, 'n3').gateway, '10.81.0.1');
  assert.equal(ip(e, 'c1', 'n3'), '10.81.0.2');
});
