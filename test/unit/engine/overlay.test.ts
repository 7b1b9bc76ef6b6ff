// overlay across hosts (reference §1.1 global pools, §1.4 serial allocation, §2.8, §6 device names).
// Swarm's data path (VXLAN between nodes) cannot run on this single machine; each test names its source.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, memberByAddress } from '../../../src/engine';
import { throwsDocker } from './helpers';

function cluster(): Engine {
  const e = new Engine();
  e.addHost({ name: 'node1', interfaces: { eth0: '192.168.50.10/24' }, swarm: 'manager', daemon: { version: '20.10' } });
  e.addHost({ name: 'node2', interfaces: { eth0: '192.168.50.11/24' }, swarm: 'worker', daemon: { version: '20.10' } });
  return e;
}

function view(e: Engine, host: string, name: string) {
  const n = [...e.state.hosts.get(host)!.networks.values()].find((x) => x.name === name);
  assert.ok(n, `${name} on ${host}`);
  return n;
}

test('swarm init makes ingress 10.0.0.0/24 with VNI 4096; the next overlay gets 10.0.1.0/24 and VNI 4097 [§1.1, §2.8 ovmanager.go:19-23]', () => {
  const e = cluster();
  const ingress = view(e, 'node1', 'ingress');
  assert.equal(ingress.ingress, true);
  assert.equal(ingress.ipv4[0]!.subnet.prefix, 24);
  assert.equal(e.inspect().networks.find((n) => n.name === 'ingress' && n.host === 'node1')!.subnet, '10.0.0.0/24');
  assert.equal(ingress.overlay?.vni, 4096);
  e.createNetwork('node1', { name: 'backend', driver: 'overlay' });
  const b = e.inspect().networks.find((n) => n.name === 'backend' && n.host === 'node1')!;
  assert.equal(b.subnet, '10.0.1.0/24');
  assert.equal(b.gateway, '10.0.1.1');
  assert.equal(b.scope, 'swarm');
  assert.equal(b.options['com.docker.network.driver.overlay.vxlanid_list'], '4097');
  // A worker sees it only while it has an endpoint on it (seen on 20.10 lab swarms, lab/multihost3.test.ts).
  assert.equal(e.inspect().networks.find((n) => n.name === 'backend' && n.host === 'node2'), undefined, 'no view on a worker without a container on it');
  e.createNetwork('node1', { name: 'shared', driver: 'overlay', attachable: true });
  e.runContainer('node2', { name: 'c2', networkMode: 'shared' });
  assert.equal(view(e, 'node1', 'shared').id, view(e, 'node2', 'shared').id, 'one network, a view per node that uses it');
  e.removeContainer('node2', 'c2', { force: true });
  assert.equal(e.inspect().networks.find((n) => n.name === 'shared' && n.host === 'node2'), undefined, 'the view goes with the last container');
});

test('a bridge subnet may overlap an overlay subnet: separate address spaces [§1.1]', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'ov', driver: 'overlay', ipam: { config: [{ subnet: '172.30.0.0/16' }] } });
  e.createNetwork('node1', { name: 'br', ipam: { config: [{ subnet: '172.30.0.0/16' }] } });
  // The overlay on the manager (the worker has no view without a container on it) and the bridge.
  assert.equal(e.inspect().networks.filter((n) => n.subnet === '172.30.0.0/16').length, 2);
});

test('MTU: 1450, 1424 encrypted, option mtu − 50 [L drivers/overlay/ov_network.go maxMTU]', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'plain', driver: 'overlay' });
  e.createNetwork('node1', { name: 'secret', driver: 'overlay', options: { encrypted: '' } });
  e.createNetwork('node1', { name: 'small', driver: 'overlay', options: { 'com.docker.network.driver.mtu': '1200' } });
  assert.equal(view(e, 'node1', 'plain').overlay?.mtu, 1450);
  assert.equal(view(e, 'node1', 'secret').overlay?.mtu, 1424);
  assert.equal(view(e, 'node1', 'secret').overlay?.encrypted, true);
  assert.equal(view(e, 'node1', 'small').overlay?.mtu, 1150);
});

