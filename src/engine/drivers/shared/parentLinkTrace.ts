// macvlan and ipvlan in a trace (both drivers' TraceDriver): the container's interface is a child of a host link (no veth, no
// bridge, so no host iptables). What happens between children of one parent depends on the mode
// (reference §2.6, §2.7; kernel macvlan/ipvlan): macvlan bridge and ipvlan l2 switch between children,
// private drops, vepa sends every frame to the external switch (which must hairpin it back), passthru
// gives the parent to a single child, ipvlan l3 routes by IP in the parent. The host cannot reach its
// own children nor they the host's address on the parent (L docs/macvlan.md: "explicitly filtered by the
// kernel"). An 802.1Q parent (eth0.10) tags the frames with its VLAN id on the underlying link.
import type { EndpointState, HostInterface, NetworkState, ParentLinkInfo } from '../../model';
import { formatV4, type HostIndex, type V4 } from '../../trace/hostIndex';
import type { LinkWalk, SandboxSide, TraceDriver } from '../../trace/linkDrivers';
import type { Cause, Leg, Pkt } from '../../trace/packet';

/** ipvlan l3 children are routed, not bridged: nobody answers ARP for them on the LAN. */
export function l3NoArp(name: string, net: string, host: string, parent: string, addr: string): Cause {
  return {
    kind: 'link',
    reason: `${addr} is ${name}, a child of ${parent} on ${host} in ipvlan l3 mode: l3 children get no ARP or broadcast, so nobody on the LAN answers for ${addr} (host unreachable)`,
    fix: `route ${net}'s subnet via ${host}'s address on ${parent} on the sending side (ip route add <subnet> via <${host}'s address>), or use ipvlan_mode l2`,
  };
}

/** "a macvlan", "an ipvlan". */
export const aDriver = (driver: string): string => `${/^[aeiou]/.test(driver) ? 'an' : 'a'} ${driver}`;

const CITE = "Docker's macvlan docs: the kernel explicitly filters traffic between a macvlan/ipvlan child and its parent's own addresses (reference §2.6)";

/** "macvlan child of eth0.10 (VLAN 10 on eth0), bridge mode" */
export function describeParent(p: ParentLinkInfo): string {
  const link = p.dummy
    ? `${p.parent} (a dummy link: no parent was given)`
    : p.vlanId !== null ? `${p.parent} (802.1Q VLAN ${p.vlanId} on ${p.underlying}: frames leave tagged ${p.vlanId})` : p.parent;
  return `${aDriver(p.driver)} child of ${link}, ${p.mode} mode`;
}

/** The host interface under a parent (eth0 for eth0.10). */
function baseLink(hx: HostIndex, p: ParentLinkInfo): HostInterface | undefined {
  const base = p.underlying ?? p.parent;
  return hx.host.underlay.find((u) => u.name === base);
}

/** Two parents are on one LAN (segment) when their base links share an on-link IPv4 network (or say nothing). */
function sameSegment(a: HostIndex, pa: ParentLinkInfo, b: HostIndex, pb: ParentLinkInfo | null, bDev?: string): boolean {
  const la = baseLink(a, pa);
  const lb = pb ? baseLink(b, pb) : b.host.underlay.find((u) => u.name === bDev);
  const na = la?.ipv4[0]?.network;
  const nb = lb?.ipv4[0]?.network;
  if (!na || !nb) return true;
  return na.base === nb.base && na.prefix === nb.prefix;
}

function endpointLabel(ep: EndpointState): string {
  return `${ep.name} (${ep.ipv4?.address ?? ep.ipv6?.address ?? '?'}${ep.mac ? `, ${ep.mac}` : ''})`;
}

function sameParentPeer(w: LinkWalk, hx: HostIndex, net: NetworkState, addr: V4): EndpointState | null {
  for (const ep of net.endpoints.values()) if (ep.sandboxId && ep.ipv4 && Number(ep.ipv4.addr.value) >>> 0 === addr) return ep;
  // ipvlan l3: the parent routes between every network stacked on it.
  const p = net.parentLink!;
  if (p.driver === 'ipvlan' && p.mode === 'l3') {
    for (const n of hx.host.networks.values()) {
      if (n === net || n.parentLink?.parent !== p.parent) continue;
      for (const ep of n.endpoints.values()) if (ep.sandboxId && ep.ipv4 && Number(ep.ipv4.addr.value) >>> 0 === addr) return ep;
    }
  }
  void w;
  return null;
}

