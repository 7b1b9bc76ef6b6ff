// docker network create / rm: the request's checks and IPAM config, then a local, global or swarm network;
// relabelNetwork for an editor's label-only change.
import { BAD_REQUEST, CONFLICT, DockerError, FORBIDDEN, INTERNAL, msg, type ErrorHint } from '../errors';
import type { IpamPoolConfig, NetworkCreateRequest } from '../requests';
import type { NetworkState } from '../model';
import { formatNet, type IpNet, netContains, netLast, parseCidr, parseIp } from '../ip';
import { findNetwork, isPredefinedNetworkName } from '../lookup';
import { type EngineCore, hostNames, hostOf, type NetworkSpec } from './core';
import { createGlobalNetwork, createNetworkOn, dropView, ipamDriver, releaseIpam } from './networkViews';
import { createOverlayNetwork, removeOverlayNetwork } from './swarm';

export function createNetwork(core: EngineCore, hostName: string, req: NetworkCreateRequest): { id: string; warning?: string } {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const name = req.name;
  if (isPredefinedNetworkName(name)) throw new DockerError(msg.predefinedCreate(name), FORBIDDEN, { field: 'name' });
  if (int.networksByName.has(name)) throw new DockerError(msg.networkExists(name), CONFLICT, { field: 'name' });
  const driver = req.driver && req.driver !== '' ? req.driver : 'bridge';
  if (driver === 'overlay' && host.swarm !== 'manager') throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'driver' });
  // 25.0+ checks the whole IPAM config in the API, before any driver (overlay included).
  if (int.features.strictIpamValidation) validateIpam25(req.ipam?.config ?? []);
  if (driver === 'overlay') return createOverlayNetwork(core, host, int, req);
  const globalScope = core.drivers.driver(driver)?.scope === 'global';

  // getIpamConfig: every entry needs a parsable subnet; its family sorts it into v4 or v6.
  const v4: IpamPoolConfig[] = [], v6: IpamPoolConfig[] = [], v4Index: number[] = [], v6Index: number[] = [];
  (req.ipam?.config ?? []).forEach((c, i) => {
    const subnet = c.subnet ?? '';
    const parsed = parseCidr(subnet);
    if (!parsed) throw new DockerError(msg.invalidSubnet(subnet, `invalid CIDR address: ${subnet}`), INTERNAL, { field: 'subnet', index: i });
    if (parsed.family === 4) { v4.push(c); v4Index.push(i); } else { v6.push(c); v6Index.push(i); }
  });
  let enableIpv6 = req.enableIpv6 ?? false;
  if (int.features.ipv6SubnetEnablesIpv6 && v6.length > 0) enableIpv6 = true;

  const spec: NetworkSpec = {
    name, driver, ipamDriver: req.ipam?.driver || core.drivers.driver(driver)?.defaultIpamDriver || 'default', ipamOptions: { ...(req.ipam?.options ?? {}) },
    v4, v6, v4Index, v6Index, options: { ...(req.options ?? {}) }, labels: { ...(req.labels ?? {}) },
    internal: req.internal ?? false, attachable: req.attachable ?? false, ingress: req.ingress ?? false,
    enableIpv6, predefined: false, deferIpv6Alloc: false,
    ...(req.addressesUnknown ? { addressesUnknown: true } : {}),
  };
  if (core.pinnedNetworkId !== undefined && !globalScope) spec.id = core.pinnedNetworkId;
  if (globalScope) return createGlobalNetwork(core, host, int, spec);
  const net = createNetworkOn(core, host, int, spec);
  return { id: net.id };
}

