// A spec → topology text (SPEC format, version 1): what "Import to file" writes, and the read-only text
// of a live host. Writes only what differs from the parser's defaults, in the keys' usual order, so
// parsing the text gives the same spec back (same objects, same YAML paths).
import { Document, isMap, isSeq, type YAMLMap } from 'yaml';
import type { DaemonConfig, IpamPoolConfig } from '../../engine';
import type { ContainerNetworkSpec, ContainerSpec, HostSpec, NetworkSpec, PolicySpec, ServiceSpec, TopologySpec } from '../spec';

export interface WriteTopologyOptions {
  /** Comment lines above the document (without the leading `#`). */
  comment?: string;
}

type Obj = Record<string, unknown>;

/** The topology text of a spec. */
export function writeTopology(spec: TopologySpec, opts: WriteTopologyOptions = {}): string {
  const doc: Obj = {};
  if (spec.name !== undefined) doc.name = spec.name;
  doc.hosts = Object.fromEntries(spec.hosts.map((h) => [h.name, hostEntry(h)]));
  const firstHost = spec.hosts[0]?.name;
  if (spec.networks.length > 0) doc.networks = byName(spec.networks, (n) => networkEntry(n, firstHost));
  if (spec.containers.length > 0) doc.containers = byName(spec.containers, (c) => containerEntry(c, firstHost));
  if (spec.services.length > 0) doc.services = byName(spec.services, serviceEntry);
  if (spec.policies?.length) doc.policies = spec.policies.map(policyEntry);
  if (spec.expect.length > 0) doc.expect = spec.expect.map((e) => ({ from: e.from, to: e.to, verdict: e.verdict }));
  const yaml = new Document(doc);
  if (opts.comment) yaml.commentBefore = opts.comment;
  flowLeaves(yaml.contents);
  return yaml.toString({ lineWidth: 0 });
}

/** A map keyed by name, in spec order (a later duplicate name wins, at the first one's place). */
function byName<T extends { name: string }>(items: readonly T[], entry: (t: T) => Obj): Obj {
  const out: Obj = {};
  for (const t of items) out[t.name] = entry(t);
  return out;
}

function hostEntry(h: HostSpec): Obj {
  const out: Obj = {};
  if (Object.keys(h.interfaces).length > 0) out.interfaces = { ...h.interfaces };
  if (h.gateway !== undefined) out.gateway = h.gateway;
  if (h.listen !== undefined) out.listen = [...h.listen];
  const daemon = daemonEntry(h.daemon);
  if (Object.keys(daemon).length > 0) out.daemon = daemon;
  if (h.swarm) out.swarm = h.swarm;
  return out;
}

function daemonEntry(d: DaemonConfig): Obj {
  const out: Obj = {};
  if (d.version !== undefined) out.version = d.version;
  if (d.bip !== undefined) out.bip = d.bip;
  if (d.fixedCidr !== undefined) out['fixed-cidr'] = d.fixedCidr;
  if (d.ipv6 !== undefined) out.ipv6 = d.ipv6;
  if (d.fixedCidrV6 !== undefined) out['fixed-cidr-v6'] = d.fixedCidrV6;
  if (d.icc !== undefined) out.icc = d.icc;
  if (d.ipMasq !== undefined) out['ip-masq'] = d.ipMasq;
  if (d.ip !== undefined) out.ip = d.ip;
  if (d.mtu !== undefined) out.mtu = d.mtu;
  if (d.userlandProxy !== undefined) out['userland-proxy'] = d.userlandProxy;
  if (d.iptables !== undefined) out.iptables = d.iptables;
  if (d.defaultAddressPools !== undefined) out['default-address-pools'] = d.defaultAddressPools.map((p) => ({ base: p.base, size: p.size }));
  return out;
}

