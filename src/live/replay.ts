// A snapshot replayed on the CNM engine, so the tracer, tree and diagram work on the live host:
// networks with their real subnets and gateways, containers with their real addresses and MACs (given
// as static, so the engine's allocation order cannot move them).
import { DockerError, Engine, deriveHostRules, hasDockerChains, markDockerdRules, parseIptablesSave, IptablesSaveError } from '../engine';
import type { ContainerCreateRequest, EndpointConfig, IpamPoolConfig, NetworkCreateRequest, ObservedRoute } from '../engine';
import type { ContainerInfo, EndpointInfo, NetworkInfo, Snapshot } from '../docker';
import {
  containersByCreation, daemonConfigOf, endpointNetworkName, exposeOf, networkModeName, observedListen, poolsOf, portSpecsOf, PREDEFINED_NETWORKS, userAliases, userNetworks,
} from './snapshotView';
import ipaddr from 'ipaddr.js';

export interface SnapshotEngine {
  engine: Engine;
  host: string;
  /** What could not be reproduced (a driver the engine does not model, an address it refused, …). */
  warnings: string[];
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
  observeOn(engine, hostName, snapshot, warnings);
  return { engine, host: hostName, warnings };
}

/**
 * What was read from the host itself (observeHost) goes on the engine's host: its real iptables rules
 * (evaluated instead of dockerd's modelled ones) and sysctls; what could not be read is said where a
 * trace rests on it.
 */
export function observeOn(engine: Engine, hostName: string, snapshot: Snapshot, warnings: string[]): void {
  const reading = snapshot.host;
  const host = engine.state.hosts.get(hostName);
  if (!host) return;
  const sandboxRoutes = sandboxRoutesOf(snapshot);
  if (!reading) {
    if (snapshot.listeners) host.observed = sandboxRoutes ? { sandboxRoutes } : {}; // a live host all the same: fixes in its terms
    return;
  }
  if ('unread' in reading) {
    host.observed = { rulesUnread: reading.unread, routesUnread: reading.unread.replace('iptables rules and sysctls', 'routes, iptables rules and sysctls'), ...(sandboxRoutes ? { sandboxRoutes } : {}) };
    return;
  }
  const observed: NonNullable<typeof host.observed> = {};
  if ('error' in reading.iptables) observed.rulesUnread = reading.iptables.error;
  else {
    try {
      const rules = parseIptablesSave(reading.iptables.text, hostName, deriveHostRules(host, engine.state.drivers));
      observed.rules = rules;
      if (!hasDockerChains(rules)) warnings.push(`${reading.iptables.command} shows none of dockerd's chains (dockerd may run with --iptables=false): traces evaluate the rules as read`);
    } catch (err) {
      if (!(err instanceof IptablesSaveError)) throw err;
      observed.rulesUnread = `${reading.iptables.command} printed what cannot be read: ${err.message}`;
    }
  }
  if (observed.rulesUnread) warnings.push(`the host's iptables rules could not be read (${observed.rulesUnread}): traces evaluate dockerd's rules as modelled`);
  // The IPv6 rules: dockerd's own (with --ip6tables) are not modelled as rules, so every rule read keeps
  // its text and the trace names it; an empty ruleset still tells that nothing filters IPv6.
  if ('error' in reading.ip6tables) observed.rules6Unread = reading.ip6tables.error;
  else {
    try {
      observed.rules6 = markDockerdRules(parseIptablesSave(reading.ip6tables.text, hostName, { host: hostName, layout: 'legacy', tables: new Map() }));
    } catch (err) {
      if (!(err instanceof IptablesSaveError)) throw err;
      observed.rules6Unread = `${reading.ip6tables.command} printed what cannot be read: ${err.message}`;
    }
  }
  const bridgeNf6 = reading.sysctls['net.bridge.bridge-nf-call-ip6tables'];
  if (bridgeNf6 === '0' || bridgeNf6 === '1') observed.bridgeNfCallIp6tables = bridgeNf6 === '1';
  const forward = reading.sysctls['net.ipv4.ip_forward'];
  if (forward === '0' || forward === '1') observed.ipForward = forward === '1';
  const bridgeNf = reading.sysctls['net.bridge.bridge-nf-call-iptables'];
  if (bridgeNf === '0' || bridgeNf === '1') observed.bridgeNfCallIptables = bridgeNf === '1';
  const routing = reading.routing;
  if (!routing) observed.routesUnread = "the host's routing table was not read";
  else {
    if (routing.routes.state === 'read') observed.routes = routing.routes.routes;
    else observed.routesUnread = routing.routes.why;
    observed.rpFilter = routing.rpFilter;
    observed.mtu = routing.mtu;
    if (routing.rules?.state === 'read') {
      if (routing.rules.extra.length > 0) {
        observed.policyRules = routing.rules.extra;
        const unread = routing.rules.extra.filter((r) => !r.routes || r.more);
        if (unread.length) warnings.push(`the host has policy routing rules traces cannot follow (ip rule: ${unread.map((r) => r.text).join('; ')}): a packet one of them may match has an unknown route`);
      }
    } else if (routing.rules) observed.policyRulesUnread = routing.rules.why;
    for (const b of host.bridges.values()) {
      const real = routing.mtu[b.name];
      const net = [...host.networks.values()].find((n) => n.bridge?.name === b.name);
      const want = Number(net?.options['com.docker.network.driver.mtu'] ?? 0);
      if (real !== undefined && want > 0 && real !== want) warnings.push(`${b.name} (network ${net?.name}) has MTU ${real} on the host, not the ${want} its network asks for (ip link set ${b.name} mtu ${want})`);
    }
  }
  if (observed.routesUnread) warnings.push(`the host's routes could not be read (${observed.routesUnread}): traces follow the routes as modelled`);
  if (sandboxRoutes) observed.sandboxRoutes = sandboxRoutes;
  host.observed = observed;
}

/** Each container's routing table as read, by name (the engine's containers carry the real names). */
function sandboxRoutesOf(snapshot: Snapshot): Record<string, readonly ObservedRoute[] | { readonly unread: string }> | undefined {
  if (!snapshot.routes) return undefined;
  const out: Record<string, readonly ObservedRoute[] | { readonly unread: string }> = {};
  for (const c of snapshot.containers) {
    const r = snapshot.routes[c.id];
    if (r) out[c.name] = r.state === 'read' ? r.routes : { unread: r.why };
  }
  return out;
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

export class ContainerReplay {
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
    let mode = networkModeName(this.snapshot, c);
    // A swarm task's container says "default" (26.1: "bridge") and has no bridge endpoint: it starts on its first overlay.
    if ((mode === 'default' || mode === 'bridge') && c.labels['com.docker.swarm.task.id'] && !c.endpoints.some((e) => this.networkName(e) === 'bridge') && c.endpoints[0]) mode = this.networkName(c.endpoints[0]);
    if (mode.startsWith('container:')) {
      const target = this.snapshot.containers.find((x) => x.name === mode.slice('container:'.length));
      if (target) this.replay(target);
    }
    const startNet = mode === 'default' ? 'bridge' : mode;
    const primary = c.endpoints.find((e) => this.networkName(e) === startNet) ?? null;
    const req: ContainerCreateRequest = { name: c.name, image: c.image, networkMode: mode };
    // What it really listens on, when read: the tree shows it, and traces use it.
    const heard = observedListen(this.snapshot, c);
    if (heard) req.listen = 'listen' in heard ? heard.listen : [];
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