export function removeNetwork(core: EngineCore, hostName: string, nameOrId: string): void {
  const { host, int } = hostOf(core, hostName);
  host.revision++;
  const net = findNetwork(host, int.networksByName, nameOrId);
  if (net.predefined) throw new DockerError(msg.predefinedRemove(net.name), FORBIDDEN, { field: 'name' });
  if (net.scope === 'swarm' && core.state.swarm.networks.has(net.id)) {
    removeOverlayNetwork(core, host, net);
    return;
  }
  if (net.scope === 'global') {
    const views = hostNames(core).map((h) => core.state.hosts.get(h)!.networks.get(net.id)).filter((v): v is NetworkState => !!v);
    const busy = views.find((v) => v.endpoints.size > 0);
    if (busy) throw new DockerError(msg.activeEndpoints(net.name, net.id), FORBIDDEN, { field: 'name' });
    for (const h of hostNames(core)) dropView(core, h, net.id);
    return;
  }
  if (net.endpoints.size > 0) {
    const text = int.features.activeEndpointNames
      ? msg.activeEndpoints281(net.name, [...net.endpoints.values()].map((e) => e.name))
      : msg.activeEndpoints(net.name, net.id);
    throw new DockerError(text, FORBIDDEN, { field: 'name' });
  }
  const driver = core.drivers.driver(net.driver)!;
  driver.deleteNetwork(int.ctx, net);
  if (!driver.special) releaseIpam(ipamDriver(core, host, net.ipamDriver), net.ipv4.concat(net.ipv6));
  host.networks.delete(net.id);
  int.networksByName.delete(net.name);
}

/**
 * Gives a network of this host the labels and `attachable` flag it would have had, had it been created
 * with them (an editor changed only those). Neither is read by a local network's driver, IPAM or any
 * later operation (only an overlay's `attachable` is: refused), so the result is what creating it with
 * them gives. False, with nothing changed, for a predefined, overlay or multi-host network or a name
 * the host does not have.
 */
export function relabelNetwork(core: EngineCore, hostName: string, name: string, labels: Record<string, string>, attachable: boolean): boolean {
  const { host, int } = hostOf(core, hostName);
  const net = int.networksByName.get(name);
  if (!net || net.predefined || net.scope !== 'local' || net.driver === 'overlay' || net.overlay || host.networks.get(net.id) !== net) return false;
  const writable = net as { labels: Record<string, string>; attachable: boolean };
  writable.labels = { ...labels };
  writable.attachable = attachable;
  host.revision++;
  return true;
}

/**
 * 25.0+ api/types/network/ipam.go ValidateIPAM: every entry checked (subnet, ip-range, gateway, aux
 * addresses, in that order), every error kept; one is told alone, several as a `* ` list (multierror.Join).
 */
function validateIpam25(config: readonly IpamPoolConfig[]): void {
  const errors: { text: string; hint: ErrorHint }[] = [];
  const address = (text: string, subnet: IpNet): string | undefined => {
    const ip = parseIp(text);
    if (!ip || ip.family !== subnet.family) return 'invalid address';
    return netContains(subnet, ip) ? undefined : msg.v25AddressOutside(formatNet(subnet));
  };
  config.forEach((c, index) => {
    const subnet = parseCidr(c.subnet ?? '');
    if (!subnet) {
      errors.push({ text: msg.v25BadCidr(c.subnet ?? ''), hint: { field: 'subnet', index } });
      return;
    }
    const canonical = formatNet(subnet);
    if (subnet.ip !== subnet.base) errors.push({ text: msg.v25InvalidSubnet(c.subnet!, canonical), hint: { field: 'subnet', index } });
    if (c.ipRange) {
      const r = parseCidr(c.ipRange);
      if (r && (r.family !== subnet.family || r.base < subnet.base || netLast(r) > netLast(subnet))) {
        errors.push({ text: msg.v25InvalidRange(c.ipRange, canonical), hint: { field: 'ip_range', index } });
      }
    }
    const gw = c.gateway ? address(c.gateway, subnet) : undefined;
    if (gw) errors.push({ text: msg.v25InvalidAddress('gateway', c.gateway!, gw), hint: { field: 'gateway', index } });
    for (const [key, text] of Object.entries(c.auxAddresses ?? {})) {
      const why = address(text, subnet);
      if (why) errors.push({ text: msg.v25InvalidAddress('auxiliary address', key, why), hint: { field: 'aux_addresses', index, key } });
    }
  });
  if (errors.length === 0) return;
  throw new DockerError(msg.v25InvalidConfig(errors.map((e) => e.text)), BAD_REQUEST, errors[0]!.hint);
}
