// The null driver: only loopback (the predefined `none` network).
import { NullDriver } from '../shared/special';
import type { DriverUnit } from '../types';

export const nullDriver: DriverUnit = {
  descriptor: {
    name: 'null',
    scope: 'local',
    origin: 'builtin',
    summary: 'No networking: only the loopback interface (the built-in `none` network).',
    short: 'no networking, only loopback',
    options: [],
    icon: { id: 'circle-slash', color: 'disabledForeground' },
    forms: { file: false, live: false },
    special: true,
  },
  create: () => new NullDriver(),
};
