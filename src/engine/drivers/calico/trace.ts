// How a calico network shows in a trace: routed hops, no bridge. A packet leaves the container's cali0
// for its default gateway 169.254.1.1 — the host answers that ARP by proxy ARP on the cali interface — and
// is routed by the host: FORWARD runs felix's chains (the policy rule that decides shows in that hop),
// then the workload's /32 route (`dev cali…`) or another host's block, learned over BGP (`proto bird`),
// plain over the LAN, through tunl0 (IP-in-IP) or vxlan.calico (VXLAN) as the pool says.
import type { NetworkState } from '../../model';
import type { ContributedRule } from '../../netfilter/contributed';
import { formatV4, parseV4, type HostIndex } from '../../trace/hostIndex';
import type { LinkWalk, TraceDriver } from '../../trace/linkDrivers';
import type { Leg, Pkt } from '../../trace/packet';
import { calicoData, clusterHosts, type CalicoNetworkData } from './driver';
import { felixRules } from './felix';
import { GATEWAY, HOST_SIDE_MAC, IPIP_DEVICE, VXLAN } from './pool';

function blockRoute(d: CalicoNetworkData | undefined, dst: number): CalicoNetworkData['remotes'][number] | undefined {
  let best: CalicoNetworkData['remotes'][number] | undefined;
  for (const r of d?.remotes ?? []) {
    const base = Number(r.route.dest.base) >>> 0;
    const mask = r.route.dest.prefix === 0 ? 0 : (0xffffffff << (32 - r.route.dest.prefix)) >>> 0;
    if (((dst & mask) >>> 0) === base && (!best || r.route.dest.prefix > best.route.dest.prefix)) best = r;
  }
  return best;
}

/** Where the host will send it, in calico's words (a remote block learned over BGP, or a local workload). */
function plan(hx: HostIndex, net: NetworkState, pkt: Pkt): string {
  const d = calicoData(net);
  const remote = blockRoute(d, pkt.dst);
  if (remote) {
    const how = remote.learned === 'bird'
      ? `learned over BGP from ${remote.host}'s BIRD (proto bird)`
      : `programmed by felix for ${remote.host}'s block (the pool uses VXLAN; proto ${remote.route.proto ?? '80'})`;
    const encap = remote.encap === 'ipip' ? `, encapsulated IP-in-IP through ${IPIP_DEVICE} (ipipMode ${d!.settings.ipipMode})`
      : remote.encap === 'vxlan' ? `, encapsulated in VXLAN through vxlan.calico (vxlanMode ${d!.settings.vxlanMode})`
      : d && (d.settings.ipipMode === 'CrossSubnet' || d.settings.vxlanMode === 'CrossSubnet') ? ' (CrossSubnet: same subnet, not encapsulated)' : '';
    return `${formatV4(pkt.dst)} is in ${remote.block}, ${remote.host}'s block of pool ${d!.pool}: ${hx.host.name} routes it ${how}${encap}`;
  }
  return `${hx.host.name} routes it (${d ? `its own block is ${d.block} of pool ${d.pool}` : 'calico'})`;
}

