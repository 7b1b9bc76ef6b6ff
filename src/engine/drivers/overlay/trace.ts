// overlay in a trace (reference §2.8): the container's eth is a veth into the bridge br0 inside
// the network's own namespace (1-<10hex>), not the host's; the bridge switches to a local peer, or — the
// peer's MAC being known from the swarm's gossip — to the VXLAN device vxlan0, which wraps the frame
// in UDP 4789 from this host's underlay address to the peer host's; there the VXLAN socket strips it and
// the far namespace's bridge delivers it. MTU 1450 (1500 − 50 bytes of headers), 1424 when encrypted.
import type { EndpointState, NetworkState } from '../../model';
import { formatV4, type HostIndex, type V4 } from '../../trace/hostIndex';
import type { TraceDriver } from '../../trace/linkDrivers';

function holder(net: NetworkState, addr: V4): EndpointState | null {
  for (const ep of net.endpoints.values()) if (ep.sandboxId && ep.ipv4 && Number(ep.ipv4.addr.value) >>> 0 === addr) return ep;
  return null;
}

/** Who has `addr` on overlay `networkId`: this host first, then the others in host order. */
function findMember(hosts: Iterable<HostIndex>, first: HostIndex, networkId: string, addr: V4): { hx: HostIndex; ep: EndpointState } | null {
  const local = first.host.networks.get(networkId);
  const ep = local ? holder(local, addr) : null;
  if (ep) return { hx: first, ep };
  for (const hx of hosts) {
    if (hx === first) continue;
    const n = hx.host.networks.get(networkId);
    const e = n ? holder(n, addr) : null;
    if (e) return { hx, ep: e };
  }
  return null;
}

function label(ep: EndpointState, hx: HostIndex, ns: { label: string } | null): string {
  return `${ns?.label ?? ep.name} (${ep.ipv4?.address ?? ''}${ep.mac ? `, ${ep.mac}` : ''}) on ${hx.host.name}`;
}

export const overlayTrace: TraceDriver = {
  sandboxSend(w, { ns, net, ep, route }, pkt) {
    const hx = ns.hx;
    const ov = hx.host.overlays.get(net.id);
    const info = net.overlay;
    if (!ov || !info) return w.fail({ kind: 'unsupported', what: `overlay ${net.name} on ${hx.host.name}, where the topology gives it no overlay namespace` });
    const nexthop = route.gateway ?? pkt.dst;
    const mtu = `MTU ${ov.mtu}${ov.encrypted ? ', encrypted: 1500 − 50 − 26 rounded down to a multiple of 4' : ''}`;
    w.hop(ns.label, route.dev, 'send', `out ${route.dev} (${mtu}), through its veth pair to ${ep.hostIfname} in ${net.name}'s overlay namespace ${ov.namespace}, a port of bridge ${ov.bridge}: the host's iptables never see it`);
    const gw = ov.bridgeAddress ? Number(ov.bridgeAddress.addr.value) >>> 0 : null;
    if (nexthop === gw) {
      // The namespace's kernel would answer a ping; it routes nothing (overlay containers get no gateway).
      return w.fail({ kind: 'unsupported', what: `routing through ${formatV4(nexthop)}, the address of ${ov.bridge} inside ${net.name}'s overlay namespace (Docker gives overlay containers no gateway there; their default route is docker_gwbridge)` });
    }
    const m = findMember(w.hosts(), hx, net.id, nexthop);
    if (!m) {
      const here = [...(hx.host.networks.get(net.id)?.endpoints.values() ?? [])].filter((e) => e.ipv4).slice(0, 4).map((e) => `${e.name} ${e.ipv4!.address}`);
      return w.fail({
        kind: 'link',
        reason: `nobody on overlay ${net.name} has ${formatV4(nexthop)}: no container or task on any node holds it (the overlay learns its peers from the swarm's gossip, so an unknown address gets no ARP answer)`,
        fix: here.length ? `use an address in use on ${net.name}: ${here.join(', ')}` : `start a container on ${net.name} first`,
      });
    }
    const target = m.ep.sandboxId ? w.sandboxNs(m.hx, m.ep.sandboxId) : null;
    if (!target) return w.fail({ kind: 'link', reason: `${m.ep.name}, which has ${formatV4(nexthop)}, has no running sandbox` });
    if (pkt.dst !== nexthop) return w.fail({ kind: 'not-router', ns: target, addr: pkt.dst });
    if (m.hx === hx) {
      w.hop(ov.bridge, ep.hostIfname ?? '', 'switch', `ARP: ${formatV4(nexthop)} is ${label(m.ep, m.hx, target)}: switched from ${ep.hostIfname} to ${m.ep.hostIfname}, on this host (no VXLAN)`);
      return w.deliver(target, m.ep, pkt);
    }
    const remote = m.hx.host.overlays.get(net.id);
    if (!remote) return w.fail({ kind: 'unsupported', what: `overlay ${net.name} on ${m.hx.host.name}, where the topology gives it no overlay namespace` });
    w.hop(ov.bridge, ov.vxlan, 'switch', `${formatV4(nexthop)} is ${label(m.ep, m.hx, target)}: the bridge's forwarding table (filled from the swarm's gossip, not by flooding) sends its MAC to the VXLAN device ${ov.vxlan}`);
    return w.vxlan(
      { from: hx, to: m.hx, dev: ov.vxlan, remoteDev: remote.vxlan, vni: info.vni, port: info.port, mtu: ov.mtu, encrypted: ov.encrypted, what: `overlay ${net.name}` },
      pkt,
      () => {
        w.hop(remote.bridge, remote.vxlan, 'switch', `${remote.vxlan} → bridge ${remote.bridge} in ${m.hx.host.name}'s namespace ${remote.namespace}: out of port ${m.ep.hostIfname}`);
        return w.deliver(target, m.ep, pkt);
      },
    );
  },
};
