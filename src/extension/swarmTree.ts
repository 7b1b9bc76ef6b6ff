// A live swarm under its live host's node: Swarm → Nodes (role, address, availability, state) → the tasks
// each node runs, and Swarm → Services (mode, replicas, endpoint mode, VIPs, published ports) → their
// tasks with the addresses the manager gave them. Read from the manager (src/live/swarmView.ts), never
// the engine's placement. Free of `vscode` so unit tests build it.
import type { LiveSwarm, LiveSwarmTask } from '../live';
import type { TreeNode } from './treeNodes';

export const SWARM_CONTEXT = { swarm: 'live.swarm', node: 'live.swarm.node', service: 'live.swarm.service', task: 'live.swarm.task', group: 'live.swarm.group', container: 'live.swarm.container' } as const;

/** One container a node runs, as its daemon was read (or, for a node not read, a task as the manager gave it). */
export interface NodeContainer {
  name: string;
  /** A service's task (else a standalone container). */
  task: boolean;
  running: boolean;
  endpoints: { network: string; ipv4: string | null }[];
}

/** The swarm read across its nodes (cnm.live.swarmNodes): what each node runs, and why a node was not read. */
export interface SwarmNodeContents {
  /** The containers of the node named (its hostname), sorted by name. */
  containers(hostname: string): NodeContainer[];
  /** Why a node's daemon was not read, by hostname. */
  unread: ReadonlyMap<string, string>;
}

