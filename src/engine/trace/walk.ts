// The packet walk: a packet leaves a namespace (a container's sandbox or a host), is routed, crosses its
// veth into a bridge, is switched to another port (bridged packets still pass iptables FORWARD:
// dockerd loads br_netfilter) or goes up to the host, which runs it through raw/nat PREROUTING, routes
// it, filters it (INPUT or FORWARD), rewrites it (DNAT, MASQUERADE) and sends it on — until it reaches the
// namespace that owns its destination address, or something drops it. Replies walk back the same way
// with conntrack state ESTABLISHED and the NAT undone.
import { evaluateChain, type ChainVerdict, type PacketContext } from '../netfilter/evaluate';
import { formatRule } from '../netfilter/format';
import type { Rule, TableName } from '../netfilter/types';
import type { EndpointState, NetworkState } from '../model';
import { formatV4, isLoopback, lookupRoute, type HostIndex, type Route4, type SandboxView, type V4 } from './hostIndex';
import type { TraceHop, TraceProto } from './types';

/** A network namespace: a host's own, or a sandbox (shared by the containers in it). */
export interface Ns {
  readonly kind: 'host' | 'sandbox';
  readonly hx: HostIndex;
  readonly view: SandboxView | null;
  /** How hops name it. */
  readonly label: string;
  /** Identity, to tell whether a reply came home. */
  readonly key: string;
}

export interface Pkt {
  src: V4;
  dst: V4;
  readonly proto: TraceProto;
  sport: number;
  dport: number;
}

export interface NatNote {
  readonly host: string;
  readonly kind: 'dnat' | 'snat';
  readonly before: V4;
  readonly beforePort: number;
  readonly after: V4;
  readonly afterPort: number;
  readonly rule: Rule | null;
}

/** Why a packet did not get through. */
export type Cause =
  | { kind: 'rule'; hx: HostIndex; verdict: ChainVerdict; pkt: Pkt; inIf: string; outIf: string }
  | { kind: 'arp'; hx: HostIndex; br: string; addr: V4 }
  | { kind: 'no-route'; ns: Ns; addr: V4 }
  | { kind: 'outside'; hx: HostIndex; addr: V4; dev: string | null }
  | { kind: 'not-router'; ns: Ns; addr: V4 }
  | { kind: 'martian'; hx: HostIndex; addr: V4; dev: string }
  | { kind: 'link'; reason: string; fix?: string }
  | { kind: 'unsupported'; what: string };

export type Leg = { readonly ok: true; readonly ns: Ns; readonly iface: string; readonly pkt: Pkt } | { readonly ok: false; readonly cause: Cause };

export interface WorldIndex {
  readonly hosts: Map<string, HostIndex>;
  /** Underlay addresses of every host, to cross from one host to another on their LAN. */
  readonly underlayOwner: Map<V4, { hx: HostIndex; iface: string; net: Route4 }>;
  hostNs(hx: HostIndex): Ns;
  sandboxNs(hx: HostIndex, sandboxId: string): Ns | null;
}

export function describeVerdict(v: ChainVerdict): string {
  const steps = v.path.map(formatRule);
  if (v.rule === null) {
    if (v.table === 'nat') steps.push('no address translation');
    else steps.push(`policy ${v.policy}${v.path.length === 0 ? ' (no rule matched)' : ''}`);
  }
  return steps.join(' → ');
}

export class Walker {
  readonly nat: NatNote[] = [];
  /** The `-i <bridge> -j RETURN` rule that kept a packet from a bridge away from the DNAT rules. */
  skippedDnat: Rule | null = null;

  constructor(
    readonly world: WorldIndex,
    /** Hops are recorded here; null when only the verdict matters (the matrix). */
    readonly hops: TraceHop[] | null,
    /** A reply: conntrack ESTABLISHED, no NAT table, NAT of the original direction undone. */
    readonly reply: boolean,
    natOfRequest: readonly NatNote[] = [],
  ) {
    this.nat.push(...natOfRequest);
  }

  private hop(node: string, iface: string, action: string, detail: string): void {
    this.hops?.push({ node, interface: iface, action, detail });
  }