function networkEntry(n: NetworkSpec, firstHost: string | undefined): Obj {
  const out: Obj = {};
  if (n.driver !== 'bridge') out.driver = n.driver;
  if (n.host !== firstHost) out.host = n.host;
  // The form the spec came in; a spec built in memory: one pool in the short form, several in Compose's.
  const form = n.ipamForm ?? (n.ipamConfig.length === 1 ? 'short' : n.ipamConfig.length > 1 ? 'compose' : undefined);
  if (form === 'compose' || n.ipamDriver !== undefined || n.ipamOptions !== undefined) {
    const ipam: Obj = {};
    if (n.ipamDriver !== undefined) ipam.driver = n.ipamDriver;
    if (form === 'compose') ipam.config = n.ipamConfig.map(poolEntry);
    if (n.ipamOptions !== undefined) ipam.options = { ...n.ipamOptions };
    out.ipam = ipam;
  }
  if (form === 'short' && n.ipamConfig[0]) Object.assign(out, poolEntry(n.ipamConfig[0]));
  if (n.internal) out.internal = true;
  if (n.attachable) out.attachable = true;
  if (n.ingress) out.ingress = true;
  if (n.enableIpv6) out.enable_ipv6 = true;
  if (Object.keys(n.driverOpts).length > 0) out.driver_opts = { ...n.driverOpts };
  if (Object.keys(n.labels).length > 0) out.labels = { ...n.labels };
  if (n.policies?.length) out.policies = n.policies.map(policyEntry);
  return out;
}

/** A calico policy as the file writes it (defaults left out). */
function policyEntry(p: PolicySpec): Obj {
  const out: Obj = { name: p.name };
  if (p.selector !== 'all()') out.selector = p.selector;
  if (p.order !== 1000) out.order = p.order;
  if (p.ingress) out.ingress = p.ingress.map((r) => ({ ...r }));
  if (p.egress) out.egress = p.egress.map((r) => ({ ...r }));
  return out;
}

function poolEntry(p: IpamPoolConfig): Obj {
  const e: Obj = {};
  if (p.subnet !== undefined) e.subnet = p.subnet;
  if (p.gateway !== undefined) e.gateway = p.gateway;
  if (p.ipRange !== undefined) e.ip_range = p.ipRange;
  if (p.auxAddresses !== undefined) e.aux_addresses = { ...p.auxAddresses };
  return e;
}

function containerEntry(c: ContainerSpec, firstHost: string | undefined): Obj {
  const out: Obj = { image: c.image };
  if (c.host !== firstHost) out.host = c.host;
  if (c.networkMode !== undefined) out.network_mode = c.networkMode;
  if (c.hostname !== undefined) out.hostname = c.hostname;
  if (c.networks.length > 0) out.networks = Object.fromEntries(c.networks.map((e) => [e.network, endpointEntry(e)]));
  if (c.ports.length > 0) out.ports = [...c.ports];
  if (c.expose.length > 0) out.expose = [...c.expose];
  if (c.listen !== undefined) out.listen = [...c.listen];
  if (c.publishAll) out.publish_all = true;
  if (c.labels !== undefined) out.labels = { ...c.labels };
  if (c.pipework !== undefined) {
    out.pipework = c.pipework.map((a) => {
      const entry: Record<string, unknown> = {};
      for (const [k, yamlKey] of [['bridge', 'bridge'], ['macvlan', 'macvlan'], ['ip', 'ip'], ['gateway', 'gateway'], ['iface', 'iface'], ['hostIface', 'host_iface'], ['mac', 'mac'], ['vlan', 'vlan']] as const) {
        if (a[k] !== undefined) entry[yamlKey] = a[k];
      }
      return entry;
    });
  }
  return out;
}

function endpointEntry(e: ContainerNetworkSpec): Obj {
  const o: Obj = {};
  if (e.ipv4Address !== undefined) o.ipv4_address = e.ipv4Address;
  if (e.ipv6Address !== undefined) o.ipv6_address = e.ipv6Address;
  if (e.aliases !== undefined) o.aliases = [...e.aliases];
  if (e.macAddress !== undefined) o.mac_address = e.macAddress;
  return o;
}

function serviceEntry(s: ServiceSpec): Obj {
  const out: Obj = { image: s.image };
  if (s.replicas !== 1) out.replicas = s.replicas;
  if (s.networks.length > 0) out.networks = [...s.networks];
  if (s.ports.length > 0) out.ports = [...s.ports];
  if (s.endpointMode !== 'vip') out.endpoint_mode = s.endpointMode;
  if (s.expose.length > 0) out.expose = [...s.expose];
  if (s.listen !== undefined) out.listen = [...s.listen];
  return out;
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
