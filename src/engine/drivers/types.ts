// The network driver contract (libnetwork driverapi.Driver, trimmed to what the model needs), and the
// unit a driver ships as: its operations, how it takes part in a trace, the rules it adds, and a
// descriptor every surface (completion, hover, tree, forms, schema, grammar) reads. Each engine keeps its
// own DriverRegistry: installing a plug-in on one engine leaves every other engine as it was.
import type { IpAddr } from '../ip';
import type { IdFactory } from '../ids';
import type { BridgeConfig, EndpointState, HostState, IpamAssignment, NetworkState, OverlayNetworkInfo, ParentLinkInfo, PortBindingState, PortSpecBinding, SandboxState } from '../model';
import type { VersionFeatures } from '../version';
import type { IpamDriver } from '../ipam/types';
import type { NetworkRules, RuleLookup } from '../netfilter/contributed';
import type { TraceDriver, TraceLookup } from '../trace/linkDrivers';

export interface DriverContext {
  readonly host: HostState;
  /** Every host of the engine (a multi-host driver needs the others' underlay addresses). */
  readonly hosts?: ReadonlyMap<string, HostState>;
  readonly features: VersionFeatures;
  readonly ids: IdFactory;
}

/** What the driver gets to create a network (libnetwork has allocated IPAM already). */
export interface NetworkDraft {
  readonly id: string;
  readonly name: string;
  readonly options: Record<string, string>;
  readonly internal: boolean;
  readonly enableIpv6: boolean;
  readonly ipv4: IpamAssignment[];
  readonly ipv6: IpamAssignment[];
  readonly ipamDriver: string;
  /** NetworkCreateRequest.addressesUnknown: no pools (the subnet is unknown). */
  readonly addressesUnknown?: boolean;
  /** overlay views on other nodes: the VNI the manager allocated. */
  readonly attachable?: boolean;
  readonly ingress?: boolean;
}

export interface NetworkCreated {
  readonly bridge?: BridgeConfig;
  readonly driverData?: Record<string, unknown>;
  readonly parentLink?: ParentLinkInfo;
  readonly overlay?: OverlayNetworkInfo;
}

/** What the driver decides for a new endpoint. */
export interface EndpointCreated {
  readonly mac: string | null;
  readonly hostIfname: string | null;
  /** An address the driver chose itself (docker0's MAC-derived IPv6); libnetwork then reserves it. */
  readonly ipv6?: IpAddr;
}

export interface JoinInfo {
  /** Prefix of the container-side interface name (eth), or null when the driver adds no interface. */
  readonly ifacePrefix: string | null;
  readonly gateway: IpAddr | null;
  readonly gateway6: IpAddr | null;
  readonly mtu: number;
  /** Routes added whatever the gateway endpoint is (ipvlan l3: "default dev eth0"). */
  readonly staticRoutes?: { family: 4 | 6; destination: string }[];
  /** libnetwork DisableGatewayService: this endpoint never needs docker_gwbridge. */
  readonly disableGatewayService?: boolean;
  readonly link?: { readonly kind: 'veth' | 'macvlan' | 'ipvlan'; readonly parent: string | null; readonly mode: string | null };
}

/**
 * A network driver. scope 'local': the network lives on the host it is created on; 'global': the engine
 * creates it on every host (same id, one view per host, DNS records shared — a multi-host plug-in such as
 * flannel); 'swarm': overlay, on every swarm node, addresses from the managers.
 */
export interface NetworkDriver {
  readonly name: string;
  readonly scope: 'local' | 'global' | 'swarm';
  /** host and null: no IPAM and no plumbing (libnetwork hasSpecialDriver). */
  readonly special: boolean;
  /** Whether the driver programs port mappings (bridge). */
  readonly supportsPortMapping: boolean;
  /** The IPAM driver its networks use when the request names none (a plug-in may bring its own); default "default". */
  readonly defaultIpamDriver?: string;
  createNetwork(ctx: DriverContext, draft: NetworkDraft): NetworkCreated;
  deleteNetwork(ctx: DriverContext, net: NetworkState): void;
  createEndpoint(ctx: DriverContext, net: NetworkState, ep: { id: string; ipv4: IpAddr | null; ipv6: IpAddr | null; mac: string | null }): EndpointCreated;
  deleteEndpoint(ctx: DriverContext, net: NetworkState, ep: EndpointState): void;
  join(ctx: DriverContext, net: NetworkState, ep: EndpointState, sb: SandboxState): JoinInfo;
  leave(ctx: DriverContext, net: NetworkState, ep: EndpointState, sb: SandboxState): void;
  /** Publish the sandbox's ports through this endpoint; throws DockerError (unwrapped) on failure. */
  programExternalConnectivity(ctx: DriverContext, net: NetworkState, ep: EndpointState, bindings: readonly PortSpecBinding[]): PortBindingState[];
  revokeExternalConnectivity(ctx: DriverContext, net: NetworkState, ep: EndpointState): void;
}