  private isLocal(ns: Ns, a: V4): boolean {
    if (isLoopback(a)) return true;
    return ns.kind === 'host' ? ns.hx.localV4.has(a) : ns.view!.localV4.has(a);
  }

  private ctx(hx: HostIndex, inIf: string, outIf: string, pkt: Pkt): PacketContext {
    return {
      inIf, outIf, src: pkt.src, dst: pkt.dst, proto: pkt.proto, sport: pkt.sport, dport: pkt.dport,
      srcLocal: isLoopback(pkt.src) || hx.localV4.has(pkt.src),
      dstLocal: isLoopback(pkt.dst) || hx.localV4.has(pkt.dst),
      ct: this.reply ? 'ESTABLISHED' : 'NEW',
    };
  }

  /** One built-in chain; recorded when it did something (filter chains always). */
  private chain(hx: HostIndex, table: TableName, chain: string, inIf: string, outIf: string, pkt: Pkt, note?: string): ChainVerdict {
    const v = evaluateChain(hx.rules, table, chain, this.ctx(hx, inIf, outIf, pkt));
    if (this.hops && (table === 'filter' || v.path.length > 0) && hx.rules.tables.has(table)) {
      const where = inIf && outIf ? `-i ${inIf} -o ${outIf}` : inIf ? `-i ${inIf}` : outIf ? `-o ${outIf}` : '';
      this.hop(hx.host.name, inIf || outIf, `${table} ${chain}`, `${note ? `${note}: ` : ''}${where ? `(${where}) ` : ''}${describeVerdict(v)}`);
    }
    return v;
  }

  private drop(hx: HostIndex, v: ChainVerdict, pkt: Pkt, inIf: string, outIf: string): Leg {
    return { ok: false, cause: { kind: 'rule', hx, verdict: v, pkt: { ...pkt }, inIf, outIf } };
  }

  /** DNAT: "1.2.3.4:80" */
  private applyDnat(hx: HostIndex, v: ChainVerdict, pkt: Pkt): void {
    if (v.rule?.target.kind !== 'DNAT') return;
    const [ip, port] = v.rule.target.to.split(':');
    const to = ip ? parseDotted(ip) : null;
    if (to === null) return;
    this.nat.push({ host: hx.host.name, kind: 'dnat', before: pkt.dst, beforePort: pkt.dport, after: to, afterPort: port ? Number(port) : pkt.dport, rule: v.rule });
    this.hop(hx.host.name, '', 'DNAT', `destination ${formatV4(pkt.dst)}:${pkt.dport} → ${v.rule.target.to}`);
    pkt.dst = to;
    if (port) pkt.dport = Number(port);
  }

  private applySnat(hx: HostIndex, v: ChainVerdict, pkt: Pkt, outAddr: V4 | null): void {
    if (v.verdict !== 'MASQUERADE' && v.verdict !== 'SNAT') return;
    const to = v.rule?.target.kind === 'SNAT' ? parseDotted(v.rule.target.to.split(':')[0]!) : outAddr;
    if (to === null || to === pkt.src) return;
    this.nat.push({ host: hx.host.name, kind: 'snat', before: pkt.src, beforePort: pkt.sport, after: to, afterPort: pkt.sport, rule: v.rule });
    this.hop(hx.host.name, '', v.verdict, `source ${formatV4(pkt.src)} → ${formatV4(to)}`);
    pkt.src = to;
  }

