// The engine's state: what dockerd would have on each host after the operations so far. Everything a
// packet tracer, the tree or the diagram needs is here, already resolved: every sandbox has its
// interfaces and routing table, every host its bridges, veths and addresses.
import type { DockerVersion, VersionFeatures } from './version';
import type { IpamDriver } from './ipam/types';
import type { IpAddr, IpNet } from './ip';
import type { EndpointConfig, IpamPoolConfig } from './requests';
import type { PortAllocator } from './ports/allocator';
import type { RuleSet } from './netfilter/types';

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
  /** Who installed it, when not the kernel or dockerd (`proto bird`: learned over BGP). */
  readonly proto?: string;
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
  readonly kind: 'physical' | 'bridge' | 'veth' | 'loopback' | 'dummy' | 'vlan' | 'vxlan' | 'ipip';
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
  /** A bridge dockerd does not program (pipework's br1): it writes no iptables rules for it. */
  readonly foreign?: boolean;
}

/** macvlan/ipvlan: the host link the children hang off, and how. */
export interface ParentLinkInfo {
  readonly driver: 'macvlan' | 'ipvlan';
  /** As configured (eth0, eth0.10) or the dummy dm-<12hex> made when none was given. */
  readonly parent: string;
  /** macvlan: bridge | vepa | private | passthru; ipvlan: l2 | l3. */
  readonly mode: string;
  /** No parent given: a dummy link; the containers only reach each other (no gateway). */
  readonly dummy: boolean;
  /** 802.1Q sub-interface: its VLAN id and the link it is stacked on. */
  readonly vlanId: number | null;
  readonly underlying: string | null;
  /** The MAC every ipvlan child shares (the parent's); null for macvlan (each child has its own). */
  readonly sharedMac: string | null;
  /**
   * The kernel does not pass traffic between the parent's own namespace (the host) and its macvlan/ipvlan
   * children: the host cannot reach its own children and they cannot reach the host's address on the parent.
   */
  readonly hostUnreachable: boolean;
}

/** overlay: what every host's view of the network shares. */
export interface OverlayNetworkInfo {
  readonly vni: number;
  /** VXLAN UDP destination port (4789, or the swarm's --data-path-port). */
  readonly port: number;
  readonly mtu: number;
  readonly encrypted: boolean;
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
  /** macvlan / ipvlan only. */
  readonly parentLink?: ParentLinkInfo;
  /** overlay only. */
  readonly overlay?: OverlayNetworkInfo;
  /** Made outside what is described, subnet unknown (NetworkCreateRequest.addressesUnknown): its endpoints have no known address. */
  readonly addressesUnknown?: boolean;
}

export interface PortBindingState {
  readonly containerPort: number;
  readonly proto: Protocol;
  readonly hostIp: string;
  readonly hostPort: number;
  /** The container address the binding forwards to. */
  readonly containerIp: string;
  /**
   * Every host port this binding can get, when the daemon's allocation order varies from run to run
   * (features.randomPortMapOrder) and the port depends on it; hostPort is then the first order's pick.
   */
  readonly hostPortOneOf?: readonly number[];
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
  /** Link aliases of this endpoint (EndpointSettings.Links, lower-cased alias → container name): answered for its own container only. */
  readonly links?: ReadonlyMap<string, string>;
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
  /** Routes the driver adds in the sandbox regardless of the gateway endpoint (ipvlan l3: default dev eth0). */
  staticRoutes?: { family: 4 | 6; destination: string }[];
  /** The driver asked for no default-gateway handling (ipvlan l3): no docker_gwbridge either. */
  disableGatewayService?: boolean;
  /** What the container-side interface is: a veth (bridge, overlay), or a child of a host link. */
  link?: { readonly kind: 'veth' | 'macvlan' | 'ipvlan'; readonly parent: string | null; readonly mode: string | null };
  /** On a network whose addresses are unknown (NetworkState.addressesUnknown): no address or MAC, though it has them. */
  readonly addressUnknown?: boolean;
  /** Swarm task / service endpoints: the service and task this endpoint belongs to. */
  service?: { readonly name: string; readonly task: string };
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
  /** Endpoints in libnetwork's sorted order (getConnectedEndpoints): gateway choice and name look-ups walk it. */
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
  /** For what a process listens on: the address its socket is bound to; absent, every address. */
  readonly bind?: string;
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
  /** Config.ExposedPorts: --expose and the container port of every -p. */
  readonly exposedPorts: ExposedPort[];
  /** What its processes listen on (not Docker's): the file's `listen`, else exposedPorts. */
  readonly listening: ExposedPort[];
  readonly portSpecs: PortSpecBinding[];
  readonly publishAll: boolean;
  /** The MAC given at create (applies to the create-time network only). */
  readonly macAddress: string | null;
  /** Config.Labels (--label): a calico policy's selectors match them. */
  readonly labels: Record<string, string>;
  sandboxId: string | null;
  /** Container mode: the container whose sandbox this one joined. */
  joinedContainerId: string | null;
  readonly warnings: string[];
  /** Warnings of the last start (e.g. port mappings that could not be moved). */
  readonly runtimeWarnings: string[];
}

