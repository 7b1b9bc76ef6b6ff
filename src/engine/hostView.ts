// The host's own view: its interfaces (underlay, bridges with the gateway addresses, veth host ends) and
// its routing table (on-link routes of each addressed interface), computed from the model on demand.
import { formatNet } from './ip';
import type { HostInterface, HostState, Route } from './model';

export function hostInterfaces(host: HostState): HostInterface[] {
  const out: HostInterface[] = [...host.underlay];
  for (const b of host.bridges.values()) {
    if (host.underlay.some((u) => u.name === b.name)) continue;
    out.push({ name: b.name, kind: 'bridge', ipv4: b.ipv4 ? [b.ipv4] : [], ipv6: b.ipv6 ? [b.ipv6] : [], mac: b.mac, mtu: b.mtu, master: null, peer: null });
  }
  for (const l of host.links.values()) {
    if (host.underlay.some((u) => u.name === l.name)) continue;
    out.push({ name: l.name, kind: l.kind, ipv4: l.ipv4 ? [l.ipv4] : [], ipv6: [], mac: null, mtu: l.mtu, master: null, peer: null });
  }
  for (const v of host.veths.values()) {
    out.push({ name: v.hostIfname, kind: 'veth', ipv4: [], ipv6: [], mac: null, mtu: host.bridges.get(v.bridge)?.mtu ?? 1500, master: v.bridge, peer: { sandboxId: v.sandboxId, ifname: v.containerIfname } });
  }
  // Routed veths a driver made without a bridge (calico's cali…): the host end has no master.
  for (const n of host.networks.values()) {
    if (n.bridge) continue;
    for (const ep of n.endpoints.values()) {
      if (!ep.hostIfname || !ep.sandboxId || ep.link?.kind !== 'veth' || ep.link.parent !== null || host.veths.has(ep.hostIfname)) continue;
      out.push({ name: ep.hostIfname, kind: 'veth', ipv4: [], ipv6: [], mac: null, mtu: 1500, master: null, peer: { sandboxId: ep.sandboxId, ifname: ep.ifname ?? '' } });
    }
  }
  return out;
}

export function hostRoutes(host: HostState): Route[] {
  const routes: Route[] = [];
  for (const i of hostInterfaces(host)) {
    if (i.kind === 'loopback') continue;
    // A /32 (flannel.1's lease address) adds no subnet route.
    for (const a of i.ipv4) if (a.prefixLength < 32) routes.push({ family: 4, destination: formatNet(a.network), dest: a.network, gateway: null, dev: i.name, scope: 'link', src: a.address });
    for (const a of i.ipv6) routes.push({ family: 6, destination: formatNet(a.network), dest: a.network, gateway: null, dev: i.name, scope: 'link', src: null });
  }
  routes.push(...host.extraRoutes);
  return routes;
}
