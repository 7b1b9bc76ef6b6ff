// A manager's swarm answers (GET /info, /nodes, /services, /tasks) read into plain data, malformed ones
// refused with the field named; and the live swarm view that `cnm inspect --docker` lists: services
// with VIPs by network name, tasks on their nodes (this node's with the container's MAC, another
// node's with the manager's addresses only). Answers as dockerd 26.1 gives them on a lab swarm.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNodes, parseServices, parseSwarmState, parseTasks } from '../../../src/docker/swarmAnswers';
import { MalformedAnswerError, type ContainerInfo, type Snapshot } from '../../../src/docker';
import { parseNetworkInspect, parseEvent } from '../../../src/docker/validate';
import { inspectLiveServices, liveSwarm, swarmSpec, swarmToEngine } from '../../../src/live';
import { tracerFor } from '../../../src/engine';

const NET_ID = 'k3x1v0bq2m4n5p6r7s8t9u0wa';
const SVC_ID = 'a1b2c3d4e5f6g7h8i9j0k1l2m';
const N1 = 'n1aaaaaaaaaaaaaaaaaaaaaaa';
const N2 = 'n2bbbbbbbbbbbbbbbbbbbbbbb';
const CID = 'c'.repeat(64);

const INFO = { Swarm: { NodeID: N1, LocalNodeState: 'active', ControlAvailable: true, Cluster: { ID: 'cl' } } };
const NODES = [
  { ID: N1, Spec: { Role: 'manager', Availability: 'active' }, Description: { Hostname: 'node1', Engine: { EngineVersion: '26.1.5' } }, Status: { State: 'ready', Addr: '0.0.0.0' }, ManagerStatus: { Leader: true, Addr: '192.168.213.11:2377' } },
  { ID: N2, Spec: { Role: 'worker', Availability: 'drain' }, Description: { Hostname: 'node2' }, Status: { State: 'ready', Addr: '192.168.213.12' } },
];
const SERVICES = [{
  ID: SVC_ID,
  Spec: { Name: 'web', Mode: { Replicated: { Replicas: 2 } }, TaskTemplate: { ContainerSpec: { Image: 'busybox:local' }, Networks: [{ Target: NET_ID }] }, EndpointSpec: { Mode: 'vip' } },
  Endpoint: { Spec: {}, Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }], VirtualIPs: [{ NetworkID: NET_ID, Addr: '10.0.1.2/24' }] },
}];
const TASKS = [
  { ID: 't1', ServiceID: SVC_ID, Slot: 1, NodeID: N1, DesiredState: 'running', Status: { State: 'running', ContainerStatus: { ContainerID: CID } }, NetworksAttachments: [{ Network: { ID: NET_ID }, Addresses: ['10.0.1.3/24'] }] },
  { ID: 't2', ServiceID: SVC_ID, Slot: 2, NodeID: N2, DesiredState: 'running', Status: { State: 'running' }, NetworksAttachments: [{ Network: { ID: NET_ID }, Addresses: ['10.0.1.4/24'] }] },
];