  /** A packet made by a socket in `ns`. `srcFixed`: the source is already chosen (a reply). */
  send(ns: Ns, pkt: Pkt, srcFixed: boolean): Leg {
    const hx = ns.hx;
    const routes = ns.kind === 'host' ? hx.routes : ns.view!.routes;
    if (!srcFixed) {
      if (this.isLocal(ns, pkt.dst)) pkt.src = pkt.dst;
      else {
        const r = lookupRoute(routes, pkt.dst);
        if (r?.src != null) pkt.src = r.src;
      }
    }
    if (ns.kind === 'host' && !this.reply) {
      const v = this.chain(hx, 'nat', 'OUTPUT', '', '', pkt);
      if (v.verdict === 'DNAT') this.applyDnat(hx, v, pkt);
    }
    if (this.isLocal(ns, pkt.dst)) {
      this.hop(ns.label, 'lo', 'loopback', `${formatV4(pkt.dst)} is ${ns.label}'s own address: delivered over the loopback interface`);
      if (ns.kind === 'host') {
        const out = this.chain(hx, 'filter', 'OUTPUT', '', 'lo', pkt);
        if (out.verdict === 'DROP') return this.drop(hx, out, pkt, '', 'lo');
        const input = this.chain(hx, 'filter', 'INPUT', 'lo', '', pkt);
        if (input.verdict === 'DROP') return this.drop(hx, input, pkt, 'lo', '');
      }
      return { ok: true, ns, iface: 'lo', pkt };
    }
    const route = lookupRoute(routes, pkt.dst);
    if (!route && ns.kind === 'host') {
      const own = this.ownChild(hx, pkt.dst);
      if (own) return own;
    }
    if (!route) {
      this.hop(ns.label, '', 'route', `${formatV4(pkt.dst)}: no route (${routes.length === 0 ? 'the routing table is empty: only lo' : `routes: ${routes.map((r) => r.text).join('; ')}`})`);
      return { ok: false, cause: { kind: 'no-route', ns, addr: pkt.dst } };
    }
    this.hop(ns.label, route.dev, 'route', `${formatV4(pkt.dst)}: ${route.prefix === 0 ? 'no on-link network has it, so the default route' : 'on-link'}: ${route.text}`);
    if (ns.kind === 'sandbox') return this.leaveSandbox(ns, route, pkt);
    const out = this.chain(hx, 'filter', 'OUTPUT', '', route.dev, pkt);
    if (out.verdict === 'DROP') return this.drop(hx, out, pkt, '', route.dev);
    if (!this.reply) {
      const post = this.chain(hx, 'nat', 'POSTROUTING', '', route.dev, pkt);
      this.applySnat(hx, post, pkt, route.src);
    }
    if (isLoopback(pkt.src)) return { ok: false, cause: { kind: 'martian', hx, addr: pkt.src, dev: route.dev } };
    return this.hostEmit(hx, route, pkt);
  }

  private leaveSandbox(ns: Ns, route: Route4, pkt: Pkt): Leg {
    const hx = ns.hx;
    const iface = ns.view!.ifaces.get(route.dev);
    const ep = iface?.endpointId ? ns.view!.sb.endpoints.find((e) => e.id === iface.endpointId) : undefined;
    const net = ep ? hx.host.networks.get(ep.networkId) : undefined;
    if (net?.parentLink) return this.parentLinkSend(ns, net, route, pkt);
    const peer = iface?.hostPeer ?? null;
    const veth = peer ? hx.host.veths.get(peer) : undefined;
    if (!peer || !veth) return { ok: false, cause: { kind: 'unsupported', what: `interface ${route.dev} of ${ns.label} (not a veth into a bridge)` } };
    this.hop(ns.label, route.dev, 'send', `out ${route.dev}, through its veth pair to ${peer} on the host, a port of bridge ${veth.bridge}`);
    return this.bridgeFromPort(hx, veth.bridge, peer, route.gateway ?? pkt.dst, pkt);
  }

