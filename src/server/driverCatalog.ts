// The network drivers a topology can name, what each does, and which driver options belong to it.
// Option descriptions come from the schema (one text for hover, completion and other YAML tools).
import { schemaAt } from './schemaDocs';

export interface DriverInfo {
  name: string;
  summary: string;
  options: string[];
}

const COMMON_OPTIONS = ['com.docker.network.driver.mtu', 'com.docker.network.container_iface_prefix'];

export const DRIVERS: readonly DriverInfo[] = [
  {
    name: 'bridge',
    summary:
      'A Linux bridge on one host (`br-<id>`); each container gets a veth pair. Containers on the same user-defined bridge reach each other by name (embedded DNS at 127.0.0.11); other bridges are isolated by the DOCKER-ISOLATION chains; outgoing traffic is masqueraded and published ports are DNATed.',
    options: [
      'com.docker.network.bridge.name',
      'com.docker.network.bridge.enable_icc',
      'com.docker.network.bridge.enable_ip_masquerade',
      'com.docker.network.bridge.host_binding_ipv4',
      'com.docker.network.bridge.inhibit_ipv4',
      ...COMMON_OPTIONS,
    ],
  },
  {
    name: 'overlay',
    summary:
      'A network spanning the swarm: VXLAN (UDP 4789) between hosts, a bridge per host in its own namespace. Needs a swarm manager; standalone containers can join only an `attachable` one. Subnets come from 10.0.0.0/8 in /24s.',
    options: ['encrypted', 'com.docker.network.driver.overlay.vxlanid_list', ...COMMON_OPTIONS],
  },
  {
    name: 'macvlan',
    summary:
      "Containers appear on the host's LAN with their own MAC addresses, through the `parent` interface (or a VLAN sub-interface such as eth0.10). The host itself cannot talk to its macvlan children; ports are not published.",
    options: ['parent', 'macvlan_mode', ...COMMON_OPTIONS],
  },
  {
    name: 'ipvlan',
    summary:
      "Like macvlan, but every container shares the parent's MAC address. `l2` mode bridges onto the LAN; `l3` mode routes through the host with no gateway.",
    options: ['parent', 'ipvlan_mode', 'ipvlan_flag', ...COMMON_OPTIONS],
  },
  {
    name: 'flannel',
    summary:
      "A third-party driver (shipped with CNM Explorer, through the engine's plug-in interface), after Kubernetes' flannel: the cluster network (default 10.244.0.0/16) is cut into one /24 lease per host, and the hosts route each other's lease, through the VXLAN device flannel.1 or directly (host-gw).",
    options: ['backend', ...COMMON_OPTIONS],
  },
  { name: 'host', summary: "The host's own network stack: no isolation, no addresses of its own, published ports are discarded.", options: [] },
  { name: 'null', summary: 'No networking: only the loopback interface (the built-in `none` network).', options: [] },
];

export function driverInfo(name: string): DriverInfo | undefined {
  return DRIVERS.find((d) => d.name === name);
}

/** Options that make sense for `driver` (every known option when the driver is unknown, e.g. a plug-in). */
export function optionsFor(driver: string | undefined): { name: string; description: string; values: string[] }[] {
  const names = driverInfo(driver ?? 'bridge')?.options ?? [...new Set(DRIVERS.flatMap((d) => d.options))];
  return names.map((name) => ({ name, ...optionDoc(name) }));
}

export function optionDoc(name: string): { description: string; values: string[] } {
  const schema = schemaAt(['networks', 'x', 'driver_opts', name]);
  const values = (schema?.enum ?? []).filter((v): v is string => typeof v === 'string');
  return { description: schema?.description ?? 'A driver option, passed to the driver as is.', values };
}

/** Every option the catalog knows, for the schema consistency test. */
export function allCatalogOptions(): string[] {
  return [...new Set(DRIVERS.flatMap((d) => d.options))];
}