function sendToChild(w: LinkWalk, from: SandboxSide, peer: EndpointState, nexthop: V4, pkt: Pkt): Leg {
  const { ns, net } = from;
  const p = net.parentLink!;
  const hx = ns.hx;
  const mode = `${p.driver} ${p.mode}`;
  if (p.driver === 'macvlan' && p.mode === 'private') {
    return w.fail({ kind: 'link', reason: `${net.name} is a macvlan network in private mode: the kernel drops frames between children of ${p.parent}, so ${peer.name} is unreachable from ${ns.label} (and a vepa-style hairpin is refused too)`, fix: `use macvlan_mode bridge (the default) on ${net.name}` });
  }
  if (p.driver === 'macvlan' && p.mode === 'vepa') {
    return w.fail({
      kind: 'link',
      reason: `${net.name} is a macvlan network in vepa mode: every frame, even one for a sibling child, goes out of ${p.parent} to the external switch, which sends it back only if its port does reflective relay (hairpin, 802.1Qbg); the topology declares no such switch`,
      fix: `use macvlan_mode bridge on ${net.name}, or put ${p.parent} on a switch port with hairpin (reflective relay) enabled`,
    });
  }
  if (p.driver === 'macvlan' && p.mode === 'passthru') {
    return w.fail({
      kind: 'link',
      reason: `${net.name} is a macvlan network in passthru mode: the single child takes over ${p.parent} (its MAC, promiscuous mode) and the kernel allows no second child on it, so ${ns.label} and ${peer.name} cannot both be attached`,
      fix: `use one container per passthru parent, or macvlan_mode bridge to share ${p.parent}`,
    });
  }
  const target = peer.sandboxId ? w.sandboxNs(hx, peer.sandboxId) : null;
  if (!target) return w.fail({ kind: 'link', reason: `${peer.name}, which has ${formatV4(nexthop)}, has no running sandbox`, fix: `start it: docker start ${peer.name}` });
  if (pkt.dst !== nexthop) return w.fail({ kind: 'not-router', ns: target, addr: pkt.dst });
  if (p.driver === 'ipvlan' && p.mode === 'l3') {
    w.hop(p.parent, from.route.dev, 'route', `${mode}: the parent routes between its children by IP (no ARP, no broadcast; every child shares ${p.parent}'s MAC ${p.sharedMac ?? ''}): ${formatV4(nexthop)} is ${endpointLabel(peer)}`);
  } else if (p.driver === 'ipvlan') {
    w.hop(p.parent, from.route.dev, 'switch', `${mode}: ARP for ${formatV4(nexthop)} is answered with ${p.parent}'s MAC ${p.sharedMac ?? ''} (ipvlan children share it); the kernel hands the frame to the child that owns the address, ${endpointLabel(peer)}, without leaving the host`);
  } else {
    w.hop(p.parent, from.route.dev, 'switch', `${mode}: ${formatV4(nexthop)} is ${endpointLabel(peer)}, another child of ${p.parent}: the kernel switches it between the children without sending it out of ${p.parent}`);
  }
  w.hop(target.label, peer.ifname ?? '', 'receive', `in through ${peer.ifname} (${peer.networkName}, ${peer.ipv4?.address ?? ''})`);
  return { ok: true, ns: target, iface: peer.ifname ?? '', pkt };
}

