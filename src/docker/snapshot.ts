// A live host, read once: the daemon, every network and every container, inspected and validated.
// `snapshotToEngine` replays it on the CNM engine so the tracer, tree and diagram work on the live
// host: networks with their real subnets and gateways, containers with their real addresses and MACs
// (given as static, so the engine's allocation order cannot move them).
import { DockerError, Engine } from '../engine';
import type { ContainerCreateRequest, DaemonConfig, EndpointConfig, IpamPoolConfig, NetworkCreateRequest } from '../engine';
import type { ContainerInfo, DaemonInfo, DockerClient, EndpointInfo, IpamPoolInfo, NetworkInfo } from './types';
import { isIp } from './validate';
import { localInterfaces } from './localHost';
import ipaddr from 'ipaddr.js';

export interface Snapshot {
  /** Where it came from (describeEndpoint). */
  endpoint: string;
  daemon: DaemonInfo;
  networks: NetworkInfo[];
  containers: ContainerInfo[];
  /** ISO time the snapshot was taken. */
  takenAt: string;
  /** The host's own interfaces (name → CIDR) when known: a daemon on this machine. */
  hostInterfaces?: Record<string, string>;
}

export async function takeSnapshot(client: DockerClient): Promise<Snapshot> {
  const [daemon, networks, containers] = await Promise.all([client.daemon(), client.networks(), client.containers()]);
  const snapshot: Snapshot = { endpoint: client.description, daemon, networks: withMembers(networks, containers), containers, takenAt: new Date().toISOString() };
  if (client.local) snapshot.hostInterfaces = localInterfaces();
  return snapshot;
}

/** Each network's members from the containers' endpoints (what `network inspect` lists as Containers). */
export function withMembers(networks: NetworkInfo[], containers: ContainerInfo[]): NetworkInfo[] {
  return networks.map((n) => {
    if (n.members.length > 0) return n;
    const members = containers.flatMap((c) =>
      c.endpoints
        .filter((e) => e.endpointId !== '' && (e.networkId === n.id || (e.networkId === '' && e.network === n.name)))
        .map((e) => ({
          containerId: c.id,
          name: c.name,
          endpointId: e.endpointId,
          macAddress: e.macAddress,
          ipv4Address: e.ipv4Address ? `${e.ipv4Address}/${e.ipv4Prefix ?? 32}` : null,
          ipv6Address: e.ipv6Address ? `${e.ipv6Address}/${e.ipv6Prefix ?? 128}` : null,
        })),
    );
    return { ...n, members };
  });
}

export const PREDEFINED_NETWORKS: ReadonlySet<string> = new Set(['bridge', 'host', 'none']);

