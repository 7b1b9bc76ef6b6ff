// A network on one host: IPAM pools and gateways allocated (all or nothing), the driver's network made,
// and dropped again; a global-scope (multi-host plug-in) network's views on every host.
import { BAD_REQUEST, CONFLICT, DockerError, type ErrorHint, FORBIDDEN, INTERNAL, msg, NOT_FOUND } from '../errors';
import type { IpamPoolConfig } from '../requests';
import type { HostState, IpamAssignment, NetworkState } from '../model';
import { formatNet, type IpAddr, type IpNet, netContains, netLast, parseCidr, parseIp } from '../ip';
import type { IpamDriver } from '../ipam/types';
import { type EngineCore, type HostInternals, hostNames, hostOf, type NetworkSpec } from './core';

/** libnetwork controller.NewNetwork: name, driver, IPAM allocation, then the driver's CreateNetwork. */
export function createNetworkOn(core: EngineCore, host: HostState, int: HostInternals, spec: NetworkSpec): NetworkState {
  if (spec.name.trim() === '') throw new DockerError(msg.invalidName(spec.name), BAD_REQUEST, { field: 'name' });
  const driver = core.drivers.driver(spec.driver);
  if (!driver) throw new DockerError(msg.pluginNotFound(spec.driver), NOT_FOUND, { field: 'driver' });
  const id = spec.id ?? int.ids.next('network', spec.name);
  let ipam: IpamDriver | null = null;
  const ipv4: IpamAssignment[] = [], ipv6: IpamAssignment[] = [];
  try {
    if (!driver.special && !spec.addressesUnknown) {
      ipam = ipamDriver(core, host, spec.ipamDriver);
      const space = driver.scope === 'local' ? ipam.defaultAddressSpaces().local : ipam.defaultAddressSpaces().global;
      ipamAllocate(int, ipam, space, driver.scope === 'local', spec, 4, ipv4);
      if (spec.enableIpv6) ipamAllocate(int, ipam, space, driver.scope === 'local', spec, 6, ipv6);
    }
    const created = driver.createNetwork(int.ctx, { id, name: spec.name, options: spec.options, internal: spec.internal, enableIpv6: spec.enableIpv6, ipv4, ipv6, ipamDriver: spec.ipamDriver, attachable: spec.attachable, ingress: spec.ingress, ...(spec.addressesUnknown ? { addressesUnknown: true } : {}) });
    const net: NetworkState = {
      id, name: spec.name, host: host.name, driver: spec.driver, scope: driver.scope, seq: ++int.seq,
      internal: spec.internal, attachable: spec.attachable, ingress: spec.ingress, enableIpv6: spec.enableIpv6,
      options: spec.options, labels: spec.labels, ipamDriver: spec.ipamDriver, ipamOptions: spec.ipamOptions,
      ipamConfig: { v4: spec.v4, v6: spec.v6 },
      ipv4, ipv6, predefined: spec.predefined, bridge: created.bridge ?? null,
      ...(created.parentLink ? { parentLink: created.parentLink } : {}),
      ...(created.overlay ? { overlay: created.overlay } : {}),
      endpoints: new Map(), dnsRecords: spec.dnsRecords ?? new Map(),
      driverData: { ...(created.driverData ?? {}), deferIpv6Alloc: spec.deferIpv6Alloc },
      ...(spec.addressesUnknown ? { addressesUnknown: true } : {}),
    };
    host.networks.set(id, net);
    int.networksByName.set(spec.name, net);
    return net;
  } catch (e) {
    if (ipam) releaseIpam(ipam, ipv4.concat(ipv6));
    throw e;
  }
}

export function ipamDriver(core: EngineCore, host: HostState, name: string): IpamDriver {
  let d = host.ipam.get(name);
  if (!d) {
    const factory = core.drivers.ipamFactory(name);
    if (!factory) throw new DockerError(msg.pluginNotFound(name), NOT_FOUND, { field: 'driver' });
    d = factory(host);
    host.ipam.set(name, d);
  }
  return d;
}

