// A live host as a topology file (SPEC format, version 1): the daemon's version and bridge flags,
// every user network with its real IPAM, every running container with its real addresses and MACs.
// Applying the file to a clean daemon reproduces the networks and the addresses.
import { Document, isMap, isSeq, YAMLMap } from 'yaml';
import type { ContainerInfo, EndpointInfo } from './types';
import {
  containersByCreation,
  daemonConfigOf,
  exposeOf,
  networkModeName,
  portSpecsOf,
  PREDEFINED_NETWORKS,
  userAliases,
  userNetworks,
  type Snapshot,
} from './snapshot';
import ipaddr from 'ipaddr.js';

export interface ImportOptions {
  /** The `name:` of the topology (default: none). */
  name?: string;
  /** Host key (default host1). */
  host?: string;
  /** Keep only networks/containers carrying this label (key=value or key). */
  label?: string;
}

/** Docker's default, left out of the file. */
const DEFAULT_BRIDGE_OPTIONS = new Set(['com.docker.network.bridge.default_bridge', 'com.docker.network.bridge.name']);

export function importTopology(snapshot: Snapshot, opts: ImportOptions = {}): string {
  const host = opts.host ?? 'host1';
  const keep = labelFilter(opts.label);
  const doc: Record<string, unknown> = {};
  if (opts.name) doc.name = opts.name;

  const daemon = daemonConfigOf(snapshot);
  const d: Record<string, unknown> = { version: daemon.version?.replace(/^(\d+\.\d+)\.\d+$/, '$1') };
  if (daemon.bip) d.bip = daemon.bip;
  if (daemon.fixedCidr) d['fixed-cidr'] = daemon.fixedCidr;
  if (daemon.ipv6) d.ipv6 = true;
  if (daemon.fixedCidrV6) d['fixed-cidr-v6'] = daemon.fixedCidrV6;
  if (daemon.icc === false) d.icc = false;
  if (daemon.ipMasq === false) d['ip-masq'] = false;
  if (daemon.ip) d.ip = daemon.ip;
  if (daemon.mtu) d.mtu = daemon.mtu;
  doc.hosts = { [host]: { daemon: d } };

  const networks: Record<string, unknown> = {};
  for (const n of userNetworks(snapshot)) {
    if (!keep(n.labels)) continue;
    const out: Record<string, unknown> = {};
    if (n.driver !== 'bridge') out.driver = n.driver;
    // As configured: a gateway Docker picked itself (first of the range) is left for it to pick again.
    const pools = n.ipamConfig;
    const useCompose = pools.length > 1 || n.ipamDriver !== 'default' || Object.keys(n.ipamOptions).length > 0;
    if (useCompose) {
      const ipam: Record<string, unknown> = {};
      if (n.ipamDriver !== 'default') ipam.driver = n.ipamDriver;
      if (pools.length > 0) ipam.config = pools.map(poolEntry);
      if (Object.keys(n.ipamOptions).length > 0) ipam.options = n.ipamOptions;
      out.ipam = ipam;
    } else if (pools.length === 1) {
      Object.assign(out, poolEntry(pools[0]!));
    }
    if (n.internal) out.internal = true;
    if (n.attachable) out.attachable = true;
    if (n.ingress) out.ingress = true;
    if (n.enableIpv6) out.enable_ipv6 = true;
    const driverOpts = Object.fromEntries(Object.entries(n.options).filter(([k]) => !DEFAULT_BRIDGE_OPTIONS.has(k)));
    if (Object.keys(driverOpts).length > 0) out.driver_opts = driverOpts;
    if (Object.keys(n.labels).length > 0) out.labels = n.labels;
    networks[n.name] = out;
  }
  if (Object.keys(networks).length > 0) doc.networks = networks;

  const containers: Record<string, unknown> = {};
  const stopped: string[] = [];
  for (const c of fileOrder(snapshot)) {
    if (!keep(c.labels)) continue;
    if (!c.running) {
      stopped.push(c.name);
      continue;
    }
    containers[c.name] = containerEntry(snapshot, c);
  }
  if (Object.keys(containers).length > 0) doc.containers = containers;

  const yaml = new Document(doc);
  yaml.commentBefore =
    ` Imported from ${snapshot.endpoint} (Docker ${snapshot.daemon.version}) at ${snapshot.takenAt}.` +
    (stopped.length > 0 ? `\n Not running, so not imported: ${stopped.join(', ')}.` : '');
  flowLeaves(yaml.contents);
  return yaml.toString({ lineWidth: 0 });
}

function poolEntry(p: { subnet: string; gateway?: string; ipRange?: string; auxAddresses: Record<string, string> }): Record<string, unknown> {
  const e: Record<string, unknown> = { subnet: p.subnet };
  if (p.gateway) e.gateway = p.gateway;
  if (p.ipRange) e.ip_range = p.ipRange;
  if (Object.keys(p.auxAddresses).length > 0) e.aux_addresses = p.auxAddresses;
  return e;
}

function containerEntry(snapshot: Snapshot, c: ContainerInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { image: c.image };
  const mode = networkModeName(snapshot, c);
  if (mode.startsWith('container:') || mode === 'host' || mode === 'none') {
    out.network_mode = mode;
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
      const nets: Record<string, unknown> = {};
      for (const [name, e] of ordered) {
        const o: Record<string, unknown> = {};
        if (e && !PREDEFINED_NETWORKS.has(name)) {
          if (e.ipv4Address) o.ipv4_address = e.ipv4Address;
          if (e.ipv6Address) o.ipv6_address = e.ipv6Address;
          const aliases = userAliases(c, e);
          if (aliases.length > 0) o.aliases = aliases;
        }
        if (e?.macAddress && !isDerivedMac(e)) o.mac_address = e.macAddress;
        nets[name] = o;
      }
      out.networks = nets;
    }
    const ports = portSpecsOf(c);
    if (ports.length > 0 && mode !== 'host') out.ports = ports;
  }
  const expose = exposeOf(c);
  if (expose.length > 0 && !mode.startsWith('container:')) out.expose = expose;
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

function labelFilter(label: string | undefined): (labels: Record<string, string>) => boolean {
  if (!label) return () => true;
  const eq = label.indexOf('=');
  const key = eq >= 0 ? label.slice(0, eq) : label;
  const value = eq >= 0 ? label.slice(eq + 1) : null;
  return (labels) => key in labels && (value === null || labels[key] === value);
}

/** Small maps and lists of scalars in flow style: `{ ipv4_address: 10.0.0.5 }`, like the SPEC's examples. */
function flowLeaves(node: unknown): void {
  if (isMap(node) || isSeq(node)) {
    const items = isMap(node) ? (node as YAMLMap).items.map((p) => p.value) : node.items;
    const leaf = items.every((v) => !isMap(v) && !isSeq(v));
    if (leaf && items.length > 0 && items.length <= 6) node.flow = true;
    else for (const v of items) flowLeaves(v);
  }
}