export interface SnapshotEngine {
  engine: Engine;
  host: string;
  /** What could not be reproduced (a driver the engine does not model, an address it refused, …). */
  warnings: string[];
}

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
function endpointNetworkName(snapshot: Snapshot, e: EndpointInfo): string {
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

/** Replays a snapshot on a fresh engine. Never throws for what the engine cannot model: it warns. */
export function snapshotToEngine(snapshot: Snapshot, hostName = 'host1'): SnapshotEngine {
  const engine = new Engine();
  const warnings: string[] = [];
  const warn = (what: string, err: unknown) => {
    if (err instanceof DockerError || err instanceof Error) warnings.push(`${what}: ${err.message}`);
    else throw err;
  };
  const daemon = daemonConfigOf(snapshot);
  try {
    engine.addHost({ name: hostName, daemon, ...(snapshot.hostInterfaces ? { interfaces: snapshot.hostInterfaces } : {}) });
  } catch (err) {
    // The host's interfaces are a help (macvlan parents, the underlay), not a must.
    if (!snapshot.hostInterfaces) throw err;
    warn('the host\'s interfaces are not modelled', err);
    engine.addHost({ name: hostName, daemon });
  }
  const modelled = new Set<string>(['bridge', 'host', 'none']);
  for (const n of userNetworks(snapshot)) {
    try {
      const req = networkRequestOf(snapshot, n);
      // The host's own device name (br-<12 hex of the real id>), so rules and traces name real devices.
      if (n.driver === 'bridge' && !req.options?.['com.docker.network.bridge.name']) req.options = { ...req.options, 'com.docker.network.bridge.name': `br-${n.id.slice(0, 12)}` };
      engine.createNetwork(hostName, req);
      modelled.add(n.name);
    } catch (err) {
      warn(`network ${n.name} (driver ${n.driver}) is not reproduced`, err);
    }
  }
  new ContainerReplay(engine, hostName, snapshot, modelled, warn).run();
  return { engine, host: hostName, warnings };
}

export function networkRequestOf(snapshot: Snapshot, n: NetworkInfo): NetworkCreateRequest {
  const config: IpamPoolConfig[] = poolsOf(snapshot, n).map((p) => ({
    subnet: p.subnet,
    ...(p.gateway ? { gateway: p.gateway } : {}),
    ...(p.ipRange ? { ipRange: p.ipRange } : {}),
    ...(Object.keys(p.auxAddresses).length > 0 ? { auxAddresses: p.auxAddresses } : {}),
  }));
  return {
    name: n.name,
    driver: n.driver,
    ipam: { driver: n.ipamDriver, config, options: n.ipamOptions },
    internal: n.internal,
    attachable: n.attachable,
    ingress: n.ingress,
    enableIpv6: n.enableIpv6,
    options: n.options,
    labels: n.labels,
  };
}

class ContainerReplay {
  private readonly done = new Set<string>();
  private readonly fillers: string[] = [];
  private fillerSeq = 0;

  constructor(
    private readonly engine: Engine,
    private readonly host: string,
    private readonly snapshot: Snapshot,
    private readonly modelled: Set<string>,
    private readonly warn: (what: string, err: unknown) => void,
  ) {}

  run(): void {
    const ordered = containersByCreation(this.snapshot);
    // The default bridge takes no static address: its endpoints are replayed lowest address first,
    // with placeholder containers holding the gaps, so each gets the address it has on the host.
    const onBridge = ordered
      .filter((c) => c.running && c.endpoints.some((e) => this.networkName(e) === 'bridge' && e.ipv4Address))
      .sort((a, b) => compareIpv4(this.bridgeIp(a)!, this.bridgeIp(b)!));
    for (const c of onBridge) this.replay(c);
    for (const f of this.fillers) this.engine.removeContainer(this.host, f, { force: true });
    for (const c of ordered) this.replay(c);
  }

  private networkName(e: EndpointInfo): string {
    return endpointNetworkName(this.snapshot, e);
  }

  private bridgeIp(c: ContainerInfo): string | null {
    return c.endpoints.find((e) => this.networkName(e) === 'bridge')?.ipv4Address ?? null;
  }

  private replay(c: ContainerInfo): void {
    if (this.done.has(c.id)) return;
    this.done.add(c.id);
    const mode = networkModeName(this.snapshot, c);
    if (mode.startsWith('container:')) {
      const target = this.snapshot.containers.find((x) => x.name === mode.slice('container:'.length));
      if (target) this.replay(target);
    }
    const startNet = mode === 'default' ? 'bridge' : mode;
    const primary = c.endpoints.find((e) => this.networkName(e) === startNet) ?? null;
    const req: ContainerCreateRequest = { name: c.name, image: c.image, networkMode: mode };
    if (!mode.startsWith('container:')) {
      if (mode !== 'host' && c.hostname && c.hostname !== c.id.slice(0, 12)) req.hostname = c.hostname;
      if (mode !== 'host') {
        req.ports = portSpecsOf(c);
        req.expose = exposeOf(c);
      }
      if (primary) req.endpoint = this.endpointConfig(c, primary, startNet);
      else if (c.macAddress && mode !== 'host') req.endpoint = { macAddress: c.macAddress };
    }
    if (!PREDEFINED_NETWORKS.has(startNet) && !this.modelled.has(startNet) && !mode.startsWith('container:')) {
      this.warn(`container ${c.name} is not reproduced`, new Error(`its network ${startNet} is not modelled`));
      return;
    }
    if (primary && startNet === 'bridge') this.fillBridgeUpTo(primary.ipv4Address);
    try {
      this.engine.createContainer(this.host, req);
    } catch (err) {
      this.warn(`container ${c.name} is not reproduced`, err);
      return;
    }
    if (!c.running) return;
    try {
      // Started on a network it was later disconnected from: drop it before the start, as Docker did.
      if (!primary && !PREDEFINED_NETWORKS.has(startNet) && mode !== 'default' && !mode.startsWith('container:')) {
        this.engine.disconnect(this.host, startNet, c.name);
      }
      this.engine.startContainer(this.host, c.name);
    } catch (err) {
      this.warn(`container ${c.name} does not start in the model`, err);
      return;
    }
    for (const e of c.endpoints) {
      const net = this.networkName(e);
      if (e === primary) continue;
      if (!this.modelled.has(net)) {
        this.warn(`endpoint ${c.name} on ${net} is not reproduced`, new Error(`network ${net} is not modelled`));
        continue;
      }
      if (net === 'bridge') this.fillBridgeUpTo(e.ipv4Address);
      try {
        this.engine.connect(this.host, net, c.name, this.endpointConfig(c, e, net));
      } catch (err) {
        this.warn(`endpoint ${c.name} on ${net} is not reproduced`, err);
      }
    }
  }

  private endpointConfig(c: ContainerInfo, e: EndpointInfo, net: string): EndpointConfig {
    const cfg: EndpointConfig = {};
    const userDefined = !PREDEFINED_NETWORKS.has(net);
    // Static addresses only where Docker allows them (user-defined networks; the file gives subnets).
    if (userDefined && e.ipv4Address) cfg.ipv4Address = e.ipv4Address;
    if (userDefined && e.ipv6Address) cfg.ipv6Address = e.ipv6Address;
    if (e.macAddress) cfg.macAddress = e.macAddress;
    const aliases = userDefined ? userAliases(c, e) : [];
    if (aliases.length > 0) cfg.aliases = aliases;
    return cfg;
  }

  /** Occupies every lower free address of docker0 so the next endpoint there gets `ip`. */
  private fillBridgeUpTo(ip: string | null): void {
    if (!ip) return;
    for (let guard = 0; guard < 4096; guard++) {
      const name = this.fillerName();
      try {
        this.engine.runContainer(this.host, { name, image: 'placeholder', networkMode: 'bridge' });
      } catch {
        return;
      }
      const got = this.bridgeAddressOf(name);
      if (got !== null && compareIpv4(got, ip) < 0) {
        this.fillers.push(name);
        continue;
      }
      // The next free address is `ip` (or beyond it): free it again for the real endpoint.
      this.engine.removeContainer(this.host, name, { force: true });
      return;
    }
  }

  private fillerName(): string {
    let name: string;
    do name = `cnm-snapshot-gap-${++this.fillerSeq}`;
    while (this.snapshot.containers.some((c) => c.name === name));
    return name;
  }

  private bridgeAddressOf(name: string): string | null {
    const host = this.engine.state.hosts.get(this.host);
    if (!host) return null;
    for (const ctr of host.containers.values()) {
      if (ctr.name !== name) continue;
      for (const cn of ctr.networks) {
        if (!cn.endpointId) continue;
        for (const n of host.networks.values()) {
          const ep = n.endpoints.get(cn.endpointId);
          if (ep && n.name === 'bridge') return ep.ipv4?.address ?? null;
        }
      }
    }
    return null;
  }
}

function compareIpv4(a: string, b: string): number {
  const pa = ipaddr.parse(a).toByteArray(), pb = ipaddr.parse(b).toByteArray();
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
  return pa.length - pb.length;
}
