// Drift: what differs between a topology file (as the engine builds it) and a live host (a snapshot).
// Missing = in the file, not on the host; extra = on the host, not in the file; different = both, with
// another value. Each item carries the file path it concerns, so the language server / tree can put it
// on the right range.
import type { Engine, InspectContainer, InspectNetwork } from '../engine';
import type { TopologySpec, YamlPath } from '../topology';
import type { ContainerInfo, NetworkInfo, Snapshot } from '../docker';
import { labelFilter, networkModeName, poolsOf, PREDEFINED_NETWORKS } from './snapshotView';
import ipaddr from 'ipaddr.js';
import { listenerDrift, ruleDrift } from './observedDrift';

export type DriftKind = 'missing' | 'extra' | 'different';

export interface DriftItem {
  kind: DriftKind;
  /** rule: one in the host's iptables the engine would not write (read by observeHost). */
  object: 'network' | 'container' | 'endpoint' | 'rule';
  network?: string;
  container?: string;
  field?: string;
  file?: string | boolean | null;
  live?: string | boolean | null;
  /** One line for a person: `network "a": subnet is 10.1.0.0/16 in the file, 10.2.0.0/16 on the host`. */
  message: string;
  /** Where in the file (empty for extra objects). */
  path: YamlPath;
}

export interface DriftOptions {
  /** Which of the file's hosts the snapshot is (default: the first). */
  host?: string;
  /** Only live objects carrying this label count as "extra" (key or key=value); default: all. */
  label?: string;
  /**
   * Also compare addresses the file leaves to Docker (no ipv4_address / mac_address): they follow
   * allocation order, so they differ whenever the host's history does. Default: only static ones.
   */
  dynamic?: boolean;
}

export function computeDrift(spec: TopologySpec, fileEngine: Engine, snapshot: Snapshot, opts: DriftOptions = {}): DriftItem[] {
  const host = opts.host ?? spec.hosts[0]?.name ?? 'host1';
  const inScope = labelFilter(opts.label);
  const model = fileEngine.inspect();
  const items: DriftItem[] = [];

  // ---- networks
  const fileNets = model.networks.filter((n) => n.host === host && !PREDEFINED_NETWORKS.has(n.name));
  const liveNets = new Map(snapshot.networks.filter((n) => !PREDEFINED_NETWORKS.has(n.name)).map((n) => [n.name, n]));
  for (const f of fileNets) {
    const path = spec.networks.find((n) => n.name === f.name && n.host === host)?.path ?? ['networks', f.name];
    const live = liveNets.get(f.name);
    if (!live) {
      items.push({ kind: 'missing', object: 'network', network: f.name, message: `network "${f.name}" is in the file but not on the host`, path });
      continue;
    }
    for (const [field, fv, lv] of networkFields(f, live, snapshot)) {
      if (fv === lv || lv === undefined) continue;
      items.push({ kind: 'different', object: 'network', network: f.name, field, file: fv, live: lv, message: `network "${f.name}": ${field} is ${show(fv)} in the file, ${show(lv)} on the host`, path: [...path, fieldKey(field)] });
    }
  }
  for (const [name, live] of liveNets) {
    if (fileNets.some((f) => f.name === name) || !inScope(live.labels)) continue;
    items.push({ kind: 'extra', object: 'network', network: name, message: `network "${name}" is on the host but not in the file`, path: [] });
  }

  // ---- containers and their endpoints
  const fileCtrs = model.containers.filter((c) => c.host === host);
  const liveCtrs = new Map(snapshot.containers.map((c) => [c.name, c]));
  for (const f of fileCtrs) {
    const cspec = spec.containers.find((c) => c.name === f.name && c.host === host);
    const path = cspec?.path ?? ['containers', f.name];
    const live = liveCtrs.get(f.name);
    if (!live) {
      items.push({ kind: 'missing', object: 'container', container: f.name, message: `container "${f.name}" is in the file but not on the host`, path });
      continue;
    }
    if (!live.running) {
      items.push({ kind: 'different', object: 'container', container: f.name, field: 'running', file: true, live: false, message: `container "${f.name}" is not running on the host`, path });
      continue;
    }
    const liveMode = networkModeName(snapshot, live);
    const fileMode = normalMode(f);
    if (fileMode !== null && (fileMode === 'host' || fileMode === 'none' || fileMode.startsWith('container:') || liveMode === 'host' || liveMode === 'none' || liveMode.startsWith('container:')) && fileMode !== normalLiveMode(liveMode)) {
      items.push({ kind: 'different', object: 'container', container: f.name, field: 'network_mode', file: fileMode, live: normalLiveMode(liveMode), message: `container "${f.name}": network mode is ${fileMode} in the file, ${normalLiveMode(liveMode)} on the host`, path: [...path, 'network_mode'] });
    }
    const epSpec = (net: string) => cspec?.networks.find((n) => n.network === net);
    items.push(...endpointDrift(f, live, snapshot, (net) => epSpec(net)?.path ?? [...path, 'networks', net], path, (net, field) => {
      if (opts.dynamic) return true;
      const e = epSpec(net);
      return field === 'ipv4_address' ? !!e?.ipv4Address : field === 'ipv6_address' ? !!e?.ipv6Address : !!e?.macAddress; // an unset MAC follows the address (20.10) or is random (28+)
    }));
    // What its processes really listen on, when the host's sockets were read.
    if (cspec) items.push(...listenerDrift(cspec, live, snapshot));
  }
  for (const [name, live] of liveCtrs) {
    if (!live.running || fileCtrs.some((f) => f.name === name) || !inScope(live.labels)) continue;
    items.push({ kind: 'extra', object: 'container', container: name, message: `container "${name}" is running on the host but is not in the file`, path: [] });
  }
  items.push(...ruleDrift(snapshot));
  return items;
}

