// A third-party network driver through the engine's plug-in interface: `registerFlannel(engine)` adds the
// `flannel` network driver and its `flannel` IPAM driver. The engine core never imports this folder.
import type { Engine } from '../../index';
import { FlannelDriver } from './driver';
import { FlannelIpam } from './ipam';
import { DEFAULT_SUBNET_LEN } from './leases';
import { registerNetworkRules } from '../../netfilter';
import { registerTraceDriver } from '../../trace';
import { flannelRules, flannelTrace } from './trace';

export { FLANNEL_BRIDGE, FLANNEL_VXLAN, type FlannelBackend, type FlannelNetworkData } from './driver';
export { DEFAULT_CLUSTER_CIDR, DEFAULT_SUBNET_LEN, leaseFor } from './leases';

export interface FlannelOptions {
  /** Bits of each host's lease (flannel's SubnetLen), default 24. */
  subnetLen?: number;
}

export function registerFlannel(engine: Engine, opts: FlannelOptions = {}): void {
  const subnetLen = opts.subnetLen ?? DEFAULT_SUBNET_LEN;
  engine.registerDriver(new FlannelDriver(engine, subnetLen));
  engine.registerIpamDriver('flannel', (host) => new FlannelIpam(host, () => engine.hostNames().indexOf(host.name), subnetLen));
  // The same hooks the built-in drivers trace through, and flanneld's own iptables rules.
  registerTraceDriver('flannel', flannelTrace);
  registerNetworkRules('flannel', flannelRules);
}
