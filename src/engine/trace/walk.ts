// The packet walk: a packet leaves a namespace (a container's sandbox or a host), is routed, crosses its
// veth into a bridge, is switched to another port (bridged packets still pass iptables FORWARD:
// dockerd loads br_netfilter) or goes up to the host, which runs it through raw/nat PREROUTING, routes
// it, filters it (INPUT or FORWARD), rewrites it (DNAT, MASQUERADE) and sends it on — until it reaches the
// namespace that owns its destination address, or something drops it. Replies walk back the same way
// with conntrack state ESTABLISHED and the NAT undone.
import { evaluateChain, type ChainVerdict, type PacketContext } from '../netfilter/evaluate';
import { formatRule } from '../netfilter/format';
import type { Rule, TableName } from '../netfilter/types';
import type { EndpointState, PolicyRule } from '../model';
import type { MeshEntry } from '../swarm/services';
import { formatV4, isLoopback, lookupRoute, maskOf, parseV4, type HostIndex, type Route4, type V4 } from './hostIndex';
import type { LinkWalk, TraceLookup, VxlanTunnel } from './linkDrivers';
import type { Cause, Leg, NatNote, Ns, OutsideClient, Pkt } from './packet';
import type { HopPacket, TraceHop } from './types';

export type { Cause, Departure, Leg, NatNote, Ns, OutsideClient, Pkt } from './packet';

/**
 * The host's default route when the topology does not give one (no `gateway:`): a real host has one, so
 * the packet is still forwarded, filtered and masqueraded, but out of an interface the engine cannot name.
 */
export const UNKNOWN_DEFAULT_ROUTE: Route4 = { base: 0, mask: 0, prefix: 0, gateway: null, dev: '', src: null, text: "the host's own default route (not in the topology)" };

export interface WorldIndex {
  readonly hosts: Map<string, HostIndex>;
  /** Underlay addresses of every host, to cross from one host to another on their LAN. */
  readonly underlayOwner: Map<V4, { hx: HostIndex; iface: string; net: Route4 }>;
  hostNs(hx: HostIndex): Ns;
  sandboxNs(hx: HostIndex, sandboxId: string): Ns | null;
  /** A trace from outside the topology: the client a reply goes back to. */
  readonly outside?: OutsideClient;
  /** The swarm routing mesh as host `hx` serves it (every published port of every service). */
  mesh(hx: HostIndex): readonly MeshEntry[];
  /** The engine's drivers: where a driver's trace legs are found. */
  readonly drivers: TraceLookup;
}

/** The first interface of a sandbox on a network whose addresses are unknown. */
function unknownSubnetOf(ns: Ns): { ifname: string; network: string } | null {
  const sb = ns.view!.sb;
  for (const ep of sb.endpoints) {
    if (ep.ipv4 || ep.ipv6 || !ep.ifname) continue;
    if (ns.hx.host.networks.get(ep.networkId)?.addressesUnknown) return { ifname: ep.ifname, network: ep.networkName };
  }
  return null;
}

export function describeVerdict(v: ChainVerdict): string {
  // A rule read from the host that dockerd did not write is said to be one.
  const steps = v.path.map((r) => (r.purpose === 'host' ? `${formatRule(r)} [the host's rule, not dockerd's]` : formatRule(r)));
  if (v.rule === null) {
    if (v.table === 'nat') steps.push('no address translation');
    else steps.push(`policy ${v.policy}${v.path.length === 0 ? ' (no rule matched)' : ''}`);
  }
  return steps.join(' → ');
}

export class Walker implements LinkWalk {
  readonly nat: NatNote[] = [];
  /** The `-i <bridge> -j RETURN` rule that kept a packet from a bridge away from the DNAT rules. */
  skippedDnat: Rule | null = null;
  /** MASQUERADE out of the host's unknown default route: to an address the engine cannot name. */
  masqueradeUnknown: { before: V4; rule: Rule | null } | null = null;

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

  // The packet the next hops show (headers only, for the step-through view): set wherever the walk
  // takes a packet in hand; TTL drops by one per forwarding host; MACs where the topology has them.
  private cur: Pkt | null = null;
  private ttl = 64;
  private srcMac: string | undefined;
  private dstMac: string | undefined;
  private encap: { inner: Pkt; outer: Pkt; vni: number | null } | null = null;

  /** The walk now carries `pkt` (the headers recorded with the following hops). */
  track(pkt: Pkt): void {
    if (!this.encap) this.cur = pkt;
  }

  private macs(src: string | null | undefined, dst: string | null | undefined): void {
    this.srcMac = src ?? undefined;
    this.dstMac = dst ?? undefined;
  }