  /**
   * macvlan / ipvlan: the container's interface is a child of a host link (no veth, no bridge, so no
   * host iptables). Children of one parent reach each other on it (macvlan bridge mode, ipvlan), the LAN
   * behind the parent is reached directly, and the host's own address on the parent is not reachable.
   */
  private parentLinkSend(ns: Ns, net: NetworkState, route: Route4, pkt: Pkt): Leg {
    const p = net.parentLink!;
    const hx = ns.hx;
    const nexthop = route.gateway ?? pkt.dst;
    const kind = `${p.driver} ${p.mode}`;
    this.hop(ns.label, route.dev, 'send', `out ${route.dev}, a ${p.driver} child of ${p.parent} (${p.mode} mode): no veth, no bridge, no host iptables`);
    const peer = hx.endpointsByV4.get(nexthop);
    if (peer && peer.networkId === net.id) {
      if (p.driver === 'macvlan' && p.mode === 'private') {
        return { ok: false, cause: { kind: 'link', reason: `${net.name} is a macvlan network in private mode: its containers cannot reach each other`, fix: `use macvlan_mode bridge (the default) on ${net.name}` } };
      }
      if (p.driver === 'macvlan' && p.mode === 'vepa') {
        return { ok: false, cause: { kind: 'link', reason: `${net.name} is a macvlan network in vepa mode: every frame goes out to the switch on ${p.parent}, which sends it back only if it does reflective relay (hairpin); the topology has no such switch`, fix: `use macvlan_mode bridge on ${net.name}, or a switch with reflective relay` } };
      }
      const target = this.world.sandboxNs(hx, peer.sandboxId!);
      if (!target) return { ok: false, cause: { kind: 'arp', hx, br: p.parent, addr: nexthop } };
      if (pkt.dst !== nexthop) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
      this.hop(p.parent, route.dev, 'switch', `${kind}: ${formatV4(nexthop)} is ${target.label} (${peer.mac ?? '?'}), another child of ${p.parent}: delivered directly`);
      this.hop(target.label, peer.ifname ?? '', 'receive', `in through ${peer.ifname} (${peer.networkName}, ${peer.ipv4?.address ?? ''})`);
      return { ok: true, ns: target, iface: peer.ifname ?? '', pkt };
    }
    if (hx.localV4.has(nexthop) && p.hostUnreachable) {
      return {
        ok: false,
        cause: {
          kind: 'link',
          reason: `${formatV4(nexthop)} is ${hx.host.name}'s own address: the kernel does not pass traffic between a ${p.driver} child and its parent's host (${p.parent})`,
          fix: `give the host a ${p.driver} interface of its own on ${p.parent} (ip link add ${p.driver}-shim link ${p.parent} type ${p.driver}${p.driver === 'macvlan' ? ' mode bridge' : ''}) and route ${net.ipv4[0] ? `the network's subnet` : 'the containers'} through it, or reach the container from another machine`,
        },
      };
    }
    if (p.dummy) return { ok: false, cause: { kind: 'link', reason: `${net.name} has no parent interface (a dummy link ${p.parent}): its containers only reach each other, and nobody on it has ${formatV4(nexthop)}` } };
    for (const other of this.world.hosts.values()) {
      if (other === hx) continue;
      const remote = other.endpointsByV4.get(nexthop);
      const remoteNet = remote ? other.host.networks.get(remote.networkId) : undefined;
      if (remote && remoteNet?.parentLink && !remoteNet.parentLink.dummy) {
        const target = this.world.sandboxNs(other, remote.sandboxId!);
        if (!target) break;
        this.hop(p.parent, route.dev, 'send', `onto the LAN behind ${p.parent}: ${formatV4(nexthop)} is ${target.label}, a ${remoteNet.parentLink.driver} child on ${other.host.name}`);
        if (pkt.dst !== nexthop) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
        return { ok: true, ns: target, iface: remote.ifname ?? '', pkt };
      }
    }
    const lanHost = this.world.underlayOwner.get(nexthop);
    if (lanHost && lanHost.hx !== hx) {
      this.hop(p.parent, route.dev, 'send', `onto the LAN behind ${p.parent}: ${formatV4(nexthop)} is ${lanHost.hx.host.name} (${lanHost.iface})`);
      return this.hostReceive(lanHost.hx, lanHost.iface, pkt);
    }
    return { ok: false, cause: { kind: 'outside', hx, addr: nexthop, dev: p.parent } };
  }

