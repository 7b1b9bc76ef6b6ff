// The engine's state: what dockerd would have on each host after the operations so far. Everything a
// packet tracer, the tree or the diagram needs is here, already resolved: every sandbox has its
// interfaces and routing table, every host its bridges, veths and addresses.
import type { DockerVersion, VersionFeatures } from './version';
import type { IpamDriver } from './ipam/types';
import type { IpAddr, IpNet } from './ip';
import type { EndpointConfig, IpamPoolConfig } from './requests';
import type { PortAllocator } from './ports/allocator';

export type Protocol = 'tcp' | 'udp' | 'sctp';

/** An address with its prefix length, as on an interface. */
export interface InterfaceAddress {
  readonly address: string;
  readonly prefixLength: number;
  readonly addr: IpAddr;
  /** The interface's on-link network. */
  readonly network: IpNet;
}

export interface Route {
  readonly family: 4 | 6;
  /** "default" or a canonical CIDR. */
  readonly destination: string;
  readonly dest: IpNet;
  readonly gateway: string | null;
  readonly dev: string;
  readonly scope: 'link' | 'global' | 'host';
  readonly src: string | null;
}

/** Resolved daemon settings (defaults filled in). */
export interface DaemonSettings {
  readonly version: DockerVersion;
  readonly features: VersionFeatures;
  readonly icc: boolean;
  readonly userlandProxy: boolean;
  readonly ipMasq: boolean;
  readonly iptables: boolean;
  readonly ipv6: boolean;
  readonly mtu: number;
  /** --ip: default host IP of docker0's port bindings. */
  readonly defaultBindIp: string;
  readonly bip: string | null;
  readonly fixedCidr: string | null;
  readonly fixedCidrV6: string | null;
}

export interface HostInterface {
  readonly name: string;
  readonly kind: 'physical' | 'bridge' | 'veth' | 'loopback';
  readonly ipv4: InterfaceAddress[];
  readonly ipv6: InterfaceAddress[];
  readonly mac: string | null;
  readonly mtu: number;
  /** For a veth: the bridge it is enslaved to. */
  readonly master: string | null;
  /** For a veth: the sandbox-side peer (sandbox id and interface name). */
  readonly peer: { readonly sandboxId: string; readonly ifname: string } | null;
}

export interface BridgeDevice {
  readonly name: string;
  readonly networkId: string;
  readonly mac: string;
  readonly mtu: number;
  /** The bridge's own addresses (the network gateways), unless inhibit_ipv4. */
  readonly ipv4: InterfaceAddress | null;
  readonly ipv6: InterfaceAddress | null;
  /** Host-side veth names enslaved to the bridge. */
  readonly ports: Set<string>;
}

export interface VethPair {
  readonly hostIfname: string;
  readonly sandboxId: string;
  /** The container-side name after the move (eth0, eth1, …). */
  readonly containerIfname: string;
  readonly bridge: string;
  readonly endpointId: string;
}

export interface IpamAssignment {
  readonly poolId: string;
  readonly subnet: IpNet;
  readonly gateway: IpAddr | null;
  readonly ipRange: IpNet | null;
  readonly auxAddresses: Record<string, IpAddr>;
  /** The user's config entry this came from (null when the pool was picked from the defaults). */
  readonly config: IpamPoolConfig | null;
}

export interface BridgeConfig {
  readonly name: string;
  readonly defaultBridge: boolean;
  readonly enableIcc: boolean;
  readonly enableIpMasquerade: boolean;
  readonly hostBindingIpv4: string | null;
  readonly mtu: number;
  readonly inhibitIpv4: boolean;
  readonly containerIfacePrefix: string;
  /** Created by libnetwork (deleted on rm) or pre-existing. */
  readonly createdByEngine: boolean;
}

export interface NetworkState {
  readonly id: string;
  readonly name: string;
  readonly host: string;
  readonly driver: string;
  readonly scope: 'local' | 'swarm' | 'global';
  readonly seq: number;
  readonly internal: boolean;
  readonly attachable: boolean;
  readonly ingress: boolean;
  readonly enableIpv6: boolean;
  /** Driver options exactly as `docker network inspect` shows them. */
  readonly options: Record<string, string>;
  readonly labels: Record<string, string>;
  readonly ipamDriver: string;
  readonly ipamOptions: Record<string, string>;
  /** The IPAM config entries as requested, by family (a v6 entry is kept even when IPv6 is off). */
  readonly ipamConfig: { readonly v4: IpamPoolConfig[]; readonly v6: IpamPoolConfig[] };
  readonly ipv4: IpamAssignment[];
  readonly ipv6: IpamAssignment[];
  /** bridge, host, none: the networks every daemon makes. */
  readonly predefined: boolean;
  readonly bridge: BridgeConfig | null;
  /** Endpoints by id, in creation order. */
  readonly endpoints: Map<string, EndpointState>;
  /** Embedded-DNS records of this network: lower-cased name -> endpoints registered under it. */
  readonly dnsRecords: Map<string, EndpointState[]>;
  /** Driver-private data (e.g. macvlan parent), for drivers added later. */
  readonly driverData: Record<string, unknown>;
}

export interface PortBindingState {
  readonly containerPort: number;
  readonly proto: Protocol;
  readonly hostIp: string;
  readonly hostPort: number;
  /** The container address the binding forwards to. */
  readonly containerIp: string;
}

