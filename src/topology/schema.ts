// The keys the topology format (version 1, SPEC.md) allows at each level. Names follow Docker Compose
// where the idea is the same; daemon options use daemon.json's spelling.

export const TOP_LEVEL_KEYS = ['name', 'hosts', 'networks', 'containers', 'services', 'policies', 'expect'] as const;

export const HOST_KEYS = ['interfaces', 'gateway', 'listen', 'daemon', 'swarm'] as const;

export const DAEMON_KEYS = [
  'version',
  'bip',
  'fixed-cidr',
  'fixed-cidr-v6',
  'ipv6',
  'icc',
  'userland-proxy',
  'ip-masq',
  'iptables',
  'ip',
  'mtu',
  'default-address-pools',
] as const;

export const ADDRESS_POOL_KEYS = ['base', 'size'] as const;

/** The short IPAM form: these keys directly under a network are `ipam.config[0]`. */
export const IPAM_POOL_KEYS = ['subnet', 'gateway', 'ip_range', 'aux_addresses'] as const;

export const NETWORK_KEYS = [
  'driver',
  'host',
  ...IPAM_POOL_KEYS,
  'ipam',
  'internal',
  'attachable',
  'ingress',
  'enable_ipv6',
  'driver_opts',
  'labels',
  'policies',
] as const;

export const IPAM_KEYS = ['driver', 'config', 'options'] as const;

export const CONTAINER_KEYS = [
  'host',
  'image',
  'hostname',
  'network_mode',
  'networks',
  'ports',
  'publish_all',
  'expose',
  'listen',
  'labels',
  'pipework',
] as const;

/** One entry of a container's `pipework:` (jpetazzo/pipework's arguments: host interface, -i, -l, ip@gateway, mac@vlan). */
export const PIPEWORK_KEYS = ['bridge', 'macvlan', 'ip', 'gateway', 'iface', 'host_iface', 'mac', 'vlan'] as const;

export const ENDPOINT_KEYS = ['ipv4_address', 'ipv6_address', 'aliases', 'mac_address'] as const;

/** Compose's long port syntax: { target, published, host_ip, protocol, mode }. */
export const PORT_LONG_KEYS = ['target', 'published', 'host_ip', 'protocol', 'mode'] as const;

export const SERVICE_KEYS = ['image', 'replicas', 'networks', 'ports', 'endpoint_mode', 'expose', 'listen'] as const;

export const SERVICE_NETWORK_KEYS = ['aliases'] as const;

/** `policies:` (calico): a policy, and one of its ingress/egress rules. */
export const POLICY_KEYS = ['name', 'selector', 'order', 'ingress', 'egress'] as const;
export const POLICY_RULE_KEYS = ['action', 'protocol', 'source', 'destination', 'port'] as const;

export const EXPECT_KEYS = ['from', 'to', 'verdict'] as const;

export const VERDICTS = ['delivered', 'refused', 'dropped', 'unresolved', 'unknown'] as const;

/** Networks every Docker host has; `default` is Docker's alias of `bridge`. */
export const BUILTIN_NETWORKS = ['bridge', 'host', 'none', 'default'] as const;

export const DEFAULT_HOST = 'host1';
