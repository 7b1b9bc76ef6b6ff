// libnetwork's own drivers: every Engine installs these (one line per driver).
import { bridge } from './bridge';
import { host } from './host';
import { ipvlan } from './ipvlan';
import { macvlan } from './macvlan';
import { nullDriver } from './null';
import { overlay } from './overlay';
import type { DriverUnit } from './types';

export const BUILTIN_DRIVERS: readonly DriverUnit[] = [bridge, host, nullDriver, macvlan, ipvlan, overlay];
