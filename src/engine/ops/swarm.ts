// Swarm mode: nodes joining, overlay networks (swarmkit's pool and VNI, one view per node) and the
// routing mesh's ingress sandbox on every node.
import { DockerError, FORBIDDEN, INTERNAL, msg } from '../errors';
import type { IpamPoolConfig, NetworkCreateRequest } from '../requests';
import type { ContainerState, HostState, NetworkState } from '../model';
import { parseCidr, type IpAddr } from '../ip';
import { OVERLAY_OPT, underlayOf } from '../drivers/overlay/driver';
import { INGRESS_SANDBOX_ID, INGRESS_SANDBOX_NAME } from '../swarm/services';
import { newSandbox } from '../sandbox';
import { type EngineCore, type HostInternals, hostNames, hostOf, type NetworkSpec } from './core';
import { createNetworkOn, dropView } from './networkViews';
import { createEndpoint } from './endpoints';
import { join, leaveAndDelete } from './join';

/**
 * docker swarm init (the first manager) / docker swarm join: the node gets its view of every overlay
 * network and, while there is an ingress network, its ingress-sbox. The first manager creates the
 * default `ingress` (10.0.0.0/24, VNI 4096). Workers listed before the manager join when it comes up.
 */
export function joinSwarm(core: EngineCore, host: HostState, _int: HostInternals): void {
  const sw = core.state.swarm;
  const u = underlayOf(host);
  const order = hostNames(core);
  sw.nodes.push({ host: host.name, role: host.swarm!, address: u?.address ?? null, dev: u?.dev ?? null });
  sw.nodes.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
  if (host.swarm === 'manager' && !core.swarmInitialised) {
    core.swarmInitialised = true;
    createOverlayNetwork(core, host, core.internals.get(host.name)!, { name: 'ingress', driver: 'overlay', ingress: true });
    return;
  }
  if (!core.swarmInitialised) return;
  // A manager sees every swarm network; a worker only the ingress (and the others as it uses them).
  for (const spec of core.overlaySpecs.values()) if (host.swarm === 'manager' || spec.ingress) createOverlayView(core, host.name, spec);
  if (sw.ingressNetworkId) attachIngressSandbox(core, host.name);
}

/** Nodes that see every swarm network from its creation: the managers (a worker gets a view as it uses one). */
function managerNodes(core: EngineCore): string[] {
  return swarmNodes(core).filter((n) => core.state.hosts.get(n)?.swarm === 'manager');
}

/**
 * A worker sees a swarm network only while it has an endpoint on it (dockerd 20.10 and 26.1 lab swarms: on a
 * worker with no container on it, `docker network inspect` says not found; the view comes with the first
 * container and goes with the last). Makes the view when `term` names a swarm network the worker lacks.
 */
export function ensureWorkerView(core: EngineCore, host: HostState, term: string): void {
  if (host.swarm !== 'worker' || !core.state.swarm.nodes.some((n) => n.host === host.name)) return;
  const int = core.internals.get(host.name)!;
  if (host.networks.has(term) || int.networksByName.has(term)) return;
  const specs = [...core.overlaySpecs.values()];
  const spec = specs.find((x) => x.name === term || x.id === term) ?? (() => {
    const byPrefix = term ? specs.filter((x) => x.id!.startsWith(term)) : [];
    return byPrefix.length === 1 ? byPrefix[0] : undefined;
  })();
  if (spec) createOverlayView(core, host.name, spec);
}

/**
 * An ingress network the user made (after `docker network rm ingress`) reaches a node only when the node's
 * first endpoint joins an overlay it had no namespace for: then the node gets its view and the network's
 * load-balancer sandbox, `<name>-sbox` (seen on 20.10 lab swarms: on no node right after `network create
 * --ingress`, nor after a second container joined an overlay the node already used). For a service's
 * tasks the manager has allocated `address` after theirs (createService).
 */
export function ensureUserIngressSandbox(core: EngineCore, host: HostState, address: IpAddr | null = null): void {
  if (!needsUserIngressSandbox(core, host)) return;
  createOverlayView(core, host.name, core.overlaySpecs.get(core.state.swarm.ingressNetworkId!)!);
  attachIngressSandbox(core, host.name, address);
}

/** The node has no sandbox yet on the user's ingress network (there is one). */
export function needsUserIngressSandbox(core: EngineCore, host: HostState): boolean {
  const id = core.state.swarm.ingressNetworkId;
  return !!id && core.overlaySpecs.has(id) && core.userIngress.has(id) && !host.sandboxes.has(INGRESS_SANDBOX_ID);
}

