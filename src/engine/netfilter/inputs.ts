// What the rules are derived from: a host's bridge networks in creation order and its published ports in
// the order they were programmed.
import { formatNet, parseIp } from '../ip';
import type { ContainerState, EndpointState, HostState, NetworkState, PortBindingState } from '../model';

export interface BridgeNetwork {
  readonly net: NetworkState;
  /** The Linux bridge device. */
  readonly br: string;
  /** The bridge's IPv4 subnet, masked ("172.18.0.0/16"). */
  readonly subnet: string;
  readonly icc: boolean;
  readonly masquerade: boolean;
  readonly internal: boolean;
}

export interface PortMapping {
  readonly container: ContainerState;
  readonly endpoint: EndpointState;
  readonly network: BridgeNetwork;
  readonly binding: PortBindingState;
  /** The host IP is 0.0.0.0 (all addresses). */
  readonly anyHostIp: boolean;
}

/**
 * Networks on a Linux bridge (docker0, user bridges, docker_gwbridge, and a plug-in's bridge such as
 * flannel's cni0, which it programs through the bridge driver) in creation order.
 */
export function bridgeNetworks(host: HostState): BridgeNetwork[] {
  const out: BridgeNetwork[] = [];
  for (const net of host.networks.values()) {
    if (!net.bridge || net.bridge.foreign) continue;
    const dev = host.bridges.get(net.bridge.name);
    const v4 = dev?.ipv4?.network ?? net.ipv4[0]?.subnet;
    if (!v4) continue;
    out.push({
      net,
      br: net.bridge.name,
      subnet: formatNet(v4),
      icc: net.bridge.enableIcc,
      masquerade: net.bridge.enableIpMasquerade,
      internal: net.internal,
    });
  }
  return out.sort((a, b) => a.net.seq - b.net.seq);
}

/**
 * IPv4 port mappings (20.10 programs no ip6tables rules), container by container in creation order —
 * the order a topology starts them in — and each container's bindings in the order they were allocated.
 */
export function portMappings(host: HostState, networks: readonly BridgeNetwork[]): PortMapping[] {
  const byId = new Map(networks.map((n) => [n.net.id, n]));
  const found: PortMapping[] = [];
  const order = new Map<string, number>();
  for (const n of networks) {
    for (const ep of n.net.endpoints.values()) {
      if (ep.portBindings.length === 0) continue;
      const container = host.containers.get(ep.containerId);
      if (!container) continue;
      order.set(ep.id, container.seq);
      for (const binding of ep.portBindings) {
        // Every published port has its `::` twin: no IPv4 rule, and parsing it is the dearer part here.
        if (binding.hostIp === '::') continue;
        const ip = parseIp(binding.hostIp);
        const cip = parseIp(binding.containerIp);
        if (!ip || ip.family !== 4 || !cip || cip.family !== 4) continue;
        found.push({ container, endpoint: ep, network: byId.get(ep.networkId)!, binding, anyHostIp: ip.value === 0n });
      }
    }
  }
  // Stable sort keeps each endpoint's bindings in allocation order.
  return found.sort((a, b) => order.get(a.endpoint.id)! - order.get(b.endpoint.id)!);
}
