// Weave Net in a trace: the container's ethwe0 is a veth into the host's `weave` bridge. A peer on the
// same host is switched there; a peer on another host is reached through the router's port
// (vethwe-bridge → vethwe-datapath → the `datapath` ODP), which encapsulates in VXLAN to UDP 6784 of the
// peer host (fast datapath, router/fastdp.go), or — sleeve — the router captures the frame on
// vethwe-pcap and sends it in its own UDP encapsulation to port 6783 (router/sleeve.go). The frame is
// decapsulated on the far host and leaves its weave bridge to the container. Weave's iptables (net/bridge.go):
// FORWARD -i weave -o weave ACCEPT (or the WEAVE-NPC chains with the policy controller), nat POSTROUTING -j WEAVE.
import type { EndpointState, NetworkState } from '../../model';
import type { ContributedRule } from '../../netfilter/contributed';
import { ACCEPT, DROP, is, jump, not, rule } from '../../netfilter/rules';
import { formatV4, type HostIndex, type V4 } from '../../trace/hostIndex';
import type { TraceDriver } from '../../trace/linkDrivers';
import { WEAVE, type WeaveNetworkData } from './driver';

function data(net: NetworkState): WeaveNetworkData | undefined {
  return net.driverData['weave'] as WeaveNetworkData | undefined;
}

function holder(net: NetworkState | undefined, addr: V4): EndpointState | null {
  for (const ep of net?.endpoints.values() ?? []) if (ep.sandboxId && ep.ipv4 && Number(ep.ipv4.addr.value) >>> 0 === addr) return ep;
  return null;
}

/** The VNI weave's fast datapath puts on a packet: the peers' 12-bit short ids (router/fastdp.go: src | dst << 12); host order stands in for them. */
export function weaveVni(srcHost: number, dstHost: number): number {
  return ((dstHost + 1) << 12) | (srcHost + 1);
}

