// An endpoint joined to and removed from a sandbox (interfaces, routes, /etc/hosts, DNS records, the
// gateway endpoint's ports), and docker_gwbridge for a sandbox no network gives a gateway.
import type { ContainerState, EndpointState, HostsEntry, HostState, NetworkState, SandboxState } from '../model';
import type { NetworkDriver } from '../drivers/types';
import { BRIDGE_OPT } from '../drivers/bridge/driver';
import { addSandboxEndpoint, addSandboxInterface, endpointLess, gatewayEndpoint, GW_BRIDGE_NETWORK, inserted, rebuildRoutes, removeSandboxEndpoint, removeSandboxInterface } from '../sandbox';
import type { EngineCore, HostInternals, NetworkSpec } from './core';
import { createNetworkOn } from './networkViews';
import { createEndpoint, deleteEndpoint } from './endpoints';
import { moveExternalConnectivity, programPorts } from './publishing';
import { dropUnusedWorkerView } from './workerViews';

/** endpoint.sbJoin */
export function join(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState, n: NetworkState, driver: NetworkDriver, ep: EndpointState): void {
  const less = endpointLess(int.features);
  const info = driver.join(int.ctx, n, ep, sb);
  ep.sandboxId = sb.id;
  ep.gateway = info.gateway;
  ep.gateway6 = info.gateway6;
  if (info.staticRoutes) ep.staticRoutes = info.staticRoutes;
  if (info.disableGatewayService) ep.disableGatewayService = true;
  if (info.link) ep.link = info.link;
  // /etc/hosts gets "<ip> <hostname>" for every address of every network joined: libnetwork's
  // updateHostsFile writes one record per ep.getEtcHostsAddrs() (IPv4, then IPv6; seen on dockerd 20.10),
  // except on ingress and docker_gwbridge (doUpdateHostsFile / getEtcHostsAddrs; seen on lab swarms).
  if (!sb.hostNetwork && !n.ingress && n.name !== 'docker_gwbridge') {
    for (const a of [ep.ipv4?.address, ep.ipv6?.address]) if (a) (sb as { hostsEntries: HostsEntry[] }).hostsEntries = inserted(sb.hostsEntries, sb.hostsEntries.length, { ip: a, names: hostsNames(ctr.hostname) });
  }
  if (!ep.disableResolution && !sb.hostNetwork) {
    sb.resolverStarted = true;
    sb.resolvConf = 'embedded';
  }
  const extEp = gatewayEndpoint(sb);
  addSandboxEndpoint(sb, ep, less);
  if (info.ifacePrefix !== null) {
    ep.ifname = addSandboxInterface(sb, ep, info.ifacePrefix, info.mtu);
    if (ep.hostIfname) {
      const v = host.veths.get(ep.hostIfname);
      // In place: the record is the driver's, made at this join (a copy per endpoint is garbage).
      if (v) (v as { containerIfname: string }).containerIfname = ep.ifname;
    }
  }
  addDnsRecords(n, ep);
  const newExt = gatewayEndpoint(sb);
  try {
    if (newExt !== extEp) moveExternalConnectivity(core, int, ctr, extEp, newExt);
  } catch (e) {
    // Undo the join; the old endpoint gets its ports back.
    removeDnsRecords(n, ep);
    removeSandboxEndpoint(sb, ep);
    removeSandboxInterface(sb, ep);
    sb.gatewayEndpointId = extEp?.id ?? null;
    if (extEp) programPorts(core, int, ctr, extEp, false);
    rebuildRoutes(sb);
    driver.leave(int.ctx, n, ep, sb);
    ep.sandboxId = null;
    throw e;
  }
  sb.gatewayEndpointId = newExt?.id ?? null;
  rebuildRoutes(sb);
  if (n.name !== GW_BRIDGE_NETWORK) reconcileDefaultGateway(core, host, int, ctr, sb);
}

/** endpoint.sbLeave + Delete. `moveTo`: program the sandbox's ports on the next gateway endpoint. */
export function leaveAndDelete(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState, ep: EndpointState, moveTo: boolean): void {
  const n = host.networks.get(ep.networkId)!;
  const driver = core.drivers.driver(n.driver)!;
  const extEp = gatewayEndpoint(sb);
  const wasExt = extEp === ep;
  if (wasExt) {
    driver.revokeExternalConnectivity(int.ctx, n, ep);
    ep.portBindings = [];
  }
  driver.leave(int.ctx, n, ep, sb);
  removeDnsRecords(n, ep);
  removeSandboxEndpoint(sb, ep);
  removeSandboxInterface(sb, ep);
  for (const a of [ep.ipv4?.address, ep.ipv6?.address]) {
    const i = a ? sb.hostsEntries.findIndex((h) => h.ip === a) : -1;
    if (i >= 0) sb.hostsEntries.splice(i, 1);
  }
  const newExt = gatewayEndpoint(sb);
  sb.gatewayEndpointId = newExt?.id ?? null;
  if (wasExt && newExt && moveTo && !newExt.networkInternal) programPorts(core, int, ctr, newExt, false);
  rebuildRoutes(sb);
  ep.sandboxId = null;
  deleteEndpoint(core, host, int, n, driver, ep);
  const cn = ctr.networks.find((x) => x.endpointId === ep.id);
  if (cn) cn.endpointId = null;
  if (moveTo && n.name !== GW_BRIDGE_NETWORK) reconcileDefaultGateway(core, host, int, ctr, sb);
  if (n.scope === 'swarm') dropUnusedWorkerView(core, host, n);
}

