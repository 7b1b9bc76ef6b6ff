// A live host as a topology spec, built in memory: what parsing the host's imported topology file
// would give (same objects, same YAML paths), without writing and reading text. The daemon's version
// and bridge flags, every user network with its real IPAM, every running container with its real
// addresses and MACs; stopped containers are left out (and named).
import type { ContainerNetworkSpec, ContainerSpec, HostSpec, NetworkSpec, TopologySpec } from '../topology';
import type { IpamPoolConfig } from '../engine';
import type { ContainerInfo, EndpointInfo, IpamPoolInfo, Snapshot } from '../docker';
import { containersByCreation, daemonConfigOf, labelFilter, exposeOf, networkModeName, observedListen, portSpecsOf, PREDEFINED_NETWORKS, userAliases, userNetworks } from './snapshotView';
import ipaddr from 'ipaddr.js';

export interface ImportOptions {
  /** The `name:` of the topology (default: none). */
  name?: string;
  /** Host key (default host1). */
  host?: string;
  /** Keep only networks/containers carrying this label (key=value or key). */
  label?: string;
  /**
   * Give each container the `listen` list its sockets really have (when read): the live host's own spec,
   * for traces. Not for import: a file says what a container should listen on, not what it did once.
   */
  observed?: boolean;
}

export interface SnapshotSpec {
  spec: TopologySpec;
  /** Containers that exist but do not run: not in the spec. */
  stopped: string[];
}

/** Docker's default, left out of the file. */
const DEFAULT_BRIDGE_OPTIONS = new Set(['com.docker.network.bridge.default_bridge', 'com.docker.network.bridge.name']);

export function snapshotToSpec(snapshot: Snapshot, opts: ImportOptions = {}): SnapshotSpec {
  const host = opts.host ?? 'host1';
  const keep = labelFilter(opts.label);
  const spec: TopologySpec = { hosts: [hostSpec(snapshot, host)], networks: [], containers: [], services: [], expect: [] };
  if (opts.name !== undefined) spec.name = opts.name;

  // By name, as in the file's map: a later duplicate name replaces the earlier one at its place.
  const networks = new Map<string, NetworkSpec>();
  for (const n of userNetworks(snapshot)) {
    if (!keep(n.labels)) continue;
    const path = ['networks', n.name];
    const net: NetworkSpec = {
      name: n.name, driver: n.driver, host, ipamConfig: [], internal: n.internal, attachable: n.attachable, ingress: n.ingress, enableIpv6: n.enableIpv6,
      driverOpts: Object.fromEntries(Object.entries(n.options).filter(([k]) => !DEFAULT_BRIDGE_OPTIONS.has(k))), labels: { ...n.labels }, path,
    };
    // As configured: a gateway Docker picked itself (first of the range) is left for it to pick again.
    const pools = n.ipamConfig;
    if (pools.length > 1 || n.ipamDriver !== 'default' || Object.keys(n.ipamOptions).length > 0) {
      if (n.ipamDriver !== 'default') net.ipamDriver = n.ipamDriver;
      if (pools.length > 0) {
        net.ipamConfig = pools.map(poolConfig);
        net.ipamForm = 'compose';
      }
      if (Object.keys(n.ipamOptions).length > 0) net.ipamOptions = { ...n.ipamOptions };
    } else if (pools.length === 1) {
      net.ipamConfig = [poolConfig(pools[0]!)];
      net.ipamForm = 'short';
    }
    networks.set(n.name, net);
  }
  spec.networks = [...networks.values()];

  const stopped: string[] = [];
  for (const c of fileOrder(snapshot)) {
    if (!keep(c.labels)) continue;
    if (!c.running) stopped.push(c.name);
    else {
      const cs = containerSpec(snapshot, c, host);
      const heard = opts.observed ? observedListen(snapshot, c) : null;
      if (heard && 'listen' in heard) cs.listen = heard.listen;
      else if (heard) {
        cs.listen = [];
        cs.listenUnknown = heard.unknown;
      }
      spec.containers.push(cs);
    }
  }
  return { spec, stopped };
}

function hostSpec(snapshot: Snapshot, name: string): HostSpec {
  const daemon = daemonConfigOf(snapshot);
  // The file names a release by major.minor, as the SPEC's examples do.
  const version = daemon.version?.replace(/^(\d+\.\d+)\.\d+$/, '$1');
  const d: HostSpec['daemon'] = {};
  if (version !== undefined && /^\d+\.\d+(\.\d+)?$/.test(version)) d.version = version;
  if (daemon.bip) d.bip = daemon.bip;
  if (daemon.fixedCidr) d.fixedCidr = daemon.fixedCidr;
  if (daemon.ipv6) d.ipv6 = true;
  if (daemon.fixedCidrV6) d.fixedCidrV6 = daemon.fixedCidrV6;
  if (daemon.icc === false) d.icc = false;
  if (daemon.ipMasq === false) d.ipMasq = false;
  if (daemon.ip) d.ip = daemon.ip;
  if (daemon.mtu) d.mtu = daemon.mtu;
  return { name, interfaces: {}, daemon: d, path: ['hosts', name] };
}

