// How a flannel network shows in a trace and in the rules, through the same parts of a driver unit the
// built-in drivers use: `trace` (the packet leaving the host through flannel.1) and `rules` (flanneld's
// own iptables rules). Pods reach their local cni0 like any bridge; a packet for another
// host's lease is routed by the host: over flannel.1 (VXLAN, VNI 1, UDP 8472) with backend vxlan, or
// straight to the other host's underlay address with host-gw (plain routing, no hook needed).
import type { NetworkState } from '../../model';
import type { ContributedRule } from '../../netfilter/contributed';
import { ACCEPT, RETURN, is, rule } from '../../netfilter/rules';
import { formatV4, v4 } from '../../trace/hostIndex';
import type { TraceDriver } from '../../trace/linkDrivers';
import type { FlannelNetworkData } from './driver';

function data(net: NetworkState): FlannelNetworkData | undefined {
  return net.driverData['flannel'] as FlannelNetworkData | undefined;
}

export const flannelTrace: TraceDriver = {
  hostSend(w, { hx, link, net, route }, pkt) {
    const nexthop = route.gateway;
    const d = data(net);
    if (!link.vxlan || nexthop === null) return w.fail({ kind: 'unsupported', what: `flannel link ${link.name} without a VXLAN peer` });
    for (const other of w.hosts()) {
      if (other === hx) continue;
      const peer = other.host.links.get(link.name);
      if (!peer || peer.kind !== 'vxlan' || v4(peer.ipv4?.addr) !== nexthop) continue;
      const lease = (data(other.host.networks.get(net.id) ?? net) ?? d)?.lease ?? '?';
      w.hop(hx.host.name, link.name, 'route', `flannel (backend vxlan): ${formatV4(pkt.dst)} is in ${other.host.name}'s lease ${lease} of ${d?.clusterNetwork ?? 'the cluster network'}; flanneld set ${link.name}'s neighbour ${formatV4(nexthop)} to ${other.host.name}'s flannel.1 MAC and its forwarding entry to VTEP ${peer.vxlan?.localAddress ?? '?'}`);
      return w.vxlan(
        { from: hx, to: other, dev: link.name, remoteDev: peer.name, vni: link.vxlan.vni, port: link.vxlan.port, mtu: link.mtu, encrypted: false, what: `flannel network ${net.name}` },
        pkt,
        () => w.hostReceive(other, peer.name, pkt),
      );
    }
    return w.fail({ kind: 'link', reason: `no host's ${link.name} has ${formatV4(nexthop)}: the lease it stood for is gone`, fix: 'recreate the flannel network so every host gets its routes' });
  },
};

/** flanneld's rules: forward the cluster network both ways; never masquerade inside it. */
export function flannelRules(_host: unknown, net: NetworkState): ContributedRule[] {
  const cluster = data(net)?.clusterNetwork;
  if (!cluster) return [];
  const about = { network: net.name };
  return [
    { position: 'append', rule: rule('filter', 'FORWARD', { src: is(cluster) }, ACCEPT, 'plugin', about) },
    { position: 'append', rule: rule('filter', 'FORWARD', { dst: is(cluster) }, ACCEPT, 'plugin', about) },
    { position: 'insert', rule: rule('nat', 'POSTROUTING', { src: is(cluster), dst: is(cluster) }, RETURN, 'plugin', about) },
  ];
}
