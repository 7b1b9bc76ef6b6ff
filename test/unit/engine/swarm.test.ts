// Swarm services (reference §4.2, §3.4, §2.8). IPVS and the routing mesh need a multi-node swarm and the
// ip_vs module, which this machine cannot run: each test names the source of the behaviour it checks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, replicaForConnection, routingMesh } from '../../../src/engine';
import { throwsDocker } from './helpers';

/** The seed's case: myingress11 (10.11.0.0/16, gw 10.11.0.1, mtu 1200) and `hostname` ×3 publishing 8080→8000. */
function seed(hosts = ['node1', 'node2', 'node3']): Engine {
  const e = new Engine();
  hosts.forEach((h, i) => e.addHost({ name: h, interfaces: { eth0: `192.168.50.${10 + i}/24` }, swarm: i === 0 ? 'manager' : 'worker', daemon: { version: '20.10' } }));
  e.removeNetwork('node1', 'ingress');
  e.createNetwork('node1', {
    name: 'myingress11', driver: 'overlay', ingress: true,
    ipam: { config: [{ subnet: '10.11.0.0/16', gateway: '10.11.0.1' }] }, options: { 'com.docker.network.driver.mtu': '1200' },
  });
  return e;
}

function service(e: Engine, name: string) {
  const s = [...e.state.swarm.services.values()].find((x) => x.name === name);
  assert.ok(s);
  return s;
}

test('seed: 3 replicas placed round robin over the nodes in host order, named <service>.<slot>.<25-char id> [§4.2]', () => {
  const e = seed();
  e.createService('node1', { name: 'hostname', image: 'xlbubble/hostname:1.0', replicas: 3, ports: ['8080:8000'], expose: ['8000'] });
  const s = service(e, 'hostname');
  assert.deepEqual(s.tasks.map((t) => t.host), ['node1', 'node2', 'node3']);
  for (const t of s.tasks) assert.match(t.name, new RegExp(`^hostname\\.${t.slot}\\.[0-9a-z]{25}$`));
  assert.deepEqual(s.ports, [{ published: 8080, target: 8000, proto: 'tcp', mode: 'ingress', auto: false }]);
});

test("seed: the VIP, then the tasks, then every node's ingress sandbox on myingress11 (10.11.0.2, .3-.5, .6-.8), all serial; on docker_gwbridge the sandbox joins first (172.18.0.2) [§2.8, §3.4, §1.4; 20.10 and 26.1 lab swarms]", () => {
  const e = seed();
  e.createService('node1', { name: 'hostname', replicas: 3, ports: ['8080:8000'] });
  const sbox = ['node1', 'node2', 'node3'].map((h) => e.state.hosts.get(h)!.sandboxes.get('ingress_sbox')!);
  assert.deepEqual(sbox.map((sb) => sb.endpoints.map((x) => `${x.name}:${x.ipv4?.address}`).join(' ')), [
    // A user's ingress: its load-balancer sandbox's names (seen on 20.10 lab swarms: key myingress11-sbox).
    'myingress11-endpoint:10.11.0.6 gateway_ingress_sbox:172.18.0.2',
    'myingress11-endpoint:10.11.0.7 gateway_ingress_sbox:172.18.0.2',
    'myingress11-endpoint:10.11.0.8 gateway_ingress_sbox:172.18.0.2',
  ]);
  const s = service(e, 'hostname');
  assert.deepEqual(s.vips.map((v) => v.address), ['10.11.0.2']);
  assert.deepEqual(s.tasks.map((t) => t.addresses.map((a) => a.address)), [['10.11.0.3'], ['10.11.0.4'], ['10.11.0.5']]);
  // The task container: eth0 on the ingress network (MTU 1200 − 50), eth1 on docker_gwbridge.
  const h2 = e.state.hosts.get('node2')!;
  const task = [...h2.containers.values()].find((c) => c.name === s.tasks[1]!.name)!;
  const ifaces = h2.sandboxes.get(task.sandboxId!)!.interfaces.map((i) => `${i.name}:${i.ipv4?.address}:${i.mtu}`);
  assert.deepEqual(ifaces, ['lo:127.0.0.1:65536', 'eth0:10.11.0.4:1150', 'eth1:172.18.0.3:1500']);
});

