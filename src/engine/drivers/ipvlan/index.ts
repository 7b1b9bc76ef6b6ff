// The ipvlan driver as a unit: operations (driver.ts), trace legs shared with macvlan, descriptor.
import { COMMON_DRIVER_OPTIONS } from '../shared/options';
import { parentLinkTrace } from '../shared/parentLinkTrace';
import type { DriverUnit } from '../types';
import { IpvlanDriver } from './driver';

export const ipvlan: DriverUnit = {
  descriptor: {
    name: 'ipvlan',
    scope: 'local',
    origin: 'builtin',
    summary:
      "Like macvlan, but every container shares the parent's MAC address. `l2` mode bridges onto the LAN; `l3` mode routes through the host with no gateway.",
    short: "containers share the parent interface's MAC (option parent=…)",
    options: ['parent', 'ipvlan_mode', 'ipvlan_flag', ...COMMON_DRIVER_OPTIONS],
    icon: { id: 'broadcast', color: 'charts.yellow' },
    forms: { file: true, live: true, optionHint: 'e.g. parent=eth0' },
    onParentLan: true,
  },
  create: () => new IpvlanDriver(),
  trace: parentLinkTrace,
};
