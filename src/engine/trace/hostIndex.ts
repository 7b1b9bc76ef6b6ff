// What the tracer looks up on every packet, computed once per host state: which address belongs to
// whom (host interfaces, endpoints per bridge), the compiled rules, the host's routes, the published
// ports (docker-proxy listeners) and each sandbox's addresses, routes and containers. The host's own
// interfaces and routes are read at once; the rest (the rules above all: thousands on a big host) when a
// trace first needs it, so one trace costs what its path touches.
import type {
  BridgeDevice, ContainerState, EndpointState, ExposedPort, HostObserved, HostState, InterfaceAddress, NetworkState, ObservedRoute, PolicyRule, PortBindingState, SandboxInterface, SandboxState,
} from '../model';
import { compileRules, type CompiledRules } from '../netfilter/evaluate';
import type { RuleLookup } from '../netfilter/contributed';
import { hostRules } from '../netfilter/derive';
import type { RuleSet } from '../netfilter/types';
import type { ListeningLookup } from './types';

/** IPv4 as an unsigned 32-bit number. */
export type V4 = number;

export function v4(addr: { family: number; value: bigint } | null | undefined): V4 | null {
  return addr && addr.family === 4 ? Number(addr.value) >>> 0 : null;
}

export function formatV4(a: V4): string {
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}`;
}

export function parseV4(text: string): V4 | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (!m) return null;
  const parts = [m[1], m[2], m[3], m[4]].map(Number);
  if (parts.some((p) => p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

export const isLoopback = (a: V4): boolean => a >>> 24 === 127;

export interface Route4 {
  readonly base: V4;
  readonly mask: V4;
  readonly prefix: number;
  readonly gateway: V4 | null;
  readonly dev: string;
  readonly src: V4 | null;
  readonly text: string;
  /** A blackhole / unreachable / prohibit route read from a live host: matching packets are not sent. */
  readonly reject?: boolean;
  /** The route's metric (read from a live host): the lower one wins between equal prefixes. */
  readonly metric?: number;
  /** A table other than main that a policy routing rule sent the lookup to (live hosts). */
  readonly table?: string;
  /** That rule, as `ip rule` prints it. */
  readonly byRule?: string;
}

export function maskOf(prefix: number): V4 {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

export function lookupRoute(routes: readonly Route4[], dst: V4): Route4 | null {
  let best: Route4 | null = null;
  for (const r of routes) {
    if (((dst & r.mask) >>> 0) !== r.base) continue;
    if (!best || r.prefix > best.prefix || (r.prefix === best.prefix && (r.metric ?? 0) < (best.metric ?? 0))) best = r;
  }
  return best;
}

export interface Listener {
  readonly port: number;
  readonly proto: string;
  readonly container: ContainerState;
  /** The address the socket is bound to; absent: every address. */
  readonly bind?: string;
}

export interface SandboxView {
  readonly sb: SandboxState;
  /** The containers living in it: its owner, then those that joined it (container: mode). */
  readonly containers: ContainerState[];
  /** How hops name it: "web", or "web (shared with side)". */
  readonly label: string;
  readonly localV4: Set<V4>;
  readonly routes: Route4[];
  readonly ifaces: Map<string, SandboxInterface>;
  /** Live hosts: the routes were read from the namespace (true), or why they could not be (modelled). */
  readonly routesRead?: true | string;
}

export interface ProxyBinding {
  readonly binding: PortBindingState;
  readonly container: ContainerState;
  readonly endpoint: EndpointState;
  readonly hostIp: V4;
}

export interface HostIndex {
  readonly host: HostState;
  readonly ruleSet: RuleSet;
  readonly rules: CompiledRules;
  /** The host's own addresses (underlay and bridges; 127/8 is local too). */
  readonly localV4: Map<V4, string>;
  readonly routes: Route4[];
  readonly bridges: Map<string, BridgeDevice>;
  readonly bridgeNetwork: Map<string, NetworkState>;
  /** Per bridge: the joined endpoints by IPv4. */
  readonly bridgeEndpoints: Map<string, Map<V4, EndpointState>>;
  /** Every joined endpoint by IPv4 (bridge subnets never overlap on one host). */
  readonly endpointsByV4: Map<V4, EndpointState>;
  readonly containersByName: Map<string, ContainerState>;
  readonly containersById: Map<string, ContainerState>;
  /** docker-proxy (or placeholder) listeners: "tcp/8080" -> bindings. */
  readonly proxies: Map<string, ProxyBinding[]>;
  /** Configured static IPv4 addresses of containers that are not running. */
  readonly stoppedStatic: Map<V4, ContainerState>;
  /** Underlay interfaces with their on-link networks. */
  readonly underlay: { name: string; addr: V4; route: Route4 }[];
  /** The default route the file gives the host (`gateway:`); null: the host's default route is unknown. */
  readonly uplink: { dev: string; addr: V4; gateway: V4; route: Route4 } | null;
  sandbox(id: string): SandboxView | null;
  listeners(containers: readonly ContainerState[]): Listener[];
  hostListeners(): Listener[];
  /** The first of these containers whose sockets could not be read (a live host), with why. */
  unknownListening(containers: readonly ContainerState[]): { container: ContainerState; why: string } | null;
  /** A live host: fixes name commands, not file keys. */
  readonly live: boolean;
  /** Live hosts: the host's routes were read (true), or why they could not be (the modelled ones stand). */
  readonly routesRead?: true | string;
  /** Policy routing rules ahead of main (ip rule), in priority order, each with its table's routes when read. */
  readonly policy: readonly { readonly rule: PolicyRule; readonly routes: Route4[] | null }[];
}

export function buildHostIndex(host: HostState, listening: ListeningLookup | undefined, drivers?: RuleLookup): HostIndex {
  const localV4 = new Map<V4, string>();
  const routes: Route4[] = [];
  const underlay: HostIndex['underlay'] = [];
  for (const i of ownInterfaces(host)) {
    for (const a of i.ipv4) {
      const addr = v4(a.addr);
      if (addr === null) continue;
      if (i.kind !== 'loopback') localV4.set(addr, i.name);
      if (i.kind === 'loopback') continue;
      const prefix = a.prefixLength;
      const mask = maskOf(prefix);
      const route = { base: (addr & mask) >>> 0, mask, prefix, gateway: null, dev: i.name, src: addr, text: `${formatV4((addr & mask) >>> 0)}/${prefix} dev ${i.name} src ${a.address}` };
      routes.push(route);
      if (i.kind === 'physical') underlay.push({ name: i.name, addr, route });
    }
  }
  // Routes drivers added (a flannel lease of another host: via its VXLAN device or its underlay address).
  for (const r of host.extraRoutes) {
    if (r.family !== 4) continue;
    const base = Number(r.dest.base) >>> 0;
    const gw = r.gateway ? parseV4(r.gateway) : null;
    const dev = routes.find((x) => x.dev === r.dev);
    routes.push({
      base, mask: maskOf(r.dest.prefix), prefix: r.dest.prefix, gateway: gw, dev: r.dev, src: dev?.src ?? null,
      text: routeText(r, host),
    });
  }
  // The default route (`gateway:`), after every on-link route: the longest prefix still wins.
  let uplink: HostIndex['uplink'] = null;
  const gw = host.uplink ? parseV4(host.uplink.gateway) : null;
  const upAddr = host.uplink ? parseV4(host.uplink.address) : null;
  const seen = host.observed?.routes;
  const policy_ = host.observed?.policyRules;
  const policy: { rule: PolicyRule; routes: Route4[] | null }[] = [];
  if (seen) {
    // A live host's real table replaces what its interfaces imply: a route added or deleted by hand counts.
    const addrOf = new Map(routes.map((r) => [r.dev, r.src] as const));
    routes.length = 0;
    // Policy routing (ip rule) may send a packet to another table first: the engine follows the main
    // table only, so a route read from it says so when other rules exist or could not be read.
    const where = `${host.name}'s routing table${
      policy_ && policy_.length > 0
        ? ` (its main table: no policy routing rule of it sends this packet elsewhere: ${policy_.map((r) => r.text).join('; ')})`
        : host.observed?.policyRulesUnread
          ? ` (its main table; whether a policy routing rule sends the packet to another table is unknown: ${host.observed.policyRulesUnread})`
          : ''
    }`;
    for (const r of seen) {
      const route = observedRoute(r, addrOf.get(r.dev) ?? null, where);
      if (!route) continue;
      routes.push(route);
      if (route.prefix === 0 && route.gateway !== null && route.src !== null && !route.reject && !uplink) uplink = { dev: route.dev, addr: route.src, gateway: route.gateway, route };
    }
    for (const rule of [...(policy_ ?? [])].sort((a, b) => a.priority - b.priority)) {
      if (rule.priority >= 32766 || ['main', 'local', '254', '255'].includes(rule.table)) continue;
      const table = rule.routes
        ? rule.routes.flatMap((r) => {
            const route = observedRoute(r, addrOf.get(r.dev) ?? null, `${host.name}'s table ${rule.table} (ip rule "${rule.text}")`);
            return route ? [{ ...route, table: rule.table, byRule: rule.text }] : [];
          })
        : null;
      policy.push({ rule, routes: table });
    }
  } else if (host.uplink && gw !== null && upAddr !== null) {
    const route: Route4 = { base: 0, mask: 0, prefix: 0, gateway: gw, dev: host.uplink.dev, src: upAddr, text: `default via ${host.uplink.gateway} dev ${host.uplink.dev} src ${host.uplink.address}` };
    routes.push(route);
    uplink = { dev: host.uplink.dev, addr: upAddr, gateway: gw, route };
  }
  // Built on first use, each group at once (they come from the same loop over the host's state).
  let ruleSet: RuleSet | undefined;
  let rules: CompiledRules | undefined;
  let endpoints: ReturnType<typeof endpointMaps> | undefined;
  let containers: ReturnType<typeof containerMaps> | undefined;
  let proxies: Map<string, ProxyBinding[]> | undefined;
  const views = new Map<string, SandboxView | null>();
  let hostModeListeners: Listener[] | null = null;
  const listenOf = (c: ContainerState): readonly ExposedPort[] => listening?.(host.name, c.name) ?? c.listening;

  const index: HostIndex = {
    host, localV4, routes, bridges: host.bridges, underlay, uplink, policy,
    get ruleSet() {
      return (ruleSet ??= hostRules(host, drivers));
    },
    get rules() {
      return (rules ??= compileRules(index.ruleSet));
    },
    get bridgeNetwork() {
      return (endpoints ??= endpointMaps(host)).bridgeNetwork;
    },
    get bridgeEndpoints() {
      return (endpoints ??= endpointMaps(host)).bridgeEndpoints;
    },
    get endpointsByV4() {
      return (endpoints ??= endpointMaps(host)).endpointsByV4;
    },
    get containersByName() {
      return (containers ??= containerMaps(host)).containersByName;
    },
    // The engine keeps a host's containers by id already.
    containersById: host.containers,
    get stoppedStatic() {
      return (containers ??= containerMaps(host)).stoppedStatic;
    },
    get proxies() {
      return (proxies ??= proxyBindings(host));
    },
    sandbox(id) {
      if (views.has(id)) return views.get(id)!;
      const sb = host.sandboxes.get(id);
      const view = sb ? sandboxView(sb, host.containers, host.observed?.sandboxRoutes) : null;
      views.set(id, view);
      return view;
    },
    listeners(containers) {
      const out: Listener[] = [];
      for (const c of containers) {
        if (c.status !== 'running') continue;
        for (const p of listenOf(c)) out.push({ port: p.port, proto: p.proto, container: c, ...(p.bind !== undefined ? { bind: p.bind } : {}) });
      }
      return out;
    },
    unknownListening(containers) {
      if (!listening?.unknown) return null;
      for (const c of containers) {
        const why = c.status === 'running' ? listening.unknown(host.name, c.name) : undefined;
        if (why !== undefined) return { container: c, why };
      }
      return null;
    },
    live: listening?.live === true || host.observed !== undefined,
    ...(host.observed ? { routesRead: seen ? (true as const) : host.observed.routesUnread ?? "the host's routing table was not read" } : {}),
    hostListeners() {
      hostModeListeners ??= index.listeners([...host.containers.values()].filter((c) => c.modeKind === 'host' && c.status === 'running'));
      return hostModeListeners;
    },
  };
  return index;
}