/**
 * A link a driver adds to the host's own namespace: macvlan/ipvlan's dummy parent (dm-<12hex>), an 802.1Q
 * sub-interface (eth0.10), a plug-in's VXLAN device (flannel.1).
 */
export interface HostLink {
  readonly name: string;
  readonly kind: 'dummy' | 'vlan' | 'vxlan' | 'ipip';
  readonly networkId: string;
  /** vlan: the link it is stacked on (eth0) and the 802.1Q id. */
  readonly parent: string | null;
  readonly vlanId: number | null;
  /** vxlan: VNI, UDP destination port, local underlay address and device. */
  readonly vxlan: VxlanInfo | null;
  readonly mtu: number;
  readonly ipv4: InterfaceAddress | null;
  /** Created by the driver (deleted with the network) or already there. */
  readonly createdByEngine: boolean;
}

export interface VxlanInfo {
  readonly vni: number;
  readonly port: number;
  /** The host's underlay address the tunnel uses as source (null when the host declares none). */
  readonly localAddress: string | null;
  readonly underlayDev: string | null;
}

/**
 * A host's part of an overlay network: the network namespace libnetwork makes for it
 * (/var/run/docker/netns/1-<10hex>), with the bridge br0 (created as ov-<6hex vni>-<5hex>) holding the gateway
 * address and the containers' veth ends, and the VXLAN device vxlan0 (created as vx-<…>) enslaved to it. Frames for a
 * peer on another host leave the vx- device encapsulated in UDP <port> from this host's underlay address.
 */
export interface OverlayNamespace {
  readonly networkId: string;
  readonly networkName: string;
  readonly namespace: string;
  readonly bridge: string;
  readonly bridgeAddress: InterfaceAddress | null;
  readonly vxlan: string;
  readonly vxlanInfo: VxlanInfo;
  readonly mtu: number;
  readonly encrypted: boolean;
  /** Veth ends (in this namespace) enslaved to the ov- bridge, by endpoint id. */
  readonly ports: Map<string, string>;
  /**
   * The node's load-balancer endpoint `lb-<network>` (named `<network>-endpoint`): swarm gives one to every
   * node on each (non-ingress) overlay it joins, with an address from the network's pool, taken right after
   * the address of the node's first container on it. Only its address is modelled (no IPVS behind it).
   */
  loadBalancer?: { address: string; mac: string };
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
  /** Links drivers added to the host namespace (dummy, 802.1Q, plug-in VXLAN), by name. */
  readonly links: Map<string, HostLink>;
  /** Routes drivers add to the host's table (e.g. a flannel lease of another host), after the on-link ones. */
  readonly extraRoutes: Route[];
  /** Overlay networks' per-host namespaces, by network id. */
  readonly overlays: Map<string, OverlayNamespace>;
  /** Set on a live host: what was read from the host itself rather than derived from Docker's requests. */
  observed?: HostObserved;
  /** The host's edge toward what the topology does not describe (its default route); absent: unknown. */
  uplink?: HostUplink;
  /** What the host's own processes listen on (the file's `listen` of a host); absent: nothing beyond Docker's. */
  listening?: readonly ExposedPort[];
}

/** The host's default route: `default via <gateway> dev <dev>`, leaving with source `address`. */
export interface HostUplink {
  readonly dev: string;
  readonly gateway: string;
  /** The interface's IPv4 address: MASQUERADE's source on the way out. */
  readonly address: string;
}

/** What a live host really has, beside what dockerd's requests imply. */
export interface HostObserved {
  /** The host's IPv4 ruleset as iptables-save printed it, parsed: evaluated instead of dockerd's modelled rules. */
  rules?: RuleSet;
  /** Why the real rules could not be read: the tracer then evaluates dockerd's rules as modelled, and says so. */
  rulesUnread?: string;
  /** net.ipv4.ip_forward as read (absent: not read; the engine assumes 1, as dockerd sets it). */
  ipForward?: boolean;
  /** net.bridge.bridge-nf-call-iptables as read: false, bridged packets skip iptables. */
  bridgeNfCallIptables?: boolean;
  /** The host's IPv6 ruleset as ip6tables-save printed it: IPv6 traces evaluate it instead of the modelled filter. */
  rules6?: RuleSet;
  /** Why ip6tables-save could not be read: IPv6 traces then follow dockerd's modelled behaviour, and say so. */
  rules6Unread?: string;
  /** net.bridge.bridge-nf-call-ip6tables as read: false, bridged IPv6 packets skip ip6tables. */
  bridgeNfCallIp6tables?: boolean;
  /** The host's main IPv4 routing table as read: it replaces the routes derived from its interfaces. */
  routes?: readonly ObservedRoute[];
  /** Why the host's routes could not be read: traces then follow the modelled routes, and say so. */
  routesUnread?: string;
  /** Each container's own routing table as read (by container name), or why it could not be read. */
  sandboxRoutes?: Record<string, readonly ObservedRoute[] | { readonly unread: string }>;
  /** net.ipv4.conf.<if>.rp_filter as read, by interface name (and "all", "default"). */
  rpFilter?: Record<string, number>;
  /** Policy routing rules (`ip rule`) beyond the kernel's defaults, as read: one that matches a packet before main makes its route unknown. */
  policyRules?: readonly PolicyRule[];
  /** Why `ip rule` could not be read: whether another table decides is then unknown, and said. */
  policyRulesUnread?: string;
  /** Interfaces' MTUs as read, by name. */
  mtu?: Record<string, number>;
}

