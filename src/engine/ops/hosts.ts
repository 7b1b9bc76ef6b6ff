// A host added: its daemon settings, underlay interfaces, default address pools, and the daemon's own
// networks (none, host, bridge as docker0); a swarm node joins the swarm.
import { BAD_REQUEST, CONFLICT, DockerError, type ErrorHint, INTERNAL, msg } from '../errors';
import type { HostConfig, IpamPoolConfig } from '../requests';
import type { DaemonSettings, ExposedPort, HostInterface, HostState, HostUplink } from '../model';
import { parseListen } from '../ports/portSpec';
import { featuresOf, parseVersion } from '../version';
import { IdFactory } from '../ids';
import { formatAddr, formatNet, type IpAddr, type IpNet, makeNet, netContains, parseCidr, parseIp } from '../ip';
import { DefaultIpam } from '../ipam/defaultIpam';
import { GLOBAL_DEFAULT_POOLS, LOCAL_DEFAULT_POOLS, poolsFromConfig, type PredefinedPools } from '../ipam/predefinedPools';
import { sha256Bytes } from '../sha256';
import { BRIDGE_OPT } from '../drivers/bridge/driver';
import { PortAllocator } from '../ports/allocator';
import type { EngineCore, HostInternals, NetworkSpec } from './core';
import { createNetworkOn } from './networkViews';
import { joinSwarm } from './swarm';

export function addHost(core: EngineCore, cfg: HostConfig): void {
  const daemonHint: ErrorHint = { field: 'daemon' };
  if (core.state.hosts.has(cfg.name)) throw new DockerError(`host ${cfg.name} already exists`, CONFLICT, { field: 'name' });
  const d = cfg.daemon ?? {};
  const version = parseVersion(d.version);
  if (!version) throw new DockerError(`unsupported Docker version "${d.version}"`, BAD_REQUEST, { ...daemonHint, key: 'version' });
  const features = featuresOf(version);
  const daemon: DaemonSettings = {
    version,
    features,
    icc: d.icc ?? true,
    userlandProxy: d.userlandProxy ?? true,
    ipMasq: d.ipMasq ?? true,
    iptables: d.iptables ?? true,
    ipv6: d.ipv6 ?? false,
    mtu: d.mtu ?? 1500,
    defaultBindIp: d.ip ?? '0.0.0.0',
    bip: d.bip ?? null,
    fixedCidr: d.fixedCidr ?? null,
    fixedCidrV6: d.fixedCidrV6 ?? null,
  };

  const underlay: HostInterface[] = [{ name: 'lo', kind: 'loopback', ipv4: [ifaceAddr('127.0.0.1/8')!], ipv6: [ifaceAddr('::1/128')!], mac: null, mtu: 65536, master: null, peer: null }];
  const onLink: IpNet[] = [];
  for (const [name, cidr] of Object.entries(cfg.interfaces ?? {})) {
    const a = ifaceAddr(cidr);
    if (!a) throw new DockerError(`invalid address ${cidr} for interface ${name}`, BAD_REQUEST, { ...daemonHint, key: name });
    underlay.push({ name, kind: 'physical', ipv4: a.addr.family === 4 ? [a] : [], ipv6: a.addr.family === 6 ? [a] : [], mac: null, mtu: 1500, master: null, peer: null });
    onLink.push(a.network);
  }

  let localPools: PredefinedPools = LOCAL_DEFAULT_POOLS;
  if (d.defaultAddressPools && d.defaultAddressPools.length > 0) localPools = poolsFromConfig(d.defaultAddressPools);
  if (features.defaultIpv6Pool) localPools = localPools.concat([ulaSegment(cfg.name)]);

  const host: HostState = {
    name: cfg.name,
    revision: 0,
    daemon,
    swarm: cfg.swarm ?? null,
    underlay,
    networks: new Map(),
    containers: new Map(),
    sandboxes: new Map(),
    bridges: new Map(),
    veths: new Map(),
    ports: new PortAllocator(),
    ipam: new Map(),
    links: new Map(),
    extraRoutes: [],
    overlays: new Map(),
  };
  const uplink = cfg.gateway !== undefined ? uplinkOf(cfg.name, cfg.gateway, underlay) : undefined;
  if (uplink) host.uplink = uplink;
  if (cfg.listen) host.listening = hostListening(cfg.listen);
  const ids = new IdFactory(cfg.name);
  host.ipam.set('default', new DefaultIpam({ localPools, globalPools: GLOBAL_DEFAULT_POOLS, lowestFree: features.lowestFreeSubnet }));
  const internals: HostInternals = {
    ids, features, ctx: { host, features, ids, hosts: core.state.hosts }, networksByName: new Map(), containersByName: new Map(), onLink, seq: 0, idStart: [],
  };

  // The daemon's own networks, in the order dockerd makes them: none, host, bridge.
  const base = { ipamDriver: 'default', ipamOptions: {}, v4: [], v6: [], v4Index: [], v6Index: [], labels: {}, internal: false, attachable: false, ingress: false, enableIpv6: false, predefined: true, deferIpv6Alloc: false };
  createNetworkOn(core, host, internals, { ...base, name: 'none', driver: 'null', options: {} });
  createNetworkOn(core, host, internals, { ...base, name: 'host', driver: 'host', options: {} });
  try {
    createNetworkOn(core, host, internals, defaultBridgeSpec(daemon, localPools, onLink, base));
  } catch (e) {
    if (e instanceof DockerError) {
      const text = e.message.startsWith('IPv6 is enabled') ? e.message : msg.defaultBridge(e.message);
      throw new DockerError(text, e.status, daemonHint);
    }
    throw e;
  }
  core.state.hosts.set(cfg.name, host);
  core.internals.set(cfg.name, internals);
  if (host.swarm) joinSwarm(core, host, internals);
}

