// Containers and networks: docker network connect / disconnect, a container's networks attached when it
// starts and released when it stops, with dockerd's mode and address checks.
import { BAD_REQUEST, DockerError, FORBIDDEN, INTERNAL, msg } from '../errors';
import type { EndpointConfig } from '../requests';
import type { ContainerNetwork, ContainerState, EndpointState, HostState, NetworkState, SandboxState } from '../model';
import { macFromIPv4Bytes, sandboxKey, shortId } from '../ids';
import { addrBytes, formatAddr, type IpAddr, parseIp, parseMac } from '../ip';
import { findContainer, findNetwork, isUserDefinedName } from '../lookup';
import { assertEndpointSettings } from '../endpointSettings';
import { hasEndpointNamed } from '../endpointNames';
import { newSandbox } from '../sandbox';
import { type EngineCore, type HostInternals, hostOf } from './core';
import { createEndpoint, deleteEndpoint } from './endpoints';
import { join, leaveAndDelete } from './join';
import { ensureUserIngressSandbox, ensureWorkerView } from './swarm';

export function connect(core: EngineCore, hostName: string, network: string, container: string, cfg?: EndpointConfig): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const ctr = findContainer(host, int.containersByName, container);
  const config: EndpointConfig = { ...(cfg ?? {}), aliases: [...(cfg?.aliases ?? [])] };
  if (!int.features.endpointMacOnConnect) delete config.macAddress;
  if (ctr.status !== 'running') {
    let n: NetworkState | null = null;
    try {
      n = findNetwork(host, int.networksByName, network);
    } catch {
      n = null;
    }
    if (n) {
      const aliases = updateNetworkConfig(host, int, ctr, n, config);
      if (updateNetworkSettings(host, int, ctr, n)) {
        ctr.networks.push({ key: n.name, networkId: null, config, aliases, endpointId: null });
      }
    } else {
      // A stopped container accepts a network that does not exist; `docker start` fails later.
      ctr.networks.push({ key: network, networkId: null, config, aliases: [...(config.aliases ?? [])], endpointId: null });
    }
    return;
  }
  connectToNetwork(core, host, int, ctr, network, config, true);
}

export function disconnect(core: EngineCore, hostName: string, network: string, container: string, force?: boolean): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const ctr = findContainer(host, int.containersByName, container);
  let n: NetworkState | null = null;
  let lookupError: unknown = null;
  try {
    n = findNetwork(host, int.networksByName, network);
  } catch (e) {
    lookupError = e;
  }
  if (ctr.status !== 'running' || (lookupError && force)) {
    const i = ctr.networks.findIndex((cn) => cn.key === network);
    if (i >= 0) {
      ctr.networks.splice(i, 1);
      return;
    }
    if (lookupError && force) throw lookupError;
    throw new DockerError(msg.notConnectedStopped(ctr.id, network), INTERNAL, { field: 'network' });
  }
  if (lookupError) throw lookupError;
  const net = n!;
  if (ctr.modeKind === 'host' && net.driver === 'host') {
    throw new DockerError(int.features.splitHostNetworkErrors ? msg.conflictHostDisconnect28() : msg.conflictHost(), FORBIDDEN, { field: 'network' });
  }
  const sb = ctr.sandboxId ? host.sandboxes.get(ctr.sandboxId) : undefined;
  const ep = sb?.endpoints.find((e) => e.networkId === net.id && e.containerId === ctr.id);
  if (!sb || !ep) throw new DockerError(msg.notConnectedRunning(ctr.id, net.name), INTERNAL, { field: 'network' });
  leaveAndDelete(core, host, int, ctr, sb, ep, true);
  const i = ctr.networks.findIndex((cn) => cn.key === net.name);
  if (i >= 0) ctr.networks.splice(i, 1);
}

/** daemon.updateNetworkConfig: IP/alias rules per network kind; returns the aliases to store. */
function updateNetworkConfig(host: HostState, int: HostInternals, ctr: ContainerState, n: NetworkState, cfg: EndpointConfig, stored?: ContainerNetwork): string[] {
  const aliases = [...(cfg.aliases ?? [])];
  const hasIp = !!(cfg.ipv4Address || cfg.ipv6Address);
  if (int.features.validateEndpointSettings) assertEndpointSettings(host.daemon, n, n.name, cfg, false);
  if (!isUserDefinedName(n.name)) {
    if (hasIp) throw new DockerError(msg.ipOnPredefined(), BAD_REQUEST, { field: cfg.ipv4Address ? 'ipv4_address' : 'ipv6_address' });
    if (aliases.length > 0) throw new DockerError(msg.aliasOnPredefined(), BAD_REQUEST, { field: 'aliases' });
  } else if (!int.features.dnsNamesField) {
    const sid = shortId(ctr.id);
    if (!aliases.includes(sid)) aliases.push(sid);
    if (!aliases.includes(ctr.hostname)) aliases.push(ctr.hostname);
  }
  // dockerd appends to the stored EndpointSettings in place, so the aliases stay even when the checks
  // below (or the endpoint itself) fail: a container whose start failed shows them in `docker inspect`.
  if (stored) stored.aliases = aliases;
  // validateNetworkingConfig: a static address needs a user-configured subnet of its family.
  if (cfg.ipv4Address && !n.ipamConfig.v4.some((c) => c.subnet)) throw new DockerError(msg.ipNeedsSubnet(), BAD_REQUEST, { field: 'ipv4_address' });
  if (cfg.ipv6Address && !n.ipamConfig.v6.some((c) => c.subnet)) throw new DockerError(msg.ipNeedsSubnet(), BAD_REQUEST, { field: 'ipv6_address' });
  return aliases;
}