/** Endpoints by IPv4 address, all of them and per bridge (bridge subnets never overlap on one host). */
function endpointMaps(host: HostState): Pick<HostIndex, 'bridgeNetwork' | 'bridgeEndpoints' | 'endpointsByV4'> {
  const bridgeNetwork = new Map<string, NetworkState>();
  const bridgeEndpoints = new Map<string, Map<V4, EndpointState>>();
  const endpointsByV4 = new Map<V4, EndpointState>();
  for (const n of host.networks.values()) {
    const eps = new Map<V4, EndpointState>();
    for (const ep of n.endpoints.values()) {
      const a = v4(ep.ipv4?.addr);
      if (a === null || !ep.sandboxId) continue;
      eps.set(a, ep);
      endpointsByV4.set(a, ep);
    }
    if (!n.bridge) continue;
    bridgeNetwork.set(n.bridge.name, n);
    bridgeEndpoints.set(n.bridge.name, eps);
  }
  return { bridgeNetwork, bridgeEndpoints, endpointsByV4 };
}

/** Containers by name, and the configured static addresses of those not running. */
function containerMaps(host: HostState): Pick<HostIndex, 'containersByName' | 'stoppedStatic'> {
  const containersByName = new Map<string, ContainerState>();
  const stoppedStatic = new Map<V4, ContainerState>();
  for (const c of host.containers.values()) {
    containersByName.set(c.name, c);
    if (c.status !== 'running') {
      for (const cn of c.networks) {
        const a = cn.config.ipv4Address ? parseV4(cn.config.ipv4Address) : null;
        if (a !== null) stoppedStatic.set(a, c);
      }
    }
  }
  return { containersByName, stoppedStatic };
}

