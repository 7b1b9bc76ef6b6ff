// The operations of the engine take Docker-API-shaped requests. These types are the contract between
// the engine (which implements them), the topology builder, the live-Docker importer and the CLI.

/** Daemon options that change networking behaviour (dockerd flags / daemon.json). */
export interface DaemonConfig {
  /** Docker release to model, e.g. "20.10" (default: the newest modelled release). */
  version?: string;
  /** --bip, e.g. "172.17.0.1/16". */
  bip?: string;
  /** --fixed-cidr */
  fixedCidr?: string;
  /** --ipv6 with --fixed-cidr-v6 */
  ipv6?: boolean;
  fixedCidrV6?: string;
  icc?: boolean; // default true
  userlandProxy?: boolean; // default true
  ipMasq?: boolean; // default true
  iptables?: boolean; // default true
  /** --ip: default host IP for port bindings on docker0 */
  ip?: string;
  mtu?: number;
  /** --default-address-pool base=…,size=… (replaces the local predefined list). */
  defaultAddressPools?: { base: string; size: number }[];
}

export interface HostConfig {
  name: string;
  /** The host's own (underlay) interfaces: name -> CIDR, e.g. { eth0: "192.168.50.10/24" }. */
  interfaces?: Record<string, string>;
  /**
   * Not Docker's: the next hop of the host's default route (`default via <gateway> dev <its interface>`),
   * an address on one of `interfaces`. Without it the host's default route, so its uplink, is unknown.
   */
  gateway?: string;
  /** Not Docker's: what the host's own processes listen on ("5432", "127.0.0.1:6379", "53/udp"). */
  listen?: string[];
  daemon?: DaemonConfig;
  swarm?: 'manager' | 'worker';
}

export interface IpamPoolConfig {
  subnet?: string;
  ipRange?: string;
  gateway?: string;
  auxAddresses?: Record<string, string>;
}

/** docker network create */
export interface NetworkCreateRequest {
  name: string;
  driver?: string; // default "bridge"
  ipam?: { driver?: string; config?: IpamPoolConfig[]; options?: Record<string, string> };
  internal?: boolean;
  attachable?: boolean;
  ingress?: boolean;
  enableIpv6?: boolean;
  options?: Record<string, string>;
  labels?: Record<string, string>;
  /**
   * Not Docker's: the network exists already, made outside what is described (a Compose `external`
   * network without a subnet), so its subnet is unknown. No address is allocated on it: its endpoints
   * have none, and whatever depends on them is `unknown`, never invented.
   */
  addressesUnknown?: boolean;
}

/** One entry of NetworkingConfig.EndpointsConfig / docker network connect options. */
export interface EndpointConfig {
  ipv4Address?: string;
  ipv6Address?: string;
  aliases?: string[];
  /** EndpointSettings.Links: "<container>:<alias>" (what docker compose passes for `links`). */
  links?: string[];
  macAddress?: string;
  /** 28.0+ gw-priority: the endpoint with the highest priority gives the default route. */
  gwPriority?: number;
}

/** docker create / run (only what matters for networking). */
export interface ContainerCreateRequest {
  name: string;
  image?: string;
  hostname?: string;
  /** "bridge" (default), "host", "none", "container:<name>", or a network name. */
  networkMode?: string;
  /** Endpoint options for the network named by networkMode. */
  endpoint?: EndpointConfig;
  /** -p specs exactly as the CLI takes them, e.g. "8080:80", "127.0.0.1::90/udp". */
  ports?: string[];
  /** --expose, e.g. "80", "80/tcp", "8000-8010/udp": metadata (ExposedPorts), refused in container mode. */
  expose?: string[];
  /**
   * Not Docker's: what the container's processes listen on ("8081", "53/udp", "8000-8010"), in its own
   * namespace or, in container mode, in the one it joins. Default: the exposed ports (--expose and -p).
   */
  listen?: string[];
  /** --publish-all */
  publishAll?: boolean;
  /** --label key=value */
  labels?: Record<string, string>;
}

/** docker service create (only what matters for networking). */
export interface ServiceCreateRequest {
  name: string;
  image?: string;
  replicas?: number; // default 1
  /** Overlay networks by name, in order. */
  networks?: string[];
  /** -p: "8080:8000", "8000" (published port assigned from 30000–32767), "8080:8000/udp". Ingress mode. */
  ports?: string[];
  endpointMode?: 'vip' | 'dnsrr'; // default vip
  /** --expose: metadata on each task. */
  expose?: string[];
  /** What each task's process listens on (not Docker's). Default: expose plus the targets of ports. */
  listen?: string[];
}