/** daemon_unix.go initBridgeDriver: docker0's IPAM and options from the daemon flags. */
function defaultBridgeSpec(daemon: DaemonSettings, localPools: PredefinedPools, onLink: IpNet[], base: Omit<NetworkSpec, 'name' | 'driver' | 'options'>): NetworkSpec {
  const hint = (key: string): ErrorHint => ({ field: 'daemon', key });
  const v4: IpamPoolConfig = {};
  if (daemon.bip) {
    const bip = parseCidr(daemon.bip);
    if (!bip || bip.family !== 4) throw new DockerError(`invalid CIDR address: ${daemon.bip}`, BAD_REQUEST, hint('bip'));
    v4.subnet = formatNet(bip);
    v4.gateway = formatAddr({ family: 4, value: bip.ip });
  } else {
    // ElectInterfaceAddresses: docker0 does not exist yet, so the first default pool not routed on-link.
    let chosen: IpNet | null = null;
    for (let i = 0; i < localPools.length && !chosen; i++) {
      const p = localPools.at(i);
      if (p.family === 4 && !onLink.some((l) => netContains(l, { family: 4, value: p.base }) || netContains(p, { family: 4, value: l.base }))) chosen = p;
    }
    if (!chosen) throw new DockerError('no available network', INTERNAL, hint('bip'));
    v4.subnet = formatNet(chosen);
  }
  if (daemon.fixedCidr) {
    const fc = parseCidr(daemon.fixedCidr);
    if (!fc) throw new DockerError(`invalid CIDR address: ${daemon.fixedCidr}`, BAD_REQUEST, hint('fixed-cidr'));
    v4.ipRange = formatNet(fc);
  }
  const v6: IpamPoolConfig[] = [];
  let deferIpv6Alloc = false;
  if (daemon.ipv6 || daemon.fixedCidrV6) {
    if (daemon.fixedCidrV6) {
      const fc6 = parseCidr(daemon.fixedCidrV6);
      if (!fc6) throw new DockerError(`invalid CIDR address: ${daemon.fixedCidrV6}`, BAD_REQUEST, hint('fixed-cidr-v6'));
      v6.push({ subnet: formatNet(fc6) });
      deferIpv6Alloc = fc6.prefix <= 80 && !daemon.features.randomMac;
    } else if (daemon.ipv6 && daemon.features.ipv6NeedsFixedCidr) {
      throw new DockerError(msg.ipv6NoSubnet(), BAD_REQUEST, hint('ipv6'));
    }
  }
  const options: Record<string, string> = {
    [BRIDGE_OPT.defaultBridge]: 'true',
    [BRIDGE_OPT.enableIcc]: String(daemon.icc),
    [BRIDGE_OPT.enableIpMasquerade]: String(daemon.ipMasq),
    [BRIDGE_OPT.hostBindingIpv4]: daemon.defaultBindIp,
    [BRIDGE_OPT.name]: 'docker0',
    [BRIDGE_OPT.mtu]: String(daemon.mtu),
  };
  return { ...base, name: 'bridge', driver: 'bridge', options, v4: [v4], v4Index: [0], v6, v6Index: v6.map(() => 0), enableIpv6: daemon.ipv6, deferIpv6Alloc };
}

