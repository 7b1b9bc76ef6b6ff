// A live swarm as the manager reports it, in the CLI's and the tree's terms: nodes (role, address,
// availability), services with their VIPs by network name and their tasks on their nodes. These are read,
// not replayed: swarmkit's placement and allocation are what the manager says, never the engine's guess.
// A task whose container this daemon runs (it is on this node) gets that container's endpoints as
// inspected (MAC, interface); a task on another node gets the addresses the manager gave it, the rest
// unknown (null) until that node's daemon is read too.
import type { InspectContainer, InspectEndpoint, InspectService } from '../engine';
import type { EndpointInfo, Snapshot, SwarmInfo, SwarmNodeInfo, SwarmServiceInfo, SwarmTaskInfo } from '../docker';

export interface LiveSwarmTask {
  /** <service>.<slot>.<task id> (global: <service>.<node id>.<task id>), the task container's name. */
  name: string;
  service: string;
  /** The node's hostname (null: not yet placed). */
  node: string | null;
  state: string;
  endpoints: InspectEndpoint[];
}

export interface LiveSwarm {
  /** This daemon's node. */
  self: SwarmNodeInfo | null;
  manager: boolean;
  nodes: SwarmNodeInfo[];
  services: SwarmServiceInfo[];
  tasks: LiveSwarmTask[];
  /** Network id → name (the manager lists every swarm-scope network). */
  networkName(id: string): string;
}

export function taskName(service: SwarmServiceInfo | undefined, t: SwarmTaskInfo): string {
  return `${service?.name ?? t.serviceId}.${t.slot ?? t.nodeId ?? '?'}.${t.id}`;
}

/** The swarm of a snapshot, or null when the daemon is in none. `containers`: the daemon's own, inspected. */
export function liveSwarm(snapshot: Snapshot, containers: readonly InspectContainer[] = []): LiveSwarm | null {
  const sw: SwarmInfo | undefined = snapshot.swarm;
  if (!sw || sw.localState === 'inactive') return null;
  const names = new Map(snapshot.networks.map((n) => [n.id, n.name]));
  const networkName = (id: string) => names.get(id) ?? id;
  const hostOf = new Map(sw.nodes.map((n) => [n.id, n.hostname]));
  const byService = new Map(sw.services.map((s) => [s.id, s]));
  // The task containers this daemon runs, as Docker inspected them (the engine's replay of a swarm node
  // does not place tasks on overlays), with the interface name where the engine's replay agrees.
  const real = new Map(snapshot.containers.filter((c) => c.running).map((c) => [c.name, c]));
  const replayed = new Map(containers.map((c) => [c.name, c]));
  const tasks = sw.tasks
    .filter((t) => byService.has(t.serviceId))
    .map((t): LiveSwarmTask => {
      const svc = byService.get(t.serviceId);
      const name = taskName(svc, t);
      const mine = real.get(name);
      const endpoints = mine
        ? mine.endpoints.map((e) => ownEndpoint(e, replayed.get(name)))
        : t.attachments.flatMap((a) => attachmentEndpoints(networkName(a.networkId), a.addresses));
      return { name, service: svc!.name, node: t.nodeId ? hostOf.get(t.nodeId) ?? t.nodeId : null, state: t.state, endpoints };
    })
    .sort((a, b) => a.service.localeCompare(b.service) || slotOrder(a.name, b.name));
  return {
    self: sw.nodes.find((n) => n.id === sw.nodeId) ?? null,
    manager: sw.manager,
    nodes: [...sw.nodes].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id)),
    services: [...sw.services].sort((a, b) => a.name.localeCompare(b.name)),
    tasks,
    networkName,
  };
}

function slotOrder(a: string, b: string): number {
  const sa = Number(a.split('.')[1]), sb = Number(b.split('.')[1]);
  return Number.isFinite(sa) && Number.isFinite(sb) ? sa - sb : a.localeCompare(b);
}

function ownEndpoint(e: EndpointInfo, replayed: InspectContainer | undefined): InspectEndpoint {
  const same = replayed?.endpoints.find((x) => x.network === e.network && x.ipv4_address === e.ipv4Address);
  return {
    network: e.network,
    ipv4_address: e.ipv4Address,
    ipv4_prefix: e.ipv4Prefix,
    ipv6_address: e.ipv6Address,
    ipv6_prefix: e.ipv6Prefix,
    mac_address: e.macAddress,
    interface: same?.interface ?? null,
    host_interface: same?.host_interface ?? null,
    gateway: e.gateway,
    aliases: [...e.aliases],
    ipv6_gateway: null,
  };
}

function attachmentEndpoints(network: string, addresses: readonly string[]): InspectEndpoint[] {
  const v4 = addresses.find((a) => !a.includes(':'));
  const v6 = addresses.find((a) => a.includes(':'));
  return [{
    network,
    ipv4_address: v4 ? v4.split('/')[0]! : null,
    ipv4_prefix: v4 ? Number(v4.split('/')[1]) : null,
    ipv6_address: v6 ? v6.split('/')[0]! : null,
    ipv6_prefix: v6 ? Number(v6.split('/')[1]) : null,
    mac_address: null,
    interface: null,
    host_interface: null,
    gateway: null,
    aliases: [],
    ipv6_gateway: null,
  }];
}

/** `cnm inspect --docker`'s services: the contract's shape, from what the manager reports. */
export function inspectLiveServices(swarm: LiveSwarm): InspectService[] {
  return swarm.services.map((s) => ({
    name: s.name,
    endpoint_mode: s.endpointMode,
    vips: s.vips.map((v) => ({ network: swarm.networkName(v.networkId), ipv4_address: v.address })),
    tasks: swarm.tasks.filter((t) => t.service === s.name).map((t) => ({ name: t.name, host: t.node ?? 'unknown', endpoints: t.endpoints })),
    ...(s.replicas !== null ? { replicas: s.replicas } : {}),
    ports: s.ports.map((p) => ({ published: p.published ?? 0, target: p.target, protocol: p.protocol, mode: p.mode })),
    mode: s.mode,
  }));
}