/** docker-proxy (or placeholder) listeners of the published IPv4 ports: "tcp/8080" -> bindings. */
function proxyBindings(host: HostState): Map<string, ProxyBinding[]> {
  const proxies = new Map<string, ProxyBinding[]>();
  for (const n of host.networks.values()) {
    for (const ep of n.endpoints.values()) {
      if (ep.portBindings.length === 0) continue;
      const container = host.containers.get(ep.containerId);
      if (!container) continue;
      for (const b of ep.portBindings) {
        const hostIp = parseV4(b.hostIp);
        if (hostIp === null || !parseV4(b.containerIp)) continue;
        const key = `${b.proto}/${b.hostPort}`;
        const list = proxies.get(key) ?? [];
        list.push({ binding: b, container, endpoint: ep, hostIp });
        proxies.set(key, list);
      }
    }
  }
  return proxies;
}

/** A driver's route as `ip route` prints it: a /32 without its length, `proto bird`, `onlink` through a tunnel. */
function routeText(r: HostState['extraRoutes'][number], host: HostState): string {
  const dest = r.dest.prefix === 32 ? r.destination.replace(/\/32$/, '') : r.destination;
  const kind = host.links.get(r.dev)?.kind;
  const onlink = r.gateway && (kind === 'vxlan' || kind === 'ipip') ? ' onlink' : '';
  return `${dest}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.proto ? ` proto ${r.proto}` : ''}${r.scope === 'link' ? ' scope link' : ''}${onlink}`;
}