  /** A frame from a container's veth enters the bridge: to the host, or switched to another port. */
  private bridgeFromPort(hx: HostIndex, br: string, port: string, nexthop: V4, pkt: Pkt): Leg {
    const dev = hx.bridges.get(br);
    const brAddr = dev?.ipv4 ? Number(dev.ipv4.addr.value) >>> 0 : null;
    if (nexthop === brAddr) {
      this.hop(br, port, 'bridge', `${formatV4(nexthop)} is ${br}'s own address (the gateway): up into ${hx.host.name}'s network stack`);
      return this.hostReceive(hx, br, pkt);
    }
    const ep = hx.bridgeEndpoints.get(br)?.get(nexthop);
    if (!ep) return { ok: false, cause: { kind: 'arp', hx, br, addr: nexthop } };
    const target = this.world.sandboxNs(hx, ep.sandboxId!);
    if (!target) return { ok: false, cause: { kind: 'arp', hx, br, addr: nexthop } };
    if (pkt.dst !== nexthop) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
    this.hop(br, port, 'switch', `ARP: ${formatV4(nexthop)} is at ${ep.mac ?? '?'} (${target.label}): switched from ${port} to ${ep.hostIfname}`);
    // br_netfilter: bridged IPv4 packets go through the iptables hooks too.
    const raw = this.chain(hx, 'raw', 'PREROUTING', br, '', pkt);
    if (raw.verdict === 'DROP') return this.drop(hx, raw, pkt, br, '');
    const fwd = this.chain(hx, 'filter', 'FORWARD', br, br, pkt, 'bridged within the bridge, but br_netfilter passes it through FORWARD');
    if (fwd.verdict === 'DROP') return this.drop(hx, fwd, pkt, br, br);
    if (!this.reply) {
      const post = this.chain(hx, 'nat', 'POSTROUTING', br, br, pkt);
      this.applySnat(hx, post, pkt, brAddr);
    }
    return this.enterSandbox(target, ep, pkt);
  }

  private enterSandbox(target: Ns, ep: EndpointState, pkt: Pkt): Leg {
    this.hop(target.label, ep.ifname ?? '', 'receive', `in through ${ep.hostIfname} → ${ep.ifname} (${ep.networkName}, ${ep.ipv4?.address ?? ''})`);
    if (!this.isLocal(target, pkt.dst)) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
    return { ok: true, ns: target, iface: ep.ifname ?? '', pkt };
  }

  /** A packet routed into the host's own stack through interface `inIf`. */
  hostReceive(hx: HostIndex, inIf: string, pkt: Pkt): Leg {
    if (this.reply) this.undoNat(hx, pkt);
    const raw = this.chain(hx, 'raw', 'PREROUTING', inIf, '', pkt);
    if (raw.verdict === 'DROP') return this.drop(hx, raw, pkt, inIf, '');
    if (!this.reply) {
      const pre = this.chain(hx, 'nat', 'PREROUTING', inIf, '', pkt);
      if (pre.verdict === 'DNAT') this.applyDnat(hx, pre, pkt);
      this.skippedDnat = pre.path.find((r) => r.purpose === 'skip-dnat') ?? this.skippedDnat;
    }
    // A loopback destination arriving from outside is a martian — unless it is the reply to a connection
    // conntrack NATed away from 127.0.0.1 (hairpin mode), which it hands back to the local socket.
    if (isLoopback(pkt.dst) && !this.reply) return { ok: false, cause: { kind: 'martian', hx, addr: pkt.dst, dev: inIf } };
    if (hx.localV4.has(pkt.dst) || isLoopback(pkt.dst)) {
      const input = this.chain(hx, 'filter', 'INPUT', inIf, '', pkt);
      if (input.verdict === 'DROP') return this.drop(hx, input, pkt, inIf, '');
      return { ok: true, ns: this.world.hostNs(hx), iface: inIf, pkt };
    }
    const route = lookupRoute(hx.routes, pkt.dst);
    if (!route) return { ok: false, cause: { kind: 'outside', hx, addr: pkt.dst, dev: null } };
    this.hop(hx.host.name, route.dev, 'route', `${formatV4(pkt.dst)} is not the host's: forwarded (ip_forward=1): ${route.text}`);
    const fwd = this.chain(hx, 'filter', 'FORWARD', inIf, route.dev, pkt);
    if (fwd.verdict === 'DROP') return this.drop(hx, fwd, pkt, inIf, route.dev);
    if (!this.reply) {
      const post = this.chain(hx, 'nat', 'POSTROUTING', inIf, route.dev, pkt);
      this.applySnat(hx, post, pkt, route.src);
    }
    return this.hostEmit(hx, route, pkt);
  }