function poolConfig(p: IpamPoolInfo): IpamPoolConfig {
  const e: IpamPoolConfig = { subnet: p.subnet };
  if (p.gateway) e.gateway = p.gateway;
  if (p.ipRange) e.ipRange = p.ipRange;
  if (Object.keys(p.auxAddresses).length > 0) e.auxAddresses = { ...p.auxAddresses };
  return e;
}

function containerSpec(snapshot: Snapshot, c: ContainerInfo, host: string): ContainerSpec {
  const path = ['containers', c.name];
  const out: ContainerSpec = { name: c.name, host, image: c.image, networks: [], ports: [], expose: [], path };
  const mode = networkModeName(snapshot, c);
  if (mode.startsWith('container:') || mode === 'host' || mode === 'none') {
    out.networkMode = mode;
  } else {
    if (c.hostname && c.hostname !== c.id.slice(0, 12)) out.hostname = c.hostname;
    const startNet = mode === 'default' ? 'bridge' : mode;
    const byName = new Map(c.endpoints.map((e) => [snapshot.networks.find((n) => n.id === e.networkId)?.name ?? e.network, e] as const));
    const ordered: [string, EndpointInfo | null][] = [];
    // The network it was started on comes first (SPEC: the first is the one it starts on).
    if (byName.has(startNet)) ordered.push([startNet, byName.get(startNet)!]);
    for (const [name, e] of byName) if (name !== startNet) ordered.push([name, e]);
    const onlyDefault = mode === 'default' && ordered.length === 1 && ordered[0]![0] === 'bridge' && !c.macAddress;
    if (!onlyDefault) {
      for (const [name, e] of ordered) {
        const ep: ContainerNetworkSpec = { network: name, path: [...path, 'networks', name] };
        if (e && !PREDEFINED_NETWORKS.has(name)) {
          if (e.ipv4Address) ep.ipv4Address = e.ipv4Address;
          if (e.ipv6Address) ep.ipv6Address = e.ipv6Address;
          const aliases = userAliases(c, e);
          if (aliases.length > 0) ep.aliases = aliases;
        }
        if (e?.macAddress && !isDerivedMac(e)) ep.macAddress = e.macAddress;
        out.networks.push(ep);
      }
    }
    out.ports = portSpecsOf(c);
  }
  if (!mode.startsWith('container:')) out.expose = exposeOf(c);
  return out;
}

/** 20.10's MAC is 02:42 + the IPv4 address: writing it out would only add noise. */
function isDerivedMac(e: EndpointInfo): boolean {
  if (!e.ipv4Address || !e.macAddress) return false;
  const bytes = ipaddr.IPv4.parse(e.ipv4Address).toByteArray();
  return e.macAddress === ['02', '42', ...bytes.map((b) => b.toString(16).padStart(2, '0'))].join(':');
}

/**
 * File order: creation order, except that default-bridge containers (which take no static address)
 * come lowest address first, so that applying the file hands them the same addresses.
 */
function fileOrder(snapshot: Snapshot): ContainerInfo[] {
  const all = containersByCreation(snapshot);
  const bridgeIp = (c: ContainerInfo) => c.endpoints.find((e) => e.network === 'bridge')?.ipv4Address ?? null;
  const slots = all.map((c, i) => (bridgeIp(c) ? i : -1)).filter((i) => i >= 0);
  const sorted = slots.map((i) => all[i]!).sort((a, b) => cmpIp(bridgeIp(a)!, bridgeIp(b)!));
  const out = [...all];
  slots.forEach((slot, k) => (out[slot] = sorted[k]!));
  // container:<name> needs its target first.
  const placed = new Set<string>();
  const result: ContainerInfo[] = [];
  const place = (c: ContainerInfo, depth: number) => {
    if (placed.has(c.id) || depth > 50) return;
    const mode = networkModeName(snapshot, c);
    if (mode.startsWith('container:')) {
      const t = out.find((x) => x.name === mode.slice('container:'.length));
      if (t) place(t, depth + 1);
    }
    placed.add(c.id);
    result.push(c);
  };
  for (const c of out) place(c, 0);
  return result;
}

function cmpIp(a: string, b: string): number {
  const pa = ipaddr.parse(a).toByteArray(), pb = ipaddr.parse(b).toByteArray();
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return 0;
}
