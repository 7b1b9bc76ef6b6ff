// docker service create / rm: published ports, virtual IPs and the tasks (containers placed on the nodes).
import { CONFLICT, DockerError, FORBIDDEN, msg, NOT_FOUND } from '../errors';
import type { ServiceCreateRequest } from '../requests';
import type { PublishedPort, ServiceState, TaskState } from '../model';
import { formatAddr, parseIp } from '../ip';
import { swarmId } from '../swarm/cluster';
import { parseServicePorts, placeTasks, validateEndpointSpec } from '../swarm/services';
import { parsePortSpec } from '../ports/portSpec';
import { GW_BRIDGE_NETWORK } from '../sandbox';
import { type EngineCore, hostOf } from './core';
import { connect, ensureLoadBalancer } from './connect';
import { createContainer, removeContainer, startContainer } from './containers';

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
  placeTasks(sw.nodes, svc.replicas, [...sw.services.values()].flatMap((o) => (o === svc ? [] : o.tasks.map((x) => x.host)))).forEach((node, i) => {
    const slot = i + 1;
    const taskId = swarmId(`task\u0000${id}\u0000${slot}`);
    const name = `${req.name}.${slot}.${taskId}`;
    const first = taskNets[0];
    const created = createContainerAs(core, node, name, req, first?.name);
    core.taskContainers.add(created);
    startContainer(core, node, created);
    for (const n of taskNets.slice(1)) connect(core, node, n.name, created);
    const nodeHost = core.state.hosts.get(node)!;
    const sb = nodeHost.sandboxes.get(nodeHost.containers.get(created)!.sandboxId!)!;
    const addresses: TaskState['addresses'][number][] = [];
    for (const ep of sb.endpoints) {
      if (ep.networkName === GW_BRIDGE_NETWORK) continue;
      ep.service = { name: req.name, task: name };
      if (ep.ipv4) addresses.push({ networkId: ep.networkId, address: ep.ipv4.address });
    }
    addresses.sort((a, b) => taskNets.findIndex((n) => n.id === a.networkId) - taskNets.findIndex((n) => n.id === b.networkId));
    svc.tasks.push({ name, slot, id: taskId, host: node, containerId: created, addresses });
  });
  // swarmkit allocates every task's address first, then each node that has none yet its lb-<network>
  // endpoint (seen on a 26.1 lab swarm: tasks .3-.5, then the two nodes' .6 and .7). Which node is first
  // among those is the order tasks were assigned (Go map order); the engine takes slot order.
  for (const t of svc.tasks) {
    const nodeHost = core.state.hosts.get(t.host)!;
    for (const n of networks) {
      const view = [...nodeHost.networks.values()].find((x) => x.id === n.id);
      if (view) ensureLoadBalancer(core, nodeHost, view);
    }
  }
  return { id };
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

function createContainerAs(core: EngineCore, node: string, name: string, req: ServiceCreateRequest, network: string | undefined): string {
  return createContainer(core, node, {
    name, image: req.image ?? '', ...(network ? { networkMode: network } : {}), expose: req.expose ?? [],
    listen: req.listen ?? serviceListenDefault(req),
  }).id;
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
