// A sandbox (a container's network namespace): its endpoints in libnetwork's sorted order, the interfaces
// the drivers moved in (named prefix + a per-sandbox counter that only grows), /etc/hosts, and the routing
// table, which follows from the interfaces and the gateway endpoint.
import { formatAddr, formatNet, makeNet, parseCidr } from './ip';
import type { EndpointState, HostsEntry, Route, SandboxInterface, SandboxState } from './model';
import type { VersionFeatures } from './version';

/** a < b in libnetwork's endpoint order. */
export type Less<T> = (a: T, b: T) => boolean;

/** The fixed head of every container's /etc/hosts (etchosts.go); a sandbox adds one line per joined network. */
export const DEFAULT_HOSTS_ENTRIES: readonly HostsEntry[] = [
  { ip: '127.0.0.1', names: ['localhost'] },
  { ip: '::1', names: ['localhost', 'ip6-localhost', 'ip6-loopback'] },
  { ip: 'fe00::0', names: ['ip6-localnet'] },
  { ip: 'ff00::0', names: ['ip6-mcastprefix'] },
  { ip: 'ff02::1', names: ['ip6-allnodes'] },
  { ip: 'ff02::2', names: ['ip6-allrouters'] },
];

const LOOPBACK: SandboxInterface = {
  name: 'lo',
  endpointId: null,
  mac: null,
  ipv4: { address: '127.0.0.1', prefixLength: 8, addr: { family: 4, value: 0x7f000001n }, network: parseCidr('127.0.0.0/8')! },
  ipv6: { address: '::1', prefixLength: 128, addr: { family: 6, value: 1n }, network: parseCidr('::1/128')! },
  mtu: 65536,
  hostPeer: null,
};

/** libnetwork's default-gateway network for sandboxes whose networks give no gateway (overlay). */
export const GW_BRIDGE_NETWORK = 'docker_gwbridge';

export function newSandbox(id: string, containerId: string, key: string, hostNetwork: boolean): SandboxState {
  return new Sandbox(id, containerId, key, hostNetwork);
}

/**
 * A sandbox whose routing table is made when first read after a change (rebuildRoutes marks it), not at
 * every join: `cnm validate` of 10,000 containers never reads one. Read, it is exactly what rebuildRoutes
 * made at the last change (standardRoutes of the same endpoints and interfaces); pipework's own routes are
 * pushed onto the array read, as before, until the next change makes it again.
 */
class Sandbox implements SandboxState {
  endpoints: EndpointState[] = [];
  interfaces: SandboxInterface[];
  readonly ifaceCounters: Record<string, number> = {};
  gatewayEndpointId: string | null = null;
  resolverStarted = false;
  resolvConf: SandboxState['resolvConf'];
  hostsEntries: HostsEntry[] = [];
  readonly sharedBy = new Set<string>();
  /** null: to be made from the endpoints and interfaces at the next read. */
  #made: Route[] | null = [];

  constructor(
    readonly id: string,
    readonly containerId: string,
    readonly key: string,
    readonly hostNetwork: boolean,
  ) {
    this.interfaces = hostNetwork ? [] : [LOOPBACK];
    this.resolvConf = hostNetwork ? 'host-copy' : 'host-filtered';
  }

  get routes(): Route[] {
    return (this.#made ??= standardRoutes(this));
  }

  routesChanged(): void {
    this.#made = null;
  }
}

/** libnetwork epHeap.Less: gw-priority (28+), not-internal first, dual-stack gateways first, then network name. */
export function endpointLess(features: VersionFeatures): Less<EndpointState> {
  let less = lessByFeatures.get(features);
  if (!less) lessByFeatures.set(features, (less = makeEndpointLess(features)));
  return less;
}

/** One comparator per daemon's feature set (every join asks for it). */
const lessByFeatures = new WeakMap<VersionFeatures, Less<EndpointState>>();

function makeEndpointLess(features: VersionFeatures): Less<EndpointState> {
  return (a, b) => {
    if (features.gwPriority && a.gwPriority !== b.gwPriority) return a.gwPriority > b.gwPriority;
    // endpointInGWNetwork: docker_gwbridge sorts last.
    if (a.networkName === GW_BRIDGE_NETWORK) return false;
    if (b.networkName === GW_BRIDGE_NETWORK) return true;
    if (a.networkInternal) return false;
    if (b.networkInternal) return true;
    const aBoth = a.gateway !== null && a.gateway6 !== null;
    const bBoth = b.gateway !== null && b.gateway6 !== null;
    if (aBoth && !bBoth) return true;
    if (bBoth && !aBoth) return false;
    return a.networkName < b.networkName;
  };
}

/**
 * sandbox.addEndpoint (libnetwork as vendored by 20.10): a sorted insert — sort.Search for the first
 * endpoint the new one is Less than — so the list stays fully sorted. Name look-ups walk it in this
 * order (the differential suite saw dockerd answer from the name-sorted network, not heap order).
 */
export function addSandboxEndpoint(sb: SandboxState, ep: EndpointState, less: Less<EndpointState>): void {
  const eps = sb.endpoints;
  let lo = 0;
  let hi = eps.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (less(ep, eps[mid]!)) hi = mid;
    else lo = mid + 1;
  }
  (sb as { endpoints: EndpointState[] }).endpoints = inserted(eps, lo, ep);
}