/** Nodes that have joined (a worker waits for the first manager). */
function swarmNodes(core: EngineCore): string[] {
  return core.swarmInitialised ? core.state.swarm.nodes.map((n) => n.host) : [];
}

/** docker network create -d overlay on a manager: swarmkit allocates the pool and the VNI, every node gets a view. */
export function createOverlayNetwork(core: EngineCore, _host: HostState, int: HostInternals, req: NetworkCreateRequest): { id: string } {
  const sw = core.state.swarm;
  if (req.ingress && sw.ingressNetworkId) throw new DockerError(msg.ingressExists(sw.ingressNetworkId), FORBIDDEN, { field: 'name' });
  const v4: IpamPoolConfig[] = [], v6: IpamPoolConfig[] = [], v4Index: number[] = [], v6Index: number[] = [];
  (req.ipam?.config ?? []).forEach((c, i) => {
    const parsed = parseCidr(c.subnet ?? '');
    if (!parsed) throw new DockerError(msg.invalidSubnet(c.subnet ?? '', `invalid CIDR address: ${c.subnet ?? ''}`), INTERNAL, { field: 'subnet', index: i });
    if (parsed.family === 4) { v4.push(c); v4Index.push(i); } else { v6.push(c); v6Index.push(i); }
  });
  const id = int.ids.next('network', req.name);
  let allocated: IpamPoolConfig[];
  try {
    allocated = core.swarm.allocateNetwork(id, v4);
  } catch (e) {
    if (e instanceof DockerError && !e.hint) throw e.withHint({ field: 'subnet', index: v4Index[0] ?? 0 });
    throw e;
  }
  let vni: number;
  try {
    vni = core.swarm.takeVni(req.options?.[OVERLAY_OPT.vxlanIdList]);
  } catch (e) {
    core.swarm.releaseNetwork(id, 0);
    throw e;
  }
  const spec: NetworkSpec = {
    id, name: req.name, driver: 'overlay', ipamDriver: req.ipam?.driver || 'default', ipamOptions: { ...(req.ipam?.options ?? {}) },
    v4: allocated, v6, v4Index: allocated.map((_, i) => v4Index[i] ?? i), v6Index,
    options: { ...(req.options ?? {}), [OVERLAY_OPT.vxlanIdList]: String(vni) }, labels: { ...(req.labels ?? {}) },
    internal: req.internal ?? false, attachable: req.attachable ?? false, ingress: req.ingress ?? false,
    enableIpv6: req.enableIpv6 ?? false, predefined: false, deferIpv6Alloc: false, dnsRecords: new Map(),
  };
  sw.networks.set(id, { id, name: req.name, vni, ingress: spec.ingress, attachable: spec.attachable, hosts: [] });
  core.overlaySpecs.set(id, spec);
  // The default ingress (swarm init) reaches every node with its sandbox; a user's ingress and every other
  // overlay start on the managers only (ensureWorkerView, ensureUserIngressSandbox).
  const initial = spec.ingress && !core.ingressReplaced;
  try {
    for (const node of initial ? swarmNodes(core) : managerNodes(core)) createOverlayView(core, node, spec);
  } catch (e) {
    dropOverlay(core, id, vni);
    throw e;
  }
  if (spec.ingress) {
    sw.ingressNetworkId = id;
    if (initial) for (const node of swarmNodes(core)) attachIngressSandbox(core, node);
    else core.userIngress.add(id);
  }
  return { id };
}

/** One node's view: the same id, the manager's pool as an explicit subnet, the DNS records all views share. */
function createOverlayView(core: EngineCore, hostName: string, spec: NetworkSpec): void {
  const { host, int } = hostOf(core, hostName);
  if (host.networks.has(spec.id!)) return;
  host.revision++;
  createNetworkOn(core, host, int, spec);
  const sn = core.state.swarm.networks.get(spec.id!);
  if (sn && !sn.hosts.includes(hostName)) sn.hosts.push(hostName);
}

function dropOverlay(core: EngineCore, id: string, vni: number): void {
  const sw = core.state.swarm;
  for (const hostName of sw.networks.get(id)?.hosts ?? []) dropView(core, hostName, id);
  sw.networks.delete(id);
  core.overlaySpecs.delete(id);
  core.swarm.releaseNetwork(id, vni);
  if (sw.ingressNetworkId === id) sw.ingressNetworkId = null;
}

