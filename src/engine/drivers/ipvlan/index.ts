// The ipvlan driver as a unit: operations (driver.ts), trace legs shared with macvlan, descriptor.
import { COMMON_DRIVER_OPTIONS, PARENT_OPTION } from '../shared/options';
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
    options: [
      PARENT_OPTION,
      {
        name: 'ipvlan_mode',
        description: 'ipvlan: `l2` (default; the gateway is on the LAN) or `l3` (the host routes; no gateway). `l3s` exists from Docker 23.',
        values: ['l2', 'l3', 'l3s'],
      },
      {
        name: 'ipvlan_flag',
        description: 'ipvlan (Docker 23+): `bridge` (default), `private` or `vepa`.',
        values: ['bridge', 'private', 'vepa'],
      },
      ...COMMON_DRIVER_OPTIONS,
    ],
    icon: { id: 'broadcast', color: 'charts.yellow' },
    forms: { file: true, live: true, optionHint: 'e.g. parent=eth0' },
    onParentLan: true,
  },
  create: () => new IpvlanDriver(),
  trace: parentLinkTrace,
};