export const weaveTrace: TraceDriver = {
  sandboxSend(w, { ns, net, ep, route }, pkt) {
    const hx = ns.hx;
    const nexthop = route.gateway ?? pkt.dst;
    const d = data(net);
    w.hop(ns.label, route.dev, 'send', `out ${route.dev} (MTU ${WEAVE.mtu}), through its veth pair to ${ep.hostIfname}, a port of bridge ${WEAVE.bridge}`);
    const hosts = [...w.hosts()];
    let found: { hx: HostIndex; ep: EndpointState } | null = null;
    for (const other of [hx, ...hosts.filter((h) => h !== hx)]) {
      const e = holder(other.host.networks.get(net.id), nexthop);
      if (e) { found = { hx: other, ep: e }; break; }
    }
    if (!found) {
      return w.fail({ kind: 'link', reason: `nobody on weave network ${net.name} has ${formatV4(nexthop)}: weave's routers carry the ARP request to every peer and none answers`, fix: `use the address of a container on ${net.name}` });
    }
    const target = found.ep.sandboxId ? w.sandboxNs(found.hx, found.ep.sandboxId) : null;
    if (!target) return w.fail({ kind: 'link', reason: `${found.ep.name}, which has ${formatV4(nexthop)}, has no running sandbox` });
    if (pkt.dst !== nexthop) return w.fail({ kind: 'not-router', ns: target, addr: pkt.dst });
    if (found.hx === hx) {
      w.hop(WEAVE.bridge, ep.hostIfname ?? '', 'switch', `${formatV4(nexthop)} is ${found.ep.name} on this host: switched from ${ep.hostIfname} to ${found.ep.hostIfname} (weave's FORWARD -i weave -o weave -j ACCEPT lets bridged frames through)`);
      return w.deliver(target, found.ep, pkt);
    }
    const remote = found.hx;
    const far = found.ep;
    const sleeve = d?.datapath === 'sleeve';
    const srcIdx = hosts.indexOf(hx);
    const dstIdx = hosts.indexOf(remote);
    if (sleeve) {
      w.hop(WEAVE.bridge, WEAVE.bridgePort, 'switch', `${formatV4(nexthop)} is ${far.name} on ${remote.host.name}: the bridge floods/forwards it to the router's port ${WEAVE.bridgePort}; the weave router captures it on ${WEAVE.pcap} (sleeve: no fast datapath)`);
    } else {
      w.hop(WEAVE.bridge, WEAVE.bridgePort, 'switch', `${formatV4(nexthop)} is ${far.name} on ${remote.host.name}: out of the router's port ${WEAVE.bridgePort} → ${WEAVE.datapathPort} into the Open vSwitch datapath "${WEAVE.datapath}", whose flow (set by the weave router) sends it to ${WEAVE.vxlanDev}`);
    }
    return w.vxlan(
      {
        from: hx, to: remote, dev: sleeve ? 'weave router (sleeve)' : WEAVE.vxlanDev, remoteDev: sleeve ? 'weave router (sleeve)' : WEAVE.vxlanDev,
        vni: sleeve ? null : weaveVni(srcIdx, dstIdx), port: sleeve ? WEAVE.port : WEAVE.fastdpPort, mtu: WEAVE.mtu, encrypted: false,
        what: sleeve ? `weave sleeve (the router's own UDP encapsulation, port ${WEAVE.port}) for network ${net.name}` : `weave fast datapath (VXLAN, UDP ${WEAVE.fastdpPort}) for network ${net.name}`,
      },
      pkt,
      () => {
        w.hop(WEAVE.bridge, far.hostIfname ?? '', 'switch', sleeve
          ? `${remote.host.name}'s weave router injects the frame on ${WEAVE.pcap} → ${WEAVE.bridgePort} → bridge ${WEAVE.bridge}: out of port ${far.hostIfname}`
          : `${remote.host.name}: ${WEAVE.datapath} → ${WEAVE.datapathPort} → ${WEAVE.bridgePort} → bridge ${WEAVE.bridge}: out of port ${far.hostIfname}`);
        return w.deliver(target, far, pkt);
      },
    );
  },
};

/** net/bridge.go: weave's FORWARD rules (with or without the policy controller, weave-npc) and nat WEAVE. */
export function weaveRules(_host: unknown, net: NetworkState): ContributedRule[] {
  const d = data(net);
  if (!d?.ownsBridge) return [];
  const about = { network: net.name };
  const br = WEAVE.bridge;
  const npc = net.options['npc'] === 'true';
  const fwd = npc
    ? [
        rule('filter', 'FORWARD', { in: is(br) }, jump('WEAVE-NPC-EGRESS'), 'plugin', about),
        rule('filter', 'FORWARD', { out: is(br) }, jump('WEAVE-NPC'), 'plugin', about),
        rule('filter', 'FORWARD', { out: is(br) }, DROP, 'plugin', about),
      ]
    : [
        rule('filter', 'FORWARD', { in: is(br), out: is(br) }, ACCEPT, 'plugin', about),
        rule('filter', 'FORWARD', { out: is(br) }, jump('WEAVE-EXPOSE'), 'plugin', about),
      ];
  fwd.push(
    rule('filter', 'FORWARD', { in: is(br), out: not(br) }, ACCEPT, 'plugin', about),
    rule('filter', 'FORWARD', { out: is(br), ctstate: ['RELATED', 'ESTABLISHED'] }, ACCEPT, 'plugin', about),
  );
  // ensureRulesAtTop: in this order at the top of FORWARD.
  const out: ContributedRule[] = [...fwd].reverse().map((r) => ({ position: 'insert' as const, rule: r }));
  // `-j WEAVE`: net/bridge.go ensureChains(nat, WEAVE); its masquerade rules come with `weave expose` (not modelled).
  out.push({ position: 'append', rule: rule('nat', 'POSTROUTING', {}, jump('WEAVE'), 'plugin', about) });
  return out;
}