describe('swarm answers', () => {
  it('reads the local node state; a daemon in no swarm is inactive', () => {
    assert.deepEqual(parseSwarmState(INFO), { localState: 'active', nodeId: N1, clusterId: 'cl', manager: true });
    assert.equal(parseSwarmState({ Swarm: { LocalNodeState: 'inactive', NodeID: '' } }).localState, 'inactive');
    assert.equal(parseSwarmState({}).manager, false);
  });

  it('reads nodes: role, availability, the manager\'s address from ManagerStatus when Status.Addr is 0.0.0.0', () => {
    const nodes = parseNodes(NODES);
    assert.deepEqual(nodes.map((n) => [n.hostname, n.role, n.address, n.availability, n.state, n.leader]), [
      ['node1', 'manager', '192.168.213.11', 'active', 'ready', true],
      ['node2', 'worker', '192.168.213.12', 'drain', 'ready', false],
    ]);
    assert.throws(() => parseNodes([{ ...NODES[1], Status: { Addr: 'x' } }]), (e: Error) => e instanceof MalformedAnswerError && /Status.Addr is not an address/.test(e.message));
    assert.throws(() => parseNodes({}), /node ls: expected a list/);
  });

  it('reads services: the user\'s endpoint mode, VIPs without prefix, ports, replicas, networks', () => {
    const [s] = parseServices(SERVICES);
    assert.deepEqual(s, { id: SVC_ID, name: 'web', image: 'busybox:local', mode: 'replicated', replicas: 2, endpointMode: 'vip', vips: [{ networkId: NET_ID, address: '10.0.1.2' }], ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }], networks: [NET_ID] });
    const rr = parseServices([{ ...SERVICES[0], Spec: { ...SERVICES[0]!.Spec, EndpointSpec: { Mode: 'dnsrr' } }, Endpoint: { Spec: {} } }])[0]!;
    assert.equal(rr.endpointMode, 'dnsrr');
    assert.deepEqual(rr.vips, []);
    const global = parseServices([{ ...SERVICES[0], Spec: { ...SERVICES[0]!.Spec, Mode: { Global: {} } } }])[0]!;
    assert.deepEqual([global.mode, global.replicas], ['global', null]);
    assert.throws(() => parseServices([{ ...SERVICES[0], Spec: { ...SERVICES[0]!.Spec, EndpointSpec: { Mode: 'x' } } }]), /EndpointSpec.Mode is neither vip nor dnsrr/);
  });

  it('reads tasks with their network attachments; a bad address is refused by name', () => {
    const tasks = parseTasks(TASKS);
    assert.deepEqual(tasks.map((t) => [t.slot, t.nodeId, t.containerId, t.attachments]), [
      [1, N1, CID, [{ networkId: NET_ID, addresses: ['10.0.1.3/24'] }]],
      [2, N2, null, [{ networkId: NET_ID, addresses: ['10.0.1.4/24'] }]],
    ]);
    assert.throws(() => parseTasks([{ ...TASKS[0], NetworksAttachments: [{ Network: { ID: NET_ID }, Addresses: ['nope'] }] }]), /Addresses has "nope", not a CIDR/);
  });

  it('a swarm-scope network\'s 25-character id is a valid id (overlays on a swarm node)', () => {
    const n = parseNetworkInspect({ Name: 'backend', Id: NET_ID, Driver: 'overlay', Scope: 'swarm', IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] } });
    assert.equal(n.id, NET_ID);
    assert.throws(() => parseNetworkInspect({ Name: 'x', Id: 'short', Driver: 'bridge' }), /Id is not a 64-hex Docker id nor a swarm id/);
  });

  it('follows service and node events (what keeps a live swarm current)', () => {
    assert.deepEqual(parseEvent({ Type: 'service', Action: 'update', Actor: { ID: SVC_ID, Attributes: { name: 'web' } } }), { kind: 'service:update', id: SVC_ID, name: 'web', container: null, timeNano: null });
    assert.equal(parseEvent({ Type: 'node', Action: 'update', Actor: { ID: N2, Attributes: { name: 'node2' } } })?.kind, 'node:update');
  });
});

