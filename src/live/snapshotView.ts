// A snapshot read in CNM terms: the daemon flags behind the default bridge, IPAM as configured plus the
// gateway Docker hides, creation order, network modes by name, the aliases and ports a user gave.
// Shared by the replay on the engine, the import as a spec, and drift.
import type { DaemonConfig } from '../engine';
import type { ContainerInfo, DaemonInfo, EndpointInfo, IpamPoolInfo, NetworkInfo, Snapshot } from '../docker';
import { isIp } from '../docker/validate';
import ipaddr from 'ipaddr.js';

export const PREDEFINED_NETWORKS: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);

/** "20.10.24+dfsg1" → "20.10.24": the engine models releases by number. */
export function daemonVersion(daemon: DaemonInfo): string {
  const m = /^v?(\d+)\.(\d+)(?:\.(\d+))?/.exec(daemon.version);
  return m ? `${m[1]}.${m[2]}${m[3] !== undefined ? `.${m[3]}` : ''}` : daemon.version;
}

/** The daemon flags that shape the default bridge, read back from the `bridge` network. */
export function daemonConfigOf(snapshot: Snapshot): DaemonConfig {
  const d: DaemonConfig = { version: daemonVersion(snapshot.daemon) };
  const bridge = snapshot.networks.find((n) => n.name === 'bridge' && n.driver === 'bridge');
  if (!bridge) return d;
  const opt = bridge.options;
  if (opt['com.docker.network.bridge.enable_icc'] === 'false') d.icc = false;
  if (opt['com.docker.network.bridge.enable_ip_masquerade'] === 'false') d.ipMasq = false;
  const bindIp = opt['com.docker.network.bridge.host_binding_ipv4'];
  if (bindIp && bindIp !== '0.0.0.0' && isIp(bindIp)) d.ip = bindIp;
  const mtu = Number(opt['com.docker.network.driver.mtu']);
  if (Number.isInteger(mtu) && mtu >= 68 && mtu <= 65535 && mtu !== 1500) d.mtu = mtu;
  const v4 = bridge.ipamConfig.find((p) => !p.subnet.includes(':'));
  if (v4) {
    const prefix = v4.subnet.split('/')[1]!;
    const gateway = v4.gateway ?? observedGateway(snapshot, bridge, 4) ?? firstHost(v4.subnet);
    if (gateway) d.bip = `${gateway}/${prefix}`;
    if (v4.ipRange && v4.ipRange !== v4.subnet) d.fixedCidr = v4.ipRange;
  }
  const v6 = bridge.ipamConfig.find((p) => p.subnet.includes(':'));
  if (bridge.enableIpv6) {
    d.ipv6 = true;
    if (v6) d.fixedCidrV6 = v6.ipRange ?? v6.subnet;
  }
  return d;
}

/** The first address after the network address, for a gateway nobody reported. */
function firstHost(cidr: string): string | null {
  try {
    const bytes = ipaddr.IPv4.networkAddressFromCIDR(cidr).toByteArray();
    const value = (BigInt(bytes[0]!) << 24n) + (BigInt(bytes[1]!) << 16n) + (BigInt(bytes[2]!) << 8n) + BigInt(bytes[3]!) + 1n;
    return ipaddr.fromByteArray([24n, 16n, 8n, 0n].map((s) => Number((value >> s) & 255n))).toString();
  } catch {
    return null;
  }
}

/** The gateway the containers on `net` were given (docker network inspect omits a gateway the user did not set). */
function observedGateway(snapshot: Snapshot, net: NetworkInfo, family: 4 | 6): string | null {
  for (const c of snapshot.containers) {
    for (const e of c.endpoints) {
      if (e.networkId !== net.id && e.network !== net.name) continue;
      if (family === 4 && e.gateway && !e.gateway.includes(':')) return e.gateway;
    }
  }
  return null;
}

/** IPAM config for the engine/file: as configured, plus the observed gateway when Docker hides it. */
export function poolsOf(snapshot: Snapshot, n: NetworkInfo): IpamPoolInfo[] {
  return n.ipamConfig.map((p) => {
    const out: IpamPoolInfo = { ...p, auxAddresses: { ...p.auxAddresses } };
    if (!out.gateway && !p.subnet.includes(':')) {
      const gw = observedGateway(snapshot, n, 4);
      if (gw) out.gateway = gw;
    }
    return out;
  });
}

