// Look-ups across hosts, for the tracer: a swarm (overlay) or global-scope (plug-in) network has one view
// per host with the same id, each holding only that host's endpoints. These find the endpoint behind an
// address whichever host it is on, and the underlay address a VXLAN frame for it is sent to.
import { underlayOf } from './drivers/overlay/driver';
import type { EndpointState, EngineState, HostLink, NetworkState } from './model';

export interface NetworkMember {
  readonly host: string;
  readonly network: NetworkState;
  readonly endpoint: EndpointState;
  /** The host's data-path (underlay) address: the outer destination of a VXLAN frame for this endpoint. */
  readonly underlay: string | null;
}

/** Every endpoint of network `networkId` on every host, in host order. */
export function networkMembers(state: EngineState, networkId: string): NetworkMember[] {
  const out: NetworkMember[] = [];
  for (const host of state.hosts.values()) {
    const network = host.networks.get(networkId);
    if (!network) continue;
    const underlay = underlayOf(host)?.address ?? null;
    for (const endpoint of network.endpoints.values()) out.push({ host: host.name, network, endpoint, underlay });
  }
  return out;
}

/** The endpoint with IPv4/IPv6 `address` on the network, on whichever host it lives. */
export function memberByAddress(state: EngineState, networkId: string, address: string): NetworkMember | null {
  for (const m of networkMembers(state, networkId)) {
    if (m.endpoint.ipv4?.address === address || m.endpoint.ipv6?.address === address) return m;
  }
  return null;
}

/**
 * A host-level VXLAN device (flannel.1): the host whose device of the same name carries `nextHop` (the
 * gateway of the route that chose the device), and its underlay address.
 */
export function vxlanPeer(state: EngineState, link: HostLink, nextHop: string): { host: string; underlay: string | null } | null {
  for (const host of state.hosts.values()) {
    const other = host.links.get(link.name);
    if (other && other.kind === 'vxlan' && other.ipv4?.address === nextHop) return { host: host.name, underlay: other.vxlan?.localAddress ?? null };
  }
  return null;
}