export const parentLinkTrace: TraceDriver = {
  sandboxSend(w, from, pkt) {
    const { ns, net, route } = from;
    const p = net.parentLink!;
    const hx = ns.hx;
    const nexthop = route.gateway ?? pkt.dst;
    w.hop(ns.label, route.dev, 'send', `out ${route.dev}, ${describeParent(p)}: no veth, no bridge, so no host iptables on this path`);
    const peer = sameParentPeer(w, hx, net, nexthop);
    if (peer) return sendToChild(w, from, peer, nexthop, pkt);
    if (hx.localV4.has(nexthop) && p.hostUnreachable) {
      return w.fail({
        kind: 'link',
        reason: `${formatV4(nexthop)} is ${hx.host.name}'s own address (${hx.localV4.get(nexthop)}): a host cannot reach its own ${p.driver} children, nor they the host — ${CITE}`,
        fix: `give the host ${aDriver(p.driver)} interface of its own on ${p.parent} (ip link add ${p.driver}-shim link ${p.parent} type ${p.driver}${p.driver === 'macvlan' ? ' mode bridge' : ''}), address it and route ${net.name}'s subnet through it, or reach the container from another machine`,
      });
    }
    if (p.dummy) return w.fail({ kind: 'link', reason: `${net.name} has no parent interface (the dummy link ${p.parent}): its containers only reach each other, and none of them has ${formatV4(nexthop)}`, fix: `give ${net.name} a parent (driver_opts: { parent: eth0 }) to reach the LAN` });
    if (p.driver === 'macvlan' && p.mode === 'vepa') w.hop(p.parent, route.dev, 'send', `vepa: the frame goes out of ${p.parent} to the external switch`);
    // Another host's child on the same segment (and VLAN), or another host itself.
    for (const other of w.hosts()) {
      if (other === hx) continue;
      for (const n of other.host.networks.values()) {
        const q = n.parentLink;
        if (!q || q.dummy) continue;
        for (const ep of n.endpoints.values()) {
          if (!ep.sandboxId || !ep.ipv4 || Number(ep.ipv4.addr.value) >>> 0 !== nexthop) continue;
          const target = w.sandboxNs(other, ep.sandboxId);
          if (!target) continue;
          if (q.driver === 'ipvlan' && q.mode === 'l3') return w.fail(l3NoArp(ep.name, n.name, other.host.name, q.parent, formatV4(nexthop)));
          if (!sameSegment(hx, p, other, q)) return w.fail({ kind: 'link', reason: `${formatV4(nexthop)} is ${ep.name} on ${other.host.name}, but ${other.host.name}'s ${q.underlying ?? q.parent} is not on the LAN of ${hx.host.name}'s ${p.underlying ?? p.parent}` });
          if ((p.vlanId ?? 0) !== (q.vlanId ?? 0)) {
            return w.fail({
              kind: 'link',
              reason: `${formatV4(nexthop)} is ${ep.name} on ${other.host.name}, but it is a child of ${q.parent} (${q.vlanId !== null ? `VLAN ${q.vlanId}` : 'untagged'}) while ${ns.label}'s frames leave ${p.parent} ${p.vlanId !== null ? `tagged VLAN ${p.vlanId}` : 'untagged'}: different VLANs are different LANs`,
              fix: `use the same 802.1Q sub-interface (e.g. parent: ${p.parent}) on both hosts, or route between the VLANs`,
            });
          }
          w.hop(p.underlying ?? p.parent, route.dev, 'send', `onto the LAN behind ${p.parent}${p.vlanId !== null ? ` (tagged VLAN ${p.vlanId})` : ''}: ${formatV4(nexthop)} answers ARP from ${other.host.name} — ${ep.name}, ${describeParent(q)}`);
          if (pkt.dst !== nexthop) return w.fail({ kind: 'not-router', ns: target, addr: pkt.dst });
          w.hop(target.label, ep.ifname ?? '', 'receive', `in through ${ep.ifname} (${ep.networkName}, ${ep.ipv4.address})`);
          return { ok: true, ns: target, iface: ep.ifname ?? '', pkt };
        }
      }
    }
    for (const other of w.hosts()) {
      if (other === hx) continue;
      const u = other.underlay.find((x) => x.addr === nexthop);
      if (!u) continue;
      if (p.vlanId !== null) {
        return w.fail({ kind: 'link', reason: `${formatV4(nexthop)} is ${other.host.name}'s ${u.name}, which is untagged, while ${p.parent} sends frames tagged VLAN ${p.vlanId}: they are on different LANs`, fix: `add a VLAN ${p.vlanId} interface with an address to ${other.host.name} (ip link add link ${u.name} name ${u.name}.${p.vlanId} type vlan id ${p.vlanId})` });
      }
      if (!sameSegment(hx, p, other, null, u.name)) break;
      w.hop(p.parent, route.dev, 'send', `onto the LAN behind ${p.parent}: ${formatV4(nexthop)} is ${other.host.name} (${u.name}), another machine, so the kernel's filter does not apply`);
      return w.hostReceive(other, u.name, pkt);
    }
    return w.fail({ kind: 'outside', hx, addr: nexthop, dev: p.parent });
  },

  fromLan(w, hx, dev, remote, net, ep, pkt) {
    const p = net.parentLink;
    if (!p || p.dummy || p.vlanId !== null) return null;
    const target = w.sandboxNs(remote, ep.sandboxId!);
    if (!target) return null;
    const nexthop = Number(ep.ipv4!.addr.value) >>> 0;
    if (p.driver === 'ipvlan' && p.mode === 'l3') return w.fail(l3NoArp(ep.name, net.name, remote.host.name, p.parent, formatV4(nexthop)));
    w.hop(hx.host.name, dev, 'send', `out ${dev} onto the LAN: ${formatV4(nexthop)} is ${target.label}, ${aDriver(p.driver)} child of ${p.parent} on ${remote.host.name} (another machine, so the kernel's filter between a host and its own children does not apply)`);
    w.hop(target.label, ep.ifname ?? '', 'receive', `in through ${ep.ifname} (${ep.networkName}, ${ep.ipv4?.address ?? ''})`);
    if (pkt.dst !== nexthop) return w.fail({ kind: 'not-router', ns: target, addr: pkt.dst });
    return { ok: true, ns: target, iface: ep.ifname ?? '', pkt };
  },

  hostToEndpoint(w, _hx, net, ep, pkt) {
    const p = net.parentLink;
    if (!p?.hostUnreachable) return null;
    void pkt;
    if (p.dummy) {
      return w.fail({ kind: 'link', reason: `${ep.ipv4?.address ?? ''} is ${ep.name}, ${describeParent(p)}: the dummy link has no address and goes nowhere, so the host has no way into ${net.name} — and a host cannot reach its own ${p.driver} children anyway (reference §2.6)`, fix: `give ${net.name} a real parent (driver_opts: { parent: eth0 }) and reach ${ep.name} from another machine on that LAN` });
    }
    return w.fail({
      kind: 'link',
      reason: `${ep.ipv4?.address ?? ''} is ${ep.name}, ${describeParent(p)} on this host: a host cannot reach its own ${p.driver} children — ${CITE}`,
      fix: `give the host ${aDriver(p.driver)} interface of its own on ${p.parent} and route ${net.name}'s subnet through it, or reach ${ep.name} from another machine`,
    });
  },
};
