// The engine: dockerd's networking operations on a model of one or more hosts. Each public method is one
// Docker CLI/API operation and fails like it, with dockerd's text and status, in dockerd's order of checks.
import { DockerError, BAD_REQUEST, CONFLICT, FORBIDDEN, INTERNAL, NOT_FOUND, IpamError, msg, type ErrorHint } from './errors';
import type { ContainerCreateRequest, EndpointConfig, HostConfig, IpamPoolConfig, NetworkCreateRequest } from './requests';
import type { InspectResult } from './inspectTypes';
import type {
  ContainerNetwork, ContainerState, DaemonSettings, EndpointState, EngineState, ExposedPort, HostInterface, HostState,
  IpamAssignment, NetworkModeKind, NetworkState, PortSpecBinding, SandboxState,
} from './model';
import { featuresOf, parseVersion, type VersionFeatures } from './version';
import { IdFactory, sandboxKey, shortId } from './ids';
import {
  type IpAddr, type IpNet, formatAddr, formatNet, makeNet, netContains, netLast, parseCidr, parseIp, parseMac,
} from './ip';
import { DefaultIpam } from './ipam/defaultIpam';
import { GLOBAL_DEFAULT_POOLS, LOCAL_DEFAULT_POOLS, type PredefinedPools, poolsFromConfig } from './ipam/predefinedPools';
import type { IpamDriver } from './ipam/types';
import { sha256Bytes } from './sha256';
import { DriverRegistry, type DriverContext, type NetworkDriver } from './drivers/types';
import { BRIDGE_OPT, BridgeDriver } from './drivers/bridge';
import { HostDriver, NullDriver } from './drivers/special';
import { MacvlanDriver } from './drivers/macvlan';
import { IpvlanDriver } from './drivers/ipvlan';
import { OVERLAY_OPT, OverlayDriver, VXLAN_PORT, underlayOf } from './drivers/overlay';
import { SwarmCluster, swarmId } from './swarm/cluster';
import { INGRESS_SANDBOX_ID, INGRESS_SANDBOX_NAME, parseServicePorts, placeTasks, validateEndpointSpec } from './swarm/services';
import type { ServiceCreateRequest } from './requests';
import type { PublishedPort, ServiceState, TaskState } from './model';
import { PortAllocator } from './ports/allocator';
import { PortBindingError } from './ports/publish';
import { parseExpose, parseListen, parsePortSpec } from './ports/portSpec';
import { findContainer, findNetwork, isPredefinedNetworkName, isUserDefinedName } from './lookup';
import {
  addSandboxEndpoint, addSandboxInterface, endpointLess, gatewayEndpoint, GW_BRIDGE_NETWORK, newSandbox, rebuildRoutes,
  removeSandboxEndpoint, removeSandboxInterface,
} from './sandbox';
import { resolveDns, resolveName } from './dns';
import { buildInspect } from './inspect';
import { endpointPrints, fixedPorts, identity, networksOf, poolsBySubnet, replaceable, restoreNetworkOrder, restoreOrder, tailPortsUnaffected, vethsFirstDrawn } from './replace';

const CONTAINER_NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

/** Per-host bookkeeping that is not part of the public model. */
interface HostInternals {
  readonly ids: IdFactory;
  readonly features: VersionFeatures;
  readonly ctx: DriverContext;
  readonly networksByName: Map<string, NetworkState>;
  readonly containersByName: Map<string, ContainerState>;
  /** Networks the host routes on-link (its own interfaces): auto-picked pools avoid them. */
  readonly onLink: IpNet[];
  seq: number;
  /** The id count when each container was created, by its creation number (replaceContainer gives a re-played one the same ids). */
  readonly idStart: number[];
}

/** Internal create-network spec shared by `docker network create` and the daemon's own networks. */
interface NetworkSpec {
  name: string;
  driver: string;
  ipamDriver: string;
  ipamOptions: Record<string, string>;
  v4: IpamPoolConfig[];
  v6: IpamPoolConfig[];
  /** Index of each config in the request, for hints. */
  v4Index: number[];
  v6Index: number[];
  options: Record<string, string>;
  labels: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv6: boolean;
  predefined: boolean;
  /** docker0 with --fixed-cidr-v6 ≤ /80 (before 28): IPv6 comes from the MAC, then is reserved. */
  deferIpv6Alloc: boolean;
  /** A swarm network's view on a node: the id the manager gave it and the records all views share. */
  id?: string;
  dnsRecords?: Map<string, EndpointState[]>;
}

export class Engine {
  readonly state: EngineState = {
    hosts: new Map(),
    swarm: { nodes: [], networks: new Map(), services: new Map(), ingressNetworkId: null, dataPathPort: VXLAN_PORT },
  };
  /** The managers' state: overlay IPAM, VNIs, published ports (swarmkit). */
  private readonly swarm: SwarmCluster;
  readonly drivers = new DriverRegistry();
  private readonly internals = new Map<string, HostInternals>();
  private swarmInitialised = false;
  /** How every node's view of an overlay is created (kept for nodes that join later). */
  private readonly overlaySpecs = new Map<string, NetworkSpec>();
  /** Containers that are swarm tasks (they may join non-attachable overlays). */
  private readonly taskContainers = new Set<string>();
  private serviceSeq = 0;
  /** While replaceNetwork makes a network again: the id it had (so the creation counter need not go back). */
  private pinnedNetworkId: string | undefined;

  constructor() {
    this.drivers.register(new BridgeDriver());
    this.drivers.register(new HostDriver());
    this.drivers.register(new NullDriver());
    this.drivers.register(new MacvlanDriver());
    this.drivers.register(new IpvlanDriver());
    this.drivers.register(new OverlayDriver(this.state.swarm.dataPathPort));
    this.swarm = new SwarmCluster(this.state.swarm);
  }

  /** Adds a network driver (a plug-in, or macvlan/ipvlan/overlay later). */
  registerDriver(driver: NetworkDriver): void {
    this.drivers.register(driver);
  }

  registerIpamDriver(name: string, factory: (host: HostState) => IpamDriver): void {
    this.drivers.registerIpam(name, factory);
  }

  hostNames(): string[] {
    return [...this.state.hosts.keys()];
  }

  // ---------------------------------------------------------------- hosts

  addHost(cfg: HostConfig): void {
    const daemonHint: ErrorHint = { field: 'daemon' };
    if (this.state.hosts.has(cfg.name)) throw new DockerError(`host ${cfg.name} already exists`, CONFLICT, { field: 'name' });
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
    const ids = new IdFactory(cfg.name);
    host.ipam.set('default', new DefaultIpam({ localPools, globalPools: GLOBAL_DEFAULT_POOLS, lowestFree: features.lowestFreeSubnet }));
    const internals: HostInternals = {
      ids, features, ctx: { host, features, ids, hosts: this.state.hosts }, networksByName: new Map(), containersByName: new Map(), onLink, seq: 0, idStart: [],
    };

    // The daemon's own networks, in the order dockerd makes them: none, host, bridge.
    const base = { ipamDriver: 'default', ipamOptions: {}, v4: [], v6: [], v4Index: [], v6Index: [], labels: {}, internal: false, attachable: false, ingress: false, enableIpv6: false, predefined: true, deferIpv6Alloc: false };
    this.createNetworkOn(host, internals, { ...base, name: 'none', driver: 'null', options: {} });
    this.createNetworkOn(host, internals, { ...base, name: 'host', driver: 'host', options: {} });
    try {
      this.createNetworkOn(host, internals, this.defaultBridgeSpec(daemon, localPools, onLink, base));
    } catch (e) {
      if (e instanceof DockerError) {
        const text = e.message.startsWith('IPv6 is enabled') ? e.message : msg.defaultBridge(e.message);
        throw new DockerError(text, e.status, daemonHint);
      }
      throw e;
    }
    this.state.hosts.set(cfg.name, host);
    this.internals.set(cfg.name, internals);
    if (host.swarm) this.joinSwarm(host, internals);
  }

  /** daemon_unix.go initBridgeDriver: docker0's IPAM and options from the daemon flags. */
  private defaultBridgeSpec(daemon: DaemonSettings, localPools: PredefinedPools, onLink: IpNet[], base: Omit<NetworkSpec, 'name' | 'driver' | 'options'>): NetworkSpec {
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

  private host(name: string): { host: HostState; int: HostInternals } {
    const host = this.state.hosts.get(name);
    const int = this.internals.get(name);
    if (!host || !int) throw new DockerError(`no such host: ${name}`, NOT_FOUND);
    return { host, int };
  }

  // ---------------------------------------------------------------- networks

  createNetwork(hostName: string, req: NetworkCreateRequest): { id: string; warning?: string } {
    const { host, int } = this.host(hostName);
    host.revision++;
    const name = req.name;
    if (isPredefinedNetworkName(name)) throw new DockerError(msg.predefinedCreate(name), FORBIDDEN, { field: 'name' });
    if (int.networksByName.has(name)) throw new DockerError(msg.networkExists(name), CONFLICT, { field: 'name' });
    const driver = req.driver && req.driver !== '' ? req.driver : 'bridge';
    if (driver === 'overlay' && host.swarm !== 'manager') throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'driver' });
    if (driver === 'overlay') return this.createOverlayNetwork(host, int, req);
    const globalScope = this.drivers.driver(driver)?.scope === 'global';

    // getIpamConfig: every entry needs a parsable subnet; its family sorts it into v4 or v6.
    const v4: IpamPoolConfig[] = [], v6: IpamPoolConfig[] = [], v4Index: number[] = [], v6Index: number[] = [];
    (req.ipam?.config ?? []).forEach((c, i) => {
      const subnet = c.subnet ?? '';
      const parsed = parseCidr(subnet);
      if (!parsed) throw new DockerError(msg.invalidSubnet(subnet, `invalid CIDR address: ${subnet}`), INTERNAL, { field: 'subnet', index: i });
      if (parsed.family === 4) { v4.push(c); v4Index.push(i); } else { v6.push(c); v6Index.push(i); }
      if (int.features.strictIpamValidation) validateIpamConfig25(c, parsed, i);
    });
    let enableIpv6 = req.enableIpv6 ?? false;
    if (int.features.ipv6SubnetEnablesIpv6 && v6.length > 0) enableIpv6 = true;