export const calicoTrace: TraceDriver = {
  sandboxSend(w, { ns, net, ep, route }, pkt) {
    const hx = ns.hx;
    if (!ep.hostIfname) return w.fail({ kind: 'unsupported', what: `a calico endpoint without its host-side interface` });
    const nexthop = route.gateway === null ? formatV4(pkt.dst) : formatV4(route.gateway);
    w.hop(ns.label, route.dev, 'send',
      `out ${route.dev}, a veth whose other end is ${ep.hostIfname} on ${hx.host.name} (no bridge): ARP for ${nexthop}${nexthop === GATEWAY ? ' (the dummy gateway)' : ''} is answered by the host's proxy ARP on ${ep.hostIfname} with ${HOST_SIDE_MAC}, so the packet goes up to ${hx.host.name} to be routed; ${plan(hx, net, pkt)}`);
    return w.hostReceive(hx, ep.hostIfname, pkt);
  },

  hostToEndpoint(w, hx, _net, ep, pkt) {
    if (!ep.hostIfname || !ep.sandboxId || !ep.ipv4 || parseV4(ep.ipv4.address) !== pkt.dst) return null;
    const target = w.sandboxNs(hx, ep.sandboxId);
    if (!target) return null;
    w.hop(hx.host.name, ep.hostIfname, 'send', `${ep.ipv4.address} dev ${ep.hostIfname} scope link: felix's /32 route to the workload, out ${ep.hostIfname} into ${target.label}'s ${ep.ifname ?? 'cali0'}`);
    return w.deliver(target, ep, pkt);
  },

  hostSend(w, { hx, link, net, route }, pkt) {
    const d = calicoData(net);
    const nexthop = route.gateway;
    if (nexthop === null) return w.fail({ kind: 'unsupported', what: `a calico route through ${link.name} without a next hop` });
    if (link.kind === 'ipip') return ipip(w, hx, net, nexthop, pkt);
    if (link.kind !== 'vxlan') return w.fail({ kind: 'unsupported', what: `calico link ${link.name}` });
    for (const other of w.hosts()) {
      if (other === hx) continue;
      const peer = other.host.links.get(link.name);
      if (!peer || peer.kind !== 'vxlan' || parseV4(peer.ipv4?.address ?? '') !== nexthop) continue;
      w.hop(hx.host.name, link.name, 'route', `calico (vxlanMode ${d?.settings.vxlanMode ?? '?'}): ${formatV4(nexthop)} is ${other.host.name}'s VTEP (the first address of its block); felix set its ARP and FDB entries to ${other.host.name}'s underlay address`);
      return w.vxlan(
        { from: hx, to: other, dev: link.name, remoteDev: peer.name, vni: VXLAN.vni, port: VXLAN.port, mtu: link.mtu, encrypted: false, what: `calico pool ${d?.pool ?? ''}` },
        pkt,
        () => w.hostReceive(other, peer.name, pkt),
      );
    }
    return w.fail({ kind: 'link', reason: `no host's ${link.name} has ${formatV4(nexthop)}: the block it stood for is gone`, fix: 'recreate the calico network so every host gets its routes' });
  },
};

/** IP-in-IP through tunl0: the outer packet is host to host, protocol 4 (ipencap). */
function ipip(w: LinkWalk, hx: HostIndex, net: NetworkState, nexthop: number, pkt: Pkt): Leg {
  const d = calicoData(net);
  const from = hx.underlay[0];
  for (const other of w.hosts()) {
    if (other === hx) continue;
    const to = other.underlay.find((u) => u.addr === nexthop);
    if (!to) continue;
    if (!from || !hx.underlay.some((u) => ((nexthop & u.route.mask) >>> 0) === u.route.base)) {
      return w.fail({ kind: 'outside', hx, addr: nexthop, dev: from?.name ?? null });
    }
    w.hop(hx.host.name, IPIP_DEVICE, 'encapsulate',
      `${IPIP_DEVICE} (ipipMode ${d?.settings.ipipMode ?? '?'}) wraps the packet (inner ${formatV4(pkt.src)} → ${formatV4(pkt.dst)}) in an outer IPv4 header, protocol 4 (IP-in-IP): ${formatV4(from.addr)} → ${formatV4(nexthop)}; 20 bytes of outer header are why ${IPIP_DEVICE}'s MTU is 1480`);
    w.hop(hx.host.name, from.name, 'underlay', `out ${from.name} onto the hosts' LAN: ${formatV4(nexthop)} is ${other.host.name} (${to.name}); felix's cali-INPUT there accepts IP-in-IP from calico hosts`);
    w.hop(other.host.name, IPIP_DEVICE, 'decapsulate', `protocol 4 from ${formatV4(from.addr)} is IP-in-IP: ${IPIP_DEVICE} strips the outer header and passes on the inner packet for ${formatV4(pkt.dst)}`);
    return w.hostReceive(other, IPIP_DEVICE, pkt);
  }
  return w.fail({ kind: 'outside', hx, addr: nexthop, dev: IPIP_DEVICE });
}

/** felix's rules, with the cluster's workloads for its ipsets. */
export function calicoRules(host: Parameters<typeof felixRules>[0], net: NetworkState): ContributedRule[] {
  const d = calicoData(net);
  if (!d) return [];
  return felixRules(host, net, () => clusterHosts(d));
}