/** Networks in creation order (Created is RFC 3339 with nanoseconds: string order is time order). */
export function userNetworks(snapshot: Snapshot): NetworkInfo[] {
  return snapshot.networks.filter((n) => !PREDEFINED_NETWORKS.has(n.name)).sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

export function containersByCreation(snapshot: Snapshot): ContainerInfo[] {
  return [...snapshot.containers].sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
}

/** HostConfig.NetworkMode with ids turned into names: "container:<name>", a network's name. */
export function networkModeName(snapshot: Snapshot, c: ContainerInfo): string {
  const mode = c.networkMode;
  if (mode.startsWith('container:')) {
    const ref = mode.slice('container:'.length);
    const target = snapshot.containers.find((x) => x.id === ref || x.name === ref || (ref.length >= 12 && x.id.startsWith(ref)));
    return `container:${target ? target.name : ref}`;
  }
  if (mode === 'default' || PREDEFINED_NETWORKS.has(mode)) return mode;
  const net = snapshot.networks.find((n) => n.name === mode || n.id === mode || (mode.length >= 12 && n.id.startsWith(mode)));
  return net ? net.name : mode;
}

/** The network an endpoint belongs to, by id first (a network may have been renamed in the key). */
export function endpointNetworkName(snapshot: Snapshot, e: EndpointInfo): string {
  return snapshot.networks.find((n) => n.id === e.networkId)?.name ?? e.network;
}

/** Aliases the user gave: Docker appends the short id and the hostname on user-defined networks. */
export function userAliases(c: ContainerInfo, e: EndpointInfo): string[] {
  return e.aliases.filter((a) => a !== c.id.slice(0, 12) && a !== c.hostname && a !== c.name);
}

/** `-p` specs that reproduce the bindings, ephemeral host ports replaced by the ports Docker chose. */
export function portSpecsOf(c: ContainerInfo): string[] {
  const specs: string[] = [];
  const fmtIp = (ip: string) => (ip === '' ? '' : ip.includes(':') ? `[${ip}]:` : `${ip}:`);
  if (c.publishAll) {
    for (const p of c.publishedPorts) {
      if (p.hostIp === '::' && c.publishedPorts.some((q) => q.hostIp === '0.0.0.0' && q.containerPort === p.containerPort && q.protocol === p.protocol)) continue;
      specs.push(`${fmtIp(p.hostIp === '0.0.0.0' || p.hostIp === '::' ? '' : p.hostIp)}${p.hostPort}:${p.containerPort}/${p.protocol}`);
    }
    return specs;
  }
  for (const b of c.portBindings) {
    let hostPort = b.hostPort;
    if (hostPort === '' || hostPort.includes('-')) {
      const wanted = b.hostIp === '' ? ['0.0.0.0', ''] : [b.hostIp];
      const actual = c.publishedPorts.find((p) => p.containerPort === b.containerPort && p.protocol === b.protocol && wanted.includes(p.hostIp));
      if (actual) hostPort = String(actual.hostPort);
    }
    const target = `${b.containerPort}/${b.protocol}`;
    if (hostPort === '') specs.push(b.hostIp === '' ? target : `${fmtIp(b.hostIp)}:${target}`);
    else specs.push(`${fmtIp(b.hostIp)}${hostPort}:${target}`);
  }
  return specs;
}

/** Exposed ports without a binding (the image's EXPOSE and --expose). */
export function exposeOf(c: ContainerInfo): string[] {
  return c.exposedPorts.filter((e) => !c.portBindings.some((b) => b.containerPort === e.port && b.protocol === e.protocol)).map((e) => `${e.port}/${e.protocol}`);
}

/** The endpoint a running container was started on (its NetworkMode), else null. */
export function primaryEndpoint(snapshot: Snapshot, c: ContainerInfo): EndpointInfo | null {
  const mode = networkModeName(snapshot, c);
  const net = mode === 'default' ? 'bridge' : mode;
  return c.endpoints.find((e) => endpointNetworkName(snapshot, e) === net) ?? null;
}

/** `--label key` or `--label key=value` (as `docker ps --filter label=`): which objects a command looks at. */
export function labelFilter(label: string | undefined): (labels: Record<string, string>) => boolean {
  if (!label) return () => true;
  const eq = label.indexOf('=');
  const key = eq >= 0 ? label.slice(0, eq) : label;
  const value = eq >= 0 ? label.slice(eq + 1) : null;
  return (labels) => key in labels && (value === null || labels[key] === value);
}

/**
 * What a running container really listens on, as `listen` entries with the bound address
 * ("0.0.0.0:80/tcp", "127.0.0.1:6379/tcp", "[::]:53/udp"), when its sockets were read; `unknown` with
 * why when they could not be; null when they were not read (the expose list then stands in).
 */
const DOCKER_DNS = '127.0.0.11';

export function observedListen(snapshot: Snapshot, c: ContainerInfo): { listen: string[] } | { unknown: string } | null {
  const r = snapshot.listeners?.[c.id];
  if (!r) return null;
  if (r.state === 'unknown') return { unknown: r.why };
  const listen: string[] = [];
  for (const s of r.sockets) {
    // dockerd's embedded DNS resolver (its sockets in the container's namespace): not the container's process.
    if (s.address === DOCKER_DNS) continue;
    const entry = `${s.address.includes(':') ? `[${s.address}]` : s.address}:${s.port}/${s.proto}`;
    if (!listen.includes(entry)) listen.push(entry);
  }
  return { listen };
}
