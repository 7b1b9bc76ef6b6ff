// The bridge driver as a unit: its operations (driver.ts) and its descriptor. Bridges need no trace
// driver: the walker itself knows veths and Linux bridges, and the rules are dockerd's own.
import { COMMON_DRIVER_OPTIONS } from '../shared/options';
import type { DriverUnit } from '../types';
import { BridgeDriver } from './driver';
import { BRIDGE_OPTIONS } from './options';

export const bridge: DriverUnit = {
  descriptor: {
    name: 'bridge',
    scope: 'local',
    origin: 'builtin',
    summary:
      'A Linux bridge on one host (`br-<id>`); each container gets a veth pair. Containers on the same user-defined bridge reach each other by name (embedded DNS at 127.0.0.11); other bridges are isolated by the DOCKER-ISOLATION chains; outgoing traffic is masqueraded and published ports are DNATed.',
    short: 'a Linux bridge on the host; containers get private addresses and NAT',
    options: [...BRIDGE_OPTIONS, ...COMMON_DRIVER_OPTIONS],
    icon: { id: 'circuit-board', color: 'charts.blue' },
    forms: { file: true, live: true, optionHint: 'e.g. com.docker.network.bridge.enable_icc=false, com.docker.network.driver.mtu=1400' },
  },
  create: () => new BridgeDriver(),
};
