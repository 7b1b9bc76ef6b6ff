// The shape of `cnm inspect --json` (fixed by SPEC.md; extra keys allowed). The differential suite
// builds the same shape from a real dockerd, so both sides are compared field by field.

export interface InspectNetwork {
  name: string;
  host: string;
  id: string;
  driver: string;
  scope: 'local' | 'swarm' | 'global';
  subnet: string | null; // the allocated IPv4 pool, canonical CIDR
  gateway: string | null; // the IPv4 gateway address (also when the user gave none)
  ip_range?: string | null;
  ipv6_subnet?: string | null;
  ipv6_gateway?: string | null;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enable_ipv6: boolean;
  options: Record<string, string>;
  /** Linux device of the network on the host: docker0, br-<12hex>, … (null for host/null drivers). */
  bridge: string | null;
  /**
   * Swarm's own endpoints on this host's view, as `docker network inspect`'s Containers lists them under
   * these keys: `lb-<network>` (the node's load-balancer endpoint on an overlay) and `ingress-sbox` (the
   * routing mesh's sandbox, on ingress and docker_gwbridge). Absent when there are none.
   */
  swarm_endpoints?: { key: string; name: string; ipv4_address: string | null; mac_address: string | null }[];
  /** Present (true) when the network exists outside what is described with an unknown subnet: subnet and gateway are null because unknown. */
  addresses_unknown?: true;
}

export interface InspectEndpoint {
  network: string;
  ipv4_address: string | null; // without prefix length
  ipv4_prefix: number | null;
  ipv6_address: string | null;
  mac_address: string | null;
  /** Container-side interface: eth0, eth1, … */
  interface: string | null;
  /** Host-side veth name (veth + 7 hex) where the driver makes one; for macvlan/ipvlan the parent link. */
  host_interface: string | null;
  gateway: string | null;
  aliases: string[];
  /** GlobalIPv6PrefixLen and IPv6Gateway of `docker inspect` (null: no IPv6 address / no IPv6 gateway). */
  ipv6_prefix?: number | null;
  ipv6_gateway?: string | null;
  /** Present (true) on a network whose addresses are unknown: ipv4_address (and the rest) null because unknown, not absent. */
  address_unknown?: true;
}

export interface InspectPortBinding {
  container_port: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  host_ip: string; // "0.0.0.0", "::", "127.0.0.1", …
  host_port: number;
  /**
   * Present when the daemon picks this port in an order that varies from run to run (Docker 23.0+, two
   * ephemeral bindings of one container): every port it can get, sorted; `host_port` is one of them.
   */
  host_port_one_of?: number[];
}

export interface InspectContainer {
  name: string;
  host: string;
  id: string;
  network_mode: string; // "default"/"bridge", "host", "none", "container:<name>", or a network name
  running: boolean;
  endpoints: InspectEndpoint[];
  ports: InspectPortBinding[];
  /** Network through which the container's default route goes (gateway endpoint), if any. */
  default_gateway_network: string | null;
  warnings: string[];
  /**
   * The container's network namespace as `ip link`, `ip route`, `ip -6 route`, `cat /etc/hosts` and
   * `cat /etc/resolv.conf` in it show it (null when not running; interfaces and routes null in host mode,
   * which is the host's own namespace). Routes in iproute2's words without metrics, sorted. What comes
   * from the machine rather than Docker is a placeholder in <angle brackets> (see sandboxFiles).
   */
  interfaces?: { name: string; mtu: number }[] | null;
  routes?: string[] | null;
  hosts_file?: string[] | null;
  resolv_conf?: string[] | null;
}

/** A swarm service's task: its container's name, the node it runs on and its endpoints there. */
export interface InspectTask {
  /** <service>.<slot>.<task id>, the task container's name. */
  name: string;
  host: string;
  endpoints: InspectEndpoint[];
}

/** A swarm service (SPEC.md, CLI contract): its endpoint mode, virtual IPs per network and tasks. */
export interface InspectService {
  name: string;
  endpoint_mode: 'vip' | 'dnsrr';
  /** vip mode: one per network (ingress first when ports are published); [] in dnsrr mode. */
  vips: { network: string; ipv4_address: string }[];
  tasks: InspectTask[];
  replicas?: number;
  /** Published ports of the routing mesh. */
  ports?: { published: number; target: number; protocol: string; mode: string }[];
  /** A live swarm's service: replicated or global. */
  mode?: 'replicated' | 'global';
}

export interface InspectResult {
  networks: InspectNetwork[];
  containers: InspectContainer[];
  /** Swarm services; the engine always lists them (empty without a swarm). */
  services?: InspectService[];
}