test('a user ingress reaches a node with its first task: one replica, one sandbox; the next service brings the other node theirs, after its own VIP and tasks [20.10 and 26.1 lab swarms]', () => {
  const e = seed(['node1', 'node2']);
  e.createService('node1', { name: 'one', replicas: 1, ports: ['8081:80'] });
  const sboxAddr = (h: string) => e.state.hosts.get(h)!.sandboxes.get('ingress_sbox')?.endpoints.map((x) => x.ipv4?.address).join(' ') ?? null;
  assert.deepEqual(service(e, 'one').vips.map((v) => v.address), ['10.11.0.2']);
  assert.deepEqual(service(e, 'one').tasks.map((t) => `${t.host} ${t.addresses[0]!.address}`), ['node1 10.11.0.3']);
  assert.equal(sboxAddr('node1'), '10.11.0.4 172.18.0.2');
  assert.equal(sboxAddr('node2'), null, 'no task on node2: no sandbox, no view of myingress11');
  assert.equal(e.networkNamed('node2', 'myingress11'), undefined);
  e.createService('node1', { name: 'pub', replicas: 3, ports: ['8080:80'] });
  assert.deepEqual(service(e, 'pub').vips.map((v) => v.address), ['10.11.0.5']);
  assert.deepEqual(service(e, 'pub').tasks.map((t) => `${t.host} ${t.addresses[0]!.address}`), ['node2 10.11.0.6', 'node1 10.11.0.7', 'node2 10.11.0.8']);
  assert.equal(sboxAddr('node2'), '10.11.0.9 172.18.0.2');
  assert.equal(sboxAddr('node1'), '10.11.0.4 172.18.0.2');
});

test('the routing mesh: a connection lands on replicas in IPVS rr order (first connection → slot 1) [L service_linux.go, §4.2]', () => {
  const e = seed();
  e.createService('node1', { name: 'hostname', replicas: 3, ports: ['8080:8000'] });
  const s = service(e, 'hostname');
  assert.equal(replicaForConnection(s)?.slot, 1);
  assert.deepEqual([0, 1, 2, 3].map((n) => replicaForConnection(s, n)?.slot), [1, 2, 3, 1]);
});

test('vip: the service name answers its VIP, tasks.<service> every task [L service_common.go:15-50]', () => {
  const e = seed();
  e.createNetwork('node1', { name: 'app', driver: 'overlay', attachable: true });
  e.createService('node1', { name: 'web', replicas: 2, networks: ['app'] });
  e.runContainer('node2', { name: 'client', networkMode: 'app' });
  const s = service(e, 'web');
  // 10.0.1.0/24: the removed default ingress had 10.0.0.0/24 and the pool cursor has moved past it [§1.2].
  assert.deepEqual(s.vips.map((v) => v.address), ['10.0.1.2']);
  assert.deepEqual(e.resolve('node2', 'client', 'web'), ['10.0.1.2']);
  assert.deepEqual(e.resolve('node2', 'client', 'tasks.web'), ['10.0.1.3', '10.0.1.4']);
});

test('dnsrr: the service name answers the task addresses, and there is no VIP [DOCS engine/swarm/networking.md]', () => {
  const e = seed();
  e.createNetwork('node1', { name: 'app', driver: 'overlay', attachable: true });
  e.createService('node1', { name: 'db', replicas: 2, networks: ['app'], endpointMode: 'dnsrr' });
  e.runContainer('node1', { name: 'client', networkMode: 'app' });
  assert.deepEqual(service(e, 'db').vips, []);
  assert.deepEqual(e.resolve('node1', 'client', 'db'), ['10.0.1.2', '10.0.1.3']);
});

