// The macvlan driver as a unit: operations (driver.ts; the parent link is shared with ipvlan), trace
// legs (../shared/parentLinkTrace.ts) and descriptor.
import { COMMON_DRIVER_OPTIONS, PARENT_OPTION } from '../shared/options';
import { parentLinkTrace } from '../shared/parentLinkTrace';
import type { DriverUnit } from '../types';
import { MacvlanDriver } from './driver';

export const macvlan: DriverUnit = {
  descriptor: {
    name: 'macvlan',
    scope: 'local',
    origin: 'builtin',
    summary:
      "Containers appear on the host's LAN with their own MAC addresses, through the `parent` interface (or a VLAN sub-interface such as eth0.10). The host itself cannot talk to its macvlan children; ports are not published.",
    short: "containers appear on the parent interface's LAN with their own MAC (option parent=…)",
    options: [
      PARENT_OPTION,
      {
        name: 'macvlan_mode',
        description: 'macvlan: `bridge` (default), `vepa`, `private` or `passthru`.',
        values: ['bridge', 'vepa', 'private', 'passthru'],
      },
      ...COMMON_DRIVER_OPTIONS,
    ],
    icon: { id: 'radio-tower', color: 'charts.yellow' },
    forms: { file: true, live: true, optionHint: 'e.g. parent=eth0' },
    onParentLan: true,
  },
  create: () => new MacvlanDriver(),
  trace: parentLinkTrace,
};
