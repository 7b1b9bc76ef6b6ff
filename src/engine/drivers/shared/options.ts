// Driver options more than one driver reads, with their docs: every libnetwork driver's
// (netlabel.DriverMTU, netlabel.ContainerIfacePrefix), and the parent link of macvlan and ipvlan.
import type { DriverOption } from '../types';

export const COMMON_DRIVER_OPTIONS: readonly DriverOption[] = [
  {
    name: 'com.docker.network.driver.mtu',
    description: 'MTU of the network\'s interfaces (bridge default 1500; overlay: minus 50 bytes of VXLAN header).',
    accepts: 'integer',
  },
  {
    name: 'com.docker.network.container_iface_prefix',
    description: 'Prefix of the container-side interface names (default `eth`, giving eth0, eth1, …).',
  },
];

export const PARENT_OPTION: DriverOption = {
  name: 'parent',
  description: 'macvlan/ipvlan: the host interface the network sits on, e.g. `eth0`, or `eth0.10` for VLAN 10 (the 802.1Q link is created). Without it a dummy link is used and containers reach only each other.',
};