/** daemon.updateNetworkSettings: mode conflicts; false when the container is already configured for it. */
function updateNetworkSettings(host: HostState, int: HostInternals, ctr: ContainerState, n: NetworkState): boolean {
  if (ctr.modeKind !== 'host' && n.driver === 'host') {
    throw new DockerError(int.features.splitHostNetworkErrors ? msg.conflictHostConnect28() : msg.conflictHost(), FORBIDDEN, { field: 'network' });
  }
  for (const cn of ctr.networks) {
    let sn: NetworkState;
    try {
      sn = findNetwork(host, int.networksByName, cn.networkId ?? cn.key);
    } catch {
      continue;
    }
    if (sn.id === n.id) return false;
    if (sn.driver === 'host' || n.driver === 'host') throw new DockerError(msg.conflictShared(), FORBIDDEN, { field: 'network' });
    if (sn.name === 'none' || n.name === 'none') throw new DockerError(msg.conflictNone(), FORBIDDEN, { field: 'network' });
  }
  return true;
}

export function ensureSandbox(host: HostState, int: HostInternals, ctr: ContainerState): SandboxState {
  if (ctr.sandboxId) {
    const existing = host.sandboxes.get(ctr.sandboxId);
    if (existing) return existing;
  }
  const id = int.ids.next('sandbox', ctr.name);
  const hostNet = ctr.modeKind === 'host';
  const sb = newSandbox(id, ctr.id, hostNet ? '/var/run/docker/netns/default' : sandboxKey(id), hostNet);
  host.sandboxes.set(id, sb);
  ctr.sandboxId = id;
  return sb;
}