/**
 * sbJoin/sbLeave: a sandbox whose (non-internal) networks give it no gateway — overlay — gets an extra
 * endpoint gateway_<12hex of the container id> on docker_gwbridge (made on first use), and loses it as
 * soon as another network gives it a gateway.
 */
function reconcileDefaultGateway(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState): void {
  const gwEp = sb.endpoints.find((e) => e.networkName === GW_BRIDGE_NETWORK) ?? null;
  const need = needDefaultGateway(sb);
  if (need && !gwEp) setupDefaultGateway(core, host, int, ctr, sb);
  else if (!need && gwEp) leaveAndDelete(core, host, int, ctr, sb, gwEp, true);
}

function setupDefaultGateway(core: EngineCore, host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState): void {
  const n = int.networksByName.get(GW_BRIDGE_NETWORK) ?? createNetworkOn(core, host, int, gwBridgeSpec());
  const driver = core.drivers.driver(n.driver)!;
  // libnetwork's setupDefaultGW: "gateway_" and the container id when it has at most 12 characters (the
  // ingress-sbox's), else the first 12 of the sandbox id (a user ingress's `<name>-sbox`: gateway_ingress_sbox).
  const name = sb.containerId.length <= 12 ? `gateway_${sb.containerId}` : `gateway_${sb.id.slice(0, 12)}`;
  const epId = int.ids.next('endpoint', `${name}@${n.name}`);
  const ep = createEndpoint(core, host, int, driver, n, { ...ctr, name }, epId, {
    staticV4: null, staticV6: null, mac: null, aliases: [], userDefined: false, gwPriority: 0,
  });
  try {
    join(core, host, int, ctr, sb, n, driver, ep);
  } catch (e) {
    deleteEndpoint(core, host, int, n, driver, ep);
    throw e;
  }
}

/** sandbox.needDefaultGW: some endpoint wants a way out and none has an IPv4 gateway (or a default static route). */
function needDefaultGateway(sb: SandboxState): boolean {
  let need = false;
  for (const ep of sb.endpoints) {
    if (ep.networkName === GW_BRIDGE_NETWORK) continue;
    if (ep.networkDriver === 'host' || ep.networkDriver === 'null') continue;
    if (ep.networkInternal || ep.disableGatewayService) continue;
    // A network whose addresses are unknown has a gateway all the same (unknown): no docker_gwbridge.
    if (ep.gateway || ep.addressUnknown) return false;
    if (ep.staticRoutes?.some((r) => r.family === 4 && r.destination === 'default')) return false;
    need = true;
  }
  return need;
}

/** default_gateway_linux.go createGWNetwork: a bridge with icc off and masquerade on, from the local pools. */
function gwBridgeSpec(): NetworkSpec {
  return {
    name: GW_BRIDGE_NETWORK, driver: 'bridge', ipamDriver: 'default', ipamOptions: {}, v4: [], v6: [], v4Index: [], v6Index: [],
    options: { [BRIDGE_OPT.name]: GW_BRIDGE_NETWORK, [BRIDGE_OPT.enableIcc]: 'false', [BRIDGE_OPT.enableIpMasquerade]: 'true' },
    labels: {}, internal: false, attachable: false, ingress: false, enableIpv6: false, predefined: false, deferIpv6Alloc: false,
  };
}

/** The hostname line of /etc/hosts: an FQDN also lists its first label. */
function hostsNames(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  return dot > 0 ? [hostname, hostname.slice(0, dot)] : [hostname];
}

function addDnsRecords(n: NetworkState, ep: EndpointState): void {
  if (ep.anonymous || n.ingress) return;
  for (const name of ep.dnsNames) {
    const key = name.toLowerCase();
    const list = n.dnsRecords.get(key);
    if (list) {
      if (!list.includes(ep)) list.push(ep);
    } else n.dnsRecords.set(key, [ep]);
  }
}

function removeDnsRecords(n: NetworkState, ep: EndpointState): void {
  for (const name of ep.dnsNames) {
    const key = name.toLowerCase();
    const list = n.dnsRecords.get(key);
    if (!list) continue;
    const i = list.indexOf(ep);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) n.dnsRecords.delete(key);
  }
}