test('dnsrr with an ingress-published port, and duplicate published ports, fail with swarmkit\'s texts [M20 controlapi/service.go:327-329]', () => {
  const e = seed();
  throwsDocker(() => e.createService('node1', { name: 'db', endpointMode: 'dnsrr', ports: ['5432:5432'] }),
    "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode");
  throwsDocker(() => e.createService('node1', { name: 'web', ports: ['8080:80', '8080:81'] }),
    'rpc error: code = InvalidArgument desc = EndpointSpec: duplicate published ports provided');
  assert.equal(e.state.swarm.services.size, 0);
});

test('a port without a published side is auto-assigned from 30000; a port another service uses is refused [cnmallocator/portallocator.go:13-17]', () => {
  const e = seed();
  e.createService('node1', { name: 'a', ports: ['80'] });
  e.createService('node1', { name: 'b', ports: ['80'] });
  assert.equal(service(e, 'a').ports[0]!.published, 30000);
  assert.equal(service(e, 'b').ports[0]!.published, 30001);
  throwsDocker(() => e.createService('node1', { name: 'c', ports: ['30000:80'] }), /port '30000' is already in use by service 'a'/);
});

test('services need a manager; a worker refuses like dockerd', () => {
  const e = seed();
  throwsDocker(() => e.createService('node2', { name: 'x' }), /^This node is not a swarm manager\./);
});

test('routing mesh data per node: DNAT to the ingress-sbox (172.18.0.2), the VIP, and every task as a backend [§3.4]', () => {
  const e = seed();
  e.createService('node1', { name: 'hostname', replicas: 3, ports: ['8080:8000'] });
  for (const node of ['node1', 'node2', 'node3']) {
    const [m] = routingMesh(e.state, node);
    assert.ok(m);
    assert.equal(m.published, 8080);
    assert.equal(m.target, 8000);
    assert.equal(m.dnatTo, '172.18.0.2');
    assert.equal(m.vip, '10.11.0.2');
    assert.deepEqual(m.backends.map((b) => `${b.task.host} ${b.address}`), ['node1 10.11.0.3', 'node2 10.11.0.4', 'node3 10.11.0.5']);
  }
});

test('docker service rm: the tasks go, their addresses, VIP and published port are free again', () => {
  const e = seed();
  e.createService('node1', { name: 'hostname', replicas: 3, ports: ['8080:8000'] });
  e.removeService('node1', 'hostname');
  assert.equal(e.state.swarm.services.size, 0);
  assert.equal(e.inspect().containers.length, 0);
  e.createService('node1', { name: 'again', ports: ['8080:8000'] });
  assert.equal(service(e, 'again').ports[0]!.published, 8080);
});

test('placement balances each node: fewest tasks of the service, then fewest in all, as swarmkit (seen on 20.10 and 26.1 lab swarms)', () => {
  const e = new Engine();
  ['node1', 'node2'].forEach((h, i) => e.addHost({ name: h, interfaces: { eth0: `192.168.213.${11 + i}/24` }, swarm: i === 0 ? 'manager' : 'worker', daemon: { version: '26.1' } }));
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  e.createService('node1', { name: 'web', replicas: 3, networks: ['backend'] });
  e.createService('node1', { name: 'rr', replicas: 3, networks: ['backend'], endpointMode: 'dnsrr' });
  e.createService('node1', { name: 'pub', replicas: 2, ports: ['8080:80'] });
  // web: 2 and 1 (equal nodes: swarmkit's tie is map order, the engine's host order); rr then fills node2 first.
  assert.deepEqual(service(e, 'web').tasks.map((t) => t.host), ['node1', 'node2', 'node1']);
  assert.deepEqual(service(e, 'rr').tasks.map((t) => t.host), ['node2', 'node1', 'node2']);
  assert.deepEqual(service(e, 'pub').tasks.map((t) => t.host), ['node1', 'node2']);
  const all = [...e.state.swarm.services.values()].flatMap((s) => s.tasks.map((t) => t.host));
  assert.deepEqual([all.filter((h) => h === 'node1').length, all.filter((h) => h === 'node2').length], [4, 4]);
});