/** daemon.connectToNetwork + libnetwork CreateEndpoint and Join. */
export function connectToNetwork(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState, term: string, cfgIn: EndpointConfig, updateSettings: boolean): void {
  if (ctr.modeKind === 'container') throw new DockerError(msg.conflictShared(), FORBIDDEN, { field: 'network' });
  const stored = ctr.networks.find((cn) => cn.key === term);
  ensureWorkerView(core, host, stored?.networkId ?? term);
  const n = findNetwork(host, int.networksByName, stored?.networkId ?? term);
  const cfg: EndpointConfig = { ...cfgIn, aliases: [...(stored?.aliases ?? cfgIn.aliases ?? [])] };
  // The node's first endpoint on an overlay brings up its namespace there (and a user's ingress with it).
  const firstOnNode = n.scope === 'swarm' && !host.overlays.has(n.id);
  const aliases = updateNetworkConfig(host, int, ctr, n, cfg, stored);
  if (updateSettings) updateNetworkSettings(host, int, ctr, n);
  // Record the network on the container (keyed by name), as NetworkSettings.Networks. dockerd keeps the
  // entry even when the endpoint fails below (a failed connect leaves it, without an address).
  let cn = ctr.networks.find((x) => x.key === n.name) ?? ctr.networks.find((x) => x.key === term);
  if (!cn) {
    cn = { key: n.name, networkId: null, config: cfgIn, aliases, endpointId: null };
    ctr.networks.push(cn);
  }
  cn.key = n.name;
  cn.networkId = n.id;
  cn.aliases = aliases;

  // buildCreateEndpointOptions
  let staticV4: IpAddr | null = null, staticV6: IpAddr | null = null;
  if (cfg.ipv4Address) {
    staticV4 = parseIp(cfg.ipv4Address);
    if (!staticV4) throw new DockerError(`Invalid IPv4 address: ${cfg.ipv4Address})`, INTERNAL, { field: 'ipv4_address' });
  }
  if (cfg.ipv6Address) {
    staticV6 = parseIp(cfg.ipv6Address);
    if (!staticV6) throw new DockerError(`Invalid IPv6 address: ${cfg.ipv6Address})`, INTERNAL, { field: 'ipv6_address' });
  }
  // The container's --mac-address applies to the network it was created on; 25+ also per endpoint.
  let mac: string | null = null;
  const isCreateNetwork = n.name === ctr.networkMode || (ctr.networkMode === 'default' && n.name === 'bridge');
  const macText = cfg.macAddress ?? (isCreateNetwork ? ctr.macAddress : null);
  if (macText) {
    mac = parseMac(macText);
    if (!mac) throw new DockerError(msg.invalidMac(macText), INTERNAL, { field: 'mac_address' });
  }

  // CreateEndpoint
  if (hasEndpointNamed(n, ctr.name)) throw new DockerError(msg.endpointExists(ctr.name, n.name), FORBIDDEN, { field: 'network' });
  const driver = core.drivers.driver(n.driver)!;
  const epId = int.ids.next('endpoint', `${ctr.name}@${n.name}`);
  const userDefined = isUserDefinedName(n.name);
  const gwPriority = int.features.gwPriority ? cfg.gwPriority ?? 0 : 0;
  // Overlay: a standalone container needs an attachable network; the manager hands out the address.
  let clusterAssigned = false;
  if (n.scope === 'swarm') {
    if (!n.attachable && !core.taskContainers.has(ctr.id)) throw new DockerError(msg.notAttachable(term), FORBIDDEN, { field: 'network' });
    // A service's task comes with the address the manager gave it (createService); others get theirs now.
    const given = core.taskAddresses.get(ctr.name)?.get(n.id);
    core.taskAddresses.get(ctr.name)?.delete(n.id);
    staticV4 = given ?? core.swarm.allocateAddress(n.id, staticV4);
    clusterAssigned = !!given || !cfg.ipv4Address;
  }
  let ep: EndpointState;
  try {
    ep = createEndpoint(core, host, int, driver, n, ctr, epId, { staticV4, staticV6, mac, aliases, userDefined, gwPriority, clusterAssigned, ...(cfg.links ? { links: cfg.links } : {}) });
  } catch (e) {
    if (n.scope === 'swarm' && staticV4) core.swarm.releaseAddress(n.id, staticV4);
    throw e;
  }

  cn.endpointId = ep.id;

  try {
    const sb = ensureSandbox(host, int, ctr);
    join(core, host, int, ctr, sb, n, driver, ep);
  } catch (e) {
    deleteEndpoint(core, host, int, n, driver, ep);
    cn.endpointId = null;
    throw e;
  }
  if (n.scope === 'swarm' && !n.ingress && !core.taskContainers.has(ctr.id)) ensureLoadBalancer(core, host, n);
  // (A service's tasks: createService gave their nodes the sandbox, after the tasks' addresses.)
  if (firstOnNode && !n.ingress && !core.taskAddresses.has(ctr.name)) ensureUserIngressSandbox(core, host);
}

/**
 * The node's `lb-<network>` endpoint, made when its first container joins the overlay (seen on dockerd 20.10
 * and 26.1 lab swarms: the container's address first, then the node's load balancer's, so every later
 * address moves by one per node). A service's tasks get theirs from createService, after all the
 * service's task addresses.
 */
export function ensureLoadBalancer(core: EngineCore, host: HostState, n: NetworkState): void {
  const ns = host.overlays.get(n.id);
  if (!ns || ns.loadBalancer) return;
  const addr = core.swarm.allocateAddress(n.id, null);
  ns.loadBalancer = { address: formatAddr(addr), mac: macFromIPv4Bytes(addrBytes(addr)) };
}

/** daemon.releaseNetwork: the sandbox goes away with all its endpoints (addresses and ports released). */
export function releaseNetwork(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState): void {
  if (ctr.modeKind === 'container') {
    if (ctr.sandboxId) {
      const sb = host.sandboxes.get(ctr.sandboxId);
      sb?.sharedBy.delete(ctr.id);
      if (sb && sb.containerId !== ctr.id && sb.sharedBy.size === 0 && !sandboxOwnerRunning(host, sb)) host.sandboxes.delete(sb.id);
    }
    ctr.sandboxId = null;
    ctr.joinedContainerId = null;
    return;
  }
  const sb = ctr.sandboxId ? host.sandboxes.get(ctr.sandboxId) : undefined;
  if (sb) {
    for (const ep of [...sb.endpoints]) if (sb.endpoints.includes(ep)) leaveAndDelete(core, host, int, ctr, sb, ep, false);
    // Containers that joined this namespace keep it (with only lo) until they stop.
    if (sb.sharedBy.size === 0) host.sandboxes.delete(sb.id);
  }
  for (const cn of ctr.networks) cn.endpointId = null;
  ctr.sandboxId = null;
}

function sandboxOwnerRunning(host: HostState, sb: SandboxState): boolean {
  const owner = host.containers.get(sb.containerId);
  return !!owner && owner.sandboxId === sb.id;
}
