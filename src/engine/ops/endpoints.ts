// An endpoint made and deleted: its addresses (IPAM or, on an overlay, the manager), the driver's endpoint,
// DNS names.
import { BAD_REQUEST, DockerError, INTERNAL, IpamError, msg } from '../errors';
import type { ContainerState, EndpointState, HostState, IpamAssignment, NetworkState } from '../model';
import { shortId } from '../ids';
import { addNetworkEndpoint, deleteNetworkEndpoint } from '../endpointNames';
import { formatAddr, type IpAddr, makeNet, netContains } from '../ip';
import type { IpamDriver } from '../ipam/types';
import type { NetworkDriver } from '../drivers/types';
import type { EngineCore, HostInternals } from './core';
import { ipamDriver } from './networkViews';

export function createEndpoint(
  core: EngineCore,
  host: HostState, int: HostInternals, driver: NetworkDriver, n: NetworkState, ctr: ContainerState, id: string,
  o: { staticV4: IpAddr | null; staticV6: IpAddr | null; mac: string | null; aliases: string[]; userDefined: boolean; gwPriority: number; clusterAssigned?: boolean; links?: string[] },
): EndpointState {
  let v4: { addr: IpAddr; a: IpamAssignment } | null = null;
  let v6: { addr: IpAddr; a: IpamAssignment } | null = null;
  const ipam = driver.special ? null : ipamDriver(core, host, n.ipamDriver);
  const postIpv6 = !!n.driverData.deferIpv6Alloc;
  try {
    if (ipam) {
      v4 = assignAddress(ipam, n, 4, o.staticV4);
      if (n.enableIpv6 && !postIpv6) v6 = assignAddress(ipam, n, 6, o.staticV6);
    }
    const created = driver.createEndpoint(int.ctx, n, { id, ipv4: v4?.addr ?? null, ipv6: v6?.addr ?? null, mac: o.mac });
    if (ipam && n.enableIpv6 && postIpv6) v6 = assignAddress(ipam, n, 6, o.staticV6 ?? created.ipv6 ?? null);
    const dnsNames: string[] = [];
    if (o.userDefined) {
      // Deduplicated, as Docker shows DNSNames (a Compose container's first alias is its own name).
      for (const n of [ctr.name, ...o.aliases]) if (!dnsNames.includes(n)) dnsNames.push(n);
      if (int.features.dnsNamesField) {
        const sid = shortId(ctr.id);
        if (!dnsNames.includes(sid)) dnsNames.push(sid);
        if (!dnsNames.includes(ctr.hostname)) dnsNames.push(ctr.hostname);
      }
    }
    const ep: EndpointState = {
      id, name: ctr.name, networkId: n.id, networkName: n.name, networkDriver: n.driver, networkInternal: n.internal,
      containerId: ctr.id, sandboxId: null,
      ipv4: v4 ? addressOf(ipam, v4) : null,
      ipv6: v6 ? { address: formatAddr(v6.addr), prefixLength: v6.a.subnet.prefix, addr: v6.addr, network: v6.a.subnet } : null,
      ipv4PoolId: v4?.a.poolId ?? null, ipv6PoolId: v6?.a.poolId ?? null,
      // On a network of unknown subnet the MAC is unknown too (20.10 derives it from the address).
      mac: n.addressesUnknown && !o.mac ? null : created.mac, ifname: null, hostIfname: created.hostIfname, gateway: null, gateway6: null,
      aliases: o.userDefined ? [...o.aliases] : [],
      // Copied to its length (see sandbox.ts inserted): most endpoints have one or two names.
      dnsNames: dnsNames.slice(),
      anonymous: !o.userDefined,
      disableResolution: !o.userDefined,
      staticIpv4: !!o.staticV4 && !o.clusterAssigned, staticIpv6: !!o.staticV6,
      portBindings: [],
      gwPriority: o.gwPriority,
      ...(n.addressesUnknown ? { addressUnknown: true } : {}),
    };
    // Links join the endpoint as aliases of another container's name (buildJoinOptions, opts.ParseLink);
    // the alias keeps its case: libnetwork looks it up in a plain map (a differently cased query misses it).
    if (o.userDefined && o.links?.length) {
      const links = new Map<string, string>();
      for (const l of o.links) {
        const [name, alias] = l.split(':');
        if (name && alias) links.set(alias.replace(/^\//, ''), name.replace(/^\//, '').toLowerCase());
      }
      (ep as { links?: ReadonlyMap<string, string> }).links = links;
    }
    addNetworkEndpoint(n, ep);
    return ep;
  } catch (e) {
    if (ipam) {
      if (v4) ipam.releaseAddress(v4.a.poolId, v4.addr);
      if (v6) ipam.releaseAddress(v6.a.poolId, v6.addr);
    }
    if (e instanceof DockerError && !e.hint) throw e.withHint({ field: o.staticV4 || o.staticV6 ? (o.staticV4 ? 'ipv4_address' : 'ipv6_address') : 'network' });
    throw e;
  }
}

export function deleteEndpoint(core: EngineCore, host: HostState, int: HostInternals, n: NetworkState, driver: NetworkDriver, ep: EndpointState): void {
  driver.deleteEndpoint(int.ctx, n, ep);
  // Overlay addresses are the manager's: give it back.
  if (n.scope === 'swarm' && ep.ipv4) core.swarm.releaseAddress(n.id, ep.ipv4.addr);
  if (!driver.special) {
    const ipam = ipamDriver(core, host, n.ipamDriver);
    if (ep.ipv4 && ep.ipv4PoolId) ipam.releaseAddress(ep.ipv4PoolId, ep.ipv4.addr);
    if (ep.ipv6 && ep.ipv6PoolId) ipam.releaseAddress(ep.ipv6PoolId, ep.ipv6.addr);
  }
  deleteNetworkEndpoint(n, ep.id);
}

/** endpoint.assignAddressVersion */
/** The endpoint's address with the pool's prefix, or the one its IPAM driver answers with (calico-ipam: /32). */
function addressOf(ipam: IpamDriver | null, v: { addr: IpAddr; a: IpamAssignment }): EndpointState['ipv4'] {
  const len = ipam?.addressPrefixLength?.(v.a.poolId);
  const network = len === undefined ? v.a.subnet : makeNet(v.addr.family, v.addr.value, len);
  return { address: formatAddr(v.addr), prefixLength: network.prefix, addr: v.addr, network };
}

function assignAddress(ipam: IpamDriver, n: NetworkState, v: 4 | 6, preferred: IpAddr | null): { addr: IpAddr; a: IpamAssignment } | null {
  const infos = v === 4 ? n.ipv4 : n.ipv6;
  if (infos.length === 0) return null;
  for (const a of infos) {
    if (preferred && !netContains(a.subnet, preferred)) continue;
    try {
      return { addr: ipam.requestAddress(a.poolId, preferred), a };
    } catch (e) {
      if (!(e instanceof IpamError) || e.message !== 'No available addresses on this pool' || preferred) throw e;
    }
  }
  if (preferred) throw new DockerError(msg.addressNotInSubnets(formatAddr(preferred)), BAD_REQUEST);
  throw new DockerError(msg.noAvailableAddresses(v, n.name, n.id), INTERNAL, { field: 'network' });
}
