// A live swarm replayed as one multi-host topology: every node a host of the engine (named after its
// hostname, on the underlay at the address the manager gives it), the swarm's overlays made once on the
// manager with their real subnets and VNIs (so each node's view and VXLAN id are the real ones), then
// each node's own networks (docker_gwbridge included) and containers from that node's daemon. A node
// whose daemon was not read has only what the manager knows: its tasks, with the addresses the manager
// gave them; its rules, routes and other containers are unknown and said so. Then the services, their
// VIPs and tasks as the manager reports them (swarmServices.ts).
import { DockerError, Engine, formatNet } from '../engine';
import type { Snapshot, SwarmNodeInfo } from '../docker';
import { ContainerReplay, networkRequestOf, observeOn, type SnapshotEngine } from './replay';
import { daemonConfigOf, userNetworks } from './snapshotView';
import { taskName } from './swarmView';
import { replayServices } from './swarmServices';
import { snapshotToSpec } from './snapshotSpec';
import type { TopologySpec, YamlPath } from '../topology';

/** One node's daemon as read, or why it was not. */
export type NodeReading = { readonly snapshot: Snapshot } | { readonly unreachable: string };

export interface SwarmEngine extends SnapshotEngine {
  /** The node (engine host) each container was replayed on, by container name. */
  readonly hostOf: ReadonlyMap<string, string>;
  /** The node names whose daemon was read (the manager's included). */
  readonly read: readonly string[];
  /** Why each node not read was not (by node name). */
  readonly unread: ReadonlyMap<string, string>;
}

const SWARM_SCOPE = (d: string) => d === 'overlay';

/**
 * `manager`: the manager's snapshot (with its swarm). `nodes`: every other node's reading by node id
 * (a node missing here was not asked for: like an unreachable one, known from the manager only).
 */
export function swarmToEngine(manager: Snapshot, nodes: ReadonlyMap<string, NodeReading>, notGiven = 'its daemon was not given (--docker-node / cnm.live.swarmNodes)'): SwarmEngine {
  const sw = manager.swarm;
  if (!sw || !sw.manager) throw new Error(`${manager.endpoint} is not a swarm manager: only a manager lists the swarm's nodes`);
  const engine = new Engine();
  const warnings: string[] = [];
  const warn = (what: string, err: unknown) => {
    if (err instanceof DockerError || err instanceof Error) warnings.push(`${what}: ${err.message}`);
    else throw err;
  };
  // The manager first (it creates the overlays), then the others by hostname.
  const ordered = [...sw.nodes].sort((a, b) => rank(a, sw.nodeId) - rank(b, sw.nodeId) || a.hostname.localeCompare(b.hostname));
  const readingOf = (n: SwarmNodeInfo): NodeReading => (n.id === sw.nodeId ? { snapshot: manager } : nodes.get(n.id) ?? { unreachable: notGiven });
  const managerHost = ordered[0]!.hostname;
  for (const n of ordered) {
    const r = readingOf(n);
    const snap = 'snapshot' in r ? r.snapshot : null;
    const prefix = underlayPrefix(snap, n.address);
    try {
      engine.addHost({
        name: n.hostname,
        daemon: daemonConfigOf(snap ?? manager),
        ...(n.address ? { interfaces: { eth0: `${n.address}/${prefix}` } } : {}),
        swarm: n.role,
      });
    } catch (err) {
      warn(`node ${n.hostname} is not reproduced`, err);
    }
  }
  // The overlays, as the manager has them (real subnet, gateway and VNI). Tasks are replayed as the
  // containers they are: a network that is not attachable is made attachable for the replay, then
  // said as it is.
  const overlays = new Set<string>();
  const notAttachable: string[] = [];
  for (const net of userNetworks(manager).filter((x) => SWARM_SCOPE(x.driver) && !x.ingress)) {
    try {
      const req = networkRequestOf(manager, net);
      if (!req.attachable) notAttachable.push(net.name);
      engine.createNetwork(managerHost, { ...req, attachable: true });
      overlays.add(net.name);
    } catch (err) {
      warn(`network ${net.name} (driver overlay) is not reproduced`, err);
    }
  }
  const hostOf = new Map<string, string>();
  const read: string[] = [];
  const unread = new Map<string, string>();
  for (const n of ordered) {
    if (!engine.state.hosts.has(n.hostname)) continue;
    const r = readingOf(n);
    if ('snapshot' in r) {
      read.push(n.hostname);
      replayNode(engine, n.hostname, r.snapshot, overlays, warn, hostOf);
    } else {
      unread.set(n.hostname, r.unreachable);
      warnings.push(`node ${n.hostname}: ${r.unreachable}; its tasks are known from the manager only (addresses), its other containers, rules and routes are unknown`);
      replayTasksOnly(engine, n, manager, overlays, warn, hostOf);
      const host = engine.state.hosts.get(n.hostname)!;
      const why = `node ${n.hostname}'s daemon was not read (${r.unreachable})`;
      host.observed = { rulesUnread: why, routesUnread: why };
    }
  }
  // The services: their VIPs and running tasks, as the manager reports them (the tasks replayed above).
  warnings.push(...replayServices(engine, manager, managerHost, overlays, hostOf));
  for (const name of notAttachable) {
    // Said as it is once the tasks are in (the flag decides only who may join, not what is carried).
    for (const h of engine.state.hosts.values()) for (const v of h.networks.values()) if (v.name === name) (v as { attachable: boolean }).attachable = false;
    for (const s of engine.state.swarm.networks.values()) if (s.name === name) (s as { attachable: boolean }).attachable = false;
  }
  return { engine, host: managerHost, warnings, hostOf, read, unread };
}