    const spec: NetworkSpec = {
      name, driver, ipamDriver: req.ipam?.driver || this.drivers.driver(driver)?.defaultIpamDriver || 'default', ipamOptions: { ...(req.ipam?.options ?? {}) },
      v4, v6, v4Index, v6Index, options: { ...(req.options ?? {}) }, labels: { ...(req.labels ?? {}) },
      internal: req.internal ?? false, attachable: req.attachable ?? false, ingress: req.ingress ?? false,
      enableIpv6, predefined: false, deferIpv6Alloc: false,
    };
    if (this.pinnedNetworkId !== undefined && !globalScope) spec.id = this.pinnedNetworkId;
    if (globalScope) return this.createGlobalNetwork(host, int, spec);
    const net = this.createNetworkOn(host, int, spec);
    return { id: net.id };
  }

  /** libnetwork controller.NewNetwork: name, driver, IPAM allocation, then the driver's CreateNetwork. */
  private createNetworkOn(host: HostState, int: HostInternals, spec: NetworkSpec): NetworkState {
    if (spec.name.trim() === '') throw new DockerError(msg.invalidName(spec.name), BAD_REQUEST, { field: 'name' });
    const driver = this.drivers.driver(spec.driver);
    if (!driver) throw new DockerError(msg.pluginNotFound(spec.driver), NOT_FOUND, { field: 'driver' });
    const id = spec.id ?? int.ids.next('network', spec.name);
    let ipam: IpamDriver | null = null;
    const ipv4: IpamAssignment[] = [], ipv6: IpamAssignment[] = [];
    try {
      if (!driver.special) {
        ipam = this.ipamDriver(host, spec.ipamDriver);
        const space = driver.scope === 'local' ? ipam.defaultAddressSpaces().local : ipam.defaultAddressSpaces().global;
        this.ipamAllocate(int, ipam, space, driver.scope === 'local', spec, 4, ipv4);
        if (spec.enableIpv6) this.ipamAllocate(int, ipam, space, driver.scope === 'local', spec, 6, ipv6);
      }
      const created = driver.createNetwork(int.ctx, { id, name: spec.name, options: spec.options, internal: spec.internal, enableIpv6: spec.enableIpv6, ipv4, ipv6, ipamDriver: spec.ipamDriver, attachable: spec.attachable, ingress: spec.ingress });
      const net: NetworkState = {
        id, name: spec.name, host: host.name, driver: spec.driver, scope: driver.scope, seq: ++int.seq,
        internal: spec.internal, attachable: spec.attachable, ingress: spec.ingress, enableIpv6: spec.enableIpv6,
        options: spec.options, labels: spec.labels, ipamDriver: spec.ipamDriver, ipamOptions: spec.ipamOptions,
        ipamConfig: { v4: spec.v4, v6: spec.v6 },
        ipv4, ipv6, predefined: spec.predefined, bridge: created.bridge ?? null,
        ...(created.parentLink ? { parentLink: created.parentLink } : {}),
        ...(created.overlay ? { overlay: created.overlay } : {}),
        endpoints: new Map(), dnsRecords: spec.dnsRecords ?? new Map(),
        driverData: { ...(created.driverData ?? {}), deferIpv6Alloc: spec.deferIpv6Alloc },
      };
      host.networks.set(id, net);
      int.networksByName.set(spec.name, net);
      return net;
    } catch (e) {
      if (ipam) releaseIpam(ipam, ipv4.concat(ipv6));
      throw e;
    }
  }

  private ipamDriver(host: HostState, name: string): IpamDriver {
    let d = host.ipam.get(name);
    if (!d) {
      const factory = this.drivers.ipamFactory(name);
      if (!factory) throw new DockerError(msg.pluginNotFound(name), NOT_FOUND, { field: 'driver' });
      d = factory(host);
      host.ipam.set(name, d);
    }
    return d;
  }

  /** network.ipamAllocateVersion: pools, gateways and aux addresses of one family (all or nothing). */
  private ipamAllocate(int: HostInternals, ipam: IpamDriver, space: string, local: boolean, spec: NetworkSpec, v: 4 | 6, out: IpamAssignment[]): void {
    const configs: (IpamPoolConfig | null)[] = (v === 4 ? spec.v4 : spec.v6).length > 0 ? (v === 4 ? spec.v4 : spec.v6) : [null];
    const indexes = v === 4 ? spec.v4Index : spec.v6Index;
    configs.forEach((cfg, i) => {
      const index = indexes[i] ?? 0;
      const gwText = cfg?.gateway ?? '';
      const gwAddr = gwText === '' ? null : parseIp(gwText);
      if (gwText !== '' && !gwAddr) throw new DockerError(msg.invalidGatewayAddress(gwText), BAD_REQUEST, { field: 'gateway', index });
      const { poolId, pool } = this.requestPoolHelper(int, ipam, space, local, cfg?.subnet ?? '', cfg?.ipRange ?? '', spec.ipamOptions, v === 6, index);
      const a: { poolId: string; subnet: IpNet; gateway: IpAddr | null; ipRange: IpNet | null; auxAddresses: Record<string, IpAddr>; config: IpamPoolConfig | null } = {
        poolId, subnet: pool, gateway: null, ipRange: cfg?.ipRange ? parseCidr(cfg.ipRange) : null, auxAddresses: {}, config: cfg,
      };
      out.push(a);
      try {
        a.gateway = ipam.requestAddress(poolId, gwAddr, { gateway: true });
      } catch (e) {
        if (e instanceof DockerError) throw new DockerError(msg.failedAllocateGateway(gwText, e.message), INTERNAL, { field: 'gateway', index });
        throw e;
      }
      for (const [k, text] of Object.entries(cfg?.auxAddresses ?? {})) {
        const hint: ErrorHint = { field: 'aux_addresses', index, key: k };
        const ip = parseIp(text);
        if (!ip) throw new DockerError(msg.auxNotParsable(k, text, spec.name), BAD_REQUEST, hint);
        if (!netContains(pool, ip)) throw new DockerError(msg.auxOutsidePool(k, text, formatNet(pool)), FORBIDDEN, hint);
        try {
          a.auxAddresses[k] = ipam.requestAddress(poolId, ip);
        } catch (e) {
          if (e instanceof DockerError && e.message !== 'Requested address is out of range') {
            throw new DockerError(msg.auxAllocFailed(k, text, e.message), INTERNAL, hint);
          }
          if (!(e instanceof DockerError)) throw e;
        }
      }
    });
  }

  /**
   * requestPoolHelper: a pool picked from the defaults (local scope, 20.10 allocator) that overlaps a network
   * the host routes on-link is held and another is asked for; the held ones are released at the end.
   */
  private requestPoolHelper(int: HostInternals, ipam: IpamDriver, space: string, local: boolean, pool: string, subPool: string, options: Record<string, string>, v6: boolean, index: number) {
    const held: string[] = [];
    const hint: ErrorHint = { field: v6 ? 'ipv6' : 'subnet', index };
    try {
      for (;;) {
        const got = ipam.requestPool({ addressSpace: space, pool, subPool, options, v6, avoid: int.onLink });
        if (!local || pool !== '' || !int.onLink.some((n) => overlapsNet(n, got.pool))) return got;
        held.push(got.poolId);
      }
    } catch (e) {
      if (e instanceof DockerError) {
        const field = e.message.includes('subpool') ? { field: 'ip_range' as const, index } : hint;
        throw e.withHint(e.hint ?? field);
      }
      throw e;
    } finally {
      for (const id of held) ipam.releasePool(id);
    }
  }

  removeNetwork(hostName: string, nameOrId: string): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const net = findNetwork(host, int.networksByName, nameOrId);
    if (net.predefined) throw new DockerError(msg.predefinedRemove(net.name), FORBIDDEN, { field: 'name' });
    if (net.scope === 'swarm' && this.state.swarm.networks.has(net.id)) {
      this.removeOverlayNetwork(host, net);
      return;
    }
    if (net.scope === 'global') {
      const views = this.hostNames().map((h) => this.state.hosts.get(h)!.networks.get(net.id)).filter((v): v is NetworkState => !!v);
      const busy = views.find((v) => v.endpoints.size > 0);
      if (busy) throw new DockerError(msg.activeEndpoints(net.name, net.id), FORBIDDEN, { field: 'name' });
      for (const h of this.hostNames()) this.dropView(h, net.id);
      return;
    }
    if (net.endpoints.size > 0) {
      const text = int.features.activeEndpointNames
        ? msg.activeEndpoints281(net.name, [...net.endpoints.values()].map((e) => e.name))
        : msg.activeEndpoints(net.name, net.id);
      throw new DockerError(text, FORBIDDEN, { field: 'name' });
    }
    const driver = this.drivers.driver(net.driver)!;
    driver.deleteNetwork(int.ctx, net);
    if (!driver.special) releaseIpam(this.ipamDriver(host, net.ipamDriver), net.ipv4.concat(net.ipv6));
    host.networks.delete(net.id);
    int.networksByName.delete(net.name);
  }

  // ---------------------------------------------------------------- containers

  createContainer(hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
    const { host, int } = this.host(hostName);
    host.revision++;
    // docker CLI: -p and --expose first.
    const exposed: ExposedPort[] = [];
    const portSpecs: PortSpecBinding[] = [];
    const addExposed = (p: ExposedPort) => {
      if (!exposed.some((e) => e.port === p.port && e.proto === p.proto)) exposed.push(p);
    };
    (req.ports ?? []).forEach((raw, i) => {
      const parsed = parsePortSpec(raw, i);
      parsed.exposed.forEach(addExposed);
      portSpecs.push(...parsed.bindings);
    });
    (req.expose ?? []).forEach((raw, i) => exposedPorts(raw, i).forEach(addExposed));
    // Not Docker's: what listens (the file's `listen`), by default what is exposed.
    const listening = req.listen ? listenPorts(req.listen) : exposed;

    // runconfig validateNetMode (decoding the request).
    const mode = req.networkMode === undefined || req.networkMode === '' ? 'default' : req.networkMode;
    const { kind, target } = classifyMode(mode);
    const mac = req.endpoint?.macAddress ?? '';
    if (mode === 'container' || (kind === 'container' && target === '')) {
      throw new DockerError(msg.invalidContainerMode(), BAD_REQUEST, { field: 'network_mode' });
    }
    if (kind === 'container') {
      if (req.hostname) throw new DockerError(msg.conflictHostname(), BAD_REQUEST, { field: 'network_mode' });
      if (mac) throw new DockerError(msg.conflictMac(), BAD_REQUEST, { field: 'mac_address' });
      if (portSpecs.length > 0 || req.publishAll) throw new DockerError(msg.conflictPublish(), BAD_REQUEST, { field: 'ports', index: 0 });
      if ((req.expose ?? []).length > 0) throw new DockerError(msg.conflictExpose(), BAD_REQUEST, { field: 'expose' });
    }
    if (kind === 'host' && mac) throw new DockerError(msg.conflictMac(), BAD_REQUEST, { field: 'mac_address' });
    const warnings: string[] = [];
    if (kind === 'host' && portSpecs.length > 0) warnings.push(msg.hostPortsDiscarded());

    // verifyNetworkingConfig
    const ep = req.endpoint ?? {};
    if (ep.ipv4Address) {
      const a = parseIp(ep.ipv4Address);
      if (!a || a.family !== 4) throw new DockerError(msg.invalidIPv4(ep.ipv4Address), BAD_REQUEST, { field: 'ipv4_address' });
    }
    if (ep.ipv6Address) {
      const a = parseIp(ep.ipv6Address);
      if (!a || a.family !== 6) throw new DockerError(msg.invalidIPv6(ep.ipv6Address), BAD_REQUEST, { field: 'ipv6_address' });
    }

    // Name: valid and free.
    let name = req.name ?? '';
    if (name !== '' && !CONTAINER_NAME.test(name)) throw new DockerError(msg.invalidContainerName(name), BAD_REQUEST, { field: 'name' });
    if (name.startsWith('/')) name = name.slice(1);
    const idStart = int.ids.count;
    const id = int.ids.next('container', name);
    if (name === '') name = generatedName(id, int.containersByName);
    const clash = int.containersByName.get(name);
    if (clash) throw new DockerError(msg.nameInUse(name, clash.id), CONFLICT, { field: 'name' });

    // updateContainerNetworkSettings: the create-time network, keyed by its name when it exists.
    const networks: ContainerNetwork[] = [];
    if (kind !== 'container') {
      let key = kind === 'default' ? 'bridge' : mode;
      let networkId: string | null = null;
      if (kind === 'network') {
        try {
          const n = findNetwork(host, int.networksByName, mode);
          key = n.name;
          networkId = null;
        } catch {
          // Not found: `docker create` succeeds, `docker start` fails.
        }
      }
      networks.push({ key, networkId, config: { ...ep, aliases: [...(ep.aliases ?? [])] }, aliases: [...(ep.aliases ?? [])], endpointId: null });
    }

    const ctr: ContainerState = {
      id, name,
      hostname: req.hostname ?? (kind === 'host' ? host.name : shortId(id)),
      image: req.image ?? '',
      seq: ++int.seq,
      status: 'created',
      networkMode: mode,
      modeKind: kind,
      modeTarget: kind === 'container' ? target : null,
      networks,
      exposedPorts: exposed,
      listening,
      portSpecs,
      publishAll: req.publishAll ?? false,
      macAddress: mac || null,
      sandboxId: null,
      joinedContainerId: null,
      warnings,
      runtimeWarnings: [],
    };
    host.containers.set(id, ctr);
    int.containersByName.set(name, ctr);
    int.idStart[ctr.seq] = idStart;
    return { id, warnings: [...warnings] };
  }

  runContainer(hostName: string, req: ContainerCreateRequest): { id: string; warnings: string[] } {
    const created = this.createContainer(hostName, req);
    this.startContainer(hostName, created.id);
    return created;
  }

  startContainer(hostName: string, nameOrId: string): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const ctr = findContainer(host, int.containersByName, nameOrId);
    if (ctr.status === 'running') return; // 304 Not Modified
    ctr.runtimeWarnings.length = 0;

    if (ctr.modeKind === 'container') {
      const target = findContainer(host, int.containersByName, ctr.modeTarget!);
      if (target.id === ctr.id) throw new DockerError(msg.joinOwn(), INTERNAL, { field: 'network_mode' });
      if (target.status !== 'running' || !target.sandboxId) throw new DockerError(msg.joinNotRunning(ctr.modeTarget!), CONFLICT, { field: 'network_mode' });
      const sb = host.sandboxes.get(target.sandboxId)!;
      sb.sharedBy.add(ctr.id);
      ctr.sandboxId = sb.id;
      ctr.joinedContainerId = target.id;
      ctr.hostname = target.hostname;
      ctr.status = 'running';
      return;
    }

    // allocateNetwork: the default `bridge` first, then the rest in the order configured.
    const order = ctr.networks.length > 1 ? [...ctr.networks].sort((a, b) => (a.key === 'bridge' ? -1 : 0) - (b.key === 'bridge' ? -1 : 0)) : ctr.networks.slice();
    try {
      for (const cn of order) {
        cn.endpointId = null;
        this.connectToNetwork(host, int, ctr, cn.key, cn.config, false);
      }
      if (!ctr.sandboxId) this.ensureSandbox(host, int, ctr);
    } catch (e) {
      this.releaseNetwork(host, int, ctr);
      throw e;
    }
    ctr.status = 'running';
  }

  stopContainer(hostName: string, nameOrId: string): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const ctr = findContainer(host, int.containersByName, nameOrId);
    if (ctr.status !== 'running') return; // 304 Not Modified
    this.releaseNetwork(host, int, ctr);
    ctr.status = 'exited';
  }

  removeContainer(hostName: string, nameOrId: string, opts?: { force?: boolean }): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const ctr = findContainer(host, int.containersByName, nameOrId);
    if (ctr.status === 'running') {
      if (!opts?.force) throw new DockerError(msg.removeRunning(ctr.id), CONFLICT, { field: 'name' });
      this.releaseNetwork(host, int, ctr);
      ctr.status = 'exited';
    }
    host.containers.delete(ctr.id);
    int.containersByName.delete(ctr.name);
  }

  // ---------------------------------------------------------------- connect / disconnect

  connect(hostName: string, network: string, container: string, cfg?: EndpointConfig): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const ctr = findContainer(host, int.containersByName, container);
    const config: EndpointConfig = { ...(cfg ?? {}), aliases: [...(cfg?.aliases ?? [])] };
    if (!int.features.endpointMacOnConnect) delete config.macAddress;
    if (ctr.status !== 'running') {
      let n: NetworkState | null = null;
      try {
        n = findNetwork(host, int.networksByName, network);
      } catch {
        n = null;
      }
      if (n) {
        const aliases = this.updateNetworkConfig(host, int, ctr, n, config);
        if (this.updateNetworkSettings(host, int, ctr, n)) {
          ctr.networks.push({ key: n.name, networkId: null, config, aliases, endpointId: null });
        }
      } else {
        // A stopped container accepts a network that does not exist; `docker start` fails later.
        ctr.networks.push({ key: network, networkId: null, config, aliases: [...(config.aliases ?? [])], endpointId: null });
      }
      return;
    }
    this.connectToNetwork(host, int, ctr, network, config, true);
  }

  disconnect(hostName: string, network: string, container: string, force?: boolean): void {
    const { host, int } = this.host(hostName);
    host.revision++;
    const ctr = findContainer(host, int.containersByName, container);
    let n: NetworkState | null = null;
    let lookupError: unknown = null;
    try {
      n = findNetwork(host, int.networksByName, network);
    } catch (e) {
      lookupError = e;
    }
    if (ctr.status !== 'running' || (lookupError && force)) {
      const i = ctr.networks.findIndex((cn) => cn.key === network);
      if (i >= 0) {
        ctr.networks.splice(i, 1);
        return;
      }
      if (lookupError && force) throw lookupError;
      throw new DockerError(msg.notConnectedStopped(ctr.id, network), INTERNAL, { field: 'network' });
    }
    if (lookupError) throw lookupError;
    const net = n!;
    if (ctr.modeKind === 'host' && net.driver === 'host') {
      throw new DockerError(int.features.splitHostNetworkErrors ? msg.conflictHostDisconnect28() : msg.conflictHost(), FORBIDDEN, { field: 'network' });
    }
    const sb = ctr.sandboxId ? host.sandboxes.get(ctr.sandboxId) : undefined;
    const ep = sb?.endpoints.find((e) => e.networkId === net.id && e.containerId === ctr.id);
    if (!sb || !ep) throw new DockerError(msg.notConnectedRunning(ctr.id, net.name), INTERNAL, { field: 'network' });
    this.leaveAndDelete(host, int, ctr, sb, ep, true);
    const i = ctr.networks.findIndex((cn) => cn.key === net.name);
    if (i >= 0) ctr.networks.splice(i, 1);
  }

  // ---------------------------------------------------------------- the join machinery

  /** daemon.updateNetworkConfig: IP/alias rules per network kind; returns the aliases to store. */
  private updateNetworkConfig(_host: HostState, int: HostInternals, ctr: ContainerState, n: NetworkState, cfg: EndpointConfig, stored?: ContainerNetwork): string[] {
    const aliases = [...(cfg.aliases ?? [])];
    const hasIp = !!(cfg.ipv4Address || cfg.ipv6Address);
    if (!isUserDefinedName(n.name)) {
      if (hasIp) throw new DockerError(msg.ipOnPredefined(), BAD_REQUEST, { field: cfg.ipv4Address ? 'ipv4_address' : 'ipv6_address' });
      if (aliases.length > 0) throw new DockerError(msg.aliasOnPredefined(), BAD_REQUEST, { field: 'aliases' });
    } else if (!int.features.dnsNamesField) {
      const sid = shortId(ctr.id);
      if (!aliases.includes(sid)) aliases.push(sid);
      if (!aliases.includes(ctr.hostname)) aliases.push(ctr.hostname);
    }
    // dockerd appends to the stored EndpointSettings in place, so the aliases stay even when the checks
    // below (or the endpoint itself) fail: a container whose start failed shows them in `docker inspect`.
    if (stored) stored.aliases = aliases;
    // validateNetworkingConfig: a static address needs a user-configured subnet of its family.
    if (cfg.ipv4Address && !n.ipamConfig.v4.some((c) => c.subnet)) throw new DockerError(msg.ipNeedsSubnet(), BAD_REQUEST, { field: 'ipv4_address' });
    if (cfg.ipv6Address && !n.ipamConfig.v6.some((c) => c.subnet)) throw new DockerError(msg.ipNeedsSubnet(), BAD_REQUEST, { field: 'ipv6_address' });
    return aliases;
  }

  /** daemon.updateNetworkSettings: mode conflicts; false when the container is already configured for it. */
  private updateNetworkSettings(host: HostState, int: HostInternals, ctr: ContainerState, n: NetworkState): boolean {
    if (ctr.modeKind !== 'host' && n.driver === 'host') {
      throw new DockerError(int.features.splitHostNetworkErrors ? msg.conflictHostConnect28() : msg.conflictHost(), FORBIDDEN, { field: 'network' });
    }
    for (const cn of ctr.networks) {
      let sn: NetworkState;
      try {
        sn = findNetwork(host, int.networksByName, cn.networkId ?? cn.key);
      } catch {
        continue;
      }
      if (sn.id === n.id) return false;
      if (sn.driver === 'host' || n.driver === 'host') throw new DockerError(msg.conflictShared(), FORBIDDEN, { field: 'network' });
      if (sn.name === 'none' || n.name === 'none') throw new DockerError(msg.conflictNone(), FORBIDDEN, { field: 'network' });
    }
    return true;
  }

  private ensureSandbox(host: HostState, int: HostInternals, ctr: ContainerState): SandboxState {
    if (ctr.sandboxId) {
      const existing = host.sandboxes.get(ctr.sandboxId);
      if (existing) return existing;
    }
    const id = int.ids.next('sandbox', ctr.name);
    const hostNet = ctr.modeKind === 'host';
    const sb = newSandbox(id, ctr.id, hostNet ? '/var/run/docker/netns/default' : sandboxKey(id), hostNet);
    host.sandboxes.set(id, sb);
    ctr.sandboxId = id;
    return sb;
  }

  /** daemon.connectToNetwork + libnetwork CreateEndpoint and Join. */
  private connectToNetwork(host: HostState, int: HostInternals, ctr: ContainerState, term: string, cfgIn: EndpointConfig, updateSettings: boolean): void {
    if (ctr.modeKind === 'container') throw new DockerError(msg.conflictShared(), FORBIDDEN, { field: 'network' });
    const stored = ctr.networks.find((cn) => cn.key === term);
    const n = findNetwork(host, int.networksByName, stored?.networkId ?? term);
    const cfg: EndpointConfig = { ...cfgIn, aliases: [...(stored?.aliases ?? cfgIn.aliases ?? [])] };
    const aliases = this.updateNetworkConfig(host, int, ctr, n, cfg, stored);
    if (updateSettings) this.updateNetworkSettings(host, int, ctr, n);
    // Record the network on the container (keyed by name), as NetworkSettings.Networks. dockerd keeps the
    // entry even when the endpoint fails below (a failed connect leaves it, without an address).
    let cn = ctr.networks.find((x) => x.key === n.name) ?? ctr.networks.find((x) => x.key === term);
    if (!cn) {
      cn = { key: n.name, networkId: null, config: cfgIn, aliases, endpointId: null };
      ctr.networks.push(cn);
    }
    cn.key = n.name;
    cn.networkId = n.id;
    cn.aliases = aliases;

    // buildCreateEndpointOptions
    let staticV4: IpAddr | null = null, staticV6: IpAddr | null = null;
    if (cfg.ipv4Address) {
      staticV4 = parseIp(cfg.ipv4Address);
      if (!staticV4) throw new DockerError(`Invalid IPv4 address: ${cfg.ipv4Address})`, INTERNAL, { field: 'ipv4_address' });
    }
    if (cfg.ipv6Address) {
      staticV6 = parseIp(cfg.ipv6Address);
      if (!staticV6) throw new DockerError(`Invalid IPv6 address: ${cfg.ipv6Address})`, INTERNAL, { field: 'ipv6_address' });
    }
    // The container's --mac-address applies to the network it was created on; 25+ also per endpoint.
    let mac: string | null = null;
    const isCreateNetwork = n.name === ctr.networkMode || (ctr.networkMode === 'default' && n.name === 'bridge');
    const macText = cfg.macAddress ?? (isCreateNetwork ? ctr.macAddress : null);
    if (macText) {
      mac = parseMac(macText);
      if (!mac) throw new DockerError(msg.invalidMac(macText), INTERNAL, { field: 'mac_address' });
    }

    // CreateEndpoint
    n.endpoints.forEach((other) => {
      if (other.name === ctr.name) throw new DockerError(msg.endpointExists(ctr.name, n.name), FORBIDDEN, { field: 'network' });
    });
    const driver = this.drivers.driver(n.driver)!;
    const epId = int.ids.next('endpoint', `${ctr.name}@${n.name}`);
    const userDefined = isUserDefinedName(n.name);
    const gwPriority = int.features.gwPriority ? cfg.gwPriority ?? 0 : 0;
    // Overlay: a standalone container needs an attachable network; the manager hands out the address.
    let clusterAssigned = false;
    if (n.scope === 'swarm') {
      if (!n.attachable && !this.taskContainers.has(ctr.id)) throw new DockerError(msg.notAttachable(term), FORBIDDEN, { field: 'network' });
      staticV4 = this.swarm.allocateAddress(n.id, staticV4);
      clusterAssigned = !cfg.ipv4Address;
    }
    let ep: EndpointState;
    try {
      ep = this.createEndpoint(host, int, driver, n, ctr, epId, { staticV4, staticV6, mac, aliases, userDefined, gwPriority, clusterAssigned });
    } catch (e) {
      if (n.scope === 'swarm' && staticV4) this.swarm.releaseAddress(n.id, staticV4);
      throw e;
    }

    cn.endpointId = ep.id;

    try {
      const sb = this.ensureSandbox(host, int, ctr);
      this.join(host, int, ctr, sb, n, driver, ep);
    } catch (e) {
      this.deleteEndpoint(host, int, n, driver, ep);
      cn.endpointId = null;
      throw e;
    }
  }

  private createEndpoint(
    host: HostState, int: HostInternals, driver: NetworkDriver, n: NetworkState, ctr: ContainerState, id: string,
    o: { staticV4: IpAddr | null; staticV6: IpAddr | null; mac: string | null; aliases: string[]; userDefined: boolean; gwPriority: number; clusterAssigned?: boolean },
  ): EndpointState {
    let v4: { addr: IpAddr; a: IpamAssignment } | null = null;
    let v6: { addr: IpAddr; a: IpamAssignment } | null = null;
    const ipam = driver.special ? null : this.ipamDriver(host, n.ipamDriver);
    const postIpv6 = !!n.driverData.deferIpv6Alloc;
    try {
      if (ipam) {
        v4 = assignAddress(ipam, n, 4, o.staticV4);
        if (n.enableIpv6 && !postIpv6) v6 = assignAddress(ipam, n, 6, o.staticV6);
      }
      const created = driver.createEndpoint(int.ctx, n, { id, ipv4: v4?.addr ?? null, ipv6: v6?.addr ?? null, mac: o.mac });
      if (ipam && n.enableIpv6 && postIpv6) v6 = assignAddress(ipam, n, 6, o.staticV6 ?? created.ipv6 ?? null);
      const dnsNames: string[] = [];
      if (o.userDefined) {
        dnsNames.push(ctr.name, ...o.aliases);
        if (int.features.dnsNamesField) {
          const sid = shortId(ctr.id);
          if (!dnsNames.includes(sid)) dnsNames.push(sid);
          if (!dnsNames.includes(ctr.hostname)) dnsNames.push(ctr.hostname);
        }
      }
      const ep: EndpointState = {
        id, name: ctr.name, networkId: n.id, networkName: n.name, networkDriver: n.driver, networkInternal: n.internal,
        containerId: ctr.id, sandboxId: null,
        ipv4: v4 ? { address: formatAddr(v4.addr), prefixLength: v4.a.subnet.prefix, addr: v4.addr, network: v4.a.subnet } : null,
        ipv6: v6 ? { address: formatAddr(v6.addr), prefixLength: v6.a.subnet.prefix, addr: v6.addr, network: v6.a.subnet } : null,
        ipv4PoolId: v4?.a.poolId ?? null, ipv6PoolId: v6?.a.poolId ?? null,
        mac: created.mac, ifname: null, hostIfname: created.hostIfname, gateway: null, gateway6: null,
        aliases: o.userDefined ? [...o.aliases] : [],
        dnsNames,
        anonymous: !o.userDefined,
        disableResolution: !o.userDefined,
        staticIpv4: !!o.staticV4 && !o.clusterAssigned, staticIpv6: !!o.staticV6,
        portBindings: [],
        gwPriority: o.gwPriority,
      };
      n.endpoints.set(id, ep);
      return ep;
    } catch (e) {
      if (ipam) {
        if (v4) ipam.releaseAddress(v4.a.poolId, v4.addr);
        if (v6) ipam.releaseAddress(v6.a.poolId, v6.addr);
      }
      if (e instanceof DockerError && !e.hint) throw e.withHint({ field: o.staticV4 || o.staticV6 ? (o.staticV4 ? 'ipv4_address' : 'ipv6_address') : 'network' });
      throw e;
    }
  }

  private deleteEndpoint(host: HostState, int: HostInternals, n: NetworkState, driver: NetworkDriver, ep: EndpointState): void {
    driver.deleteEndpoint(int.ctx, n, ep);
    // Overlay addresses are the manager's: give it back.
    if (n.scope === 'swarm' && ep.ipv4) this.swarm.releaseAddress(n.id, ep.ipv4.addr);
    if (!driver.special) {
      const ipam = this.ipamDriver(host, n.ipamDriver);
      if (ep.ipv4 && ep.ipv4PoolId) ipam.releaseAddress(ep.ipv4PoolId, ep.ipv4.addr);
      if (ep.ipv6 && ep.ipv6PoolId) ipam.releaseAddress(ep.ipv6PoolId, ep.ipv6.addr);
    }
    n.endpoints.delete(ep.id);
  }

  /** endpoint.sbJoin */
  private join(host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState, n: NetworkState, driver: NetworkDriver, ep: EndpointState): void {
    const less = endpointLess(int.features);
    const info = driver.join(int.ctx, n, ep, sb);
    ep.sandboxId = sb.id;
    ep.gateway = info.gateway;
    ep.gateway6 = info.gateway6;
    if (info.staticRoutes) ep.staticRoutes = info.staticRoutes;
    if (info.disableGatewayService) ep.disableGatewayService = true;
    if (info.link) ep.link = info.link;
    // /etc/hosts gets "<ip> <hostname>" for every address of every network joined: libnetwork's
    // updateHostsFile writes one record per ep.getEtcHostsAddrs() (IPv4, then IPv6; seen on dockerd 20.10).
    if (!sb.hostNetwork) for (const a of [ep.ipv4?.address, ep.ipv6?.address]) if (a) sb.hostsEntries.push({ ip: a, names: hostsNames(ctr.hostname) });
    if (!ep.disableResolution && !sb.hostNetwork) {
      sb.resolverStarted = true;
      sb.resolvConf = 'embedded';
    }
    const extEp = gatewayEndpoint(sb);
    addSandboxEndpoint(sb, ep, less);
    if (info.ifacePrefix !== null) {
      ep.ifname = addSandboxInterface(sb, ep, info.ifacePrefix, info.mtu);
      if (ep.hostIfname) {
        const v = host.veths.get(ep.hostIfname);
        if (v) host.veths.set(ep.hostIfname, { ...v, containerIfname: ep.ifname });
      }
    }
    addDnsRecords(n, ep);
    const newExt = gatewayEndpoint(sb);
    try {
      if (newExt !== extEp) this.moveExternalConnectivity(int, ctr, extEp, newExt);
    } catch (e) {
      // Undo the join; the old endpoint gets its ports back.
      removeDnsRecords(n, ep);
      removeSandboxEndpoint(sb, ep);
      removeSandboxInterface(sb, ep);
      sb.gatewayEndpointId = extEp?.id ?? null;
      if (extEp) this.programPorts(int, ctr, extEp, false);
      rebuildRoutes(sb);
      driver.leave(int.ctx, n, ep, sb);
      ep.sandboxId = null;
      throw e;
    }
    sb.gatewayEndpointId = newExt?.id ?? null;
    rebuildRoutes(sb);
    if (n.name !== GW_BRIDGE_NETWORK) this.reconcileDefaultGateway(host, int, ctr, sb);
  }

  /** Revoke the ports from the old gateway endpoint and program them on the new one (a failure fails the join). */
  private moveExternalConnectivity(int: HostInternals, ctr: ContainerState, from: EndpointState | null, to: EndpointState | null): void {
    if (from) {
      const fromDriver = this.drivers.driver(from.networkDriver);
      const fromNet = this.networkOf(int, from);
      if (fromDriver && fromNet) fromDriver.revokeExternalConnectivity(int.ctx, fromNet, from);
      from.portBindings = [];
    }
    if (to && !to.networkInternal) this.programPorts(int, ctr, to, true);
  }

  private programPorts(int: HostInternals, ctr: ContainerState, ep: EndpointState, strict: boolean): void {
    const driver = this.drivers.driver(ep.networkDriver);
    const net = this.networkOf(int, ep);
    if (!driver || !net) return;
    try {
      ep.portBindings = driver.programExternalConnectivity(int.ctx, net, ep, sandboxPortBindings(ctr));
    } catch (e) {
      if (!(e instanceof DockerError)) throw e;
      const wrapped = msg.externalConnectivity(ep.name, ep.id, e.message);
      const binding = e instanceof PortBindingError ? e.binding : null;
      const hint: ErrorHint = binding?.specIndex !== undefined ? { field: 'ports', index: binding.specIndex } : { field: binding ? 'expose' : 'ports' };
      if (strict) throw new DockerError(wrapped, INTERNAL, hint);
      ctr.runtimeWarnings.push(wrapped);
      ep.portBindings = [];
    }
  }

  private networkOf(int: HostInternals, ep: EndpointState): NetworkState | undefined {
    return int.ctx.host.networks.get(ep.networkId);
  }

  /** endpoint.sbLeave + Delete. `moveTo`: program the sandbox's ports on the next gateway endpoint. */
  private leaveAndDelete(host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState, ep: EndpointState, moveTo: boolean): void {
    const n = host.networks.get(ep.networkId)!;
    const driver = this.drivers.driver(n.driver)!;
    const extEp = gatewayEndpoint(sb);
    const wasExt = extEp === ep;
    if (wasExt) {
      driver.revokeExternalConnectivity(int.ctx, n, ep);
      ep.portBindings = [];
    }
    driver.leave(int.ctx, n, ep, sb);
    removeDnsRecords(n, ep);
    removeSandboxEndpoint(sb, ep);
    removeSandboxInterface(sb, ep);
    for (const a of [ep.ipv4?.address, ep.ipv6?.address]) {
      const i = a ? sb.hostsEntries.findIndex((h) => h.ip === a) : -1;
      if (i >= 0) sb.hostsEntries.splice(i, 1);
    }
    const newExt = gatewayEndpoint(sb);
    sb.gatewayEndpointId = newExt?.id ?? null;
    if (wasExt && newExt && moveTo && !newExt.networkInternal) this.programPorts(int, ctr, newExt, false);
    rebuildRoutes(sb);
    ep.sandboxId = null;
    this.deleteEndpoint(host, int, n, driver, ep);
    const cn = ctr.networks.find((x) => x.endpointId === ep.id);
    if (cn) cn.endpointId = null;
    if (moveTo && n.name !== GW_BRIDGE_NETWORK) this.reconcileDefaultGateway(host, int, ctr, sb);
  }

  // ---------------------------------------------------------------- docker_gwbridge

  /**
   * sbJoin/sbLeave: a sandbox whose (non-internal) networks give it no gateway — overlay — gets an extra
   * endpoint gateway_<12hex of the container id> on docker_gwbridge (made on first use), and loses it as
   * soon as another network gives it a gateway.
   */
  private reconcileDefaultGateway(host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState): void {
    const gwEp = sb.endpoints.find((e) => e.networkName === GW_BRIDGE_NETWORK) ?? null;
    const need = needDefaultGateway(sb);
    if (need && !gwEp) this.setupDefaultGateway(host, int, ctr, sb);
    else if (!need && gwEp) this.leaveAndDelete(host, int, ctr, sb, gwEp, true);
  }

  private setupDefaultGateway(host: HostState, int: HostInternals, ctr: ContainerState, sb: SandboxState): void {
    const n = int.networksByName.get(GW_BRIDGE_NETWORK) ?? this.createNetworkOn(host, int, gwBridgeSpec());
    const driver = this.drivers.driver(n.driver)!;
    const name = `gateway_${sb.containerId.slice(0, 12)}`;
    const epId = int.ids.next('endpoint', `${name}@${n.name}`);
    const ep = this.createEndpoint(host, int, driver, n, { ...ctr, name }, epId, {
      staticV4: null, staticV6: null, mac: null, aliases: [], userDefined: false, gwPriority: 0,
    });
    try {
      this.join(host, int, ctr, sb, n, driver, ep);
    } catch (e) {
      this.deleteEndpoint(host, int, n, driver, ep);
      throw e;
    }
  }

  /** daemon.releaseNetwork: the sandbox goes away with all its endpoints (addresses and ports released). */
  private releaseNetwork(host: HostState, int: HostInternals, ctr: ContainerState): void {
    if (ctr.modeKind === 'container') {
      if (ctr.sandboxId) {
        const sb = host.sandboxes.get(ctr.sandboxId);
        sb?.sharedBy.delete(ctr.id);
        if (sb && sb.containerId !== ctr.id && sb.sharedBy.size === 0 && !this.sandboxOwnerRunning(host, sb)) host.sandboxes.delete(sb.id);
      }
      ctr.sandboxId = null;
      ctr.joinedContainerId = null;
      return;
    }
    const sb = ctr.sandboxId ? host.sandboxes.get(ctr.sandboxId) : undefined;
    if (sb) {
      for (const ep of [...sb.endpoints]) if (sb.endpoints.includes(ep)) this.leaveAndDelete(host, int, ctr, sb, ep, false);
      // Containers that joined this namespace keep it (with only lo) until they stop.
      if (sb.sharedBy.size === 0) host.sandboxes.delete(sb.id);
    }
    for (const cn of ctr.networks) cn.endpointId = null;
    ctr.sandboxId = null;
  }

  private sandboxOwnerRunning(host: HostState, sb: SandboxState): boolean {
    const owner = host.containers.get(sb.containerId);
    return !!owner && owner.sandboxId === sb.id;
  }

  // ---------------------------------------------------------------- global-scope (multi-host plug-in) networks

  /** A global-scope driver's network: one view per host, in host order, with the same id and shared DNS records. */
  private createGlobalNetwork(host: HostState, int: HostInternals, spec: NetworkSpec): { id: string } {
    const id = int.ids.next('network', spec.name);
    const shared: NetworkSpec = { ...spec, id, dnsRecords: new Map() };
    const done: string[] = [];
    try {
      for (const name of this.hostNames()) {
        const h = this.host(name);
        if (name !== host.name && h.int.networksByName.has(spec.name)) throw new DockerError(msg.networkExists(spec.name), CONFLICT, { field: 'name' });
        h.host.revision++;
        this.createNetworkOn(h.host, h.int, shared);
        done.push(name);
      }
    } catch (e) {
      for (const name of done) this.dropView(name, id);
      throw e;
    }
    return { id };
  }

  private dropView(hostName: string, id: string): void {
    const { host, int } = this.host(hostName);
    const view = host.networks.get(id);
    if (!view) return;
    host.revision++;
    this.drivers.driver(view.driver)!.deleteNetwork(int.ctx, view);
    releaseIpam(this.ipamDriver(host, view.ipamDriver), view.ipv4.concat(view.ipv6));
    host.networks.delete(id);
    if (int.networksByName.get(view.name) === view) int.networksByName.delete(view.name);
  }

  // ---------------------------------------------------------------- swarm

  /**
   * docker swarm init (the first manager) / docker swarm join: the node gets its view of every overlay
   * network and, while there is an ingress network, its ingress-sbox. The first manager creates the
   * default `ingress` (10.0.0.0/24, VNI 4096). Workers listed before the manager join when it comes up.
   */
  private joinSwarm(host: HostState, _int: HostInternals): void {
    const sw = this.state.swarm;
    const u = underlayOf(host);
    const order = this.hostNames();
    sw.nodes.push({ host: host.name, role: host.swarm!, address: u?.address ?? null, dev: u?.dev ?? null });
    sw.nodes.sort((a, b) => order.indexOf(a.host) - order.indexOf(b.host));
    if (host.swarm === 'manager' && !this.swarmInitialised) {
      this.swarmInitialised = true;
      this.createOverlayNetwork(host, this.internals.get(host.name)!, { name: 'ingress', driver: 'overlay', ingress: true });
      return;
    }
    if (!this.swarmInitialised) return;
    for (const spec of this.overlaySpecs.values()) this.createOverlayView(host.name, spec);
    if (sw.ingressNetworkId) this.attachIngressSandbox(host.name);
  }

  /** Nodes that have joined (a worker waits for the first manager). */
  private swarmNodes(): string[] {
    return this.swarmInitialised ? this.state.swarm.nodes.map((n) => n.host) : [];
  }

  /** docker network create -d overlay on a manager: swarmkit allocates the pool and the VNI, every node gets a view. */
  private createOverlayNetwork(_host: HostState, int: HostInternals, req: NetworkCreateRequest): { id: string } {
    const sw = this.state.swarm;
    if (req.ingress && sw.ingressNetworkId) throw new DockerError(msg.ingressExists(sw.ingressNetworkId), FORBIDDEN, { field: 'name' });
    const v4: IpamPoolConfig[] = [], v6: IpamPoolConfig[] = [], v4Index: number[] = [], v6Index: number[] = [];
    (req.ipam?.config ?? []).forEach((c, i) => {
      const parsed = parseCidr(c.subnet ?? '');
      if (!parsed) throw new DockerError(msg.invalidSubnet(c.subnet ?? '', `invalid CIDR address: ${c.subnet ?? ''}`), INTERNAL, { field: 'subnet', index: i });
      if (parsed.family === 4) { v4.push(c); v4Index.push(i); } else { v6.push(c); v6Index.push(i); }
    });
    const id = int.ids.next('network', req.name);
    let allocated: IpamPoolConfig[];
    try {
      allocated = this.swarm.allocateNetwork(id, v4);
    } catch (e) {
      if (e instanceof DockerError && !e.hint) throw e.withHint({ field: 'subnet', index: v4Index[0] ?? 0 });
      throw e;
    }
    let vni: number;
    try {
      vni = this.swarm.takeVni(req.options?.[OVERLAY_OPT.vxlanIdList]);
    } catch (e) {
      this.swarm.releaseNetwork(id, 0);
      throw e;
    }
    const spec: NetworkSpec = {
      id, name: req.name, driver: 'overlay', ipamDriver: req.ipam?.driver || 'default', ipamOptions: { ...(req.ipam?.options ?? {}) },
      v4: allocated, v6, v4Index: allocated.map((_, i) => v4Index[i] ?? i), v6Index,
      options: { ...(req.options ?? {}), [OVERLAY_OPT.vxlanIdList]: String(vni) }, labels: { ...(req.labels ?? {}) },
      internal: req.internal ?? false, attachable: req.attachable ?? false, ingress: req.ingress ?? false,
      enableIpv6: req.enableIpv6 ?? false, predefined: false, deferIpv6Alloc: false, dnsRecords: new Map(),
    };
    sw.networks.set(id, { id, name: req.name, vni, ingress: spec.ingress, attachable: spec.attachable, hosts: [] });
    this.overlaySpecs.set(id, spec);
    try {
      for (const node of this.swarmNodes()) this.createOverlayView(node, spec);
    } catch (e) {
      this.dropOverlay(id, vni);
      throw e;
    }
    if (spec.ingress) {
      sw.ingressNetworkId = id;
      for (const node of this.swarmNodes()) this.attachIngressSandbox(node);
    }
    return { id };
  }

  /** One node's view: the same id, the manager's pool as an explicit subnet, the DNS records all views share. */
  private createOverlayView(hostName: string, spec: NetworkSpec): void {
    const { host, int } = this.host(hostName);
    if (host.networks.has(spec.id!)) return;
    host.revision++;
    this.createNetworkOn(host, int, spec);
    const sn = this.state.swarm.networks.get(spec.id!);
    if (sn && !sn.hosts.includes(hostName)) sn.hosts.push(hostName);
  }

  private dropOverlay(id: string, vni: number): void {
    const sw = this.state.swarm;
    for (const hostName of sw.networks.get(id)?.hosts ?? []) this.dropView(hostName, id);
    sw.networks.delete(id);
    this.overlaySpecs.delete(id);
    this.swarm.releaseNetwork(id, vni);
    if (sw.ingressNetworkId === id) sw.ingressNetworkId = null;
  }

  /** docker network rm of an overlay: refused while a service or a container uses it; ingress takes its sandboxes along. */
  private removeOverlayNetwork(host: HostState, net: NetworkState): void {
    const sw = this.state.swarm;
    if (host.swarm !== 'manager') throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
    for (const svc of sw.services.values()) {
      if (net.ingress && svc.ports.length > 0) {
        throw new DockerError(`rpc error: code = FailedPrecondition desc = ingress network cannot be removed because service ${svc.id} depends on it`, FORBIDDEN, { field: 'name' });
      }
      if (svc.networks.includes(net.id)) {
        throw new DockerError(`rpc error: code = FailedPrecondition desc = network ${net.id} is in use by service ${svc.id}`, FORBIDDEN, { field: 'name' });
      }
    }
    for (const hostName of sw.networks.get(net.id)?.hosts ?? []) {
      const view = this.state.hosts.get(hostName)?.networks.get(net.id);
      const users = [...(view?.endpoints.values() ?? [])].filter((e) => e.sandboxId !== INGRESS_SANDBOX_ID);
      if (users.length > 0) throw new DockerError(msg.activeEndpoints(net.name, net.id), FORBIDDEN, { field: 'name' });
    }
    if (net.ingress) for (const hostName of sw.networks.get(net.id)?.hosts ?? []) this.detachIngressSandbox(hostName);
    this.dropOverlay(net.id, net.overlay?.vni ?? 0);
  }

  /** The routing mesh's namespace on a node: an endpoint on the ingress network, then (automatically) docker_gwbridge. */
  private attachIngressSandbox(hostName: string): void {
    const sw = this.state.swarm;
    const { host, int } = this.host(hostName);
    const n = sw.ingressNetworkId ? host.networks.get(sw.ingressNetworkId) : undefined;
    if (!n || host.sandboxes.has(INGRESS_SANDBOX_ID)) return;
    host.revision++;
    const ctr = ingressSandboxOwner();
    const sb = newSandbox(INGRESS_SANDBOX_ID, ctr.id, `/var/run/docker/netns/${INGRESS_SANDBOX_ID}`, false);
    host.sandboxes.set(sb.id, sb);
    ctr.sandboxId = sb.id;
    const driver = this.drivers.driver(n.driver)!;
    const addr = this.swarm.allocateAddress(n.id, null);
    const ep = this.createEndpoint(host, int, driver, n, ctr, int.ids.next('endpoint', `ingress-endpoint@${hostName}`), {
      staticV4: addr, staticV6: null, mac: null, aliases: [], userDefined: false, gwPriority: 0, clusterAssigned: true,
    });
    this.join(host, int, ctr, sb, n, driver, ep);
  }

  private detachIngressSandbox(hostName: string): void {
    const { host, int } = this.host(hostName);
    const sb = host.sandboxes.get(INGRESS_SANDBOX_ID);
    if (!sb) return;
    host.revision++;
    const ctr = ingressSandboxOwner();
    for (const ep of [...sb.endpoints]) if (sb.endpoints.includes(ep)) this.leaveAndDelete(host, int, ctr, sb, ep, false);
    host.sandboxes.delete(sb.id);
  }

  /**
   * docker service create on a manager: swarmkit's checks, published ports (given or 30000+), one VIP per
   * network in vip mode, then the tasks — containers <service>.<slot>.<task id> placed round robin over
   * the nodes in host order, attached to ingress (when ports are published) and the service's networks
   * with addresses the manager allocates serially.
   */
  createService(hostName: string, req: ServiceCreateRequest): { id: string } {
    const { host } = this.host(hostName);
    const sw = this.state.swarm;
    if (host.swarm !== 'manager' || !this.swarmInitialised) throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
    for (const s of sw.services.values()) if (s.name === req.name) throw new DockerError(msg.serviceExists(req.name), CONFLICT, { field: 'name' });
    const mode = req.endpointMode ?? 'vip';
    const ports = parseServicePorts(req.ports ?? []);
    validateEndpointSpec(mode, ports);
    const networks = (req.networks ?? []).map((term, index) => {
      const view = [...host.networks.values()].find((n) => n.id === term || n.name === term);
      if (!view || view.scope !== 'swarm' || view.ingress) throw new DockerError(msg.serviceNetworkNotFound(term), NOT_FOUND, { field: 'network', index });
      return view;
    });
    const ingress = ports.length > 0 ? (sw.ingressNetworkId ? host.networks.get(sw.ingressNetworkId) ?? null : null) : null;
    if (ports.length > 0 && !ingress) throw new DockerError('rpc error: code = FailedPrecondition desc = service needs ingress network, but no ingress network is present', FORBIDDEN, { field: 'ports' });
    this.serviceSeq++;
    const id = swarmId(`service\u0000${req.name}\u0000${this.serviceSeq}`);
    const published: PublishedPort[] = [];
    try {
      for (const p of ports) {
        const port = this.swarm.allocatePort(id, req.name, p.published, p.proto);
        published.push({ published: port, target: p.target, proto: p.proto, mode: 'ingress', auto: p.published === null });
      }
    } catch (e) {
      this.swarm.releasePorts(id);
      throw e;
    }
    const taskNets = [...(ingress ? [ingress] : []), ...networks];
    const vips = mode === 'vip' ? taskNets.map((n) => ({ networkId: n.id, address: formatAddr(this.swarm.allocateAddress(n.id, null)) })) : [];
    const svc: ServiceState = {
      id, name: req.name, image: req.image ?? '', replicas: req.replicas ?? 1, endpointMode: mode,
      networks: networks.map((n) => n.id), vips, ports: published, tasks: [], firstBackend: 0,
    };
    sw.services.set(id, svc);
    placeTasks(sw.nodes, svc.replicas).forEach((node, i) => {
      const slot = i + 1;
      const taskId = swarmId(`task\u0000${id}\u0000${slot}`);
      const name = `${req.name}.${slot}.${taskId}`;
      const first = taskNets[0];
      const created = this.createContainerAs(node, name, req, first?.name);
      this.taskContainers.add(created);
      this.startContainer(node, created);
      for (const n of taskNets.slice(1)) this.connect(node, n.name, created);
      const nodeHost = this.state.hosts.get(node)!;
      const sb = nodeHost.sandboxes.get(nodeHost.containers.get(created)!.sandboxId!)!;
      const addresses: TaskState['addresses'][number][] = [];
      for (const ep of sb.endpoints) {
        if (ep.networkName === GW_BRIDGE_NETWORK) continue;
        ep.service = { name: req.name, task: name };
        if (ep.ipv4) addresses.push({ networkId: ep.networkId, address: ep.ipv4.address });
      }
      addresses.sort((a, b) => taskNets.findIndex((n) => n.id === a.networkId) - taskNets.findIndex((n) => n.id === b.networkId));
      svc.tasks.push({ name, slot, id: taskId, host: node, containerId: created, addresses });
    });
    return { id };
  }

  /** docker service rm: the tasks' containers go, then the VIPs and published ports are released. */
  removeService(hostName: string, nameOrId: string): void {
    const { host } = this.host(hostName);
    const sw = this.state.swarm;
    if (host.swarm !== 'manager' || !this.swarmInitialised) throw new DockerError(msg.notSwarmManager(), FORBIDDEN, { field: 'name' });
    const svc = sw.services.get(nameOrId) ?? [...sw.services.values()].find((s) => s.name === nameOrId);
    if (!svc) throw new DockerError(`service ${nameOrId} not found`, NOT_FOUND, { field: 'name' });
    for (const t of svc.tasks) {
      if (this.state.hosts.get(t.host)?.containers.has(t.containerId)) this.removeContainer(t.host, t.containerId, { force: true });
      this.taskContainers.delete(t.containerId);
    }
    for (const v of svc.vips) this.swarm.releaseAddress(v.networkId, parseIp(v.address)!);
    this.swarm.releasePorts(svc.id);
    sw.services.delete(svc.id);
  }

  private createContainerAs(node: string, name: string, req: ServiceCreateRequest, network: string | undefined): string {
    return this.createContainer(node, {
      name, image: req.image ?? '', ...(network ? { networkMode: network } : {}), expose: req.expose ?? [],
      listen: req.listen ?? serviceListenDefault(req),
    }).id;
  }

  // ---------------------------------------------------------------- queries

  /** The container named `name` on the host (exact name, no id look-up), if any. */
  containerNamed(hostName: string, name: string): ContainerState | undefined {
    return this.internals.get(hostName)?.containersByName.get(name);
  }

  /** The network named `name` on the host (exact name), if any. */
  networkNamed(hostName: string, name: string): NetworkState | undefined {
    return this.internals.get(hostName)?.networksByName.get(name);
  }

  /**
   * Gives a network of this host the labels and `attachable` flag it would have had, had it been created
   * with them (an editor changed only those). Neither is read by a local network's driver, IPAM or any
   * later operation (only an overlay's `attachable` is: refused), so the result is what creating it with
   * them gives. False, with nothing changed, for a predefined, overlay or multi-host network or a name
   * the host does not have.
   */
  relabelNetwork(hostName: string, name: string, labels: Record<string, string>, attachable: boolean): boolean {
    const { host, int } = this.host(hostName);
    const net = int.networksByName.get(name);
    if (!net || net.predefined || net.scope !== 'local' || net.driver === 'overlay' || net.overlay || host.networks.get(net.id) !== net) return false;
    const writable = net as { labels: Record<string, string>; attachable: boolean };
    writable.labels = { ...labels };
    writable.attachable = attachable;
    host.revision++;
    return true;
  }

  /**
   * Plays one bridge network again in place with another definition (subnet, gateway, ip_range, aux
   * addresses, driver options…), as if it had been created so from the start. `containers`: every
   * container that asks for it (by name); each must have its endpoint there, and every endpoint there
   * must be one of theirs. They are removed, the network is removed and made again by `recreateNetwork`
   * with its id and creation number, then each container is made again by `recreate` in creation order
   * (as replaceContainer does). Refused (nothing touched) unless its pools and those of every network
   * created after it were asked for by subnet (no pool cursor moved, no pool picked around it), or when
   * more than `limit` containers would be played again; spoilt when the outcome differs from the
   * original elsewhere (other ids, another network's addresses) or the network could not be made.
   */
  replaceNetwork(hostName: string, name: string, containers: readonly string[], recreateNetwork: () => void, recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
    const refused = { ok: false, spoilt: false };
    const spoilt = { ok: false, spoilt: true };
    const { host, int } = this.host(hostName);
    const net = int.networksByName.get(name);
    if (!net || net.predefined || net.scope !== 'local' || net.driver !== 'bridge' || net.ipamDriver !== 'default' || host.networks.get(net.id) !== net) return refused;
    if (this.state.swarm.nodes.length > 0 || this.taskContainers.size > 0 || int.networksByName.has(GW_BRIDGE_NETWORK) || !vethsFirstDrawn(host)) return refused;
    for (const other of host.networks.values()) if (other.seq >= net.seq && !poolsBySubnet(other)) return refused;
    const group: ContainerState[] = [];
    for (const n of new Set(containers)) {
      const c = int.containersByName.get(n);
      if (!c) return refused;
      group.push(c);
    }
    if (group.length > limit) return refused;
    group.sort((a, b) => a.seq - b.seq);
    const sandboxes = new Set(group.map((c) => c.sandboxId));
    for (const ep of net.endpoints.values()) if (!sandboxes.has(ep.sandboxId)) return refused;
    for (const c of group) {
      if (!fixedPorts(c) || !replaceable(host, c) || int.idStart[c.seq] === undefined || !networksOf(host, c).includes(net.id)) return refused;
    }
    const later: ContainerState[] = [];
    for (const c of host.containers.values()) if (group.length > 0 && c.seq > group[0]!.seq) later.push(c);
    const { id, seq } = net;
    const finalSeq = int.seq;
    const again = () => {
      this.removeNetwork(hostName, id);
      int.seq = seq - 1;
      this.pinnedNetworkId = id;
      try {
        recreateNetwork();
      } finally {
        this.pinnedNetworkId = undefined;
        int.seq = finalSeq;
      }
      const made = int.networksByName.get(name);
      if (!made || made.id !== id || made.seq !== seq || made.driver !== 'bridge' || made.scope !== 'local' || made.ipamDriver !== 'default' || !poolsBySubnet(made)) return false;
      // A pool overlapping another network's would have made one of them fail in the original order;
      // which one is not told by making it last (an ip_range's parent pool is added unchecked).
      const mine = [...made.ipv4, ...made.ipv6];
      for (const other of host.networks.values()) {
        if (other !== made && [...other.ipv4, ...other.ipv6].some((a) => mine.some((b) => overlapsNet(a.subnet, b.subnet)))) return false;
      }
      return true;
    };
    let now: ContainerState[] | undefined = [];
    if (group.length > 0) now = this.replayGroup(hostName, host, int, group, later, new Set([id]), recreate, again);
    else if (!again()) return spoilt;
    if (!now || !vethsFirstDrawn(host) || int.networksByName.has(GW_BRIDGE_NETWORK)) return spoilt;
    host.revision++;
    restoreNetworkOrder(host, id);
    if (now.length > 0) restoreOrder(host, now);
    return { ok: true, spoilt: false };
  }

  /**
   * Plays one running container again in place, as if the operations that made it had been different
   * from the start (an editor changed it). `networks`: the networks whose part of its definition changed
   * (joined, left, or with other settings). The containers created after it on those networks are played
   * again too (their addresses there may move); all of them are removed, the host's creation counters go back to
   * where they stood for each, `recreate(name)` makes each again (create, start, connect) in creation
   * order, and every record goes back to its place. True when the result is exactly what re-playing
   * everything would give: the same ids, and nothing else differs but what was played again. False
   * before touching anything when that many containers would be played again that a full build is as
   * cheap (`limit`), or a container cannot be played again (a shared namespace, a swarm, a picked port);
   * false after, when the outcome shows the change reached further — then the engine is in no defined
   * state and the caller must start afresh (`spoilt` says which).
   */
  replaceContainer(hostName: string, name: string, networks: readonly string[], recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
    const refused = { ok: false, spoilt: false };
    const { host, int } = this.host(hostName);
    const first = int.containersByName.get(name);
    if (!first || int.idStart[first.seq] === undefined || !replaceable(host, first)) return refused;
    if (this.state.swarm.nodes.length > 0 || this.taskContainers.size > 0 || int.networksByName.has(GW_BRIDGE_NETWORK) || !vethsFirstDrawn(host)) return refused;
    // The networks whose addresses may move.
    const touched = new Set<string>();
    for (const n of networks) {
      const net = int.networksByName.get(n);
      if (net) touched.add(net.id);
    }
    // host.containers is in creation order.
    const later: ContainerState[] = [];
    for (const c of host.containers.values()) if (c.seq > first.seq) later.push(c);
    const group = [first];
    if (touched.size > 0) {
      for (const c of later) {
        if (networksOf(host, c).some((id) => touched.has(id)) || c.networks.some((cn) => cn.networkId !== null && touched.has(cn.networkId))) group.push(c);
      }
    }
    if (group.length > limit) return refused;
    for (const c of group) if (!fixedPorts(c) || !replaceable(host, c) || int.idStart[c.seq] === undefined) return refused;
    // Later containers bind the same ports again; only the first one's may change.
    const oldPorts = fixedPorts(first)!;
    const now = this.replayGroup(hostName, host, int, group, later, touched, recreate);
    if (!now) return { ok: false, spoilt: true };
    const newPorts = fixedPorts(now[0]!);
    if (!newPorts || !tailPortsUnaffected(host, first.seq, new Set([...oldPorts, ...newPorts])) || !vethsFirstDrawn(host)) return { ok: false, spoilt: true };
    host.revision++;
    restoreOrder(host, now);
    return { ok: true, spoilt: false };
  }

  /**
   * Removes `group` (containers in creation order; `later`: every container created after the first of
   * them) and makes each again with `recreate`, its creation counters put back where they stood. The
   * re-made containers, or undefined when one came out with other ids or, outside the networks
   * `touched`, other addresses (then the engine is spoilt). `between` runs after the removal, before
   * the first is made again (false: spoilt). The host's counters end where they stood.
   */
  private replayGroup(
    hostName: string, host: HostState, int: HostInternals, group: ContainerState[], later: ContainerState[], touched: ReadonlySet<string>,
    recreate: (name: string) => void, between: () => boolean = () => true,
  ): ContainerState[] | undefined {
    // Where each one's ids end: where the next container's (any container's) begin.
    const idEnd = new Map<ContainerState, number>();
    for (let i = 0, j = 0; i < group.length; i++) {
      const c = group[i]!;
      while (j < later.length && later[j]!.seq <= c.seq) j++;
      const next = later[j];
      idEnd.set(c, (next && int.idStart[next.seq]) ?? int.ids.count);
    }
    const before = group.map((c) => ({ name: c.name, seq: c.seq, start: int.idStart[c.seq]!, end: idEnd.get(c)!, identity: identity(host, c), prints: endpointPrints(host, c) }));
    const finalCount = int.ids.count;
    const finalSeq = int.seq;

    for (let i = group.length - 1; i >= 0; i--) this.removeContainer(hostName, group[i]!.id, { force: true });
    if (!between()) return undefined;
    const now: ContainerState[] = [];
    for (const b of before) {
      int.ids.rewind(b.start);
      int.seq = b.seq - 1;
      recreate(b.name);
      const c = int.containersByName.get(b.name);
      if (!c || int.ids.count !== b.end || int.seq !== b.seq || !replaceable(host, c) || identity(host, c) !== b.identity) return undefined;
      // Outside the touched networks, nothing may have moved.
      const prints = endpointPrints(host, c);
      for (const [net, print] of b.prints) if (!touched.has(net) && prints.get(net) !== print) return undefined;
      for (const [net, print] of prints) if (!touched.has(net) && b.prints.get(net) !== print) return undefined;
      now.push(c);
    }
    int.ids.rewind(finalCount);
    int.seq = finalSeq;
    return now;
  }

  inspect(): InspectResult {
    return buildInspect(this.state);
  }

  /** What the container's DNS server answers for the name (`nslookup NAME`); [] = does not resolve. */
  resolve(hostName: string, fromContainer: string, name: string): string[] {
    const { host, int } = this.host(hostName);
    const ctr = findContainer(host, int.containersByName, fromContainer);
    return resolveDns(host, ctr, name, this.state.swarm);
  }

  /** What getaddrinfo gives in the container (/etc/hosts first, then DNS): what `ping NAME` uses. */
  lookupHost(hostName: string, fromContainer: string, name: string): string[] {
    const { host, int } = this.host(hostName);
    const ctr = findContainer(host, int.containersByName, fromContainer);
    return resolveName(host, ctr, name, this.state.swarm);
  }
}

