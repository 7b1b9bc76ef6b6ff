// The overlay driver as a unit: one host's part of a swarm network (driver.ts), the VXLAN legs of a
// trace (trace.ts), and its descriptor. The managers' side (VNIs, overlay IPAM) is src/engine/swarm.
import { COMMON_DRIVER_OPTIONS } from '../shared/options';
import type { DriverUnit } from '../types';
import { OverlayDriver } from './driver';
import { overlayTrace } from './trace';

export const overlay: DriverUnit = {
  descriptor: {
    name: 'overlay',
    scope: 'swarm',
    origin: 'builtin',
    summary:
      'A network spanning the swarm: VXLAN (UDP 4789) between hosts, a bridge per host in its own namespace. Needs a swarm manager; standalone containers can join only an `attachable` one. Subnets come from 10.0.0.0/8 in /24s.',
    short: 'spans swarm hosts over VXLAN (needs swarm mode)',
    options: [
      {
        name: 'encrypted',
        description: 'overlay: encrypt VXLAN traffic with IPsec ESP (the MTU shrinks by 26 more bytes).',
        accepts: 'boolean',
      },
      {
        name: 'com.docker.network.driver.overlay.vxlanid_list',
        description: 'overlay: the VXLAN network identifier (VNI); the manager allocates one from 4096 when not given.',
        accepts: 'integer',
      },
      ...COMMON_DRIVER_OPTIONS,
    ],
    icon: { id: 'cloud', color: 'charts.purple' },
    forms: { file: true, live: true },
  },
  create: (engine) => new OverlayDriver(engine.state.swarm.dataPathPort),
  trace: overlayTrace,
};
