// Weave Net (weaveworks/weave) as a plug-in unit: the `weave` network driver and IPAM driver its Docker
// plug-in registers, the trace legs of its router (fast datapath and sleeve), and the iptables rules it
// writes. Listed in ../index.ts PLUGIN_DRIVERS. Facts and the source files they come from: driver.ts.
import { parseCidr, makeNet, formatNet } from '../../ip';
import type { HostState } from '../../model';
import type { DriverUnit } from '../types';
import { WeaveDriver } from './driver';
import { WeaveIpam, shareOf } from './ipam';
import { weaveRules, weaveTrace } from './trace';
import { weavePicture } from './picture';

export { WEAVE, weaveVeth, type WeaveDatapath, type WeaveNetworkData } from './driver';
export { shareOf, WeaveIpam } from './ipam';
export { weaveVni } from './trace';

export const weave: DriverUnit = {
  descriptor: {
    name: 'weave',
    scope: 'global',
    origin: 'plugin',
    summary:
      'A third-party driver (shipped with CNM Explorer, through the plug-in interface), after Weave Net\'s Docker plug-in: one flat layer-2 network across the hosts. Each host has a bridge `weave` with the weave router\'s port on it (`vethwe-bridge`); frames for a container on another host go through the Open vSwitch datapath `datapath` and VXLAN to UDP 6784 (fast datapath), or the router\'s own UDP encapsulation to port 6783 (sleeve). Containers get `ethwe0` (MTU 1376), addresses from the allocation range (default 10.32.0.0/12, shared among the peers), names under `weave.local`, and no gateway (Docker adds docker_gwbridge for the way out).',
    short: 'a plug-in after Weave Net: one L2 network across hosts, VXLAN 6784 (fastdp) or sleeve 6783 (option datapath=fastdp|sleeve)',
    options: [
      {
        name: 'datapath',
        description: 'weave: `fastdp` (default; the kernel\'s Open vSwitch datapath encapsulates in VXLAN, UDP 6784) or `sleeve` (the weave router captures frames and sends them in its own UDP encapsulation to port 6783; what weave falls back to when fast datapath is unavailable or encryption is on).',
        values: ['fastdp', 'sleeve'],
      },
      {
        name: 'npc',
        description: 'weave: `true` when weave-npc (the network policy controller) runs: FORWARD sends traffic to the bridge through the WEAVE-NPC chains and drops the rest, instead of `-i weave -o weave -j ACCEPT` and WEAVE-EXPOSE.',
        values: ['true', 'false'],
        accepts: 'boolean',
      },
    ],
    icon: { id: 'type-hierarchy', color: 'charts.green' },
    forms: { file: true, live: false, optionHint: 'e.g. datapath=sleeve' },
  },
  create: (engine) => new WeaveDriver((host: HostState, subnet: string) => {
    const n = parseCidr(subnet)!;
    const names = engine.hostNames();
    const { first, last } = shareOf(makeNet(4, n.base, n.prefix), names.indexOf(host.name), names.length);
    return `${formatNet(makeNet(4, first, 32)).replace('/32', '')}–${formatNet(makeNet(4, last, 32)).replace('/32', '')}`;
  }),
  ipam: { name: 'weave', create: (engine) => (host) => new WeaveIpam(() => ({ index: engine.hostNames().indexOf(host.name), count: engine.hostNames().length })) },
  trace: weaveTrace,
  rules: weaveRules,
  picture: weavePicture,
};


