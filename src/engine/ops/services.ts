// docker service create / rm: published ports, virtual IPs and the tasks (containers placed on the nodes).
import { CONFLICT, DockerError, FORBIDDEN, msg, NOT_FOUND } from '../errors';
import type { ServiceCreateRequest } from '../requests';
import type { HostState, PublishedPort, ServiceState, TaskState } from '../model';
import { formatAddr, parseIp } from '../ip';
import { swarmId } from '../swarm/cluster';
import { parseServicePorts, placeTasks, validateEndpointSpec } from '../swarm/services';
import { parsePortSpec } from '../ports/portSpec';
import { GW_BRIDGE_NETWORK } from '../sandbox';
import { type EngineCore, hostOf } from './core';
import { connect, disconnect, ensureLoadBalancer } from './connect';
import { createContainer, removeContainer, startContainer } from './containers';
import { dropView } from './networkViews';
import { detachIngressSandbox, ensureUserIngressSandbox, needsUserIngressSandbox } from './swarm';

/**
 * docker service create on a manager: swarmkit's checks, published ports (given or 30000+), one VIP per
 * network in vip mode, then the tasks — containers <service>.<slot>.<task id> placed round robin over
 * the nodes (fewest of this service's tasks, then fewest in all; see placeTasks), attached to ingress (when ports are published) and the service's networks
 * with addresses the manager allocates serially.
 */
export function createService(core: EngineCore, hostName: string, req: ServiceCreateRequest): { id: string } {
  const { host } = hostOf(core, hostName);
  const sw = core.state.swarm;
  if (host.swarm !== 'manager' || !core.swarmInitialised) throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
  for (const s of sw.services.values()) if (s.name === req.name) throw new DockerError(msg.serviceExists(req.name), CONFLICT, { field: 'name' });
  const mode = req.endpointMode ?? 'vip';
  const ports = parseServicePorts(req.ports ?? []);
  validateEndpointSpec(mode, ports);
  const networks = (req.networks ?? []).map((term, index) => {
    const view = [...host.networks.values()].find((n) => n.id === term || n.name === term);
    if (!view || view.scope !== 'swarm' || view.ingress) throw new DockerError(msg.serviceNetworkNotFound(term), NOT_FOUND, { field: 'network', index });
    return view;
  });
  const ingress = ports.length > 0 ? (sw.ingressNetworkId ? host.networks.get(sw.ingressNetworkId) ?? null : null) : null;
  if (ports.length > 0 && !ingress) throw new DockerError('rpc error: code = FailedPrecondition desc = service needs ingress network, but no ingress network is present', FORBIDDEN, { field: 'ports' });
  core.serviceSeq++;
  const id = swarmId(`service\u0000${req.name}\u0000${core.serviceSeq}`);
  const published: PublishedPort[] = [];
  try {
    for (const p of ports) {
      const port = core.swarm.allocatePort(id, req.name, p.published, p.proto);
      published.push({ published: port, target: p.target, proto: p.proto, mode: 'ingress', auto: p.published === null });
    }
  } catch (e) {
    core.swarm.releasePorts(id);
    throw e;
  }
  const taskNets = [...(ingress ? [ingress] : []), ...networks];
  const vips = mode === 'vip' ? taskNets.map((n) => ({ networkId: n.id, address: formatAddr(core.swarm.allocateAddress(n.id, null)) })) : [];
  const svc: ServiceState = {
    id, name: req.name, image: req.image ?? '', replicas: req.replicas ?? 1, endpointMode: mode,
    networks: networks.map((n) => n.id), vips, ports: published, tasks: [], firstBackend: 0,
  };
  sw.services.set(id, svc);
  const opts: TaskOptions = { image: req.image ?? '', expose: req.expose ?? [], listen: req.listen ?? serviceListenDefault(req) };
  const placed = placeTasks(sw.nodes, svc.replicas, [...sw.services.values()].flatMap((o) => (o === svc ? [] : o.tasks.map((x) => x.host))));
  // The manager allocates as swarmkit does: the VIPs (above), every task's address, then the node
  // attachments of each node that had none (a user's ingress sandbox here, lb-<network> below).
  const names = placed.map((_, i) => taskContainerName(svc, i + 1));
  names.forEach((name) => core.taskAddresses.set(name, new Map(taskNets.map((n) => [n.id, core.swarm.allocateAddress(n.id, null)]))));
  try {
    userIngressSandboxes(core, placed);
    placed.forEach((node, i) => startTask(core, svc, i + 1, node, opts, taskNets.map((n) => n.name)));
  } finally {
    for (const name of names) {
      for (const [netId, addr] of core.taskAddresses.get(name) ?? []) core.swarm.releaseAddress(netId, addr);
      core.taskAddresses.delete(name);
    }
  }
  taskLoadBalancers(core, svc, svc.tasks);
  return { id };
}

