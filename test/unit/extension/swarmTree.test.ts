// The Swarm node under a live host's tree, as a user sees it: the nodes with role, address, availability
// and state, each with the tasks it runs; the services with replicas, endpoint mode, VIPs and ports, each
// with its tasks on their nodes; a worker says only a manager lists the cluster.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { swarmTreeNode, type SwarmNodeContents } from '../../../src/extension/swarmTree';
import type { TreeNode } from '../../../src/extension/treeNodes';
import type { LiveSwarm } from '../../../src/live';

const parent = { kind: 'host', id: 'cnm-live:/k', label: 'k', contextValue: 'live.host', icon: { id: 'x' }, children: [] } as TreeNode;
const ep = (network: string, ipv4: string) => ({ network, ipv4_address: ipv4, ipv4_prefix: 24, ipv6_address: null, mac_address: null, interface: null, host_interface: null, gateway: null, aliases: [] });
const SWARM: LiveSwarm = {
  self: { id: 'n1', hostname: 'node1', role: 'manager', address: '192.168.213.11', availability: 'active', state: 'ready', leader: true, engineVersion: '26.1.5' },
  manager: true,
  nodes: [
    { id: 'n1', hostname: 'node1', role: 'manager', address: '192.168.213.11', availability: 'active', state: 'ready', leader: true, engineVersion: '26.1.5' },
    { id: 'n2', hostname: 'node2', role: 'worker', address: '192.168.213.12', availability: 'drain', state: 'down', leader: false, engineVersion: null },
  ],
  services: [{ id: 's1', name: 'web', image: 'busybox', mode: 'replicated', replicas: 2, endpointMode: 'vip', vips: [{ networkId: 'net1', address: '10.0.1.2' }], ports: [{ published: 8080, target: 80, protocol: 'tcp', mode: 'ingress' }], networks: ['net1'] }],
  tasks: [
    { name: 'web.1.t1', service: 'web', node: 'node1', state: 'running', endpoints: [ep('backend', '10.0.1.3')] },
    { name: 'web.2.t2', service: 'web', node: 'node2', state: 'running', endpoints: [ep('backend', '10.0.1.4')] },
  ],
  networkName: (id) => (id === 'net1' ? 'backend' : id),
};

describe('the Swarm node of a live host', () => {
  it('shows nodes with their tasks and services with theirs', () => {
    const root = swarmTreeNode('cnm-live:/k', 'k', SWARM, parent)!;
    assert.equal(root.label, 'Swarm');
    assert.equal(root.description, 'manager · 2 nodes · 1 service');
    const [nodes, services] = root.children;
    assert.deepEqual(nodes!.children.map((n) => [n.label, n.description]), [
      ['node1', 'manager (leader) · 192.168.213.11 · active · ready · this host'],
      ['node2', 'worker · 192.168.213.12 · drain · down'],
    ]);
    assert.deepEqual(nodes!.children.map((n) => n.children.map((t) => `${t.label} ${t.description}`)), [['web.1.t1 backend 10.0.1.3'], ['web.2.t2 backend 10.0.1.4']]);
    const web = services!.children[0]!;
    assert.equal(web.description, '2/2 · vip · backend 10.0.1.2 · 8080→80/tcp');
    assert.deepEqual(web.children.map((t) => t.description), ['node1 · backend 10.0.1.3', 'node2 · backend 10.0.1.4']);
    assert.ok(new Set([root, nodes!, services!, ...nodes!.children, ...services!.children].map((n) => n.id)).size === 6, 'ids are unique');
  });

  it('a worker: one line saying only a manager lists the cluster; no swarm: no node', () => {
    const root = swarmTreeNode('cnm-live:/k', 'k', { ...SWARM, manager: false, nodes: [], services: [], tasks: [] }, parent)!;
    assert.equal(root.description, 'worker: only a manager lists the cluster');
    assert.deepEqual(root.children, []);
    assert.equal(swarmTreeNode('cnm-live:/k', 'k', null, parent), null);
  });

  it('with the nodes read too (cnm.live.swarmNodes): each node lists its own containers, an unreachable node says so', () => {
    const contents: SwarmNodeContents = {
      unread: new Map([['node2', 'unix:///x.sock cannot be read: connect ENOENT']]),
      containers: (h) => (h === 'node1'
        ? [{ name: 'c1', task: false, running: true, endpoints: [{ network: 'backend', ipv4: '10.0.1.9' }] }, { name: 'web.1.t1', task: true, running: true, endpoints: [{ network: 'backend', ipv4: '10.0.1.3' }] }]
        : [{ name: 'web.2.t2', task: true, running: true, endpoints: [{ network: 'backend', ipv4: '10.0.1.4' }] }]),
    };
    const nodes = swarmTreeNode('cnm-live:/k', 'k', SWARM, parent, contents)!.children[0]!;
    const [n1, n2] = nodes.children;
    assert.match(n1!.description ?? '', /2 containers/);
    assert.deepEqual(n1!.children.map((c) => [c.label, c.description, c.host, c.container, c.contextValue]), [
      ['c1', 'backend 10.0.1.9', 'node1', 'c1', 'live.swarm.container'],
      ['web.1.t1', 'backend 10.0.1.3', 'node1', 'web.1.t1', 'live.swarm.container'],
    ]);
    assert.match(n2!.description ?? '', /unreachable/);
    assert.match(String(n2!.tooltip), /not read: unix:\/\/\/x\.sock cannot be read/);
    assert.deepEqual(n2!.children.map((c) => `${c.label} ${c.description}`), ['web.2.t2 backend 10.0.1.4']);
  });
});