/**
 * A driver option a topology may set (`driver_opts`), with its documentation: hover and completion read
 * it here, and scripts/generate-driver-files.ts writes it into the schema (networks.*.driver_opts).
 */
export interface DriverOption {
  /** The key under `driver_opts` (`-o key=value`). */
  readonly name: string;
  /** Markdown, one or two sentences; by convention it starts with the drivers it is for ("bridge: …"). */
  readonly description: string;
  /** The fixed set of values, when there is one (completion offers them; the schema's enum). */
  readonly values?: readonly string[];
  /** What a YAML value may be besides a string: `boolean` (true/false unquoted) or `integer`. */
  readonly accepts?: 'boolean' | 'integer';
}

/**
 * What a driver is, for everything that is not the engine: the catalog (completion, hover), the checks
 * on a topology, the tree, the create forms, the schema's and the grammar's lists of drivers.
 */
export interface DriverDescriptor {
  /** What `driver:` names. */
  readonly name: string;
  /** As NetworkDriver.scope: where a network of this driver lives (one host, every host, the swarm). */
  readonly scope: 'local' | 'global' | 'swarm';
  /** built-in: every engine has it (libnetwork's own); plugin: shipped with CNM Explorer, installed on the engines built for a topology. */
  readonly origin: 'builtin' | 'plugin';
  /** Markdown, a few sentences: hover and completion. */
  readonly summary: string;
  /** One line for pickers ("a Linux bridge on the host; private addresses and NAT"). */
  readonly short: string;
  /** The driver_opts it accepts, with their docs (the schema's networks.*.driver_opts is generated from them). */
  readonly options: readonly DriverOption[];
  /** The tree's icon: a codicon id and a theme colour. */
  readonly icon: { readonly id: string; readonly color: string };
  /** What the create forms offer. */
  readonly forms: {
    /** Offered in "Create Network" on a topology file. */
    readonly file: boolean;
    /** Offered in "Create Network" on a live host (a plug-in must be installed on that dockerd). */
    readonly live: boolean;
    /** The example shown for the options step (`-o`). */
    readonly optionHint?: string;
  };
  /** host and null: no addresses, no interfaces (libnetwork hasSpecialDriver). */
  readonly special?: boolean;
  /** Its containers sit on a host interface's LAN (macvlan, ipvlan): a subnet inside that LAN is intended. */
  readonly onParentLan?: boolean;
}

/** A device a driver makes on a host that is neither a network's bridge nor a container's veth (calico's tunl0, weave's router). */
export interface PictureDevice {
  /** Its name on the host ("tunl0", "weave router"): unique per host, the diagram's label. */
  readonly name: string;
  /** One word for what it is: ipip, vxlan, router, routes. */
  readonly kind: string;
  /** Lines under the name: its address and ports, the routes through it. */
  readonly lines: readonly string[];
  /** Other names the tracer writes for it (a router's ports, its VXLAN vport): a hop at any of them lights it. */
  readonly aliases?: readonly string[];
}

/** Traffic of one network from a device on this host to one on another host (encapsulated or routed over the underlay). */
export interface PictureTunnel {
  readonly network: string;
  /** A PictureDevice name on this host, and on the other host. */
  readonly device: string;
  readonly toHost: string;
  readonly toDevice: string;
  /** What carries it between the hosts, e.g. "IP-in-IP (protocol 4)", "VXLAN UDP 6784 (fast datapath)". */
  readonly label: string;
  /** The interface the tracer names where it encapsulates (tunl0, vxlan-6784): that hop lights the tunnel. */
  readonly via: string;
}

/** What the diagram draws of one network of a driver on one host, beyond its bus and its containers' veths. */
export interface DriverPicture {
  readonly devices: readonly PictureDevice[];
  readonly tunnels: readonly PictureTunnel[];
}

/** The engine a driver unit is installed on: what a multi-host driver may read. */
export interface DriverHost {
  readonly state: { readonly hosts: ReadonlyMap<string, HostState>; readonly swarm: { readonly dataPathPort: number } };
  hostNames(): string[];
}