export interface EndpointState {
  readonly id: string;
  /** The container name (endpoint name). */
  readonly name: string;
  readonly networkId: string;
  /** The network's name, driver and internal flag, copied for the hot paths (sorting, tracing). */
  readonly networkName: string;
  readonly networkDriver: string;
  readonly networkInternal: boolean;
  readonly containerId: string;
  sandboxId: string | null;
  readonly ipv4: InterfaceAddress | null;
  readonly ipv6: InterfaceAddress | null;
  readonly ipv4PoolId: string | null;
  readonly ipv6PoolId: string | null;
  readonly mac: string | null;
  /** Container-side interface name, set on join. */
  ifname: string | null;
  /** Host-side veth name. */
  readonly hostIfname: string | null;
  /** Gateways the driver gave on join (null = none). */
  gateway: IpAddr | null;
  gateway6: IpAddr | null;
  /** NetworkSettings.Networks[n].Aliases as Docker shows them. */
  readonly aliases: string[];
  /** Every name the embedded DNS answers for this endpoint on its network. */
  readonly dnsNames: string[];
  /** Anonymous endpoints (default bridge) get no DNS records. */
  readonly anonymous: boolean;
  /** Created with DisableResolution (non-user-defined networks). */
  readonly disableResolution: boolean;
  readonly staticIpv4: boolean;
  readonly staticIpv6: boolean;
  /** Port bindings, when this endpoint carries the sandbox's external connectivity. */
  portBindings: PortBindingState[];
  /** gw-priority (28+). */
  readonly gwPriority: number;
}

export interface SandboxInterface {
  readonly name: string;
  readonly endpointId: string | null;
  readonly mac: string | null;
  readonly ipv4: InterfaceAddress | null;
  readonly ipv6: InterfaceAddress | null;
  readonly mtu: number;
  /** The host-side veth peer, when there is one. */
  readonly hostPeer: string | null;
}

export type ResolvConfKind = 'embedded' | 'host-filtered' | 'host-copy';

export interface HostsEntry {
  readonly ip: string;
  readonly names: string[];
}

export interface SandboxState {
  readonly id: string;
  readonly containerId: string;
  /** /var/run/docker/netns/<12hex>, or the host's namespace. */
  readonly key: string;
  /** Host mode: the sandbox is the host's own namespace. */
  readonly hostNetwork: boolean;
  /** Endpoints in libnetwork's heap order (getConnectedEndpoints). */
  readonly endpoints: EndpointState[];
  /** lo, then eth0, eth1… in the order they were added. */
  readonly interfaces: SandboxInterface[];
  readonly routes: Route[];
  /** Per-prefix interface counter: only increases while the sandbox lives. */
  readonly ifaceCounters: Record<string, number>;
  gatewayEndpointId: string | null;
  /** The embedded DNS server (127.0.0.11) was started (an endpoint on a user-defined network joined). */
  resolverStarted: boolean;
  resolvConf: ResolvConfKind;
  /** /etc/hosts lines after the fixed head (DEFAULT_HOSTS_ENTRIES): "<ip> <hostname>" per joined network. */
  readonly hostsEntries: HostsEntry[];
  /** Containers sharing this sandbox through `container:<name>`. */
  readonly sharedBy: Set<string>;
}

export type ContainerStatus = 'created' | 'running' | 'exited';

export interface ExposedPort {
  readonly port: number;
  readonly proto: string;
}

/** One `-p` binding as the daemon stores it (HostConfig.PortBindings). */
export interface PortSpecBinding {
  readonly containerPort: number;
  readonly proto: Protocol;
  readonly hostIp: string; // "" = default
  readonly hostPortStart: number; // 0 = ephemeral
  readonly hostPortEnd: number;
  /** Which `ports` entry it came from (absent for -P). */
  readonly specIndex?: number;
}

/** A network the container is configured for (NetworkSettings.Networks entry). */
export interface ContainerNetwork {
  /** The key as stored: the network name, or the term given when connected while stopped. */
  key: string;
  networkId: string | null;
  config: EndpointConfig;
  /** Aliases as stored (user aliases, then short id and hostname once connected on a user network). */
  aliases: string[];
  /** Endpoint id while running. */
  endpointId: string | null;
}

export type NetworkModeKind = 'default' | 'bridge' | 'host' | 'none' | 'container' | 'network';

export interface ContainerState {
  readonly id: string;
  readonly name: string;
  hostname: string;
  readonly image: string;
  readonly seq: number;
  status: ContainerStatus;
  /** HostConfig.NetworkMode as Docker shows it ("default" when none was given). */
  readonly networkMode: string;
  readonly modeKind: NetworkModeKind;
  /** For container mode: the name or id given after "container:". */
  readonly modeTarget: string | null;
  /** Configured networks in order (start network first, then as connected). */
  readonly networks: ContainerNetwork[];
  readonly exposedPorts: ExposedPort[];
  readonly portSpecs: PortSpecBinding[];
  readonly publishAll: boolean;
  /** The MAC given at create (applies to the create-time network only). */
  readonly macAddress: string | null;
  sandboxId: string | null;
  /** Container mode: the container whose sandbox this one joined. */
  joinedContainerId: string | null;
  readonly warnings: string[];
  /** Warnings of the last start (e.g. port mappings that could not be moved). */
  readonly runtimeWarnings: string[];
}

export interface HostState {
  readonly name: string;
  /** Bumped by every operation that changes the host's networking (for caches of derived data). */
  revision: number;
  readonly daemon: DaemonSettings;
  readonly swarm: 'manager' | 'worker' | null;
  /** The host's own interfaces (underlay), then bridges and veths as Docker adds them. */
  readonly underlay: HostInterface[];
  readonly networks: Map<string, NetworkState>;
  readonly containers: Map<string, ContainerState>;
  readonly sandboxes: Map<string, SandboxState>;
  readonly bridges: Map<string, BridgeDevice>;
  readonly veths: Map<string, VethPair>;
  readonly ports: PortAllocator;
  readonly ipam: Map<string, IpamDriver>;
}

export interface EngineState {
  readonly hosts: Map<string, HostState>;
}