/**
 * A copy of `list` with `item` at `index`, exactly as long as it needs to be: an array grown by push
 * keeps room for 16 more, and a sandbox's few short lists, times 10,000 containers, are megabytes the
 * garbage collector copies at every scavenge.
 */
export function inserted<T>(list: readonly T[], index: number, item: T): T[] {
  if (index >= list.length) return list.concat([item]);
  return list.slice(0, index).concat([item], list.slice(index));
}

/** sandbox.removeEndpointRaw: a plain removal; the rest keep their order. */
export function removeSandboxEndpoint(sb: SandboxState, ep: EndpointState): void {
  const i = sb.endpoints.indexOf(ep);
  if (i >= 0) (sb.endpoints as EndpointState[]).splice(i, 1);
}

/** getGatewayEndpoint: the first endpoint, in sandbox order, that has a gateway (host/null skipped). */
export function gatewayEndpoint(sb: SandboxState): EndpointState | null {
  for (const ep of sb.endpoints) {
    if (ep.networkDriver === 'host' || ep.networkDriver === 'null') continue;
    if (ep.gateway || ep.gateway6) return ep;
  }
  return null;
}

/** Moves the endpoint's interface into the sandbox: <prefix><n>, n from the sandbox's own counter. */
export function addSandboxInterface(sb: SandboxState, ep: EndpointState, prefix: string, mtu: number): string {
  const n = sb.ifaceCounters[prefix] ?? 0;
  sb.ifaceCounters[prefix] = n + 1;
  const name = `${prefix}${n}`;
  (sb as { interfaces: SandboxInterface[] }).interfaces = inserted(sb.interfaces, sb.interfaces.length, { name, endpointId: ep.id, mac: ep.mac, ipv4: ep.ipv4, ipv6: ep.ipv6, mtu, hostPeer: ep.hostIfname });
  return name;
}

export function removeSandboxInterface(sb: SandboxState, ep: EndpointState): void {
  const i = sb.interfaces.findIndex((x) => x.endpointId === ep.id);
  if (i >= 0) sb.interfaces.splice(i, 1);
}

const DEFAULT_V4 = makeNet(4, 0n, 0);
const DEFAULT_V6 = makeNet(6, 0n, 0);

/** The sandbox's main routing table: on-link routes of each interface, then the default route(s). */
export function rebuildRoutes(sb: SandboxState): void {
  if (sb instanceof Sandbox) return sb.routesChanged();
  const routes = standardRoutes(sb);
  const out = sb.routes as Route[];
  out.length = 0;
  for (const r of routes) out.push(r);
}

/** The routes Docker gives a sandbox from its endpoints and interfaces (what rebuildRoutes installs; pipework adds its own). */
export function standardRoutes(sb: SandboxState): Route[] {
  const routes: Route[] = [];
  // `ip route` lists the default route first, then the on-link routes.
  const gw = sb.endpoints.find((e) => e.id === sb.gatewayEndpointId);
  if (gw && gw.ifname) {
    if (gw.gateway) routes.push({ family: 4, destination: 'default', dest: DEFAULT_V4, gateway: formatAddr(gw.gateway), dev: gw.ifname, scope: 'global', src: null });
    if (gw.gateway6) routes.push({ family: 6, destination: 'default', dest: DEFAULT_V6, gateway: formatAddr(gw.gateway6), dev: gw.ifname, scope: 'global', src: null });
  }
  // Driver static routes (ipvlan l3: "default dev eth0"), when no gateway route covers them.
  for (const ep of sb.endpoints) {
    for (const r of ep.staticRoutes ?? []) {
      if (!ep.ifname) continue;
      if (r.destination === 'default' && routes.some((x) => x.family === r.family && x.destination === 'default')) continue;
      const dest = r.destination === 'default' ? (r.family === 4 ? DEFAULT_V4 : DEFAULT_V6) : parseCidr(r.destination);
      if (!dest) continue;
      routes.push({ family: r.family, destination: r.destination, dest, gateway: null, dev: ep.ifname, scope: 'link', src: null });
    }
  }
  for (const i of sb.interfaces) {
    if (i.name === 'lo') continue;
    // A /32 address (calico-ipam's) adds no on-link route, as in the kernel.
    if (i.ipv4 && i.ipv4.prefixLength < 32) routes.push({ family: 4, destination: formatNet(i.ipv4.network), dest: i.ipv4.network, gateway: null, dev: i.name, scope: 'link', src: i.ipv4.address });
    if (i.ipv6) routes.push({ family: 6, destination: formatNet(i.ipv6.network), dest: i.ipv6.network, gateway: null, dev: i.name, scope: 'link', src: null });
  }
  return routes;
}
