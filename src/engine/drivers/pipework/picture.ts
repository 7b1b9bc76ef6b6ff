// What the diagram draws of pipework on a host: the links pipework made by hand, as the script names
// them — each veth's host side on the bridge (v<if>pl<pid>) or the macvlan child on a host interface —
// with the container and interface at the other end. Docker knows none of them.
import { formatAddr } from '../../ip';
import type { HostState, NetworkState } from '../../model';
import type { DriverPicture } from '../types';
import type { PipeworkNetworkData } from './driver';

export function pipeworkPicture(host: HostState, net: NetworkState): DriverPicture {
  const d = net.driverData['pipework'] as PipeworkNetworkData | undefined;
  if (!d) return { devices: [], tunnels: [] };
  const lines: string[] = [];
  for (const ep of net.endpoints.values()) {
    const c = host.containers.get(ep.containerId);
    const who = `${c?.name ?? ep.name} ${ep.ifname ?? ''} ${ep.ipv4 ? `${ep.ipv4.address}/${ep.ipv4.prefixLength}` : 'dhcp'}${ep.gateway ? ` @${formatAddr(ep.gateway)}` : ''}`;
    lines.push(d.mode === 'bridge' ? `${ep.hostIfname ?? '?'} ⇄ ${who}` : `macvlan (bridge) on ${d.device} ⇄ ${who}`);
  }
  if (lines.length === 0) return { devices: [], tunnels: [] };
  return {
    devices: [{ name: `pipework ${d.device}`, kind: d.mode === 'bridge' ? 'veth' : 'macvlan', lines: [`by hand, unknown to Docker (${d.mode === 'bridge' ? `veths on bridge ${d.device}` : `children of ${d.device}`})`, ...lines] }],
    tunnels: [],
  };
}

