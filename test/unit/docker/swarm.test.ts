// A manager's swarm answers (GET /info, /nodes, /services, /tasks) read into plain data, malformed ones
// refused with the field named; and the live swarm view that `cnm inspect --docker` lists: services
// with VIPs by network name, tasks on their nodes (this node's with the container's MAC, another
// node's with the manager's addresses only). Answers as dockerd 26.1 gives them on a lab swarm.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseNodes, parseServices, parseSwarmState, parseTasks } from '../../../src/docker/swarmAnswers';
import { MalformedAnswerError, type ContainerInfo, type Snapshot } from '../../../src/docker';
import { parseNetworkInspect, parseEvent } from '../../../src/docker/validate';
import { inspectLiveServices, liveSwarm } from '../../../src/live';

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