/** The host's addressed interfaces: underlay (and lo), bridges, and driver links that carry an address. */
function ownInterfaces(host: HostState): { name: string; kind: string; ipv4: InterfaceAddress[] }[] {
  const out: { name: string; kind: string; ipv4: InterfaceAddress[] }[] = host.underlay.map((u) => ({ name: u.name, kind: u.kind, ipv4: u.ipv4 }));
  for (const b of host.bridges.values()) {
    if (!host.underlay.some((u) => u.name === b.name)) out.push({ name: b.name, kind: 'bridge', ipv4: b.ipv4 ? [b.ipv4] : [] });
  }
  for (const l of host.links?.values() ?? []) if (l.ipv4) out.push({ name: l.name, kind: l.kind, ipv4: [l.ipv4] });
  return out;
}

/** A route read from a live kernel, as the tracer looks it up; its text as `ip route` prints it, and where it was read. */
function observedRoute(r: ObservedRoute, src: V4 | null, where: string): Route4 | null {
  const base = parseV4(r.destination);
  if (base === null || !(r.prefix >= 0 && r.prefix <= 32)) return null;
  const gateway = r.gateway ? parseV4(r.gateway) : null;
  const dest = r.prefix === 0 ? 'default' : r.prefix === 32 ? r.destination : `${r.destination}/${r.prefix}`;
  const line = r.reject ? `unreachable ${dest} (a blackhole, unreachable or prohibit route)` : `${dest}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.metric ? ` metric ${r.metric}` : ''}`;
  return { base: (base & maskOf(r.prefix)) >>> 0, mask: maskOf(r.prefix), prefix: r.prefix, gateway, dev: r.reject ? '' : r.dev, src, text: `${line}, read from ${where}`, ...(r.reject ? { reject: true } : {}), ...(r.metric ? { metric: r.metric } : {}) };
}