// ------------------------------------------------------------------ helpers

/** sandbox.needDefaultGW: some endpoint wants a way out and none has an IPv4 gateway (or a default static route). */
function needDefaultGateway(sb: SandboxState): boolean {
  let need = false;
  for (const ep of sb.endpoints) {
    if (ep.networkName === GW_BRIDGE_NETWORK) continue;
    if (ep.networkDriver === 'host' || ep.networkDriver === 'null') continue;
    if (ep.networkInternal || ep.disableGatewayService) continue;
    if (ep.gateway) return false;
    if (ep.staticRoutes?.some((r) => r.family === 4 && r.destination === 'default')) return false;
    need = true;
  }
  return need;
}

/** default_gateway_linux.go createGWNetwork: a bridge with icc off and masquerade on, from the local pools. */
function gwBridgeSpec(): NetworkSpec {
  return {
    name: GW_BRIDGE_NETWORK, driver: 'bridge', ipamDriver: 'default', ipamOptions: {}, v4: [], v6: [], v4Index: [], v6Index: [],
    options: { [BRIDGE_OPT.name]: GW_BRIDGE_NETWORK, [BRIDGE_OPT.enableIcc]: 'false', [BRIDGE_OPT.enableIpMasquerade]: 'true' },
    labels: {}, internal: false, attachable: false, ingress: false, enableIpv6: false, predefined: false, deferIpv6Alloc: false,
  };
}