  private headers(): HopPacket | undefined {
    const p = this.encap?.inner ?? this.cur;
    if (!p) return undefined;
    const ports = p.proto === 'icmp' ? {} : { sport: p.sport, dport: p.dport };
    const outer = this.encap ? { outer: { src: formatV4(this.encap.outer.src), dst: formatV4(this.encap.outer.dst), dport: this.encap.outer.dport, ...(this.encap.vni === null ? {} : { vni: this.encap.vni }) } } : {};
    return {
      src: formatV4(p.src), dst: formatV4(p.dst), proto: p.proto, ...ports, ttl: this.ttl,
      ...(this.srcMac ? { srcMac: this.srcMac } : {}), ...(this.dstMac ? { dstMac: this.dstMac } : {}), ...outer,
    };
  }

  hop(node: string, iface: string, action: string, detail: string): void {
    if (!this.hops) return;
    const packet = this.headers();
    this.hops.push(packet ? { node, interface: iface, action, detail, packet } : { node, interface: iface, action, detail });
  }

  hosts(): Iterable<HostIndex> {
    return this.world.hosts.values();
  }

  sandboxNs(hx: HostIndex, sandboxId: string): Ns | null {
    return this.world.sandboxNs(hx, sandboxId);
  }

  deliver(target: Ns, ep: EndpointState, pkt: Pkt): Leg {
    return this.enterSandbox(target, ep, pkt);
  }

  fail(cause: Cause): Leg {
    return { ok: false, cause };
  }