/** docker network rm of an overlay: refused while a service or a container uses it; ingress takes its sandboxes along. */
export function removeOverlayNetwork(core: EngineCore, host: HostState, net: NetworkState): void {
  const sw = core.state.swarm;
  if (host.swarm !== 'manager') throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
  for (const svc of sw.services.values()) {
    if (net.ingress && svc.ports.length > 0) {
      throw new DockerError(`rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${svc.id} depends on it`, FORBIDDEN, { field: 'name' });
    }
    if (svc.networks.includes(net.id)) {
      throw new DockerError(`rpc error: code = FailedPrecondition desc = network ${net.id} is in use by service ${svc.id}`, FORBIDDEN, { field: 'name' });
    }
  }
  for (const hostName of sw.networks.get(net.id)?.hosts ?? []) {
    const view = core.state.hosts.get(hostName)?.networks.get(net.id);
    const users = [...(view?.endpoints.values() ?? [])].filter((e) => e.sandboxId !== INGRESS_SANDBOX_ID);
    if (users.length > 0) throw new DockerError(msg.activeEndpoints(net.name, net.id), FORBIDDEN, { field: 'name' });
  }
  if (net.ingress) {
    for (const hostName of sw.networks.get(net.id)?.hosts ?? []) detachIngressSandbox(core, hostName);
    core.ingressReplaced = true;
    core.userIngress.delete(net.id);
  }
  dropOverlay(core, net.id, net.overlay?.vni ?? 0);
}

/** The routing mesh's namespace on a node: an endpoint on the ingress network, then (automatically) docker_gwbridge. */
function attachIngressSandbox(core: EngineCore, hostName: string, given: IpAddr | null = null): void {
  const sw = core.state.swarm;
  const { host, int } = hostOf(core, hostName);
  const n = sw.ingressNetworkId ? host.networks.get(sw.ingressNetworkId) : undefined;
  if (!n || host.sandboxes.has(INGRESS_SANDBOX_ID)) return;
  host.revision++;
  const ctr = ingressSandboxOwner(core.userIngress.has(n.id) ? n.name : null);
  const sb = newSandbox(INGRESS_SANDBOX_ID, ctr.id, `/var/run/docker/netns/${INGRESS_SANDBOX_ID}`, false);
  host.sandboxes.set(sb.id, sb);
  ctr.sandboxId = sb.id;
  const driver = core.drivers.driver(n.driver)!;
  const addr = given ?? core.swarm.allocateAddress(n.id, null);
  const ep = createEndpoint(core, host, int, driver, n, ctr, int.ids.next('endpoint', `ingress-endpoint@${hostName}`), {
    staticV4: addr, staticV6: null, mac: null, aliases: [], userDefined: false, gwPriority: 0, clusterAssigned: true,
  });
  join(core, host, int, ctr, sb, n, driver, ep);
}

export function detachIngressSandbox(core: EngineCore, hostName: string): void {
  const { host, int } = hostOf(core, hostName);
  const sb = host.sandboxes.get(INGRESS_SANDBOX_ID);
  if (!sb) return;
  host.revision++;
  const ctr = ingressSandboxOwner(null);
  for (const ep of [...sb.endpoints]) if (sb.endpoints.includes(ep)) leaveAndDelete(core, host, int, ctr, sb, ep, false);
  host.sandboxes.delete(sb.id);
}

/**
 * The ingress sandbox has no container; this stands in for one (never listed among the host's containers).
 * Swarm's default one is `ingress-sbox` / `ingress-endpoint`; a user's ingress network's is its load-balancer
 * sandbox, `<name>-sbox` / `<name>-endpoint` (the key and name `docker network inspect` shows).
 */
function ingressSandboxOwner(userIngress: string | null): ContainerState {
  return {
    id: userIngress ? `${userIngress}-sbox` : INGRESS_SANDBOX_NAME, name: userIngress ? `${userIngress}-endpoint` : 'ingress-endpoint', hostname: INGRESS_SANDBOX_NAME, image: '', seq: 0, status: 'running',
    networkMode: 'default', modeKind: 'network', modeTarget: null, networks: [], exposedPorts: [], listening: [], portSpecs: [], publishAll: false,
    labels: {}, macAddress: null, sandboxId: INGRESS_SANDBOX_ID, joinedContainerId: null, warnings: [], runtimeWarnings: [],
  };
}