/** The ingress sandbox has no container; this stands in for one (never listed among the host's containers). */
function ingressSandboxOwner(): ContainerState {
  return {
    id: INGRESS_SANDBOX_NAME, name: 'ingress-endpoint', hostname: INGRESS_SANDBOX_NAME, image: '', seq: 0, status: 'running',
    networkMode: 'default', modeKind: 'network', modeTarget: null, networks: [], exposedPorts: [], listening: [], portSpecs: [], publishAll: false,
    macAddress: null, sandboxId: INGRESS_SANDBOX_ID, joinedContainerId: null, warnings: [], runtimeWarnings: [],
  };
}

function ifaceAddr(cidr: string) {
  const n = parseCidr(cidr);
  if (!n) return null;
  const addr: IpAddr = { family: n.family, value: n.ip };
  return { address: formatAddr(addr), prefixLength: n.prefix, addr, network: makeNet(n.family, n.base, n.prefix) };
}

function overlapsNet(a: IpNet, b: IpNet): boolean {
  return a.family === b.family && a.base <= netLast(b) && b.base <= netLast(a);
}

/** 27+: the daemon's default IPv6 pool, a ULA /48 derived from the host id, in /64s. */
function ulaSegment(hostName: string) {
  const h = sha256Bytes(`ula\u0000${hostName}`);
  let base = 0xfdn;
  for (let i = 0; i < 5; i++) base = (base << 8n) | BigInt(h[i]);
  return { family: 6 as const, base: base << 80n, basePrefix: 48, size: 64 };
}

