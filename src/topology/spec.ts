// A topology file (`*.cnm.yaml`, version 1), parsed into plain data. Every object keeps the YAML path
// it came from, so a problem found later (by the engine, the tracer or a diff) can be put on a range.
import type { DaemonConfig, EndpointConfig, IpamPoolConfig, PipeworkAttachment } from '../engine';

/** Path of a node in the YAML document, e.g. ["networks", "mybridge10", "subnet"]. */
export type YamlPath = (string | number)[];

export interface HostSpec {
  name: string;
  interfaces: Record<string, string>;
  /** Not Docker's: the next hop of the host's default route (on one of `interfaces`); absent: unknown. */
  gateway?: string;
  /** Not Docker's: what the host's own processes listen on (`listen` entries, as a container's). */
  listen?: string[];
  daemon: DaemonConfig;
  swarm?: 'manager' | 'worker';
  path: YamlPath;
}

export interface NetworkSpec {
  name: string;
  driver: string; // default "bridge"
  host: string; // resolved: the first host when not given
  /** ipam.config in order; the short form (subnet/gateway/ip_range/aux_addresses) becomes entry 0. */
  ipamConfig: IpamPoolConfig[];
  ipamDriver?: string;
  /** ipam.options (Compose form only). */
  ipamOptions?: Record<string, string>;
  /** Where ipamConfig came from: the short keys under the network (entry 0) or Compose's `ipam.config` list. */
  ipamForm?: 'short' | 'compose';
  /** Set for a Compose project's network: Compose creates it through the API, so the docker CLI's own checks do not apply. */
  viaApi?: boolean;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv6: boolean;
  driverOpts: Record<string, string>;
  labels: Record<string, string>;
  /** calico: the policies written under this network (they apply to it only). */
  policies?: PolicySpec[];
  /** Not in topology files: a Compose external network without a subnet (it exists, its addresses are unknown). */
  addressesUnknown?: boolean;
  path: YamlPath;
}

/** A calico policy rule (`policies[].ingress[]` / `egress[]`). */
export interface PolicyRuleSpec {
  readonly action: 'allow' | 'deny';
  readonly protocol?: 'tcp' | 'udp' | 'icmp';
  readonly source?: string;
  readonly destination?: string;
  readonly port?: number;
}

/** A calico policy (`policies:` at the top level, or under a calico network: then `network` is its name). */
export interface PolicySpec {
  name: string;
  selector: string;
  order: number;
  ingress?: PolicyRuleSpec[];
  egress?: PolicyRuleSpec[];
  network?: string;
  path: YamlPath;
}

export interface ContainerNetworkSpec extends EndpointConfig {
  network: string;
  path: YamlPath;
}

export interface ContainerSpec {
  name: string;
  host: string;
  image: string;
  hostname?: string;
  /** Present iff the file says `network_mode`. */
  networkMode?: string;
  /** In file order; the first is the one the container is started on. */
  networks: ContainerNetworkSpec[];
  /** One entry per YAML list item, in order (so an index the engine reports maps back to the file). */
  ports: string[];
  /** Docker's -P (--publish-all): every exposed port on a port of the host's ephemeral range. */
  publishAll?: boolean;
  /** Docker's --expose: metadata (ExposedPorts), refused with network_mode container:. */
  expose: string[];
  /** What its processes listen on; present iff the file says `listen` (else expose + the targets of ports). */
  listen?: string[];
  /** Docker's --label (Compose `labels`): what a calico policy's selectors match. */
  labels?: Record<string, string>;
  /** A live host's container whose sockets could not be read: why (never from a file). */
  listenUnknown?: string;
  /**
   * Connected to its other networks after create and before start, as docker compose does (a topology
   * file's containers are started first, then connected, as `docker run` + `docker network connect`).
   */
  connectBeforeStart?: boolean;
  /** Interfaces added by hand after start (jpetazzo/pipework), in order; present iff the file says `pipework`. */
  pipework?: PipeworkSpec[];
  path: YamlPath;
}

/** One `pipework <hostinterface> [-i iface] [-l host_iface] <container> <ip>[@gateway] [mac][@vlan]`. */
export interface PipeworkSpec extends PipeworkAttachment {
  path: YamlPath;
}

export interface ServiceSpec {
  name: string;
  image: string;
  replicas: number;
  networks: string[];
  ports: string[];
  endpointMode: 'vip' | 'dnsrr';
  expose: string[];
  /** What each task's process listens on; present iff the file says `listen`. */
  listen?: string[];
  path: YamlPath;
}

export interface ExpectSpec {
  from: string;
  to: string;
  verdict: 'delivered' | 'refused' | 'dropped' | 'unresolved' | 'unknown';
  path: YamlPath;
}

export interface TopologySpec {
  name?: string;
  hosts: HostSpec[]; // never empty: `host1` when the file has no `hosts:`
  networks: NetworkSpec[]; // file order
  containers: ContainerSpec[]; // file order
  services: ServiceSpec[];
  /** Top-level calico policies (every calico network). */
  policies?: PolicySpec[];
  expect: ExpectSpec[];
}