  /** The host sends a packet out of one of its devices: onto a bridge, or onto its LAN. */
  private hostEmit(hx: HostIndex, route: Route4, pkt: Pkt): Leg {
    const nexthop = route.gateway ?? pkt.dst;
    if (hx.bridges.has(route.dev)) {
      const ep = hx.bridgeEndpoints.get(route.dev)?.get(nexthop);
      const target = ep ? this.world.sandboxNs(hx, ep.sandboxId!) : null;
      if (!ep || !target) return { ok: false, cause: { kind: 'arp', hx, br: route.dev, addr: nexthop } };
      this.hop(route.dev, route.dev, 'switch', `ARP: ${formatV4(nexthop)} is at ${ep.mac ?? '?'} (${target.label}): out of port ${ep.hostIfname}`);
      return this.enterSandbox(target, ep, pkt);
    }
    const own = this.ownChild(hx, nexthop);
    if (own) return own;
    for (const remote of this.world.hosts.values()) {
      if (remote === hx) continue;
      const ep = remote.endpointsByV4.get(nexthop);
      const epNet = ep ? remote.host.networks.get(ep.networkId) : undefined;
      if (ep && epNet?.parentLink && !epNet.parentLink.dummy) {
        const target = this.world.sandboxNs(remote, ep.sandboxId!);
        if (!target) break;
        this.hop(hx.host.name, route.dev, 'send', `out ${route.dev} onto the LAN: ${formatV4(nexthop)} is ${target.label}, a ${epNet.parentLink.driver} child on ${remote.host.name}`);
        if (pkt.dst !== nexthop) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
        return { ok: true, ns: target, iface: ep.ifname ?? '', pkt };
      }
    }
    const other = this.world.underlayOwner.get(nexthop);
    if (other && other.hx !== hx && ((other.net.base & route.mask) >>> 0) === route.base) {
      this.hop(hx.host.name, route.dev, 'send', `out ${route.dev} onto the LAN: ${formatV4(nexthop)} is ${other.hx.host.name} (${other.iface})`);
      return this.hostReceive(other.hx, other.iface, pkt);
    }
    return { ok: false, cause: { kind: 'outside', hx, addr: nexthop, dev: route.dev } };
  }

  /** The host reaching one of its own macvlan/ipvlan children: the kernel filters that. */
  private ownChild(hx: HostIndex, addr: V4): Leg | null {
    const child = hx.endpointsByV4.get(addr);
    const net = child ? hx.host.networks.get(child.networkId) : undefined;
    if (!child || !net?.parentLink?.hostUnreachable) return null;
    const p = net.parentLink;
    return {
      ok: false,
      cause: {
        kind: 'link',
        reason: `${formatV4(addr)} is ${child.name}, a ${p.driver} child of ${p.parent} on this host: the kernel does not pass traffic between the host and its own ${p.driver} children`,
        fix: `give the host a ${p.driver} interface of its own on ${p.parent} and route ${net.name}'s subnet through it, or reach ${child.name} from another machine`,
      },
    };
  }

  /** conntrack on a reply: an SNATed request's reply goes back to the original source. */
  private undoNat(hx: HostIndex, pkt: Pkt): void {
    for (let i = this.nat.length - 1; i >= 0; i--) {
      const n = this.nat[i]!;
      if (n.host !== hx.host.name) continue;
      if (n.kind === 'snat' && n.after === pkt.dst) {
        this.hop(hx.host.name, '', 'conntrack', `reply to the masqueraded connection: destination ${formatV4(pkt.dst)} → ${formatV4(n.before)}`);
        pkt.dst = n.before;
      } else if (n.kind === 'dnat' && n.after === pkt.src) {
        this.hop(hx.host.name, '', 'conntrack', `reply of the DNATed connection: source ${formatV4(pkt.src)}:${pkt.sport} → ${formatV4(n.before)}:${n.beforePort}`);
        pkt.src = n.before;
        pkt.sport = n.beforePort;
      }
    }
  }
}

function parseDotted(text: string): V4 | null {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}