describe('live swarm view', () => {
  const container: ContainerInfo = {
    id: CID, name: `web.1.t1`, image: 'busybox:local', created: '', running: true, status: 'running', hostname: 'x', networkMode: 'default', macAddress: null,
    endpoints: [{ network: 'backend', networkId: NET_ID, endpointId: 'e'.repeat(64), ipv4Address: '10.0.1.3', ipv4Prefix: 24, ipv6Address: null, ipv6Prefix: null, gateway: null, macAddress: '02:42:0a:00:01:03', aliases: [], staticIpv4: '10.0.1.3', staticIpv6: null }],
    portBindings: [], publishedPorts: [], exposedPorts: [], publishAll: false, labels: {},
  };
  const snapshot = {
    endpoint: 'unix:///lab.sock', daemon: { version: '26.1.5', apiVersion: '1.45', os: 'linux', arch: 'amd64', kernelVersion: '' }, takenAt: '',
    networks: [parseNetworkInspect({ Name: 'backend', Id: NET_ID, Driver: 'overlay', Scope: 'swarm', IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24' }] } })],
    containers: [container],
    swarm: { ...parseSwarmState(INFO), nodes: parseNodes(NODES), services: parseServices(SERVICES), tasks: parseTasks(TASKS) },
  } as Snapshot;

  it('lists services in the CLI contract\'s shape: VIPs by network name, tasks on their nodes', () => {
    const sw = liveSwarm(snapshot)!;
    assert.equal(sw.self?.hostname, 'node1');
    const [web] = inspectLiveServices(sw);
    assert.equal(web!.name, 'web');
    assert.deepEqual(web!.vips, [{ network: 'backend', ipv4_address: '10.0.1.2' }]);
    assert.deepEqual(web!.tasks.map((t) => [t.name, t.host]), [['web.1.t1', 'node1'], ['web.2.t2', 'node2']]);
    // This node's task: the container's own MAC; the other node's: the manager's address, MAC unknown.
    assert.deepEqual(web!.tasks.map((t) => [t.endpoints[0]!.ipv4_address, t.endpoints[0]!.ipv4_prefix, t.endpoints[0]!.mac_address]), [['10.0.1.3', 24, '02:42:0a:00:01:03'], ['10.0.1.4', 24, null]]);
  });

  it('no swarm: nothing', () => {
    assert.equal(liveSwarm({ ...snapshot, swarm: undefined } as Snapshot), null);
  });
});

describe('a live swarm as one multi-host topology (swarmToEngine)', () => {
  const task: ContainerInfo = {
    id: CID, name: 'web.1.t1', image: 'busybox:local', created: '1', running: true, status: 'running', hostname: 'x', networkMode: 'bridge', macAddress: null,
    endpoints: [{ network: 'backend', networkId: NET_ID, endpointId: 'e'.repeat(64), ipv4Address: '10.0.1.3', ipv4Prefix: 24, ipv6Address: null, ipv6Prefix: null, gateway: null, macAddress: '02:42:0a:00:01:03', aliases: [], staticIpv4: '10.0.1.3', staticIpv6: null }],
    portBindings: [], publishedPorts: [], exposedPorts: [], publishAll: false, labels: { 'com.docker.swarm.task.id': 't1' },
  };
  const manager = {
    endpoint: 'unix:///lab.sock', daemon: { version: '26.1.5', apiVersion: '1.45', os: 'linux', arch: 'amd64', kernelVersion: '' }, takenAt: '',
    networks: [parseNetworkInspect({ Name: 'backend', Id: NET_ID, Driver: 'overlay', Scope: 'swarm', Options: { 'com.docker.network.driver.overlay.vxlanid_list': '4100' }, IPAM: { Driver: 'default', Config: [{ Subnet: '10.0.1.0/24', Gateway: '10.0.1.1' }] } })],
    containers: [task],
    swarm: { ...parseSwarmState(INFO), nodes: parseNodes(NODES), services: parseServices(SERVICES), tasks: parseTasks(TASKS) },
  } as Snapshot;

  it('each node a host; the task the manager runs on its overlay (not on docker0), a worker not read has its tasks at the manager\'s addresses', () => {
    const model = swarmToEngine(manager, new Map([[N2, { unreachable: 'connect ECONNREFUSED' }]]));
    assert.deepEqual(model.engine.hostNames(), ['node1', 'node2']);
    assert.deepEqual([...model.hostOf], [['web.1.t1', 'node1'], ['web.2.t2', 'node2']]);
    assert.deepEqual(model.read, ['node1']);
    assert.match(model.warnings.join('\n'), /node node2: connect ECONNREFUSED; its tasks are known from the manager only/);
    const ins = model.engine.inspect();
    const addr = (name: string) => ins.containers.find((c) => c.name === name)?.endpoints.map((e) => [e.network, e.ipv4_address]);
    assert.deepEqual(addr('web.1.t1'), [['backend', '10.0.1.3']]);
    assert.deepEqual(addr('web.2.t2'), [['backend', '10.0.1.4']]);
    // Said as it is: the overlay is not attachable (made so only to replay the tasks).
    assert.equal(ins.networks.find((n) => n.name === 'backend')?.attachable, false);
    const spec = swarmSpec(manager, new Map([[N2, { unreachable: 'connect ECONNREFUSED' }]]), model);
    assert.deepEqual(spec.hosts.map((h) => [h.name, h.swarm, h.interfaces]), [['node1', 'manager', { eth0: '192.168.213.11/24' }], ['node2', 'worker', { eth0: '192.168.213.12/24' }]]);
    assert.match(spec.containers.find((c) => c.name === 'web.2.t2')?.listenUnknown ?? '', /node2's daemon was not read: connect ECONNREFUSED/);
  });

  it('a trace crosses the nodes over the overlay\'s real VNI', () => {
    const model = swarmToEngine(manager, new Map());
    const r = tracerFor(model.engine.state, {}).trace({ from: 'web.1.t1', to: '10.0.1.4', proto: 'icmp' });
    assert.equal(r.verdict, 'delivered', r.reason);
    assert.match(r.hops.find((h) => h.action === 'encapsulate')?.detail ?? '', /VNI 4100: outer UDP 192\.168\.213\.11 → 192\.168\.213\.12:4789/);
  });

  it('replays the services: the name answers the VIP the manager reports, tasks.<service> the task addresses, and the VIP carries a connection to a task', () => {
    const model = swarmToEngine(manager, new Map([[N2, { unreachable: 'connect ECONNREFUSED' }]]));
    assert.deepEqual(model.engine.resolve('node1', 'web.1.t1', 'web'), ['10.0.1.2']);
    assert.deepEqual(model.engine.resolve('node1', 'web.1.t1', 'tasks.web'), ['10.0.1.3', '10.0.1.4']);
    const r = tracerFor(model.engine.state, {}).trace({ from: 'web.1.t1', to: 'web', proto: 'icmp' });
    assert.equal(r.verdict, 'delivered', r.reason);
    assert.match(r.hops.map((h) => h.detail).join('\n'), /10\.0\.1\.2 is the virtual IP of service web on backend/);
    // Its published port is on the routing mesh, which the replay does not make: said, not guessed.
    assert.match(model.warnings.join('\n'), /service web: its ports on the routing mesh \(the ingress network\) are not replayed/);
    const mesh = tracerFor(model.engine.state, {}).trace({ host: 'node2', from: 'node2', to: '192.168.213.11', proto: 'tcp', port: 8080 });
    assert.equal(mesh.verdict, 'unknown', mesh.reason);
    assert.match(mesh.reason, /service web on the routing mesh, but the replay of a live swarm does not make its ingress network/);
  });

  it('a dnsrr service: its name answers every task address', () => {
    const dnsrr = { ...manager, swarm: { ...manager.swarm!, services: parseServices([{ ...SERVICES[0]!, Spec: { ...SERVICES[0]!.Spec, EndpointSpec: { Mode: 'dnsrr' } }, Endpoint: { Spec: {}, Ports: [], VirtualIPs: [] } }]) } } as Snapshot;
    const model = swarmToEngine(dnsrr, new Map());
    assert.deepEqual(model.engine.resolve('node1', 'web.1.t1', 'web'), ['10.0.1.3', '10.0.1.4']);
  });

  it('refuses a daemon that is not a manager', () => {
    assert.throws(() => swarmToEngine({ ...manager, swarm: { ...manager.swarm!, manager: false } }, new Map()), /not a swarm manager/);
  });
});
