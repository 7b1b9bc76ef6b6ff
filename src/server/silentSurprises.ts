// Warnings for things Docker accepts silently but that do not do what the file seems to say, beyond
// those the topology layer already reports (ports under host mode, ports on internal networks, names
// that won't resolve, subnets with host bits): a static address outside ip_range, an overlay reached
// from a host outside the swarm, a subnet that hides part of a host's own LAN, and a port published on
// 127.0.0.1 that other containers try to reach.
import { SHIPPED_DESCRIPTORS, type DriverDescriptor, type InspectResult } from '../engine';
import type { NetworkSpec, TopologyDiagnostic, TopologySpec, YamlPath } from '../topology';
import { cidrContains, formatCidr, overlaps, parseAddress, parseCidr } from './addressPlanner';
import { parseExpectTarget } from './expectTarget';

export interface SurpriseInput {
  spec: TopologySpec;
  /** The engine's view, computed only when a check needs it (it costs a walk over every container). */
  inspect: () => InspectResult | undefined;
  rangeOf(path: YamlPath, part?: 'key' | 'value'): TopologyDiagnostic['range'];
  /** The drivers the engine has (default: every shipped one): where each driver's networks reach. */
  drivers?: readonly DriverDescriptor[];
}

export function findSilentSurprises(input: SurpriseInput): TopologyDiagnostic[] {
  const out: TopologyDiagnostic[] = [];
  const warn = (path: YamlPath, part: 'key' | 'value', message: string, code: string) =>
    out.push({ range: input.rangeOf(path, part), severity: 'warning', message, code, source: 'cnm', path });
  staticOutsideRange(input.spec, warn);
  overlayOutsideSwarm(input.spec, warn);
  subnetOverHostLan(input.spec, warn, input.drivers ?? SHIPPED_DESCRIPTORS);
  loopbackPorts(input, warn);
  return out;
}

type Warn = (path: YamlPath, part: 'key' | 'value', message: string, code: string) => void;

function poolPath(n: NetworkSpec, index: number, key: string): YamlPath {
  return n.ipamForm === 'compose' ? [...n.path, 'ipam', 'config', index, key] : [...n.path, key];
}

function staticOutsideRange(spec: TopologySpec, warn: Warn): void {
  const networks = new Map(spec.networks.map((n) => [n.name, n]));
  for (const c of spec.containers) {
    for (const ep of c.networks) {
      if (!ep.ipv4Address) continue;
      const address = parseAddress(ep.ipv4Address);
      const net = networks.get(ep.network);
      if (!address || !net) continue;
      for (const pool of net.ipamConfig) {
        if (!pool.ipRange || !pool.subnet) continue;
        const subnet = parseCidr(pool.subnet);
        const range = parseCidr(pool.ipRange);
        if (!subnet || !range || !cidrContains(subnet, address) || cidrContains(range, address)) continue;
        warn(
          [...ep.path, 'ipv4_address'],
          'value',
          `${ep.ipv4Address} is outside ip_range ${pool.ipRange} of network "${net.name}". Docker accepts a static address anywhere in the subnet without a word; ip_range only limits the addresses it hands out itself.`,
          'static-outside-range',
        );
      }
    }
  }
}

function overlayOutsideSwarm(spec: TopologySpec, warn: Warn): void {
  const hosts = new Map(spec.hosts.map((h) => [h.name, h]));
  const overlays = new Map(spec.networks.filter((n) => n.driver === 'overlay').map((n) => [n.name, n]));
  for (const c of spec.containers) {
    const host = hosts.get(c.host);
    if (!host || host.swarm) continue;
    const refs: { network: string; path: YamlPath; part: 'key' | 'value' }[] = c.networks.map((ep) => ({ network: ep.network, path: ep.path, part: 'key' }));
    if (c.networkMode !== undefined) refs.push({ network: c.networkMode, path: [...c.path, 'network_mode'], part: 'value' });
    for (const r of refs) {
      const net = overlays.get(r.network);
      if (!net || net.host === c.host) continue; // on the network's own host the engine reports the error
      warn(
        r.path,
        r.part,
        `Host "${c.host}" is not in a swarm (no swarm: manager | worker), so the overlay network "${net.name}" does not reach it: Docker on that host answers "network ${net.name} not found".`,
        'overlay-no-swarm',
      );
    }
  }
  if (spec.services.length > 0 && !spec.hosts.some((h) => h.swarm === 'manager')) {
    warn(['services'], 'key', 'Swarm services need a swarm manager, and no host has swarm: manager: Docker answers "This node is not a swarm manager."', 'overlay-no-swarm');
  }
}

