// The network driver contract (libnetwork driverapi.Driver, trimmed to what the model needs). Built-in
// drivers (bridge, host, null) and plug-ins implement it and are found by name in a DriverRegistry.
import type { IpAddr } from '../ip';
import type { IdFactory } from '../ids';
import type { BridgeConfig, EndpointState, HostState, IpamAssignment, NetworkState, OverlayNetworkInfo, ParentLinkInfo, PortBindingState, PortSpecBinding, SandboxState } from '../model';
import type { VersionFeatures } from '../version';
import type { IpamDriver } from '../ipam/types';

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

/** Drivers and IPAM drivers by name (libnetwork drvregistry). */
export class DriverRegistry {
  private readonly drivers = new Map<string, NetworkDriver>();
  private readonly ipamFactories = new Map<string, (host: HostState) => IpamDriver>();

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

  driverNames(): string[] {
    return [...this.drivers.keys()];
  }
}