function classifyMode(mode: string): { kind: NetworkModeKind; target: string } {
  if (mode === 'default') return { kind: 'default', target: '' };
  if (mode === 'bridge') return { kind: 'bridge', target: '' };
  if (mode === 'host') return { kind: 'host', target: '' };
  if (mode === 'none') return { kind: 'none', target: '' };
  const colon = mode.indexOf(':');
  if (mode === 'container' || (colon >= 0 && mode.slice(0, colon) === 'container')) {
    return { kind: 'container', target: colon >= 0 ? mode.slice(colon + 1) : '' };
  }
  return { kind: 'network', target: '' };
}

const NAME_LEFT = ['admiring', 'brave', 'clever', 'eager', 'focused', 'gifted', 'happy', 'jolly', 'keen', 'loving', 'nifty', 'quirky', 'serene', 'trusting', 'vibrant', 'zealous'];
const NAME_RIGHT = ['albattani', 'bohr', 'curie', 'darwin', 'euclid', 'fermi', 'galileo', 'hopper', 'johnson', 'kepler', 'lovelace', 'mayer', 'newton', 'pasteur', 'turing', 'wozniak'];

/** A name like Docker's adjective_scientist, chosen from the id so it is stable. */
function generatedName(id: string, taken: Map<string, ContainerState>): string {
  const a = parseInt(id.slice(0, 2), 16) % NAME_LEFT.length;
  const b = parseInt(id.slice(2, 4), 16) % NAME_RIGHT.length;
  let name = `${NAME_LEFT[a]}_${NAME_RIGHT[b]}`;
  for (let i = 1; taken.has(name); i++) name = `${NAME_LEFT[a]}_${NAME_RIGHT[b]}${i}`;
  return name;
}