function subnetOverHostLan(spec: TopologySpec, warn: Warn, drivers: readonly DriverDescriptor[]): void {
  const interfacesOf = (hostName: string) => Object.entries(spec.hosts.find((h) => h.name === hostName)?.interfaces ?? {});
  if (!spec.hosts.some((h) => Object.keys(h.interfaces).length > 0)) return;
  for (const n of spec.networks) {
    const d = drivers.find((x) => x.name === n.driver);
    // macvlan and ipvlan networks are meant to share the LAN of their parent interface; host and null have no subnet.
    if (d?.onParentLan || d?.special) continue;
    // Swarm-scoped networks (overlay) reach every swarm host; global ones (flannel's cluster network) every host.
    const spanned = d?.scope === 'swarm' ? spec.hosts.filter((h) => h.swarm) : d?.scope === 'global' ? spec.hosts : spec.hosts.filter((h) => h.name === n.host);
    const hostNames = spanned.map((h) => h.name).filter((h) => interfacesOf(h).length > 0);
    if (hostNames.length === 0) continue;
    n.ipamConfig.forEach((pool, i) => {
      const subnet = pool.subnet ? parseCidr(pool.subnet) : undefined;
      if (!subnet) return;
      for (const hostName of hostNames) {
        for (const [ifname, cidr] of interfacesOf(hostName)) {
          const lan = parseCidr(cidr);
          if (!lan || !overlaps(lan, subnet)) continue;
          warn(
            poolPath(n, i, 'subnet'),
            'value',
            `Subnet ${pool.subnet} overlaps ${ifname} (${cidr}) of host "${hostName}". Docker does not check a subnet you give against the host's own networks: the route to the bridge shadows ${formatCidr(lan)} on the host, so it loses part of its LAN.`,
            'subnet-overlaps-host',
          );
          return;
        }
      }
    });
  }
  for (const h of spec.hosts) {
    const bip = h.daemon.bip ? parseCidr(h.daemon.bip) : undefined;
    if (!bip) continue;
    for (const [ifname, cidr] of Object.entries(h.interfaces)) {
      const lan = parseCidr(cidr);
      if (lan && overlaps(lan, bip)) {
        warn([...h.path, 'daemon', 'bip'], 'value', `bip ${h.daemon.bip} overlaps ${ifname} (${cidr}) of host "${h.name}": docker0's route shadows part of the host's LAN.`, 'subnet-overlaps-host');
        break;
      }
    }
  }
}

function loopbackPorts(input: SurpriseInput, warn: Warn): void {
  const { spec } = input;
  // Only files with a delivered expectation and a port bound to 127.0.0.1 need the engine's port table.
  if (!spec.expect.some((e) => e.verdict === 'delivered') || !spec.containers.some((c) => c.ports.some((p) => p.startsWith('127.')))) return;
  const inspect = input.inspect();
  if (!inspect) return;
  // host → "port/proto" → the container publishing it on 127.0.0.1 only
  const loopback = new Map<string, Map<string, string>>();
  for (const c of inspect.containers) {
    for (const p of c.ports) {
      if (p.host_ip !== '127.0.0.1') continue;
      const byPort = loopback.get(c.host) ?? new Map<string, string>();
      byPort.set(`${p.host_port}/${p.protocol}`, c.name);
      loopback.set(c.host, byPort);
    }
  }
  if (loopback.size === 0) return;
  const hostOfAddress = new Map<string, string>();
  for (const h of spec.hosts) for (const cidr of Object.values(h.interfaces)) hostOfAddress.set(cidr.split('/')[0]!, h.name);
  for (const n of inspect.networks) if (n.gateway && n.driver === 'bridge') hostOfAddress.set(n.gateway, n.host);
  const containers = new Map(spec.containers.map((c) => [c.name, c]));

  for (const e of spec.expect) {
    if (e.verdict !== 'delivered') continue;
    const from = containers.get(e.from);
    if (!from || from.networkMode === 'host') continue; // the host and host-mode containers share the host's loopback
    const t = parseExpectTarget(e.to);
    if (!t || t.port === undefined || t.proto === 'icmp') continue;
    const key = `${t.port}/${t.proto}`;
    if (t.address === '127.0.0.1' || t.name === 'localhost') {
      const owner = loopback.get(from.host)?.get(key);
      if (owner) {
        warn([...e.path, 'to'], 'value', `Inside "${from.name}", ${t.address ?? 'localhost'} is the container's own loopback, not the host's: port ${t.port} that "${owner}" publishes on the host's 127.0.0.1 is not there.`, 'loopback-port');
      }
      continue;
    }
    const host = t.address ? hostOfAddress.get(t.address) : spec.hosts.some((h) => h.name === t.name) ? t.name : undefined;
    if (!host) continue;
    const owner = loopback.get(host)?.get(key);
    if (owner) {
      warn(
        [...e.path, 'to'],
        'value',
        `"${owner}" publishes port ${t.port} on 127.0.0.1 of host "${host}" only: other containers cannot reach it there (the host answers on 127.0.0.1, not on ${t.address ?? 'its other addresses'}). Publish it on 0.0.0.0, or put both containers on a shared network.`,
        'loopback-port',
      );
    }
  }
}