/** Everything of one driver (src/engine/drivers/<name>/index.ts exports one). */
export interface DriverUnit {
  readonly descriptor: DriverDescriptor;
  /** The driver's operations, made for the engine it is installed on. */
  create(host: DriverHost): NetworkDriver;
  /** An IPAM driver it brings (flannel's leases), by name. */
  readonly ipam?: { readonly name: string; create(host: DriverHost): (h: HostState) => IpamDriver };
  /** Where the tracer meets a device of this driver's (macvlan children, overlay VXLAN, flannel.1). */
  readonly trace?: TraceDriver;
  /** Rules its own daemon adds next to dockerd's (flanneld's). */
  readonly rules?: NetworkRules;
  /** Its own host devices and tunnels between hosts, for the diagram (called per host and network). */
  readonly picture?: (host: HostState, net: NetworkState, hosts: ReadonlyMap<string, HostState>) => DriverPicture;
}

/** What the tracer and the rules read of an engine's drivers. */
export interface DriverLookup extends TraceLookup, RuleLookup {
  descriptor(name: string): DriverDescriptor | undefined;
  /** What the diagram draws of a driver's own devices (DriverUnit.picture). */
  picture(name: string): DriverUnit['picture'];
}

declare module '../model' {
  interface EngineState {
    /** The engine's drivers: the tracer and the rules find each driver's trace legs and rules here. */
    readonly drivers: DriverLookup;
  }
}

/**
 * Gives an engine's state its registry (EngineState.drivers) as a non-enumerable property: code that walks
 * or copies the state as plain data (tests comparing builds, snapshots) never wanders into the drivers.
 */
export function withDrivers<T extends object>(state: T, drivers: DriverLookup): T & { readonly drivers: DriverLookup } {
  return Object.defineProperty(state, 'drivers', { value: drivers, enumerable: false, writable: false }) as T & { readonly drivers: DriverLookup };
}

/** One engine's drivers, IPAM drivers, trace drivers, rules and descriptors by name (libnetwork drvregistry). */
export class DriverRegistry implements DriverLookup {
  private readonly drivers = new Map<string, NetworkDriver>();
  private readonly ipamFactories = new Map<string, (host: HostState) => IpamDriver>();
  private readonly traces = new Map<string, TraceDriver>();
  private readonly ruleMakers = new Map<string, NetworkRules>();
  private readonly described = new Map<string, DriverDescriptor>();
  private readonly pictures = new Map<string, NonNullable<DriverUnit['picture']>>();

  /** Installs every part of a driver unit (replacing one of the same name). */
  install(unit: DriverUnit, host: DriverHost): void {
    const name = unit.descriptor.name;
    this.register(unit.create(host));
    this.described.set(name, unit.descriptor);
    if (unit.ipam) this.registerIpam(unit.ipam.name, unit.ipam.create(host));
    if (unit.trace) this.traces.set(name, unit.trace);
    else this.traces.delete(name);
    if (unit.rules) this.ruleMakers.set(name, unit.rules);
    else this.ruleMakers.delete(name);
    if (unit.picture) this.pictures.set(name, unit.picture);
    else this.pictures.delete(name);
  }

  register(driver: NetworkDriver): void {
    this.drivers.set(driver.name, driver);
  }

  registerIpam(name: string, factory: (host: HostState) => IpamDriver): void {
    this.ipamFactories.set(name, factory);
  }

  driver(name: string): NetworkDriver | undefined {
    return this.drivers.get(name);
  }

  ipamFactory(name: string): ((host: HostState) => IpamDriver) | undefined {
    return this.ipamFactories.get(name);
  }

  /** The IPAM drivers plug-ins brought (`default` is every host's own, not listed here). */
  ipamDriverNames(): string[] {
    return [...this.ipamFactories.keys()];
  }

  driverNames(): string[] {
    return [...this.drivers.keys()];
  }

  descriptor(name: string): DriverDescriptor | undefined {
    return this.described.get(name);
  }

  /** The descriptors of the installed units, in installation order. */
  descriptors(): DriverDescriptor[] {
    return [...this.described.values()];
  }

  trace(name: string): TraceDriver | undefined {
    return this.traces.get(name);
  }

  picture(name: string): DriverUnit['picture'] {
    return this.pictures.get(name);
  }

  rules(name: string): NetworkRules | undefined {
    return this.ruleMakers.get(name);
  }

  hasRules(): boolean {
    return this.ruleMakers.size > 0;
  }
}