test('each node has the overlay namespace with br0 and vxlan0 (created as ov-/vx-), VXLAN on UDP 4789 from its own underlay address [§6]', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  const id = view(e, 'node1', 'backend').id;
  // The namespace comes with the node's first endpoint on the network (seen on a 20.10 lab manager).
  assert.equal(e.state.hosts.get('node1')!.overlays.get(id), undefined);
  e.runContainer('node1', { name: 'c1', networkMode: 'backend' });
  e.runContainer('node2', { name: 'c2', networkMode: 'backend' });
  for (const [host, addr] of [['node1', '192.168.50.10'], ['node2', '192.168.50.11']] as const) {
    const ns = e.state.hosts.get(host)!.overlays.get(id)!;
    assert.equal(ns.bridge, 'br0');
    assert.equal(ns.vxlan, 'vxlan0');
    assert.equal(ns.namespace, `/var/run/docker/netns/1-${id.slice(0, 10)}`);
    assert.deepEqual(ns.vxlanInfo, { vni: 4097, port: 4789, localAddress: addr, underlayDev: 'eth0' });
    assert.equal(ns.bridgeAddress?.address, '10.0.1.1');
  }
});

test('a standalone container on a non-attachable overlay: PermissionDenied [M20 daemon/cluster/networks.go:214]', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'private', driver: 'overlay' });
  throwsDocker(() => e.runContainer('node2', { name: 'c1', networkMode: 'private' }),
    'Could not attach to network private: rpc error: code = PermissionDenied desc = network private not manually attachable');
});

test('overlay on a node outside swarm, or on a worker: "not a swarm manager" [§2.1]', () => {
  const e = new Engine();
  e.addHost({ name: 'solo', daemon: { version: '20.10' } });
  throwsDocker(() => e.createNetwork('solo', { name: 'ov', driver: 'overlay' }), /^This node is not a swarm manager\./);
  throwsDocker(() => cluster().createNetwork('node2', { name: 'ov', driver: 'overlay' }), /^This node is not a swarm manager\./);
});

test('attachable overlay across hosts: addresses served serially by the manager, names resolve across nodes, docker_gwbridge gives the way out', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  e.runContainer('node1', { name: 'api', networkMode: 'backend' });
  e.runContainer('node2', { name: 'db', networkMode: 'backend' });
  const api = e.inspect().containers.find((c) => c.name === 'api')!;
  const db = e.inspect().containers.find((c) => c.name === 'db')!;
  // Each node's first container takes its address, then the node's load balancer lb-backend the next one
  // (seen on dockerd 20.10 and 26.1 lab swarms, test/docker/lab/multihost.test.ts).
  assert.equal(api.endpoints[0]!.ipv4_address, '10.0.1.2');
  assert.equal(db.endpoints[0]!.ipv4_address, '10.0.1.4');
  assert.equal(db.endpoints[0]!.mac_address, '02:42:0a:00:01:04', 'overlay keeps 02:42+IPv4');
  const lbs = e.inspect().networks.filter((n) => n.name === 'backend').map((n) => `${n.host} ${JSON.stringify(n.swarm_endpoints)}`);
  assert.deepEqual(lbs, [
    'node1 [{"key":"lb-backend","name":"backend-endpoint","ipv4_address":"10.0.1.3","mac_address":"02:42:0a:00:01:03"}]',
    'node2 [{"key":"lb-backend","name":"backend-endpoint","ipv4_address":"10.0.1.5","mac_address":"02:42:0a:00:01:05"}]',
  ]);
  assert.deepEqual(e.resolve('node2', 'db', 'api'), ['10.0.1.2']);
  // The overlay gives no gateway: libnetwork adds gateway_<12hex> on docker_gwbridge (172.18.0.0/16, icc off).
  assert.equal(db.default_gateway_network, 'docker_gwbridge');
  const host2 = e.state.hosts.get('node2')!;
  const sb = host2.sandboxes.get([...host2.containers.values()].find((c) => c.name === 'db')!.sandboxId!)!;
  const gw = sb.endpoints.find((x) => x.networkName === 'docker_gwbridge')!;
  // libnetwork names it after the sandbox's id, not the container's (a 20.10 lab swarm: container f483a8ab4c77…, gateway_2b503fa0bf69).
  assert.equal(gw.name, `gateway_${sb.id.slice(0, 12)}`);
  assert.equal(gw.ifname, 'eth1');
  assert.deepEqual(sb.routes.map((r) => `${r.destination} ${r.gateway ?? '-'} ${r.dev}`), ['default 172.18.0.1 eth1', '10.0.1.0/24 - eth0', '172.18.0.0/16 - eth1']);
  const gwbridge = e.inspect().networks.find((n) => n.name === 'docker_gwbridge' && n.host === 'node2')!;
  assert.equal(gwbridge.options['com.docker.network.bridge.enable_icc'], 'false');
  assert.equal(gwbridge.options['com.docker.network.bridge.enable_ip_masquerade'], 'true');
  // Serial allocation: a freed overlay address is not handed out again until the pool wraps [§1.4].
  e.removeContainer('node1', 'api', { force: true });
  e.runContainer('node1', { name: 'api2', networkMode: 'backend' });
  assert.equal(e.inspect().containers.find((c) => c.name === 'api2')!.endpoints[0]!.ipv4_address, '10.0.1.6');
});