/**
 * parseExpose, remembered per text: nearly every container of a big file says `expose: ["80"]`, and the
 * parsed ports are read-only values. Errors are not remembered (they name the entry's index).
 */
const exposeCache = new Map<string, ExposedPort[]>();

/** `listen` entries parsed, each port once. */
function listenPorts(raw: readonly string[]): ExposedPort[] {
  const out: ExposedPort[] = [];
  raw.forEach((r, i) => {
    for (const p of parseListen(r, i)) if (!out.some((o) => o.port === p.port && o.proto === p.proto)) out.push(p);
  });
  return out;
}

/** A task listens, unless told otherwise, on the service's expose and the targets of its ports (as -p's container ports). */
function serviceListenDefault(req: ServiceCreateRequest): string[] {
  const out = [...(req.expose ?? [])];
  for (const raw of req.ports ?? []) {
    try {
      for (const e of parsePortSpec(raw).exposed) out.push(`${e.port}/${e.proto}`);
    } catch {
      // createService reported a bad spec already.
    }
  }
  return out;
}
function exposedPorts(raw: string, index: number): ExposedPort[] {
  let ports = exposeCache.get(raw);
  if (!ports) {
    ports = parseExpose(raw, index);
    if (exposeCache.size < 4096 && ports.length <= 64) exposeCache.set(raw, ports);
  }
  return ports;
}