/**
 * A user's ingress network reaches a node with the node's first task (seen on 20.10 and 26.1 lab swarms: a
 * node that got no task of a publishing service got no `<name>-sbox` either). The sandbox's address comes
 * after the service's VIPs and tasks, like lb-<network> (nodes in slot order; swarmkit's is Go map order),
 * but on the node the sandbox joins docker_gwbridge before the tasks start, so it takes the first address there.
 */
function userIngressSandboxes(core: EngineCore, placed: readonly string[]): void {
  const nodes = [...new Set(placed)].map((h) => core.state.hosts.get(h)!).filter((h) => needsUserIngressSandbox(core, h));
  const addresses = nodes.map(() => core.swarm.allocateAddress(core.state.swarm.ingressNetworkId!, null));
  nodes.forEach((h, i) => ensureUserIngressSandbox(core, h, addresses[i]!));
}

function taskContainerName(svc: ServiceState, slot: number, again = ''): string {
  return `${svc.name}.${slot}.${taskIdOf(svc, slot, again)}`;
}

function taskIdOf(svc: ServiceState, slot: number, again: string): string {
  return swarmId(`task\u0000${svc.id}\u0000${slot}${again ? `\u0000${again}` : ''}`);
}

/** docker service rm: the tasks' containers go, then the VIPs and published ports are released. */
export function removeService(core: EngineCore, hostName: string, nameOrId: string): void {
  const { host } = hostOf(core, hostName);
  const sw = core.state.swarm;
  if (host.swarm !== 'manager' || !core.swarmInitialised) throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
  const svc = sw.services.get(nameOrId) ?? [...sw.services.values()].find((s) => s.name === nameOrId);
  if (!svc) throw new DockerError(`service ${nameOrId} not found`, NOT_FOUND, { field: 'name' });
  for (const t of svc.tasks) {
    if (core.state.hosts.get(t.host)?.containers.has(t.containerId)) removeContainer(core, t.host, t.containerId, { force: true });
    core.taskContainers.delete(t.containerId);
  }
  for (const v of svc.vips) core.swarm.releaseAddress(v.networkId, parseIp(v.address)!);
  core.swarm.releasePorts(svc.id);
  sw.services.delete(svc.id);
}

interface TaskOptions {
  readonly image: string;
  readonly expose: readonly string[];
  readonly listen: readonly string[];
}

/** One task of `svc` in `slot` on `node`: its container on the task networks (by name, ingress first), started. */
function startTask(core: EngineCore, svc: ServiceState, slot: number, node: string, opts: TaskOptions, networks: readonly string[], again = ''): TaskState {
  const taskId = taskIdOf(svc, slot, again);
  const name = taskContainerName(svc, slot, again);
  const created = createContainer(core, node, {
    name, image: opts.image, ...(networks[0] ? { networkMode: networks[0] } : {}), expose: [...opts.expose], listen: [...opts.listen],
  }).id;
  core.taskContainers.add(created);
  startContainer(core, node, created);
  for (const n of networks.slice(1)) connect(core, node, n, created);
  const nodeHost = core.state.hosts.get(node)!;
  const sb = nodeHost.sandboxes.get(nodeHost.containers.get(created)!.sandboxId!)!;
  const addresses: TaskState['addresses'][number][] = [];
  for (const ep of sb.endpoints) {
    if (ep.networkName === GW_BRIDGE_NETWORK) continue;
    ep.service = { name: svc.name, task: name };
    if (ep.ipv4) addresses.push({ networkId: ep.networkId, address: ep.ipv4.address });
  }
  const order = (id: string) => networks.findIndex((n) => nodeHost.networks.get(id)?.name === n);
  addresses.sort((a, b) => order(a.networkId) - order(b.networkId));
  const task: TaskState = { name, slot, id: taskId, host: node, containerId: created, addresses };
  svc.tasks.push(task);
  svc.tasks.sort((a, b) => a.slot - b.slot);
  return task;
}