test('connecting a bridge network (which has a gateway) removes the docker_gwbridge endpoint', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  e.createNetwork('node1', { name: 'front' });
  e.runContainer('node1', { name: 'api', networkMode: 'backend' });
  e.connect('node1', 'front', 'api');
  const api = e.inspect().containers.find((c) => c.name === 'api')!;
  assert.equal(api.default_gateway_network, 'front');
  const host = e.state.hosts.get('node1')!;
  const sb = host.sandboxes.get([...host.containers.values()].find((c) => c.name === 'api')!.sandboxId!)!;
  assert.equal(sb.endpoints.some((x) => x.networkName === 'docker_gwbridge'), false);
});

test('only one ingress network; removing ingress takes every node\'s ingress-sbox along [§2.8]', () => {
  const e = cluster();
  const id = view(e, 'node1', 'ingress').id;
  throwsDocker(() => e.createNetwork('node1', { name: 'ing2', driver: 'overlay', ingress: true }),
    `rpc error: code = AlreadyExists desc = ingress network (${id}) is already present`);
  assert.ok(e.state.hosts.get('node2')!.sandboxes.has('ingress_sbox'));
  e.removeNetwork('node1', 'ingress');
  assert.equal(e.state.hosts.get('node2')!.sandboxes.has('ingress_sbox'), false);
  assert.equal(e.state.swarm.ingressNetworkId, null);
});

test('the tracer\'s look-ups: which host has an overlay address, and that host\'s underlay address (the VXLAN outer destination)', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  e.runContainer('node2', { name: 'db', networkMode: 'backend' });
  const id = view(e, 'node1', 'backend').id;
  const m = memberByAddress(e.state, id, '10.0.1.2');
  assert.equal(m?.host, 'node2');
  assert.equal(m?.underlay, '192.168.50.11');
  assert.equal(m?.endpoint.name, 'db');
});

test('a worker listed before the manager joins when the manager initialises the swarm', () => {
  const e = new Engine();
  e.addHost({ name: 'w', interfaces: { eth0: '192.168.50.20/24' }, swarm: 'worker', daemon: { version: '20.10' } });
  e.addHost({ name: 'm', interfaces: { eth0: '192.168.50.21/24' }, swarm: 'manager', daemon: { version: '20.10' } });
  assert.deepEqual(e.state.swarm.nodes.map((n) => `${n.host}:${n.role}`), ['w:worker', 'm:manager']);
  assert.ok(view(e, 'w', 'ingress'));
  assert.equal(e.state.hosts.get('w')!.sandboxes.get('ingress_sbox')!.endpoints[0]!.ipv4?.address, '10.0.0.2');
});

test('a VNI given with com.docker.network.driver.overlay.vxlanid_list is used; one in use is refused', () => {
  const e = cluster();
  e.createNetwork('node1', { name: 'fixed', driver: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': '5000' } });
  assert.equal(view(e, 'node1', 'fixed').overlay?.vni, 5000);
  throwsDocker(() => e.createNetwork('node1', { name: 'again', driver: 'overlay', options: { 'com.docker.network.driver.overlay.vxlanid_list': '5000' } }), 'vxlan id 5000 is already in use');
});