function rank(n: SwarmNodeInfo, self: string | null): number {
  return n.id === self ? 0 : n.role === 'manager' ? 1 : 2;
}

/** The prefix of the node's address on its own interfaces when read; else a /24 (one LAN). */
function underlayPrefix(snap: Snapshot | null, address: string | null): number {
  for (const cidr of Object.values(snap?.hostInterfaces ?? {})) {
    const [ip, len] = cidr.split('/');
    if (ip === address && len) return Number(len);
  }
  return 24;
}

function replayNode(engine: Engine, host: string, snapshot: Snapshot, overlays: ReadonlySet<string>, warn: (what: string, err: unknown) => void, hostOf: Map<string, string>): void {
  const modelled = new Set<string>(['bridge', 'host', 'none', ...overlays]);
  for (const n of userNetworks(snapshot)) {
    if (SWARM_SCOPE(n.driver)) continue;
    // docker_gwbridge: the engine made it when the node joined (its ingress sandbox); said when it differs.
    const made = engine.networkNamed(host, n.name);
    if (made && n.name === 'docker_gwbridge') {
      const real = n.ipamConfig.map((p) => p.subnet).join(', ');
      const ours = made.ipv4.map((p) => formatNet(p.subnet)).join(', ');
      if (real !== ours) warn(`docker_gwbridge on ${host}`, new Error(`the node has ${real}, the model ${ours}`));
      modelled.add(n.name);
      continue;
    }
    try {
      const req = networkRequestOf(snapshot, n);
      if (n.driver === 'bridge' && !req.options?.['com.docker.network.bridge.name']) req.options = { ...req.options, 'com.docker.network.bridge.name': `br-${n.id.slice(0, 12)}` };
      engine.createNetwork(host, req);
      modelled.add(n.name);
    } catch (err) {
      warn(`network ${n.name} on ${host} (driver ${n.driver}) is not reproduced`, err);
    }
  }
  // A name taken on another node already: the second one is left out (the tracer names containers uniquely).
  const taken = snapshot.containers.filter((c) => hostOf.has(c.name));
  for (const c of taken) warn(`container ${c.name} on ${host} is not reproduced`, new Error(`a container of that name runs on ${hostOf.get(c.name)} already`));
  const own: Snapshot = taken.length ? { ...snapshot, containers: snapshot.containers.filter((c) => !hostOf.has(c.name)) } : snapshot;
  new ContainerReplay(engine, host, own, modelled, warn).run();
  for (const c of own.containers) if (engine.containerNamed(host, c.name)) hostOf.set(c.name, host);
  const warnings: string[] = [];
  observeOn(engine, host, own, warnings);
  for (const w of warnings) warn(`node ${host}`, new Error(w));
}