/**
 * swarmkit allocates every task's address first, then each node that has none yet its lb-<network> endpoint
 * (seen on a 26.1 lab swarm: tasks .3-.5, then the two nodes' .6 and .7). Which node is first among those
 * is the order tasks were assigned (Go map order); the engine takes slot order.
 */
function taskLoadBalancers(core: EngineCore, svc: ServiceState, tasks: readonly TaskState[]): void {
  for (const t of tasks) {
    const nodeHost = core.state.hosts.get(t.host)!;
    for (const id of svc.networks) {
      const view = nodeHost.networks.get(id);
      if (view) ensureLoadBalancer(core, nodeHost, view);
    }
  }
}

/**
 * docker swarm leave on a worker: its task containers go, containers on swarm networks are disconnected,
 * it loses its view of every overlay and its ingress-sbox, and the manager (once it sees the node Down,
 * ~20 s on a lab swarm) starts each lost task again on the other nodes: same slot, a new task id and a
 * new address, allocated serially after every address given so far (seen on a 26.1 lab swarm).
 */
export function leaveSwarm(core: EngineCore, hostName: string): void {
  const { host } = hostOf(core, hostName);
  const sw = core.state.swarm;
  if (!sw.nodes.some((n) => n.host === hostName)) throw new DockerError('This node is not part of a swarm', FORBIDDEN, { field: 'name' });
  if (host.swarm === 'manager') throw new DockerError(msg.leaveManager(), FORBIDDEN, { field: 'name' });
  const lost: { svc: ServiceState; slot: number; opts: TaskOptions }[] = [];
  for (const svc of sw.services.values()) {
    for (const t of svc.tasks.filter((x) => x.host === hostName)) {
      const ctr = host.containers.get(t.containerId);
      lost.push({ svc, slot: t.slot, opts: { image: svc.image, expose: (ctr?.exposedPorts ?? []).map((p) => `${p.port}/${p.proto}`), listen: (ctr?.listening ?? []).map((p) => `${p.port}/${p.proto}`) } });
      if (ctr) removeContainer(core, hostName, t.containerId, { force: true });
      core.taskContainers.delete(t.containerId);
      svc.tasks.splice(svc.tasks.indexOf(t), 1);
    }
  }
  for (const c of [...host.containers.values()]) {
    for (const cn of [...c.networks]) {
      const n = [...host.networks.values()].find((x) => x.name === cn.key);
      if (n?.scope === 'swarm') disconnect(core, hostName, cn.key, c.id, true);
    }
  }
  detachIngressSandbox(core, hostName);
  for (const net of sw.networks.values()) {
    if (!net.hosts.includes(hostName)) continue;
    dropView(core, hostName, net.id);
    net.hosts.splice(net.hosts.indexOf(hostName), 1);
  }
  host.overlays.clear();
  sw.nodes.splice(sw.nodes.findIndex((n) => n.host === hostName), 1);
  (host as { swarm: HostState['swarm'] }).swarm = null;
  const started: TaskState[] = [];
  for (const l of lost.sort((a, b) => a.svc.name.localeCompare(b.svc.name) || a.slot - b.slot)) {
    const others = [...sw.services.values()].flatMap((o) => (o === l.svc ? [] : o.tasks.map((x) => x.host)));
    const node = placeTasks(sw.nodes, 1, others, l.svc.tasks.map((x) => x.host))[0];
    if (!node) continue;
    const ingress = l.svc.ports.length > 0 && sw.ingressNetworkId ? [sw.ingressNetworkId] : [];
    const names = [...ingress, ...l.svc.networks].map((id) => sw.networks.get(id)?.name).filter((n): n is string => !!n);
    started.push(startTask(core, l.svc, l.slot, node, l.opts, names, `after ${hostName} left`));
  }
  for (const svc of sw.services.values()) taskLoadBalancers(core, svc, started.filter((t) => svc.tasks.includes(t)));
}

/** A task listens, unless told otherwise, on the service's expose and the targets of its ports (as -p's container ports). */
function serviceListenDefault(req: ServiceCreateRequest): string[] {
  const out = [...(req.expose ?? [])];
  for (const raw of req.ports ?? []) {
    try {
      for (const e of parsePortSpec(raw).exposed) out.push(`${e.port}/${e.proto}`);
    } catch {
      // createService reported a bad spec already.
    }
  }
  return out;
}