  /** VXLAN between two hosts' underlay addresses: encapsulation, the underlay, the far host's INPUT, decapsulation. */
  vxlan(t: VxlanTunnel, pkt: Pkt, after: () => Leg): Leg {
    const a = t.from.underlay[0];
    const b = t.to.underlay[0];
    if (!a || !b) {
      const which = !a ? t.from : t.to;
      return this.fail({ kind: 'link', reason: `${which.host.name} declares no underlay interface with an IPv4 address, so ${t.dev} has no VXLAN endpoint there`, fix: `give ${which.host.name} an interface (hosts.${which.host.name}.interfaces: { eth0: <address>/<prefix> })` });
    }
    const r = lookupRoute(t.from.routes, b.addr);
    if (!r || r.gateway !== null || !t.from.underlay.some((u) => u.name === r.dev)) {
      return this.fail({ kind: 'link', reason: `${t.to.host.name}'s underlay address ${formatV4(b.addr)} is not on a LAN ${t.from.host.name} is on, so the VXLAN packets of ${t.what} cannot reach it`, fix: `put both hosts' interfaces on one subnet (the swarm's data path)` });
    }
    const outer: Pkt = { src: a.addr, dst: b.addr, proto: 'udp', sport: t.port, dport: t.port };
    this.encap = { inner: pkt, outer, vni: t.vni === null ? null : Number(t.vni) };
    const framing = t.vni === null ? 'its own UDP encapsulation (no VXLAN header)' : `VXLAN with VNI ${t.vni}`;
    const mtuWhy = t.vni === null
      ? `the outer headers are why the inner MTU is ${t.mtu}`
      : `the 50 bytes of outer Ethernet/IPv4/UDP/VXLAN headers are why the inner MTU is ${t.encrypted ? '1500 − 50 − 26 (ESP)' : '1500 − 50'}${t.mtu === 1450 || t.mtu === 1424 ? '' : ' of the configured MTU'}`;
    const tunnelPacket = t.vni === null ? 'the tunnel packet' : 'the VXLAN packet';
    this.hop(t.from.host.name, t.dev, 'encapsulate',
      `${t.dev} wraps the frame (inner ${formatV4(pkt.src)} → ${formatV4(pkt.dst)}, MTU ${t.mtu}) in ${framing}: outer UDP ${formatV4(a.addr)} → ${formatV4(b.addr)}:${t.port}${t.encrypted ? ', inside IPsec ESP (encrypted overlay)' : ''}; ${mtuWhy}`);
    const out = this.chain(t.from, 'filter', 'OUTPUT', '', r.dev, outer, tunnelPacket);
    if (out.verdict === 'DROP') return this.drop(t.from, out, outer, '', r.dev);
    this.hop(t.from.host.name, r.dev, 'underlay', `out ${r.dev} onto the hosts' LAN: ${formatV4(b.addr)} is ${t.to.host.name} (${b.name})`);
    const input = this.chain(t.to, 'filter', 'INPUT', b.name, '', outer, tunnelPacket);
    if (input.verdict === 'DROP') return this.drop(t.to, input, outer, b.name, '');
    this.encap = null;
    this.cur = pkt;
    this.hop(t.to.host.name, t.remoteDev, 'decapsulate', `UDP ${t.port} to ${formatV4(b.addr)} ${t.vni === null ? `is the tunnel's socket: ${t.what}` : `is the VXLAN socket: VNI ${t.vni} is ${t.what}`} → ${t.remoteDev} strips the outer headers${t.encrypted ? ' (after IPsec decrypts it)' : ''} and passes on the inner frame for ${formatV4(pkt.dst)}`);
    return after();
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
  chain(hx: HostIndex, table: TableName, chain: string, inIf: string, outIf: string, pkt: Pkt, note?: string): ChainVerdict {
    this.track(pkt);
    const v = evaluateChain(hx.rules, table, chain, this.ctx(hx, inIf, outIf, pkt));
    if (this.hops && (table === 'filter' || v.path.length > 0) && hx.rules.tables.has(table)) {
      const where = inIf && outIf ? `-i ${inIf} -o ${outIf}` : inIf ? `-i ${inIf}` : outIf ? `-o ${outIf}` : '';
      const unread = hx.host.observed?.rulesUnread;
      const modelled = unread ? ` (dockerd's rules as modelled: the host's real rules could not be read: ${unread})` : '';
      this.hop(hx.host.name, inIf || outIf, `${table} ${chain}`, `${note ? `${note}: ` : ''}${where ? `(${where}) ` : ''}${describeVerdict(v)}${modelled}`);
      // The rules view jumps to the deciding line from here (the hop's text is for people).
      const last = this.hops[this.hops.length - 1]!;
      this.hops[this.hops.length - 1] = { ...last, ruleRef: { host: hx.host.name, table, chain, rule: v.rule ? formatRule(v.rule) : null, verdict: v.verdict } };
    }
    return v;
  }

  drop(hx: HostIndex, v: ChainVerdict, pkt: Pkt, inIf: string, outIf: string): Leg {
    return { ok: false, cause: { kind: 'rule', hx, verdict: v, pkt: { ...pkt }, inIf, outIf } };
  }

  /** DNAT: "1.2.3.4:80" */
  private applyDnat(hx: HostIndex, v: ChainVerdict, pkt: Pkt): void {
    if (v.rule?.target.kind !== 'DNAT') return;
    const [ip, port] = v.rule.target.to.split(':');
    const to = ip ? parseDotted(ip) : null;
    if (to === null) return;
    this.nat.push({ host: hx.host.name, kind: 'dnat', before: pkt.dst, beforePort: pkt.dport, after: to, afterPort: port ? Number(port) : pkt.dport, rule: v.rule });
    const detail = `destination ${formatV4(pkt.dst)}:${pkt.dport} → ${v.rule.target.to}`;
    pkt.dst = to;
    if (port) pkt.dport = Number(port);
    this.hop(hx.host.name, '', 'DNAT', detail);
  }

  private applySnat(hx: HostIndex, v: ChainVerdict, pkt: Pkt, outAddr: V4 | null, unknownOut = false): void {
    if (v.verdict !== 'MASQUERADE' && v.verdict !== 'SNAT') return;
    if (v.verdict === 'MASQUERADE' && unknownOut) {
      this.masqueradeUnknown = { before: pkt.src, rule: v.rule };
      this.hop(hx.host.name, '', 'MASQUERADE', `source ${formatV4(pkt.src)} → the address of the interface ${hx.host.name}'s default route leaves by (unknown: the topology gives ${hx.host.name} no gateway)`);
      return;
    }
    const to = v.rule?.target.kind === 'SNAT' ? parseDotted(v.rule.target.to.split(':')[0]!) : outAddr;
    if (to === null || to === pkt.src) return;
    this.nat.push({ host: hx.host.name, kind: 'snat', before: pkt.src, beforePort: pkt.sport, after: to, afterPort: pkt.sport, rule: v.rule });
    const detail = `source ${formatV4(pkt.src)} → ${formatV4(to)}`;
    pkt.src = to;
    this.hop(hx.host.name, '', v.verdict, detail);
  }

  /** A packet made by a socket in `ns`. `srcFixed`: the source is already chosen (a reply). */
  send(ns: Ns, pkt: Pkt, srcFixed: boolean): Leg {
    const hx = ns.hx;
    this.track(pkt);
    const routes = ns.kind === 'host' ? hx.routes : ns.view!.routes;
    if (!srcFixed) {
      if (this.isLocal(ns, pkt.dst)) pkt.src = pkt.dst;
      else {
        const r = lookupRoute(routes, pkt.dst);
        if (r?.src != null) pkt.src = r.src;
      }
    }
    if (ns.kind === 'host' && !this.reply && !this.meshDnat(hx, 'OUTPUT', pkt)) {
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
      const own = this.ownEndpoint(hx, pkt.dst, pkt);
      if (own) return own;
    }
    // An interface on a network whose subnet is unknown (external): a packet no known on-link route takes may be for it.
    if (ns.kind === 'sandbox' && (!route || route.prefix === 0)) {
      const unknown = unknownSubnetOf(ns);
      if (unknown) {
        this.hop(ns.label, unknown.ifname, 'route', `${formatV4(pkt.dst)}: no on-link network it knows has it, but ${unknown.ifname} is on ${unknown.network}, whose subnet is unknown: it may be on-link there`);
        return { ok: false, cause: { kind: 'unknown-subnet',
          reason: `${formatV4(pkt.dst)} may be on network ${unknown.network} (${ns.label}'s ${unknown.ifname}), which exists outside what is described (external) with an unknown subnet: whether the packet goes out there or by the default route is unknown`,
          fix: `describe ${unknown.network}'s subnet (for a Compose external network: x-cnm: { ipam: { config: [{ subnet: … }] } })` } };
      }
    }
    // An interface without any address (pipework … dhcp): the DHCP server's routes are not in the topology.
    const dhcp = !route && ns.kind === 'sandbox' ? ns.view!.sb.interfaces.find((i) => i.name !== 'lo' && !i.ipv4 && !i.ipv6) : undefined;
    if (dhcp) return { ok: false, cause: { kind: 'unsupported', what: `the address and routes ${ns.label} gets by DHCP on ${dhcp.name} (the topology does not know them)` } };
    // A live host's table was read (or could not be): its routes are then the real ones, or said to be modelled.
    const read = ns.kind === 'host' ? hx.routesRead : ns.view!.routesRead;
    const modelled = typeof read === 'string' ? ` (routes as modelled: ${ns.kind === 'host' ? `${hx.host.name}'s` : `${ns.label}'s`} routing table could not be read: ${read})` : '';
    if (route?.reject) {
      this.hop(ns.label, '', 'route', `${formatV4(pkt.dst)}: ${route.text}: the kernel refuses to send it ("Network is unreachable")`);
      return { ok: false, cause: rejectRoute(ns, route, pkt.dst) };
    }
    if (!route && (ns.kind !== 'host' || read === true)) {
      this.hop(ns.label, '', 'route', `${formatV4(pkt.dst)}: no route (${routes.length === 0 ? 'the routing table is empty: only lo' : `routes: ${routes.map((r) => r.text).join('; ')}`})${modelled}`);
      return { ok: false, cause: { kind: 'no-route', ns, addr: pkt.dst } };
    }
    if (!route) {
      // A sandbox's routes are all known; a host's default route is known only when the file gives it
      // (`gateway:`) or its table was read: otherwise the packet leaves by a route the engine cannot name.
      this.hop(ns.label, '', 'route', `${formatV4(pkt.dst)}: no route the topology describes (${routes.length === 0 ? 'only lo' : routes.map((r) => r.text).join('; ')}): ${hx.host.name}'s own default route, which the topology does not describe${modelled}`);
    } else this.hop(ns.label, route.dev, 'route', `${formatV4(pkt.dst)}: ${route.prefix === 0 ? 'no on-link network has it, so the default route' : route.gateway !== null ? 'a route via a gateway' : 'on-link'}: ${route.text}${modelled}`);
    if (ns.kind === 'sandbox') return this.leaveSandbox(ns, route!, pkt);
    const via = route ?? UNKNOWN_DEFAULT_ROUTE;
    const out = this.chain(hx, 'filter', 'OUTPUT', '', via.dev, pkt);
    if (out.verdict === 'DROP') return this.drop(hx, out, pkt, '', via.dev);
    if (!this.reply) {
      const post = this.chain(hx, 'nat', 'POSTROUTING', '', via.dev, pkt);
      this.applySnat(hx, post, pkt, via.src, !route);
    }
    if (!route) return this.hostEmit(hx, via, pkt);
    const ownRoute = route;
    if (isLoopback(pkt.src)) return { ok: false, cause: { kind: 'martian', hx, addr: pkt.src, dev: ownRoute.dev } };
    return this.hostEmit(hx, ownRoute, pkt);
  }

  private leaveSandbox(ns: Ns, route: Route4, pkt: Pkt): Leg {
    const hx = ns.hx;
    const iface = ns.view!.ifaces.get(route.dev);
    const ep = iface?.endpointId ? ns.view!.sb.endpoints.find((e) => e.id === iface.endpointId) : undefined;
    const net = ep ? hx.host.networks.get(ep.networkId) : undefined;
    const driver = net ? this.world.drivers.trace(net.driver) : undefined;
    if (ep && net && driver?.sandboxSend) return driver.sandboxSend(this, { ns, net, ep, route }, pkt);
    const peer = iface?.hostPeer ?? null;
    const veth = peer ? hx.host.veths.get(peer) : undefined;
    if (!peer || !veth) return { ok: false, cause: { kind: 'unsupported', what: `sending out of interface ${route.dev} of ${ns.label} (it is not a veth into a bridge, nor a link of a driver the tracer knows)` } };
    this.macs(ep?.mac, null);
    this.hop(ns.label, route.dev, 'send', `out ${route.dev}, through its veth pair to ${peer} on the host, a port of bridge ${veth.bridge}`);
    return this.bridgeFromPort(hx, veth.bridge, peer, route.gateway ?? pkt.dst, pkt);
  }

  /** A frame from a container's veth enters the bridge: to the host, or switched to another port. */
  private bridgeFromPort(hx: HostIndex, br: string, port: string, nexthop: V4, pkt: Pkt): Leg {
    const dev = hx.bridges.get(br);
    const brAddr = dev?.ipv4 ? Number(dev.ipv4.addr.value) >>> 0 : null;
    this.track(pkt);
    if (nexthop === brAddr) {
      this.hop(br, port, 'bridge', `${formatV4(nexthop)} is ${br}'s own address (the gateway): up into ${hx.host.name}'s network stack`);
      return this.hostReceive(hx, br, pkt);
    }
    const ep = hx.bridgeEndpoints.get(br)?.get(nexthop);
    if (!ep) return { ok: false, cause: { kind: 'arp', hx, br, addr: nexthop } };
    const target = this.world.sandboxNs(hx, ep.sandboxId!);
    if (!target) return { ok: false, cause: { kind: 'arp', hx, br, addr: nexthop } };
    if (pkt.dst !== nexthop) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
    this.dstMac = ep.mac ?? undefined;
    this.hop(br, port, 'switch', `ARP: ${formatV4(nexthop)} is at ${ep.mac ?? '?'} (${target.label}): switched from ${port} to ${ep.hostIfname}`);
    if (hx.host.observed?.bridgeNfCallIptables === false) {
      this.hop(br, port, 'bridge', `net.bridge.bridge-nf-call-iptables is 0 on ${hx.host.name} (read from the host): the bridged packet skips iptables`);
      return this.enterSandbox(target, ep, pkt);
    }
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

  enterSandbox(target: Ns, ep: EndpointState, pkt: Pkt): Leg {
    this.track(pkt);
    this.hop(target.label, ep.ifname ?? '', 'receive', `in through ${ep.hostIfname} → ${ep.ifname} (${ep.networkName}, ${ep.ipv4?.address ?? ''})`);
    if (!this.isLocal(target, pkt.dst)) return { ok: false, cause: { kind: 'not-router', ns: target, addr: pkt.dst } };
    return { ok: true, ns: target, iface: ep.ifname ?? '', pkt };
  }

  /** A packet routed into the host's own stack through interface `inIf`. */
  hostReceive(hx: HostIndex, inIf: string, pkt: Pkt): Leg {
    this.track(pkt);
    if (this.reply) this.undoNat(hx, pkt);
    const rp = this.reversePath(hx, inIf, pkt);
    if (rp) return rp;
    const raw = this.chain(hx, 'raw', 'PREROUTING', inIf, '', pkt);
    if (raw.verdict === 'DROP') return this.drop(hx, raw, pkt, inIf, '');
    const meshed = this.reply ? null : this.meshDnat(hx, 'PREROUTING', pkt, inIf);
    if (!this.reply && !meshed) {
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
    // Policy routing (ip rule) ahead of main: a matching rule's table is looked up first (when read).
    const policy = policyRoute(hx, pkt);
    if (policy && 'unknown' in policy) {
      this.hop(hx.host.name, inIf, 'route', `${formatV4(pkt.dst)} is not the host's: policy routing rule "${policy.rule.text}" (read from the host) ${policy.rule.more ? 'may match it (it selects on more than addresses)' : 'matches it'}: ${policy.unknown}`);
      return { ok: false, cause: { kind: 'unsupported', what: `the route ${hx.host.name} takes for it: its policy routing rule "${policy.rule.text}" ${policy.unknown}` } };
    }
    // No route the topology describes: the host's own default route (unknown) would take it — unless
    // the host's real table was read, which then has no route for it.
    const found = policy ? policy.route : lookupRoute(hx.routes, pkt.dst);
    if (found?.reject || (!found && hx.routesRead === true)) {
      const hostNs = this.world.hostNs(hx);
      this.hop(hx.host.name, '', 'route', `${formatV4(pkt.dst)} is not the host's: ${found ? `${found.text}: not forwarded` : `no route in ${hx.host.name}'s routing table (read from the host: ${hx.routes.map((r) => r.text.replace(/, read from .*$/, '')).join('; ') || 'empty'})`}`);
      return { ok: false, cause: found ? rejectRoute(hostNs, found, pkt.dst) : { kind: 'no-route', ns: hostNs, addr: pkt.dst } };
    }
    const route = found ?? UNKNOWN_DEFAULT_ROUTE;
    const outName = route.dev || "the default route's interface";
    if (hx.host.observed?.ipForward === false) {
      return { ok: false, cause: { kind: 'link', reason: `net.ipv4.ip_forward is 0 on ${hx.host.name} (read from the host): its kernel does not route packets from ${inIf || 'its uplink'} to ${outName}, so the packet for ${formatV4(pkt.dst)} is dropped`, fix: `sysctl -w net.ipv4.ip_forward=1 on ${hx.host.name} (dockerd sets it at start unless it runs with --ip-forward=false)` } };
    }
    this.ttl--;
    this.macs(null, null);
    this.hop(hx.host.name, route.dev, 'route', `${formatV4(pkt.dst)} is not the host's: forwarded (ip_forward=1${hx.host.observed?.ipForward === true ? ', read from the host' : ''}): ${route.text}`);
    if (meshed) {
      this.hop(hx.host.name, inIf, 'filter FORWARD', `(-i ${inIf} -o ${route.dev}) -A FORWARD -j DOCKER-USER → -A DOCKER-USER -j RETURN → -A FORWARD -j DOCKER-INGRESS → -A DOCKER-INGRESS -p ${meshed.proto} -m ${meshed.proto} --dport ${meshed.published} -j ACCEPT`);
      return this.hostEmit(hx, route, pkt);
    }
    const fwd = this.chain(hx, 'filter', 'FORWARD', inIf, route.dev, pkt);
    if (fwd.verdict === 'DROP') return this.drop(hx, fwd, pkt, inIf, route.dev);
    if (!this.reply) {
      const post = this.chain(hx, 'nat', 'POSTROUTING', inIf, route.dev, pkt);
      this.applySnat(hx, post, pkt, route.src, route === UNKNOWN_DEFAULT_ROUTE);
    }
    return this.hostEmit(hx, route, pkt);
  }

  /**
   * Reverse-path filtering as read from a live host: net.ipv4.conf.{all,<inIf>}.rp_filter, the higher
   * one applying. Strict (1): the route back to the source must leave by `inIf`; loose (2): some route
   * back must exist. Otherwise the kernel drops the packet as a martian source.
   */
  private reversePath(hx: HostIndex, inIf: string, pkt: Pkt): Leg | null {
    const rp = hx.host.observed?.rpFilter;
    if (!rp || !inIf || isLoopback(pkt.src) || hx.localV4.has(pkt.src) || hx.routesRead !== true) return null;
    const mode = Math.max(rp.all ?? 0, rp[inIf] ?? rp.default ?? 0);
    if (mode !== 1 && mode !== 2) return null;
    const back = lookupRoute(hx.routes, pkt.src);
    const ok = back !== null && !back.reject && (mode === 2 || back.dev === inIf);
    const which = (rp[inIf] ?? 0) >= (rp.all ?? 0) ? `net.ipv4.conf.${inIf}.rp_filter` : 'net.ipv4.conf.all.rp_filter';
    const how = mode === 1 ? 'strict' : 'loose';
    if (ok) {
      this.hop(hx.host.name, inIf, 'rp_filter', `${which}=${mode} (${how}, read from the host): the route back to ${formatV4(pkt.src)} is ${back!.text.replace(/, read from .*$/, '')}, ${mode === 1 ? `out ${inIf} where it came in` : 'so a way back exists'}: passes`);
      return null;
    }
    const why = back === null || back.reject ? `there is no route back to ${formatV4(pkt.src)}` : `the route back to ${formatV4(pkt.src)} leaves by ${back.dev} (${back.text.replace(/, read from .*$/, '')}), not ${inIf} where it came in`;
    this.hop(hx.host.name, inIf, 'rp_filter', `${which}=${mode} (${how}, read from the host): ${why}: dropped as a martian source`);
    return this.fail({
      kind: 'link',
      reason: `reverse-path filtering on ${hx.host.name} drops it: ${which}=${mode} (${how}, read from the host) and ${why}`,
      fix: `sysctl -w ${which}=${mode === 1 ? 2 : 0} on ${hx.host.name} (${mode === 1 ? 'loose' : 'off'}), or add the route back: ip route add ${formatV4(pkt.src)} dev ${inIf}`,
    });
  }

  /** The packet leaves the host toward what the topology does not describe: a known outside client, or beyond. */
  private leaveHost(hx: HostIndex, route: Route4, pkt: Pkt): Leg {
    const client = this.world.outside;
    const dev = route.dev || "the default route's interface (not in the topology)";
    if (client && client.hx === hx && pkt.dst === client.addr) {
      this.hop(hx.host.name, route.dev, 'send', `out ${dev}${route.gateway !== null ? ` to the gateway ${formatV4(route.gateway)}` : ''} toward the client ${formatV4(client.addr)}, the way its packets came in`);
      return { ok: true, ns: client.ns, iface: route.dev, pkt };
    }
    const snat = [...this.nat].reverse().find((n) => n.kind === 'snat' && n.host === hx.host.name && n.after === pkt.src) ?? null;
    const masq = this.masqueradeUnknown;
    const source = masq ? `that interface's address (MASQUERADE of ${formatV4(masq.before)})` : `${formatV4(pkt.src)}${snat ? ` (${snat.rule?.target.kind === 'SNAT' ? 'SNAT' : 'MASQUERADE'} of ${formatV4(snat.before)})` : ''}`;
    this.hop(hx.host.name, route.dev, 'uplink', `out ${dev}${route.gateway !== null ? ` to the gateway ${formatV4(route.gateway)}` : route.dev ? ' onto its LAN' : ''}: ${formatV4(pkt.dst)}${pkt.proto === 'icmp' ? '' : `:${pkt.dport}/${pkt.proto}`} leaves ${hx.host.name} with source ${source}`);
    const left = { pkt: { ...pkt }, gateway: route.gateway, snat, masqueradeUnknown: masq };
    return { ok: false, cause: { kind: 'outside', hx, addr: pkt.dst, dev: route.dev || null, left } };
  }

  /** The host sends a packet out of one of its devices: onto a bridge, or onto its LAN. */
  private hostEmit(hx: HostIndex, route: Route4, pkt: Pkt): Leg {
    if (route === UNKNOWN_DEFAULT_ROUTE || (this.world.outside?.hx === hx && pkt.dst === this.world.outside.addr)) return this.leaveHost(hx, route, pkt);
    const nexthop = route.gateway ?? pkt.dst;
    if (hx.bridges.has(route.dev)) {
      const ep = hx.bridgeEndpoints.get(route.dev)?.get(nexthop);
      const target = ep ? this.world.sandboxNs(hx, ep.sandboxId!) : null;
      if (!ep || !target) return { ok: false, cause: { kind: 'arp', hx, br: route.dev, addr: nexthop } };
      this.track(pkt);
      this.macs(null, ep.mac);
      this.hop(route.dev, route.dev, 'switch', `ARP: ${formatV4(nexthop)} is at ${ep.mac ?? '?'} (${target.label}): out of port ${ep.hostIfname}`);
      return this.enterSandbox(target, ep, pkt);
    }
    const link = hx.host.links.get(route.dev);
    const linkNet = link ? hx.host.networks.get(link.networkId) : undefined;
    const linkDriver = linkNet ? this.world.drivers.trace(linkNet.driver) : undefined;
    if (link && linkNet && linkDriver?.hostSend) return linkDriver.hostSend(this, { hx, link, net: linkNet, route }, pkt);
    const own = this.ownEndpoint(hx, nexthop, pkt);
    if (own) return own;
    // Another host's endpoint on the LAN (a macvlan child): its driver decides.
    for (const remote of this.world.hosts.values()) {
      if (remote === hx) continue;
      const ep = remote.endpointsByV4.get(nexthop);
      const epNet = ep ? remote.host.networks.get(ep.networkId) : undefined;
      const driver = epNet ? this.world.drivers.trace(epNet.driver) : undefined;
      const leg = ep && epNet && driver?.fromLan ? driver.fromLan(this, hx, route.dev, remote, epNet, ep, pkt) : null;
      if (leg) return leg;
    }
    const other = this.world.underlayOwner.get(nexthop);
    // On-link: the route's own network, or (a route via a gateway, e.g. flannel host-gw) the gateway's.
    const onLink = route.gateway === null ? ((other?.net.base ?? 0) & route.mask) >>> 0 === route.base : lookupRoute(hx.routes, nexthop)?.dev === route.dev;
    if (other && other.hx !== hx && onLink) {
      this.hop(hx.host.name, route.dev, 'send', `out ${route.dev} onto the LAN: ${formatV4(nexthop)} is ${other.hx.host.name} (${other.iface})`);
      return this.hostReceive(other.hx, other.iface, pkt);
    }
    return this.leaveHost(hx, route, pkt);
  }

  /** The host reaching one of its own endpoints off the bridges (its macvlan/ipvlan children): the driver decides. */
  private ownEndpoint(hx: HostIndex, addr: V4, pkt: Pkt): Leg | null {
    const ep = hx.endpointsByV4.get(addr);
    const net = ep ? hx.host.networks.get(ep.networkId) : undefined;
    const driver = net ? this.world.drivers.trace(net.driver) : undefined;
    return ep && net && driver?.hostToEndpoint ? driver.hostToEndpoint(this, hx, net, ep, pkt) : null;
  }

  /**
   * The swarm routing mesh (reference §3.4): a packet for a published port on one of the host's own
   * addresses is DNATed by nat DOCKER-INGRESS to the ingress-sbox's address on docker_gwbridge. IPVS is
   * data here (src/engine/swarm), so the rules are shown as Docker writes them rather than evaluated.
   */
  private meshDnat(hx: HostIndex, hook: 'PREROUTING' | 'OUTPUT', pkt: Pkt, inIf = ''): MeshEntry | null {
    if (!(hx.localV4.has(pkt.dst) || (hook === 'OUTPUT' && isLoopback(pkt.dst)))) return null;
    const m = this.world.mesh(hx).find((e) => e.published === pkt.dport && e.proto === pkt.proto);
    const to = m?.dnatTo ? parseV4(m.dnatTo) : null;
    if (!m || to === null) return null;
    const rule = `-A DOCKER-INGRESS -p ${m.proto} -m ${m.proto} --dport ${m.published} -j DNAT --to-destination ${m.dnatTo}:${m.published}`;
    // Named by the interface the packet came in on (as every chain hop is), so it is seen on this host.
    this.hop(hx.host.name, inIf, `nat ${hook}`, `-A ${hook} -m addrtype --dst-type LOCAL -j DOCKER-INGRESS → ${rule} (port ${m.published}/${m.proto} of service ${m.service.name} is published on the routing mesh: every swarm node listens on it)`);
    this.nat.push({ host: hx.host.name, kind: 'dnat', before: pkt.dst, beforePort: pkt.dport, after: to, afterPort: pkt.dport, rule: null });
    const detail = `destination ${formatV4(pkt.dst)}:${pkt.dport} → ${m.dnatTo}:${m.published} (ingress-sbox on docker_gwbridge)`;
    pkt.dst = to;
    this.hop(hx.host.name, inIf, 'DNAT', detail);
    return m;
  }

  /** conntrack on a reply: an SNATed request's reply goes back to the original source. */
  private undoNat(hx: HostIndex, pkt: Pkt): void {
    for (let i = this.nat.length - 1; i >= 0; i--) {
      const n = this.nat[i]!;
      if (n.host !== hx.host.name) continue;
      if (n.kind === 'snat' && n.after === pkt.dst) {
        const detail = `reply to the masqueraded connection: destination ${formatV4(pkt.dst)} → ${formatV4(n.before)}`;
        pkt.dst = n.before;
        this.hop(hx.host.name, '', 'conntrack', detail);
      } else if (n.kind === 'dnat' && n.after === pkt.src) {
        const detail = `reply of the DNATed connection: source ${formatV4(pkt.src)}:${pkt.sport} → ${formatV4(n.before)}:${n.beforePort}`;
        pkt.src = n.before;
        pkt.sport = n.beforePort;
        this.hop(hx.host.name, '', 'conntrack', detail);
      }
    }
  }
}

function parseDotted(text: string): V4 | null {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return null;
  return ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
}

/** A blackhole / unreachable / prohibit route read from a live kernel: the packet is not sent; the fix removes it. */
function rejectRoute(ns: Ns, route: Route4, dst: V4): Cause {
  const dest = route.prefix === 32 ? formatV4(route.base) : `${formatV4(route.base)}/${route.prefix}`;
  const where = ns.kind === 'sandbox' ? ` in ${ns.label}'s namespace (nsenter -n -t <its pid from docker inspect -f '{{.State.Pid}}' ${ns.view?.containers[0]?.name ?? ns.label}>)` : ` on ${ns.hx.host.name}`;
  return {
    kind: 'link',
    reason: `${ns.label}'s routing table${route.table ? ` ${route.table} (policy routing rule "${route.byRule}" sends it there)` : ''} (read from it) has a reject route for ${dest}, which ${formatV4(dst)} falls in: the kernel does not send it ("Network is unreachable")`,
    fix: `ip route del ${route.prefix === 0 ? 'default' : dest} type unreachable${route.table ? ` table ${route.table}` : ''}${where} (or blackhole / prohibit, as ip route show${route.table ? ` table ${route.table}` : ''} lists it)${route.table ? `, or remove the rule: ip rule del ${route.byRule!.replace(/^(\d+): /, 'priority $1 ')}` : ''}`,
  };
}

/**
 * The route a policy routing rule ahead of main gives the packet: the first rule that matches and whose
 * table has a route for it (the kernel goes on to the next rule when a table has none). Unknown when a
 * rule may match (it selects on iif, fwmark…) or its table was not read; null: main decides.
 */
function policyRoute(hx: HostIndex, pkt: Pkt): { rule: PolicyRule; route: Route4 } | { rule: PolicyRule; unknown: string } | null {
  const within = (p: PolicyRule['from'], a: V4) => {
    if (!p) return true;
    const base = parseV4(p.address);
    if (base === null || p.prefix < 0 || p.prefix > 32) return false; // an IPv6 rule: not for this packet
    return ((a & maskOf(p.prefix)) >>> 0) === ((base & maskOf(p.prefix)) >>> 0);
  };
  for (const { rule, routes } of hx.policy) {
    if (!within(rule.from, pkt.src) || !within(rule.to, pkt.dst)) continue;
    if (rule.more) return { rule, unknown: `selects on more than the addresses the engine knows of a packet, so whether table ${rule.table} (ip route show table ${rule.table}) routes it instead of the main table is unknown` };
    if (!routes) return { rule, unknown: `looks up table ${rule.table}, which could not be read (ip route show table ${rule.table})` };
    const route = lookupRoute(routes, pkt.dst);
    if (route) return { rule, route };
  }
  return null;
}