/** A node not read: its running tasks on the overlays, at the addresses the manager gave them. */
function replayTasksOnly(engine: Engine, node: SwarmNodeInfo, manager: Snapshot, overlays: ReadonlySet<string>, warn: (what: string, err: unknown) => void, hostOf: Map<string, string>): void {
  const sw = manager.swarm!;
  const netName = new Map(manager.networks.map((n) => [n.id, n.name]));
  const services = new Map(sw.services.map((s) => [s.id, s]));
  for (const t of sw.tasks) {
    if (t.nodeId !== node.id || t.state !== 'running') continue;
    const svc = services.get(t.serviceId);
    const name = taskName(svc, t);
    const atts = t.attachments
      .map((a) => ({ net: netName.get(a.networkId) ?? a.networkId, v4: a.addresses.find((x) => !x.includes(':'))?.split('/')[0] }))
      .filter((a) => overlays.has(a.net));
    if (atts.length === 0) continue;
    try {
      const [first, ...rest] = atts;
      engine.createContainer(node.hostname, { name, image: svc?.image ?? 'unknown', networkMode: first!.net, endpoint: first!.v4 ? { ipv4Address: first!.v4 } : {}, ...(svc ? { listen: [] } : {}) });
      engine.startContainer(node.hostname, name);
      for (const a of rest) engine.connect(node.hostname, a.net, name, a.v4 ? { ipv4Address: a.v4 } : {});
      hostOf.set(name, node.hostname);
    } catch (err) {
      warn(`task ${name} on ${node.hostname} is not reproduced`, err);
    }
  }
}

/**
 * The swarm as one topology spec: each node's spec (its snapshot read as a host) under the node's name,
 * the overlays once; a node not read has its replayed tasks only, with `unknown` listening sockets.
 */
export function swarmSpec(manager: Snapshot, nodes: ReadonlyMap<string, NodeReading>, model: SwarmEngine): TopologySpec {
  const sw = manager.swarm!;
  const spec: TopologySpec = { hosts: [], networks: [], containers: [], services: [], expect: [] };
  const nets = new Set<string>();
  const ctrs = new Set<string>();
  const ordered = [...sw.nodes].sort((a, b) => rank(a, sw.nodeId) - rank(b, sw.nodeId) || a.hostname.localeCompare(b.hostname));
  for (const n of ordered) {
    if (!model.engine.state.hosts.has(n.hostname)) continue;
    const r: NodeReading = n.id === sw.nodeId ? { snapshot: manager } : nodes.get(n.id) ?? { unreachable: model.unread.get(n.hostname) ?? 'not given' };
    const interfaces: Record<string, string> = n.address ? { eth0: `${n.address}/${underlayPrefix('snapshot' in r ? r.snapshot : null, n.address)}` } : {};
    if ('snapshot' in r) {
      const { spec: one } = snapshotToSpec(r.snapshot, { host: n.hostname, observed: true });
      for (const h of one.hosts) spec.hosts.push({ ...h, interfaces, swarm: n.role });
      for (const x of one.networks) if (!nets.has(x.name)) { nets.add(x.name); spec.networks.push(x); }
      for (const c of one.containers) if (model.hostOf.get(c.name) === n.hostname && !ctrs.has(c.name)) { ctrs.add(c.name); spec.containers.push(c); }
    } else {
      spec.hosts.push({ name: n.hostname, interfaces, daemon: {}, swarm: n.role, path: ['hosts', n.hostname] });
      for (const [name, host] of model.hostOf) {
        if (host !== n.hostname || ctrs.has(name)) continue;
        const ctr = model.engine.containerNamed(host, name)!;
        ctrs.add(name);
        const networks = ctr.networks.map((cn) => ({ network: cn.key, path: ['containers', name, 'networks', cn.key] as YamlPath }));
        spec.containers.push({ name, host, image: ctr.image, networks, ports: [], expose: [], listen: [], listenUnknown: `${n.hostname}'s daemon was not read: ${r.unreachable}`, path: ['containers', name] });
      }
    }
  }
  return spec;
}