/** `gateway:` — the default route's next hop must be on-link on one of the host's IPv4 interfaces (the kernel's rule). */
function uplinkOf(hostName: string, gateway: string, underlay: readonly HostInterface[]): HostUplink {
  const hint: ErrorHint = { field: 'gateway' };
  const gw = parseIp(gateway);
  if (!gw || gw.family !== 4) throw new DockerError(`invalid gateway ${gateway} for host ${hostName}: an IPv4 address on one of its interfaces`, BAD_REQUEST, hint);
  for (const i of underlay) {
    if (i.kind !== 'physical') continue;
    for (const a of i.ipv4) {
      const net = makeNet(4, a.addr.value, a.prefixLength);
      if (!netContains(net, gw)) continue;
      if (a.addr.value === gw.value) throw new DockerError(`gateway ${gateway} of host ${hostName} is its own address on ${i.name}: the default route needs another router`, BAD_REQUEST, hint);
      return { dev: i.name, gateway: formatAddr(gw), address: a.address };
    }
  }
  const have = underlay.filter((i) => i.kind === 'physical' && i.ipv4.length > 0).map((i) => `${i.name} ${i.ipv4[0]!.address}/${i.ipv4[0]!.prefixLength}`);
  throw new DockerError(
    `gateway ${gateway} of host ${hostName} is on none of its interfaces (${have.length ? have.join(', ') : 'it has none'}): a default route needs a next hop on a connected network ("Nexthop has invalid gateway")`,
    BAD_REQUEST, hint);
}

function hostListening(raw: readonly string[]): ExposedPort[] {
  const out: ExposedPort[] = [];
  raw.forEach((r, i) => {
    for (const p of parseListen(r, i)) if (!out.some((o) => o.port === p.port && o.proto === p.proto && o.bind === p.bind)) out.push(p);
  });
  return out;
}

function ifaceAddr(cidr: string) {
  const n = parseCidr(cidr);
  if (!n) return null;
  const addr: IpAddr = { family: n.family, value: n.ip };
  return { address: formatAddr(addr), prefixLength: n.prefix, addr, network: makeNet(n.family, n.base, n.prefix) };
}

/** 27+: the daemon's default IPv6 pool, a ULA /48 derived from the host id, in /64s. */
function ulaSegment(hostName: string) {
  const h = sha256Bytes(`ula\u0000${hostName}`);
  let base = 0xfdn;
  for (let i = 0; i < 5; i++) base = (base << 8n) | BigInt(h[i]);
  return { family: 6 as const, base: base << 80n, basePrefix: 48, size: 64 };
}