/** network.ipamAllocateVersion: pools, gateways and aux addresses of one family (all or nothing). */
function ipamAllocate(int: HostInternals, ipam: IpamDriver, space: string, local: boolean, spec: NetworkSpec, v: 4 | 6, out: IpamAssignment[]): void {
  const configs: (IpamPoolConfig | null)[] = (v === 4 ? spec.v4 : spec.v6).length > 0 ? (v === 4 ? spec.v4 : spec.v6) : [null];
  const indexes = v === 4 ? spec.v4Index : spec.v6Index;
  configs.forEach((cfg, i) => {
    const index = indexes[i] ?? 0;
    const gwText = cfg?.gateway ?? '';
    const gwAddr = gwText === '' ? null : parseIp(gwText);
    if (gwText !== '' && !gwAddr) throw new DockerError(msg.invalidGatewayAddress(gwText), BAD_REQUEST, { field: 'gateway', index });
    const { poolId, pool } = requestPoolHelper(int, ipam, space, local, cfg?.subnet ?? '', cfg?.ipRange ?? '', spec.ipamOptions, v === 6, index);
    const a: { poolId: string; subnet: IpNet; gateway: IpAddr | null; ipRange: IpNet | null; auxAddresses: Record<string, IpAddr>; config: IpamPoolConfig | null } = {
      poolId, subnet: pool, gateway: null, ipRange: cfg?.ipRange ? parseCidr(cfg.ipRange) : null, auxAddresses: {}, config: cfg,
    };
    out.push(a);
    try {
      a.gateway = ipam.requestAddress(poolId, gwAddr, { gateway: true });
    } catch (e) {
      if (e instanceof DockerError) throw new DockerError(msg.failedAllocateGateway(gwText, e.message), INTERNAL, { field: 'gateway', index });
      throw e;
    }
    for (const [k, text] of Object.entries(cfg?.auxAddresses ?? {})) {
      const hint: ErrorHint = { field: 'aux_addresses', index, key: k };
      const ip = parseIp(text);
      if (!ip) throw new DockerError(msg.auxNotParsable(k, text, spec.name), BAD_REQUEST, hint);
      if (!netContains(pool, ip)) throw new DockerError(msg.auxOutsidePool(k, text, formatNet(pool)), FORBIDDEN, hint);
      try {
        a.auxAddresses[k] = ipam.requestAddress(poolId, ip);
      } catch (e) {
        if (e instanceof DockerError && e.message !== 'Requested address is out of range') {
          throw new DockerError(msg.auxAllocFailed(k, text, e.message), INTERNAL, hint);
        }
        if (!(e instanceof DockerError)) throw e;
      }
    }
  });
}

/**
 * requestPoolHelper: a pool picked from the defaults (local scope, 20.10 allocator) that overlaps a network
 * the host routes on-link is held and another is asked for; the held ones are released at the end.
 */
function requestPoolHelper(int: HostInternals, ipam: IpamDriver, space: string, local: boolean, pool: string, subPool: string, options: Record<string, string>, v6: boolean, index: number) {
  const held: string[] = [];
  const hint: ErrorHint = { field: v6 ? 'ipv6' : 'subnet', index };
  try {
    for (;;) {
      const got = ipam.requestPool({ addressSpace: space, pool, subPool, options, v6, avoid: int.onLink });
      if (!local || pool !== '' || !int.onLink.some((n) => overlapsNet(n, got.pool))) return got;
      held.push(got.poolId);
    }
  } catch (e) {
    if (e instanceof DockerError) {
      const field = e.message.includes('subpool') ? { field: 'ip_range' as const, index } : hint;
      throw e.withHint(e.hint ?? field);
    }
    throw e;
  } finally {
    for (const id of held) ipam.releasePool(id);
  }
}

/** A global-scope driver's network: one view per host, in host order, with the same id and shared DNS records. */
export function createGlobalNetwork(core: EngineCore, host: HostState, int: HostInternals, spec: NetworkSpec): { id: string } {
  const id = int.ids.next('network', spec.name);
  const shared: NetworkSpec = { ...spec, id, dnsRecords: new Map() };
  const done: string[] = [];
  try {
    for (const name of hostNames(core)) {
      const h = hostOf(core, name);
      if (name !== host.name && h.int.networksByName.has(spec.name)) throw new DockerError(msg.networkExists(spec.name), CONFLICT, { field: 'name' });
      h.host.revision++;
      createNetworkOn(core, h.host, h.int, shared);
      done.push(name);
    }
  } catch (e) {
    for (const name of done) dropView(core, name, id);
    throw e;
  }
  return { id };
}

export function dropView(core: EngineCore, hostName: string, id: string): void {
  const { host, int } = hostOf(core, hostName);
  const view = host.networks.get(id);
  if (!view) return;
  host.revision++;
  core.drivers.driver(view.driver)!.deleteNetwork(int.ctx, view);
  releaseIpam(ipamDriver(core, host, view.ipamDriver), view.ipv4.concat(view.ipv6));
  host.networks.delete(id);
  if (int.networksByName.get(view.name) === view) int.networksByName.delete(view.name);
}

export function releaseIpam(ipam: IpamDriver, assignments: IpamAssignment[]): void {
  for (const a of assignments) {
    if (a.gateway) ipam.releaseAddress(a.poolId, a.gateway);
    for (const aux of Object.values(a.auxAddresses)) ipam.releaseAddress(a.poolId, aux);
    ipam.releasePool(a.poolId);
  }
}

export function overlapsNet(a: IpNet, b: IpNet): boolean {
  return a.family === b.family && a.base <= netLast(b) && b.base <= netLast(a);
}
