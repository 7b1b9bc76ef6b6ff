// What the diagram draws of Weave Net on a host: the weave router — its port on the bridge
// (vethwe-bridge ↔ vethwe-datapath), the Open vSwitch datapath with its VXLAN vport, the sleeve's
// capture port — and, per other host, how this network's frames travel there (fast datapath or sleeve).
import type { HostState, NetworkState } from '../../model';
import type { DriverPicture } from '../types';
import { WEAVE, type WeaveNetworkData } from './driver';

export const ROUTER_DEVICE = 'weave router';
const SLEEVE_DEV = 'weave router (sleeve)';

export function weavePicture(host: HostState, net: NetworkState, hosts: ReadonlyMap<string, HostState>): DriverPicture {
  const d = net.driverData['weave'] as WeaveNetworkData | undefined;
  if (!d) return { devices: [], tunnels: [] };
  const fastdp = d.datapath === 'fastdp';
  const devices = [{
    name: ROUTER_DEVICE,
    kind: 'router',
    lines: [
      `${WEAVE.bridgePort} ↔ ${WEAVE.datapathPort} → ODP "${WEAVE.datapath}"`,
      `${net.name}: ${fastdp ? `fast datapath, ${WEAVE.vxlanDev} (VXLAN UDP ${WEAVE.fastdpPort})` : `sleeve, ${WEAVE.pcap} (UDP ${WEAVE.port})`}`,
      `${net.name}: share ${d.share} of ${d.subnet}`,
    ],
    aliases: [WEAVE.bridgePort, WEAVE.datapathPort, WEAVE.datapath, WEAVE.vxlanDev, WEAVE.pcap, SLEEVE_DEV],
  }];
  const tunnels = [...hosts.values()]
    .filter((h) => h !== host && h.networks.has(net.id))
    .map((h) => ({
      network: net.name, device: ROUTER_DEVICE, toHost: h.name, toDevice: ROUTER_DEVICE,
      label: fastdp ? `fast datapath: VXLAN UDP ${WEAVE.fastdpPort}` : `sleeve: UDP ${WEAVE.port}`,
      via: fastdp ? WEAVE.vxlanDev : SLEEVE_DEV,
    }));
  return { devices, tunnels };
}
