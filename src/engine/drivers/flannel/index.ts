// A third-party network driver, shipped as a plug-in: the `flannel` network driver, its `flannel` IPAM
// driver, its trace legs and flanneld's rules, in one unit like the built-ins. The Engine does not
// install it (src/engine/drivers/builtin.ts); it is listed in ../index.ts PLUGIN_DRIVERS, which
// buildTopology installs on the engine it builds, or `registerFlannel(engine)` does.
import { COMMON_DRIVER_OPTIONS } from '../shared/options';
import type { DriverHost, DriverRegistry, DriverUnit } from '../types';
import { FlannelDriver } from './driver';
import { FlannelIpam } from './ipam';
import { DEFAULT_SUBNET_LEN } from './leases';
import { flannelRules, flannelTrace } from './trace';

export { FLANNEL_BRIDGE, FLANNEL_VXLAN, type FlannelBackend, type FlannelNetworkData } from './driver';
export { DEFAULT_CLUSTER_CIDR, DEFAULT_SUBNET_LEN, leaseFor } from './leases';

export interface FlannelOptions {
  /** Bits of each host's lease (flannel's SubnetLen), default 24. */
  subnetLen?: number;
}

/** The flannel unit, with each host's lease `subnetLen` bits long. */
export function flannelUnit(opts: FlannelOptions = {}): DriverUnit {
  const subnetLen = opts.subnetLen ?? DEFAULT_SUBNET_LEN;
  return {
    descriptor: {
      name: 'flannel',
      scope: 'global',
      origin: 'plugin',
      summary:
        "A third-party driver (shipped with CNM Explorer, through the engine's plug-in interface), after Kubernetes' flannel: the cluster network (default 10.244.0.0/16) is cut into one /24 lease per host, and the hosts route each other's lease, through the VXLAN device flannel.1 or directly (host-gw).",
      short: "a plug-in after Kubernetes' flannel: one lease of the cluster network per host (option backend=vxlan|host-gw)",
      options: [
        {
          name: 'backend',
          description:
            "flannel: `vxlan` (default; every host leases a /24 of the cluster network and the hosts route each other's lease through the VXLAN device flannel.1, VNI 1, UDP 8472) or `host-gw` (plain routes via the other hosts' addresses; the hosts must share a LAN).",
          values: ['vxlan', 'host-gw'],
        },
        ...COMMON_DRIVER_OPTIONS,
      ],
      icon: { id: 'extensions', color: 'charts.purple' },
      // A live dockerd has it only when the plug-in is installed there: typed names are still accepted.
      forms: { file: true, live: false, optionHint: 'e.g. backend=host-gw' },
    },
    create: (engine) => new FlannelDriver(engine, subnetLen),
    ipam: { name: 'flannel', create: (engine) => (host) => new FlannelIpam(host, () => engine.hostNames().indexOf(host.name), subnetLen) },
    // The same parts the built-in drivers have: trace legs, and flanneld's own iptables rules.
    trace: flannelTrace,
    rules: flannelRules,
  };
}

export const flannel: DriverUnit = flannelUnit();

/** Installs flannel on one engine (other engines are not affected). */
export function registerFlannel(engine: DriverHost & { readonly drivers: DriverRegistry }, opts: FlannelOptions = {}): void {
  engine.drivers.install(flannelUnit(opts), engine);
}