/** The hostname line of /etc/hosts: an FQDN also lists its first label. */
function hostsNames(hostname: string): string[] {
  const dot = hostname.indexOf('.');
  return dot > 0 ? [hostname, hostname.slice(0, dot)] : [hostname];
}

/** 25.0+ api/types/network/ipam.go validation. */
function validateIpamConfig25(c: IpamPoolConfig, subnet: IpNet, index: number): void {
  const canonical = formatNet(subnet);
  if (subnet.ip !== subnet.base) throw new DockerError(msg.v25InvalidSubnet(c.subnet!, canonical), BAD_REQUEST, { field: 'subnet', index });
  if (c.gateway) {
    const gw = parseIp(c.gateway);
    if (gw && !netContains(subnet, gw)) throw new DockerError(msg.v25InvalidGateway(c.gateway, canonical), BAD_REQUEST, { field: 'gateway', index });
  }
  if (c.ipRange) {
    const r = parseCidr(c.ipRange);
    if (r && (r.family !== subnet.family || r.base < subnet.base || netLast(r) > netLast(subnet))) {
      throw new DockerError(msg.v25InvalidRange(c.ipRange, canonical), BAD_REQUEST, { field: 'ip_range', index });
    }
  }
}

/** endpoint.assignAddressVersion */
function assignAddress(ipam: IpamDriver, n: NetworkState, v: 4 | 6, preferred: IpAddr | null): { addr: IpAddr; a: IpamAssignment } | null {
  const infos = v === 4 ? n.ipv4 : n.ipv6;
  if (infos.length === 0) return null;
  for (const a of infos) {
    if (preferred && !netContains(a.subnet, preferred)) continue;
    try {
      return { addr: ipam.requestAddress(a.poolId, preferred), a };
    } catch (e) {
      if (!(e instanceof IpamError) || e.message !== 'No available addresses on this pool' || preferred) throw e;
    }
  }
  if (preferred) throw new DockerError(msg.addressNotInSubnets(formatAddr(preferred)), BAD_REQUEST);
  throw new DockerError(msg.noAvailableAddresses(v, n.name, n.id), INTERNAL, { field: 'network' });
}

