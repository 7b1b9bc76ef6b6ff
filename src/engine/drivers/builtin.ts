// libnetwork's own drivers: every Engine installs these (one line per driver).
import { bridge } from './bridge';
import { host } from './host';
import { ipvlan } from './ipvlan';
import { macvlan } from './macvlan';
import { nullDriver } from './null';
import { overlay } from './overlay';
import type { DriverUnit } from './types';

// In the order completion and the create forms offer them.
export const BUILTIN_DRIVERS: readonly DriverUnit[] = [bridge, overlay, macvlan, ipvlan, host, nullDriver];