/** One `ip rule` beyond the defaults: its from/to prefixes (absent: all), and whether it selects on more (iif, fwmark, not…). */
export interface PolicyRule {
  readonly priority: number;
  readonly from?: { readonly address: string; readonly prefix: number };
  readonly to?: { readonly address: string; readonly prefix: number };
  /** It selects on something the engine does not know of a packet (iif, oif, fwmark, uid, "not"): it may match. */
  readonly more: boolean;
  readonly table: string;
  /** As `ip rule` prints it. */
  readonly text: string;
  /** The IPv4 routes of its table as read (ip route show table T); absent: not read, so where it leads is unknown. */
  readonly routes?: readonly ObservedRoute[];
}

/** One IPv4 route of a real main table (/proc/net/route). */
export interface ObservedRoute {
  readonly destination: string;
  readonly prefix: number;
  readonly gateway: string | null;
  readonly dev: string;
  readonly metric: number;
  /** blackhole / unreachable / prohibit: matching packets are not sent. */
  readonly reject: boolean;
}

export interface SwarmNode {
  readonly host: string;
  readonly role: 'manager' | 'worker';
  /** The underlay address the node advertises (its first declared IPv4 interface), and that interface. */
  readonly address: string | null;
  readonly dev: string | null;
}

/** An overlay network as the managers see it; each node has its own view (a NetworkState with the same id). */
export interface SwarmNetwork {
  readonly id: string;
  readonly name: string;
  readonly vni: number;
  readonly ingress: boolean;
  readonly attachable: boolean;
  /** Hosts with a view of the network, in host order. */
  readonly hosts: string[];
}

export interface PublishedPort {
  readonly published: number;
  readonly target: number;
  readonly proto: Protocol;
  /** Only ingress mode (the routing mesh) is modelled. */
  readonly mode: 'ingress';
  /** Auto-assigned from 30000–32767 (no published port given). */
  readonly auto: boolean;
}

export interface TaskState {
  /** <service>.<slot>.<task id>: also the task container's name. */
  readonly name: string;
  readonly slot: number;
  readonly id: string;
  readonly host: string;
  readonly containerId: string;
  /** The addresses the manager gave the task, per network id (ingress included). */
  readonly addresses: { readonly networkId: string; readonly address: string }[];
}

export interface ServiceState {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly replicas: number;
  readonly endpointMode: 'vip' | 'dnsrr';
  /** Network ids the tasks attach to (without ingress), in spec order. */
  readonly networks: string[];
  /** vip mode: one virtual IP per network (ingress first when ports are published). */
  readonly vips: { readonly networkId: string; readonly address: string }[];
  readonly ports: PublishedPort[];
  /** In slot order. */
  readonly tasks: TaskState[];
  /**
   * IPVS "rr": connection n to the service (VIP or routing mesh) lands on tasks[(firstBackend + n) % tasks.length].
   * The engine keeps firstBackend at 0: a single trace models the first connection (see replicaForConnection).
   */
  readonly firstBackend: number;
  /** Why the routing mesh of this service's ports is not known (a live swarm's replay, which makes no ingress): traces to them say `unknown`. */
  readonly meshUnknown?: string;
}

export interface SwarmState {
  /** Nodes in host order. */
  readonly nodes: SwarmNode[];
  readonly networks: Map<string, SwarmNetwork>;
  readonly services: Map<string, ServiceState>;
  /** The ingress network's id (the one with ingress: true), if any. */
  ingressNetworkId: string | null;
  /** VXLAN UDP port of the data path (--data-path-port, default 4789). */
  readonly dataPathPort: number;
}

export interface EngineState {
  readonly hosts: Map<string, HostState>;
  readonly swarm: SwarmState;
  // `drivers`, the engine's DriverRegistry (where the tracer and the rules find each driver's trace legs
  // and rules), is declared by src/engine/drivers/types.ts, so this module imports nothing of the drivers.
}
