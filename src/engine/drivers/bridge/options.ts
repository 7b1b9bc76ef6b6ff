// The bridge driver's own options (libnetwork drivers/bridge labels), with their docs.
import type { DriverOption } from '../types';

const TRUE_FALSE = ['true', 'false'];

export const BRIDGE_OPTIONS: readonly DriverOption[] = [
  {
    name: 'com.docker.network.bridge.name',
    description: 'bridge: name of the Linux bridge device (default `br-` + the first 12 hex digits of the network id).',
  },
  {
    name: 'com.docker.network.bridge.enable_icc',
    description: 'bridge: "false" drops traffic between containers of this network (`FORWARD -i br -o br -j DROP`).',
    values: TRUE_FALSE,
    accepts: 'boolean',
  },
  {
    name: 'com.docker.network.bridge.enable_ip_masquerade',
    description: 'bridge: "false" removes the MASQUERADE rule, so containers reach outside with their own addresses.',
    values: TRUE_FALSE,
    accepts: 'boolean',
  },
  {
    name: 'com.docker.network.bridge.host_binding_ipv4',
    description: 'bridge: default host address for published ports of this network\'s containers (default 0.0.0.0).',
  },
  {
    name: 'com.docker.network.bridge.inhibit_ipv4',
    description: 'bridge: do not put the gateway address on the bridge device.',
    values: TRUE_FALSE,
    accepts: 'boolean',
  },
];