function count(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function taskNode(id: string, t: LiveSwarmTask, liveHost: string, parent: TreeNode, showNode: boolean): TreeNode {
  const addrs = t.endpoints.map((e) => `${e.network} ${e.ipv4_address ?? '?'}`);
  return {
    kind: 'container', id: `${id}#task:${t.name}`, label: t.name,
    description: [showNode ? t.node ?? 'not placed' : '', ...addrs, t.state === 'running' ? '' : t.state].filter(Boolean).join(' · '),
    tooltip: [`**${t.name}** — task of service \`${t.service}\``, `node ${t.node ?? 'not placed yet'}, ${t.state}`,
      ...t.endpoints.map((e) => `${e.network}: ${e.ipv4_address ?? 'no address'}${e.ipv4_prefix !== null ? `/${e.ipv4_prefix}` : ''}${e.mac_address ? `, MAC ${e.mac_address}` : ''}${e.interface ? `, ${e.interface}` : ''}`)].join('\n\n'),
    contextValue: SWARM_CONTEXT.task, liveHost, icon: { id: t.state === 'running' ? 'vm-running' : 'vm-outline' }, children: [], parent,
  };
}

function containerNode(id: string, c: NodeContainer, node: string, why: string | undefined, liveHost: string, parent: TreeNode): TreeNode {
  const addrs = c.endpoints.map((e) => `${e.network} ${e.ipv4 ?? '?'}`);
  return {
    kind: 'container', id: `${id}#container:${c.name}`, label: c.name,
    description: [...addrs, c.running ? '' : 'stopped'].filter(Boolean).join(' · '),
    tooltip: [`**${c.name}** — ${c.task ? 'a service task' : 'a container'} on ${node}`, ...c.endpoints.map((e) => `${e.network}: ${e.ipv4 ?? 'no IPv4 address'}`),
      why ? `${node}'s daemon was not read (${why}): the address is the manager's, what it listens on is unknown` : ''].filter(Boolean).join('\n\n'),
    contextValue: SWARM_CONTEXT.container, liveHost, host: node, container: c.name,
    icon: { id: c.running ? 'vm-running' : 'vm-outline' }, children: [], parent,
  };
}

/**
 * The Swarm node of a live host's tree (null when the daemon is in no swarm). `contents`: the nodes'
 * own daemons were read too, so each node lists its containers (else only the tasks the manager places there).
 */
export function swarmTreeNode(rootId: string, liveHost: string, sw: LiveSwarm | null, parent: TreeNode, contents?: SwarmNodeContents): TreeNode | null {
  if (!sw) return null;
  const id = `${rootId}#swarm`;
  const root: TreeNode = {
    kind: 'project', id, label: 'Swarm',
    description: sw.manager ? `${sw.self?.role ?? 'manager'} · ${count(sw.nodes.length, 'node')} · ${count(sw.services.length, 'service')}` : 'worker: only a manager lists the cluster',
    tooltip: sw.manager
      ? `This Docker host is a swarm manager${sw.self?.leader ? ' (the leader)' : ''}: the nodes, services and tasks below are what the manager reports, kept current by its service and node events.`
      : 'This Docker host is a swarm worker: connect to a manager (cnm.docker.hosts) to see the nodes, services and tasks.',
    contextValue: SWARM_CONTEXT.swarm, liveHost, icon: { id: 'organization' }, children: [], expanded: true, parent,
  };
  if (!sw.manager) return root;
  const nodes: TreeNode = { kind: 'services', id: `${id}#nodes`, label: 'Nodes', description: count(sw.nodes.length, 'node'), contextValue: SWARM_CONTEXT.group, liveHost, icon: { id: 'server' }, children: [], expanded: true, parent: root };
  for (const n of sw.nodes) {
    const why = contents?.unread.get(n.hostname);
    const ctrs = contents?.containers(n.hostname);
    const node: TreeNode = {
      kind: 'host', id: `${id}#node:${n.id}`, label: n.hostname,
      description: [n.role + (n.leader ? ' (leader)' : ''), n.address ?? '', n.availability, n.state, n.id === sw.self?.id ? 'this host' : '',
        why ? 'unreachable' : ctrs ? count(ctrs.length, 'container') : ''].filter(Boolean).join(' · '),
      tooltip: [`**${n.hostname}** — swarm ${n.role}${n.leader ? ', leader' : ''}`, `address ${n.address ?? 'unknown'}`, `availability ${n.availability}, state ${n.state}`, n.engineVersion ? `Docker ${n.engineVersion}` : '', `id \`${n.id}\``,
        why ? `⚠ its daemon was not read: ${why}. Its tasks are shown at the addresses the manager gave them; its other containers, rules and routes are unknown.` : ctrs ? 'its containers as its own daemon reports them (cnm.live.swarmNodes)' : ''].filter(Boolean).join('\n\n'),
      contextValue: SWARM_CONTEXT.node, liveHost, icon: { id: 'server-environment', ...(n.state === 'ready' && !why ? {} : { color: 'list.warningForeground' }) }, children: [], expanded: !!contents, parent: nodes,
    };
    if (ctrs) for (const c of ctrs) node.children.push(containerNode(node.id, c, n.hostname, why, liveHost, node));
    else for (const t of sw.tasks.filter((x) => x.node === n.hostname)) node.children.push(taskNode(node.id, t, liveHost, node, false));
    nodes.children.push(node);
  }
  const services: TreeNode = { kind: 'services', id: `${id}#services`, label: 'Services', description: count(sw.services.length, 'service'), contextValue: SWARM_CONTEXT.group, liveHost, icon: { id: 'layers' }, children: [], expanded: true, parent: root };
  for (const s of sw.services) {
    const tasks = sw.tasks.filter((t) => t.service === s.name);
    const vips = s.vips.map((v) => `${sw.networkName(v.networkId)} ${v.address}`);
    const ports = s.ports.map((p) => `${p.published ?? '?'}→${p.target}/${p.protocol}${p.mode === 'ingress' ? '' : ` (${p.mode})`}`);
    const svc: TreeNode = {
      kind: 'service', id: `${id}#service:${s.id}`, label: s.name,
      description: [s.mode === 'global' ? 'global' : `${tasks.filter((t) => t.state === 'running').length}/${s.replicas ?? 0}`, s.endpointMode, ...vips, ...ports].join(' · '),
      tooltip: [`**${s.name}** — ${s.mode} service, image \`${s.image}\``, s.replicas !== null ? `replicas ${s.replicas}` : '', `endpoint mode ${s.endpointMode}`,
        vips.length ? `virtual IPs: ${vips.join(', ')}` : 'no virtual IP (DNS round robin)', ports.length ? `published: ${ports.join(', ')}` : '',
        `networks: ${s.networks.map((n) => sw.networkName(n)).join(', ') || 'none'}`].filter(Boolean).join('\n\n'),
      contextValue: SWARM_CONTEXT.service, liveHost, icon: { id: 'layers-active' }, children: [], expanded: false, parent: services,
    };
    for (const t of tasks) svc.children.push(taskNode(svc.id, t, liveHost, svc, true));
    services.children.push(svc);
  }
  root.children.push(nodes, services);
  return root;
}
