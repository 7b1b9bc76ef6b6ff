// What the diagram draws of calico on a host besides its workloads: the tunnel device (tunl0 or
// vxlan.calico) with the routes to the other hosts' blocks through it — or, with no encapsulation,
// BIRD's routes over the underlay — and, per other host, the way the traffic travels there.
import type { HostState, NetworkState, Route } from '../../model';
import type { DriverPicture, PictureDevice, PictureTunnel } from '../types';
import { calicoData, type RemoteBlock } from './driver';
import { VXLAN } from './pool';

/** The name of the device that stands for BIRD's routes when the pool encapsulates nothing. */
export const ROUTES_DEVICE = 'BIRD routes';

export function routeText(r: Route): string {
  const onlink = r.dev === 'tunl0' || r.dev === 'vxlan.calico' ? ' onlink' : '';
  return `${r.destination}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.proto ? ` proto ${r.proto}` : ''}${onlink}`;
}

function carrier(r: RemoteBlock): string {
  if (r.encap === 'ipip') return 'IP-in-IP (protocol 4)';
  if (r.encap === 'vxlan') return `VXLAN UDP ${VXLAN.port}, VNI ${VXLAN.vni}`;
  return `routed, not encapsulated (${r.learned === 'bird' ? 'BGP' : 'felix'})`;
}

export function calicoPicture(host: HostState, net: NetworkState): DriverPicture {
  const d = calicoData(net);
  if (!d) return { devices: [], tunnels: [] };
  const device = d.tunnel?.dev ?? ROUTES_DEVICE;
  const head = d.tunnel
    ? `${d.tunnel.address}/32 · ${d.tunnel.dev === 'tunl0' ? `IP-in-IP, ipipMode ${d.settings.ipipMode}` : `VXLAN ${VXLAN.port}, vxlanMode ${d.settings.vxlanMode}`}`
    : 'learned over BGP from the other hosts';
  const workloads = d.workloadRoutes.length;
  const devices: PictureDevice[] = [{
    name: device,
    kind: d.tunnel ? (d.tunnel.dev === 'tunl0' ? 'ipip' : 'vxlan') : 'routes',
    lines: [
      head,
      `${host.name}'s block ${d.block} of pool ${d.pool}`,
      ...d.remotes.map((r) => routeText(r.route)),
      ...(workloads ? [`${workloads} workload route${workloads === 1 ? '' : 's'} /32 dev cali… (proxy ARP)`] : []),
    ],
  }];
  const tunnels: PictureTunnel[] = d.remotes
    .filter((r) => r.route.dest.prefix < 32)
    .map((r) => ({ network: net.name, device, toHost: r.host, toDevice: device, label: carrier(r), via: r.route.dev }));
  return { devices, tunnels };
}