function sandboxView(sb: SandboxState, containersById: Map<string, ContainerState>, seen?: HostObserved['sandboxRoutes']): SandboxView {
  const owner = containersById.get(sb.containerId);
  const containers: ContainerState[] = [];
  if (owner && owner.sandboxId === sb.id) containers.push(owner);
  for (const id of sb.sharedBy) {
    const c = containersById.get(id);
    if (c && c.status === 'running') containers.push(c);
  }
  const names = containers.map((c) => c.name);
  const label = names.length === 0 ? `sandbox ${sb.id.slice(0, 12)}` : names.length === 1 ? names[0]! : `${names[0]} (shared with ${names.slice(1).join(', ')})`;
  const localV4 = new Set<V4>();
  const ifaces = new Map<string, SandboxInterface>();
  for (const i of sb.interfaces) {
    ifaces.set(i.name, i);
    const a = v4(i.ipv4?.addr);
    if (a !== null && i.name !== 'lo') localV4.add(a);
  }
  const routes: Route4[] = [];
  for (const r of sb.routes) {
    if (r.family !== 4) continue;
    const base = Number(r.dest.base) >>> 0;
    const gw = r.gateway ? parseV4(r.gateway) : null;
    const src = r.src ? parseV4(r.src) : v4(ifaces.get(r.dev)?.ipv4?.addr);
    const text = r.destination === 'default' ? `default ${r.gateway ? `via ${r.gateway} ` : ''}dev ${r.dev}` : `${r.destination} dev ${r.dev} scope link${r.src ? ` src ${r.src}` : ''}`;
    routes.push({ base, mask: maskOf(r.dest.prefix), prefix: r.dest.prefix, gateway: gw, dev: r.dev, src, text });
  }
  // A live container's own table as read (by its owner's name): what it really routes by.
  const read = owner ? seen?.[owner.name] : undefined;
  if (read && !('unread' in read)) {
    routes.length = 0;
    for (const r of read) {
      const route = observedRoute(r, v4(ifaces.get(r.dev)?.ipv4?.addr), `${label}'s namespace`);
      if (route) routes.push(route);
    }
    return { sb, containers, label, localV4, routes, ifaces, routesRead: true };
  }
  if (read) return { sb, containers, label, localV4, routes, ifaces, routesRead: read.unread };
  return { sb, containers, label, localV4, routes, ifaces };
}