function networkFields(f: InspectNetwork, live: NetworkInfo, snapshot: Snapshot): [string, string | boolean | null, string | boolean | null | undefined][] {
  const v4 = poolsOf(snapshot, live).find((p) => !p.subnet.includes(':'));
  return [
    ['driver', f.driver, live.driver],
    ['subnet', f.subnet, v4 ? canonical(v4.subnet) : null],
    // The host shows a gateway only when the user set one or a container reports it.
    ['gateway', f.gateway, v4?.gateway ?? undefined],
    ['ip_range', f.ip_range ?? null, v4?.ipRange ? canonical(v4.ipRange) : null],
    ['internal', f.internal, live.internal],
    ['attachable', f.attachable, live.attachable],
    ['enable_ipv6', f.enable_ipv6, live.enableIpv6],
  ];
}

function endpointDrift(
  f: InspectContainer, live: ContainerInfo, snapshot: Snapshot, epPath: (net: string) => YamlPath, ctrPath: YamlPath,
  compared: (net: string, field: string) => boolean,
): DriftItem[] {
  const items: DriftItem[] = [];
  const liveEps = new Map(live.endpoints.map((e) => [snapshot.networks.find((n) => n.id === e.networkId)?.name ?? e.network, e]));
  for (const fe of f.endpoints) {
    const le = liveEps.get(fe.network);
    const path = epPath(fe.network);
    if (!le) {
      items.push({ kind: 'missing', object: 'endpoint', container: f.name, network: fe.network, message: `container "${f.name}" is not connected to "${fe.network}" on the host`, path });
      continue;
    }
    const fields: [string, string | null, string | null][] = [
      ['ipv4_address', fe.ipv4_address, le.ipv4Address],
      ['ipv6_address', fe.ipv6_address, le.ipv6Address],
      ['mac_address', fe.mac_address?.toLowerCase() ?? null, le.macAddress],
    ];
    for (const [field, fv, lv] of fields) {
      if (fv === lv || (fv === null && field !== 'ipv4_address') || !compared(fe.network, field)) continue;
      items.push({ kind: 'different', object: 'endpoint', container: f.name, network: fe.network, field, file: fv, live: lv, message: `container "${f.name}" on "${fe.network}": ${field} is ${show(fv)} in the file, ${show(lv)} on the host`, path: [...path, field] });
    }
  }
  for (const [net] of liveEps) {
    if (f.endpoints.some((e) => e.network === net)) continue;
    items.push({ kind: 'extra', object: 'endpoint', container: f.name, network: net, message: `container "${f.name}" is connected to "${net}" on the host, not in the file`, path: [...ctrPath] });
  }
  return items;
}

function normalMode(c: InspectContainer): string | null {
  const m = c.network_mode;
  if (m === 'host' || m === 'none' || m.startsWith('container:')) return m.startsWith('container:') ? `container:${m.slice(10)}` : m;
  return null;
}

function normalLiveMode(m: string): string {
  return m === 'default' ? 'bridge' : m;
}

function canonical(cidr: string): string {
  try {
    const [addr, len] = ipaddr.parseCIDR(cidr);
    const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    return `${net.toString()}/${len}`;
  } catch {
    return cidr;
  }
}

function fieldKey(field: string): string {
  return field;
}

function show(v: unknown): string {
  return v === null || v === undefined ? 'unset' : String(v);
}
