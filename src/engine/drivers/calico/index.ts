// A third-party network driver, shipped as a plug-in: calico (projectcalico/libnetwork-plugin's
// `calico` network driver and `calico-ipam` IPAM driver, with felix's rules and BIRD's routes), its
// trace legs and felix's iptables chains, in one unit like the built-ins. Listed in ../index.ts
// PLUGIN_DRIVERS. Policies come from the topology file's `policies:` (setCalicoPolicies).
import type { DriverUnit } from '../types';
import { CalicoDriver } from './driver';
import { CalicoIpam } from './ipam';
import { calicoRules, calicoTrace } from './trace';
import { calicoPicture } from './picture';

export { calicoData, type CalicoNetworkData, type RemoteBlock } from './driver';
export { CHAINS as FELIX_CHAINS, MARK_ACCEPT, MARK_PASS, endpointChain, policyChain, profileChain } from './felix';
export { DEFAULT_BLOCK_SIZE, DEFAULT_POOL_CIDR, GATEWAY as CALICO_GATEWAY, IPIP_DEVICE, VXLAN_DEVICE, VXLAN as CALICO_VXLAN, hostIfname as calicoHostIfname } from './pool';
export { parseSelector, type CalicoPolicy, type CalicoRule } from './policy';
export { setCalicoPolicies } from './policies';

export const calico: DriverUnit = {
  descriptor: {
    name: 'calico',
    scope: 'global',
    origin: 'plugin',
    summary:
      "A third-party driver (shipped with CNM Explorer, through the engine's plug-in interface), after Project Calico's libnetwork plug-in: no bridge and no overlay by default — every container is a veth (`cali…` on the host, `cali0` inside, default route via 169.254.1.1 answered by proxy ARP) with a /32 route on its host; each host owns a /26 block of the IP pool (the network's subnet, default 192.168.0.0/16) and learns the other hosts' blocks over BGP (BIRD), optionally encapsulated (IP-in-IP `tunl0` or VXLAN `vxlan.calico`). felix's iptables chains enforce a profile per network and the topology's `policies:`. Use the `calico-ipam` IPAM driver (the default for it).",
    short: 'a plug-in after Project Calico: routed /32 workloads, BGP between hosts, policies (options ipip_mode, vxlan_mode, block_size)',
    options: [
      { name: 'ipip_mode', description: 'calico: the IP pool\'s `ipipMode` — `Always` (routes to the other hosts\' blocks go through `tunl0`, IP-in-IP), `CrossSubnet` (only to hosts on another subnet) or `Never` (default: plain routes learned over BGP).', values: ['Always', 'CrossSubnet', 'Never'] },
      { name: 'vxlan_mode', description: 'calico: the IP pool\'s `vxlanMode` — `Always`, `CrossSubnet` or `Never` (default): VXLAN through `vxlan.calico` (UDP 4789, VNI 4096), routes programmed by felix. Not together with ipip_mode.', values: ['Always', 'CrossSubnet', 'Never'] },
      { name: 'block_size', description: 'calico: the IP pool\'s `blockSize`, the prefix length of each host\'s block (20–32, default 26).', accepts: 'integer' },
    ],
    icon: { id: 'shield', color: 'charts.orange' },
    forms: { file: true, live: false, optionHint: 'e.g. ipip_mode=Always' },
  },
  create: (engine) => new CalicoDriver(engine),
  ipam: { name: 'calico-ipam', create: (engine) => (host) => new CalicoIpam(host, () => engine.hostNames().indexOf(host.name)) },
  trace: calicoTrace,
  rules: calicoRules,
  picture: calicoPicture,
};