function releaseIpam(ipam: IpamDriver, assignments: IpamAssignment[]): void {
  for (const a of assignments) {
    if (a.gateway) ipam.releaseAddress(a.poolId, a.gateway);
    for (const aux of Object.values(a.auxAddresses)) ipam.releaseAddress(a.poolId, aux);
    ipam.releasePool(a.poolId);
  }
}

function addDnsRecords(n: NetworkState, ep: EndpointState): void {
  if (ep.anonymous || n.ingress) return;
  for (const name of ep.dnsNames) {
    const key = name.toLowerCase();
    const list = n.dnsRecords.get(key);
    if (list) {
      if (!list.includes(ep)) list.push(ep);
    } else n.dnsRecords.set(key, [ep]);
  }
}

function removeDnsRecords(n: NetworkState, ep: EndpointState): void {
  for (const name of ep.dnsNames) {
    const key = name.toLowerCase();
    const list = n.dnsRecords.get(key);
    if (!list) continue;
    const i = list.indexOf(ep);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) n.dnsRecords.delete(key);
  }
}

/**
 * The sandbox's port bindings (buildSandboxOptions + nat.SortPortMap): bound ports sorted by host port,
 * then container port, descending, tcp first; with -P every exposed port without a binding gets an
 * ephemeral one.
 */
export function sandboxPortBindings(ctr: ContainerState): PortSpecBinding[] {
  // Nothing published and no -P: exposed ports alone bind nothing (the common case, kept cheap).
  if (ctr.portSpecs.length === 0 && !ctr.publishAll) return [];
  type Entry = { b: PortSpecBinding | null; port: number; proto: string; order: number };
  const entries: Entry[] = [];
  let order = 0;
  for (const p of ctr.exposedPorts) {
    const bs = ctr.portSpecs.filter((b) => b.containerPort === p.port && b.proto === p.proto);
    if (bs.length === 0) entries.push({ b: null, port: p.port, proto: p.proto, order: order++ });
    for (const b of bs) entries.push({ b, port: p.port, proto: p.proto, order: order++ });
  }
  entries.sort((x, y) => {
    const hx = x.b?.hostPortStart ?? 0, hy = y.b?.hostPortStart ?? 0;
    if (hx !== hy) return hy - hx;
    if (x.port !== y.port) return y.port - x.port;
    const tx = x.proto === 'tcp' ? 0 : 1, ty = y.proto === 'tcp' ? 0 : 1;
    if (tx !== ty) return tx - ty;
    return x.order - y.order;
  });
  const out: PortSpecBinding[] = [];
  for (const e of entries) {
    if (e.b) out.push(e.b);
    else if (ctr.publishAll && (e.proto === 'tcp' || e.proto === 'udp' || e.proto === 'sctp')) {
      out.push({ containerPort: e.port, proto: e.proto, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
    }
  }
  return out;
}

