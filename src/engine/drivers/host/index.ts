// The host driver: the container shares the host's network namespace (one predefined `host` network).
import { HostDriver } from '../shared/special';
import type { DriverUnit } from '../types';

export const host: DriverUnit = {
  descriptor: {
    name: 'host',
    scope: 'local',
    origin: 'builtin',
    summary: "The host's own network stack: no isolation, no addresses of its own, published ports are discarded.",
    short: "the host's own network stack",
    options: [],
    icon: { id: 'server', color: 'charts.orange' },
    forms: { file: false, live: false },
    special: true,
  },
  create: () => new HostDriver(),
};