test("a service's tasks: every task's address first, then each task node's lb-<network> endpoint (26.1 lab swarm: tasks .3-.5, lbs .6 and .7)", () => {
  const e = new Engine();
  ['node1', 'node2'].forEach((h, i) => e.addHost({ name: h, interfaces: { eth0: `192.168.213.${11 + i}/24` }, swarm: i === 0 ? 'manager' : 'worker', daemon: { version: '26.1' } }));
  e.createNetwork('node1', { name: 'front', driver: 'overlay', internal: true });
  e.createService('node1', { name: 'web', replicas: 3, networks: ['front'] });
  assert.deepEqual(service(e, 'web').vips.map((v) => v.address), ['10.0.1.2']);
  assert.deepEqual(service(e, 'web').tasks.map((t) => t.addresses[0]!.address).sort(), ['10.0.1.3', '10.0.1.4', '10.0.1.5']);
  const lbs = e.inspect().networks.filter((n) => n.name === 'front').map((n) => `${n.host} ${(n.swarm_endpoints ?? []).map((x) => `${x.key} ${x.ipv4_address} ${x.mac_address}`).join()}`);
  assert.deepEqual(lbs, ['node1 lb-front 10.0.1.6 02:42:0a:00:01:06', 'node2 lb-front 10.0.1.7 02:42:0a:00:01:07']);
  // A second service on the same network: the nodes have their lb already, so its tasks follow on directly.
  e.createService('node1', { name: 'rr', replicas: 2, networks: ['front'], endpointMode: 'dnsrr' });
  assert.deepEqual(service(e, 'rr').tasks.map((t) => t.addresses[0]!.address).sort(), ['10.0.1.8', '10.0.1.9']);
});

test('a worker leaves: its tasks start again on the others (same slot, new id, the next serial address), it keeps no overlay (26.1 lab swarm)', () => {
  const e = new Engine();
  ['node1', 'node2'].forEach((h, i) => e.addHost({ name: h, interfaces: { eth0: `192.168.213.${11 + i}/24` }, swarm: i === 0 ? 'manager' : 'worker', daemon: { version: '26.1' } }));
  e.createNetwork('node1', { name: 'backend', driver: 'overlay', attachable: true });
  e.runContainer('node1', { name: 'c1', image: 'busybox', networkMode: 'backend' });
  e.createService('node1', { name: 'web', replicas: 3, networks: ['backend'], ports: ['8080:80'] });
  const before = service(e, 'web').tasks.map((t) => `${t.slot} ${t.host} ${t.name}`);
  const moved = service(e, 'web').tasks.find((t) => t.host === 'node2')!;
  e.leaveSwarm('node2');
  const web = service(e, 'web');
  assert.equal(web.tasks.length, 3);
  assert.ok(web.tasks.every((t) => t.host === 'node1'));
  const again = web.tasks.find((t) => t.slot === moved.slot)!;
  assert.notEqual(again.name, moved.name);
  assert.match(again.name, new RegExp(`^web\\.${moved.slot}\\.[0-9a-z]{25}$`));
  // backend: c1 .2, node1's lb .3, the VIP .4, tasks .5-.7, node2's lb .8: the task started again gets .9.
  assert.equal(again.addresses.find((a) => e.state.hosts.get('node1')!.networks.get(a.networkId)?.name === 'backend')?.address, '10.0.1.9');
  assert.deepEqual(e.resolve('node1', 'c1', 'tasks.web').length, 3);
  assert.ok(e.resolve('node1', 'c1', 'tasks.web').includes('10.0.1.9'));
  assert.deepEqual(e.inspect().networks.filter((n) => n.host === 'node2').map((n) => n.name).sort(), ['bridge', 'docker_gwbridge', 'host', 'none']);
  assert.deepEqual(e.inspect().containers.filter((c) => c.host === 'node2'), []);
  assert.equal(before.length, 3);
  throwsDocker(() => e.leaveSwarm('node1'), /leave the swarm on a node that is participating as a manager/);
  throwsDocker(() => e.leaveSwarm('node2'), /not part of a swarm/);
});
