// IPv6 paths on dual-stack networks: container → container on one bridge (neighbour discovery, switched),
// across bridges or to the host (routed by the host), and between macvlan/ipvlan children. The filter
// follows the daemon: Docker 20.10 programs no ip6tables rules at all — `ip6tables` is off by default and
// needs `experimental` (reference §1.9: "--ip6tables is default false"), so the host's ip6tables FORWARD
// policy stays ACCEPT and IPv6 networks are not isolated from each other. From 27.0 ip6tables is on by
// default and mirrors the IPv4 rules: isolation between bridges, icc=false drops, FORWARD policy DROP.
import { atLeast } from '../version';
import { formatAddr, formatNet, netContains, parseIp, type IpAddr } from '../ip';
import type { EndpointState, HostState, NetworkState, SandboxState } from '../model';
import type { HostIndex } from './hostIndex';
import type { Listener } from './hostIndex';
import type { TraceHop, TraceProto, Verdict } from './types';
import { compileRules, evaluateChain, type ChainVerdict, type CompiledRules } from '../netfilter/evaluate';
import { formatRule } from '../netfilter/format';
import type { RuleSet } from '../netfilter/types';

/** A live host's ip6tables rules, compiled once per reading. */
const compiled6 = new WeakMap<RuleSet, CompiledRules>();

/** The rules read from a live host's ip6tables-save, when they were (null: the modelled behaviour stands). */
function observedRules6(host: HostState): CompiledRules | null {
  const rs = host.observed?.rules6;
  if (!rs) return null;
  let c = compiled6.get(rs);
  if (!c) compiled6.set(rs, (c = compileRules(rs)));
  return c;
}

/** The chain's walk in words, each rule as ip6tables-save printed it; the host's own marked as such. */
function describe6(v: ChainVerdict): string {
  const steps = v.path.map((r) => (r.purpose === 'host' ? `${formatRule(r)} [the host's rule, not dockerd's]` : formatRule(r)));
  if (v.rule === null) steps.push(`policy ${v.policy}${v.path.length === 0 ? ' (no rule matched)' : ''}`);
  return steps.join(' → ');
}

/** "a macvlan", "an ipvlan". */
const aDriver = (driver: string): string => `${/^[aeiou]/.test(driver) ? 'an' : 'a'} ${driver}`;

export interface V6Outcome {
  verdict: Verdict;
  reason: string;
  fix?: string;
  rule?: string;
}

export interface V6Side {
  readonly hx: HostIndex;
  /** null: the host's own namespace. */
  readonly sb: SandboxState | null;
  readonly label: string;
}

/** Whether this daemon programs ip6tables rules. */
export function ip6tablesOn(host: HostState): boolean {
  return host.daemon.iptables && atLeast(host.daemon.version, 27);
}

function ip6Why(host: HostState, chain: 'INPUT' | 'FORWARD' = 'FORWARD'): string {
  return ip6tablesOn(host)
    ? `Docker ${host.daemon.version.text} programs ip6tables like iptables`
    : `Docker ${host.daemon.version.text} installs no ip6tables rules (ip6tables is off by default and needs experimental in 20.10, reference §1.9), so ip6tables ${chain} keeps the host's policy ACCEPT`;
}

const OUTSIDE_FIX = 'check the address (cnm inspect lists every endpoint); a destination outside the topology can only be tested on the real host';

/** Why an IPv6 destination no network of the host has is beyond what the engine can know. */
function beyondHost(host: HostState, dst: IpAddr): string {
  return `no network on ${host.name} has ${formatAddr(dst)}: ${host.name} would route it by its own IPv6 routes, which the topology does not describe (and the tracer does not follow IPv6 from one host to another), so the engine cannot know what happens to it`;
}

const eq = (a: IpAddr | null | undefined, b: IpAddr): boolean => !!a && a.family === 6 && a.value === b.value;

function sandboxV6(sb: SandboxState, dst: IpAddr): { dev: string; gateway: IpAddr | null; text: string } | null {
  let best: { dev: string; gateway: IpAddr | null; text: string; prefix: number } | null = null;
  for (const r of sb.routes) {
    if (r.family !== 6 || !netContains(r.dest, dst)) continue;
    if (best && best.prefix >= r.dest.prefix) continue;
    best = { dev: r.dev, gateway: r.gateway ? parseIp(r.gateway) : null, prefix: r.dest.prefix, text: r.destination === 'default' ? `default ${r.gateway ? `via ${r.gateway} ` : ''}dev ${r.dev}` : `${r.destination} dev ${r.dev}` };
  }
  return best;
}

/** The endpoint holding `a` on any network of the host, with its network. */
function holder(host: HostState, a: IpAddr): { ep: EndpointState; net: NetworkState } | null {
  for (const net of host.networks.values()) for (const ep of net.endpoints.values()) if (ep.sandboxId && eq(ep.ipv6?.addr, a)) return { ep, net };
  return null;
}

export class Ipv6Walk {
  constructor(private readonly hops: TraceHop[] | null, private readonly listeners: (hx: HostIndex, sb: SandboxState | null) => Listener[]) {}

  private hop(node: string, iface: string, action: string, detail: string): void {
    this.hops?.push({ node, interface: iface, action, detail });
  }

  run(from: V6Side, dst: IpAddr, proto: TraceProto, port: number | undefined): V6Outcome {
    const host = from.hx.host;
    const to = formatAddr(dst);
    if (dst.value === 1n || (from.sb ? from.sb.interfaces.some((i) => eq(i.ipv6?.addr, dst)) : this.hostOwns(host, dst))) {
      this.hop(from.label, 'lo', 'loopback', `${to} is ${from.label}'s own address: delivered over the loopback interface`);
      return this.arrive(from, from, proto, port, to);
    }
    if (!from.sb) return this.fromHost(from, dst, proto, port);
    const route = sandboxV6(from.sb, dst);
    if (!route) {
      this.hop(from.label, '', 'route', `${to}: no IPv6 route (${from.sb.interfaces.some((i) => i.ipv6) ? 'none of its networks has this prefix and no IPv6 default route' : 'it has no IPv6 address: its networks are not enable_ipv6'})`);
      return { verdict: 'dropped', reason: `${from.label} has no IPv6 route to ${to} ("Network is unreachable")`, fix: `connect it to a network with enable_ipv6 and an IPv6 subnet that reaches ${to}` };
    }
    this.hop(from.label, route.dev, 'route', `${to}: ${route.gateway ? 'the IPv6 default route' : 'on-link'}: ${route.text}`);
    const iface = from.sb.interfaces.find((i) => i.name === route.dev);
    const ep = iface?.endpointId ? from.sb.endpoints.find((e) => e.id === iface.endpointId) : undefined;
    const net = ep ? host.networks.get(ep.networkId) : undefined;
    if (!ep || !net) return this.unknown(from.label, route.dev, `the tracer does not model IPv6 out of ${route.dev} of ${from.label} (an interface of no network it knows), so the engine cannot know what happens to this packet`);
    const nexthop = route.gateway ?? dst;
    if (net.parentLink) return this.parentLink(from, net, route.dev, nexthop, dst, proto, port);
    if (!net.bridge) return this.unknown(from.label, route.dev, `the tracer does not model IPv6 on ${net.driver} network ${net.name} (only bridge, macvlan and ipvlan networks), so the engine cannot know what happens to this packet`);
    const br = net.bridge.name;
    this.hop(from.label, route.dev, 'send', `out ${route.dev}, through its veth pair to ${ep.hostIfname} on the host, a port of bridge ${br}`);
    const dev = host.bridges.get(br);
    if (eq(dev?.ipv6?.addr, nexthop)) {
      this.hop(br, ep.hostIfname ?? '', 'bridge', `neighbour discovery: ${formatAddr(nexthop)} is ${br}'s own address (the IPv6 gateway): up into ${host.name}'s network stack`);
      return this.hostRouted(from, br, dst, proto, port);
    }
    const peer = holder(host, nexthop);
    if (!peer || peer.net.id !== net.id) {
      return { verdict: 'dropped', reason: `nobody on network ${net.name} (${br}) has ${formatAddr(nexthop)}: neighbour discovery gets no answer (address unreachable)`, fix: `use an address in use there (cnm inspect lists them)` };
    }
    const target = this.sandboxSide(from.hx, peer.ep);
    if (!target) return { verdict: 'dropped', reason: `${peer.ep.name} has no running sandbox` };
    this.hop(br, ep.hostIfname ?? '', 'switch', `neighbour discovery: ${formatAddr(nexthop)} is at ${peer.ep.mac ?? '?'} (${target.label}): switched from ${ep.hostIfname} to ${peer.ep.hostIfname}`);
    const real = observedRules6(host);
    if (real) {
      // Bridged IPv6 meets ip6tables only through br_netfilter (net.bridge.bridge-nf-call-ip6tables).
      if (host.observed?.bridgeNfCallIp6tables === false) this.hop(host.name, br, 'filter6 FORWARD', `(-i ${br} -o ${br}) not evaluated: net.bridge.bridge-nf-call-ip6tables is 0 on ${host.name} (read from the host), so bridged IPv6 skips ip6tables`);
      else {
        const stop = this.realChain(host, real, 'FORWARD', br, br, iface?.ipv6?.addr ?? null, dst, proto, port, 'bridged, and br_netfilter passes IPv6 through ip6tables too');
        if (stop) return stop;
      }
    } else if (ip6tablesOn(host)) {
      if (!net.bridge.enableIcc) {
        const rule = `-A FORWARD -i ${br} -o ${br} -j DROP`;
        this.hop(host.name, br, 'filter6 FORWARD', `(-i ${br} -o ${br}) bridged, and br_netfilter passes IPv6 through ip6tables too: ${rule}`);
        return { verdict: 'dropped', reason: `dropped by ${rule} (ip6tables filter FORWARD): inter-container communication is off on ${net.name}`, rule, fix: `remove com.docker.network.bridge.enable_icc=false from ${net.name}` };
      }
      this.hop(host.name, br, 'filter6 FORWARD', `(-i ${br} -o ${br}) -A FORWARD -i ${br} -o ${br} -j ACCEPT (${ip6Why(host)})`);
    } else {
      this.hop(host.name, br, 'filter6 FORWARD', `(-i ${br} -o ${br}) no rule: ${ip6Why(host)}`);
    }
    this.hop(target.label, peer.ep.ifname ?? '', 'receive', `in through ${peer.ep.hostIfname} → ${peer.ep.ifname} (${net.name}, ${peer.ep.ipv6?.address ?? ''})`);
    return this.arrive(from, target, proto, port, to);
  }

  /** A path the tracer does not follow: the verdict is `unknown`, with where it stopped as the last hop. */
  private unknown(node: string, iface: string, reason: string, fix?: string): V6Outcome {
    this.hop(node, iface, 'unknown', reason);
    return { verdict: 'unknown', reason, ...(fix ? { fix } : {}) };
  }

  /** The sender's IPv6 address on the way out (its interface toward the bridge). */
  private sourceOf(from: V6Side, inIf: string): IpAddr | null {
    const sb = from.sb;
    if (!sb) return null;
    const onBridge = sb.interfaces.find((i) => {
      const ep = i.endpointId ? sb.endpoints.find((e) => e.id === i.endpointId) : undefined;
      return i.ipv6 && ep && from.hx.host.networks.get(ep.networkId)?.bridge?.name === inIf;
    });
    return (onBridge ?? sb.interfaces.find((i) => i.name !== 'lo' && i.ipv6))?.ipv6?.addr ?? null;
  }

  /**
   * The host's real ip6tables chain (read by ip6tables-save) on the packet: a hop naming what decided,
   * and the outcome when it stops the packet (null: accepted, the walk goes on).
   */
  private realChain(host: HostState, rules: CompiledRules, chain: 'FORWARD' | 'INPUT', inIf: string, outIf: string, src: IpAddr | null, dst: IpAddr, proto: TraceProto, port: number | undefined, note?: string): V6Outcome | null {
    const dport = proto === 'icmp' ? 0 : (port ?? 0);
    const v = evaluateChain(rules, 'filter', chain, {
      inIf, outIf, src: 0, dst: 0, src6: src?.value ?? 0n, dst6: dst.value, proto, sport: 40000, dport,
      srcLocal: false, dstLocal: chain === 'INPUT', ct: 'NEW',
    });
    const where = inIf && outIf ? `-i ${inIf} -o ${outIf}` : `-i ${inIf}`;
    this.hop(host.name, inIf, `filter6 ${chain}`, `(${where}) ${note ? `${note}: ` : ''}${describe6(v)} (the host's ip6tables rules, read by ip6tables-save)`);
    if (v.verdict === 'DROP') return this.dropped(host, v, chain, '');
    // The answer (echo reply, SYN-ACK or reset) crosses FORWARD the other way, conntrack ESTABLISHED: a
    // rule without a conntrack match that names this pair drops it there, and the sender hears nothing.
    if (chain !== 'FORWARD' || !src) return null;
    const back = evaluateChain(rules, 'filter', chain, {
      inIf: outIf, outIf: inIf, src: 0, dst: 0, src6: dst.value, dst6: src.value, proto, sport: dport, dport: 40000,
      srcLocal: false, dstLocal: false, ct: 'ESTABLISHED',
    });
    if (back.verdict !== 'DROP') return null;
    this.hop(host.name, outIf, `filter6 ${chain}`, `the reply (-i ${outIf} -o ${inIf}, ${formatAddr(dst)} → ${formatAddr(src)}, ESTABLISHED): ${describe6(back)} (the host's ip6tables rules, read by ip6tables-save)`);
    return this.dropped(host, back, chain, `the ${proto === 'icmp' ? 'echo reply' : 'reply'} from ${formatAddr(dst)} is lost on the way back: `);
  }

  private dropped(host: HostState, v: ChainVerdict, chain: string, prefix: string): V6Outcome {
    const text = v.rule ? formatRule(v.rule) : `-P ${chain} DROP`;
    if (v.rule?.opaque !== undefined) {
      return { verdict: 'unknown', reason: `${prefix}${text} (ip6tables filter ${chain}) uses ${v.rule.opaque}, which the engine does not evaluate, so it cannot know whether this packet passes`, rule: text };
    }
    const whose = v.rule?.purpose === 'host' ? `the host's rule (not dockerd's)` : v.rule ? `dockerd's rule` : `the chain's policy`;
    return {
      verdict: 'dropped',
      reason: `${prefix}dropped by ${text} (ip6tables filter ${chain}, ${whose}, read from ${host.name})`,
      rule: text,
      fix: v.rule ? `ip6tables -D ${v.rule.chain} ${formatRule(v.rule).replace(/^-A \S+ /, '')} on ${host.name} (if the rule is not wanted there)` : `ip6tables -P ${chain} ACCEPT on ${host.name}, or a rule that accepts this packet`,
    };
  }

  private hostOwns(host: HostState, a: IpAddr): boolean {
    for (const b of host.bridges.values()) if (eq(b.ipv6?.addr, a)) return true;
    return host.underlay.some((u) => u.ipv6.some((x) => eq(x.addr, a)));
  }

  private sandboxSide(hx: HostIndex, ep: EndpointState): V6Side | null {
    const sb = ep.sandboxId ? hx.host.sandboxes.get(ep.sandboxId) : undefined;
    const view = ep.sandboxId ? hx.sandbox(ep.sandboxId) : null;
    return sb && view ? { hx, sb, label: view.label } : null;
  }

  /** The host routes it: to itself, or onto another IPv6 bridge. */
  private hostRouted(from: V6Side, inIf: string, dst: IpAddr, proto: TraceProto, port: number | undefined): V6Outcome {
    const host = from.hx.host;
    if (this.hostOwns(host, dst)) {
      const real = observedRules6(host);
      if (real) {
        const stop = this.realChain(host, real, 'INPUT', inIf, '', this.sourceOf(from, inIf), dst, proto, port);
        if (stop) return stop;
        return this.arrive(from, { hx: from.hx, sb: null, label: host.name }, proto, port, formatAddr(dst));
      }
      this.hop(host.name, inIf, 'filter6 INPUT', `(-i ${inIf}) policy ACCEPT: ${ip6tablesOn(host) ? 'Docker adds no INPUT rules' : ip6Why(host, 'INPUT')}`);
      return this.arrive(from, { hx: from.hx, sb: null, label: host.name }, proto, port, formatAddr(dst));
    }
    const found = holder(host, dst);
    const outBr = found?.net.bridge?.name;
    if (!found || !outBr) {
      return found
        ? this.unknown(host.name, inIf, `the tracer does not model IPv6 routed by a host into ${found.net.driver} network ${found.net.name} (${found.ep.name} has ${formatAddr(dst)} there), so the engine cannot know what happens to this packet`)
        : this.unknown(host.name, inIf, beyondHost(host, dst), OUTSIDE_FIX);
    }
    this.hop(host.name, outBr, 'route', `${formatAddr(dst)} is not the host's: forwarded (net.ipv6.conf.all.forwarding=1, set by dockerd for IPv6 networks) to ${outBr} (${found.net.name})`);
    const real = observedRules6(host);
    if (real) {
      const stop = this.realChain(host, real, 'FORWARD', inIf, outBr, this.sourceOf(from, inIf), dst, proto, port);
      if (stop) return stop;
    } else if (ip6tablesOn(host)) {
      const rule = `-A DOCKER-ISOLATION-STAGE-2 -o ${outBr} -j DROP`;
      this.hop(host.name, inIf, 'filter6 FORWARD', `(-i ${inIf} -o ${outBr}) -A FORWARD -j DOCKER-ISOLATION-STAGE-1 → -A DOCKER-ISOLATION-STAGE-1 -i ${inIf} ! -o ${inIf} -j DOCKER-ISOLATION-STAGE-2 → ${rule}`);
      return { verdict: 'dropped', reason: `dropped by ${rule} (ip6tables filter FORWARD): Docker ${host.daemon.version.text} isolates IPv6 bridge networks from each other as it does IPv4 ones`, rule, fix: `connect both containers to one network: docker network connect ${found.net.name} ${from.label}` };
    }
    this.hop(host.name, inIf, 'filter6 FORWARD', `(-i ${inIf} -o ${outBr}) no rule: ${ip6Why(host)} — so IPv6 crosses between networks that IPv4 isolation keeps apart`);
    const target = this.sandboxSide(from.hx, found.ep);
    if (!target) return { verdict: 'dropped', reason: `${found.ep.name} has no running sandbox` };
    this.hop(outBr, found.ep.hostIfname ?? '', 'switch', `neighbour discovery: ${formatAddr(dst)} is at ${found.ep.mac ?? '?'} (${target.label}): out of port ${found.ep.hostIfname}`);
    this.hop(target.label, found.ep.ifname ?? '', 'receive', `in through ${found.ep.hostIfname} → ${found.ep.ifname} (${found.net.name}, ${found.ep.ipv6?.address ?? ''})`);
    return this.arrive(from, target, proto, port, formatAddr(dst));
  }

  private fromHost(from: V6Side, dst: IpAddr, proto: TraceProto, port: number | undefined): V6Outcome {
    const host = from.hx.host;
    const found = holder(host, dst);
    if (found?.net.parentLink?.hostUnreachable) {
      return { verdict: 'dropped', reason: `${formatAddr(dst)} is ${found.ep.name}, ${aDriver(found.net.parentLink.driver)} child of ${found.net.parentLink.parent} on this host: a host cannot reach its own ${found.net.parentLink.driver} children (reference §2.6)` };
    }
    if (!found) return this.unknown(host.name, '', beyondHost(host, dst), OUTSIDE_FIX);
    const br = found.net.bridge?.name;
    if (!br) return this.unknown(host.name, '', `the tracer does not model IPv6 from a host into ${found.net.driver} network ${found.net.name} (${found.ep.name} has ${formatAddr(dst)} there), so the engine cannot know what happens to this packet`);
    if (!host.bridges.get(br)?.ipv6) {
      return { verdict: 'dropped', reason: `${host.name} has no IPv6 route to ${formatAddr(dst)}: its bridge ${br} has no IPv6 address`, fix: `create ${found.net.name} with enable_ipv6: true and an IPv6 subnet` };
    }
    this.hop(host.name, br, 'route', `${formatAddr(dst)}: on-link: ${found.net.ipv6[0] ? formatNet(found.net.ipv6[0].subnet) : ''} dev ${br} (${found.net.name})`);
    const target = this.sandboxSide(from.hx, found.ep);
    if (!target) return { verdict: 'dropped', reason: `${found.ep.name} has no running sandbox` };
    this.hop(br, found.ep.hostIfname ?? '', 'switch', `neighbour discovery: ${formatAddr(dst)} is at ${found.ep.mac ?? '?'} (${target.label}): out of port ${found.ep.hostIfname}`);
    this.hop(target.label, found.ep.ifname ?? '', 'receive', `in through ${found.ep.hostIfname} → ${found.ep.ifname} (${found.net.name}, ${found.ep.ipv6?.address ?? ''})`);
    return this.arrive(from, target, proto, port, formatAddr(dst));
  }

  private parentLink(from: V6Side, net: NetworkState, dev: string, nexthop: IpAddr, dst: IpAddr, proto: TraceProto, port: number | undefined): V6Outcome {
    const p = net.parentLink!;
    this.hop(from.label, dev, 'send', `out ${dev}, ${aDriver(p.driver)} child of ${p.parent} (${p.mode} mode): no veth, no bridge, no ip6tables on this path`);
    const peer = holder(from.hx.host, nexthop);
    if (!peer) return this.unknown(p.parent, dev, `no child of ${p.parent} on ${from.hx.host.name} has ${formatAddr(nexthop)}: it leaves through ${p.parent} onto the LAN, and the tracer does not follow IPv6 beyond this host, so the engine cannot know whether it is answered`, OUTSIDE_FIX);
    if (peer.net.id !== net.id) return this.unknown(p.parent, dev, `the tracer does not model IPv6 between ${net.name} and ${peer.net.name} (${formatAddr(nexthop)} is ${peer.ep.name} there), so the engine cannot know what happens to this packet`);
    if (p.driver === 'macvlan' && (p.mode === 'private' || p.mode === 'vepa' || p.mode === 'passthru')) {
      return { verdict: 'dropped', reason: `${net.name} is a macvlan network in ${p.mode} mode: its children do not reach each other directly (see the IPv4 trace for why)`, fix: `use macvlan_mode bridge on ${net.name}` };
    }
    const target = this.sandboxSide(from.hx, peer.ep);
    if (!target || !eq(peer.ep.ipv6?.addr, dst)) return { verdict: 'dropped', reason: `${formatAddr(dst)} is not reachable on ${net.name}` };
    this.hop(p.parent, dev, 'switch', `${p.driver} ${p.mode}: ${formatAddr(nexthop)} is ${peer.ep.name}, another child of ${p.parent}: switched in the kernel`);
    this.hop(target.label, peer.ep.ifname ?? '', 'receive', `in through ${peer.ep.ifname} (${net.name}, ${peer.ep.ipv6?.address ?? ''})`);
    return this.arrive(from, target, proto, port, formatAddr(dst));
  }

  /** At the destination: the kernel answers ICMPv6 echo; TCP/UDP need a listener (sockets listen on both families). */
  private arrive(from: V6Side, at: V6Side, proto: TraceProto, port: number | undefined, to: string): V6Outcome {
    const back = `the reply goes back the same way${ip6tablesOn(from.hx.host) ? ' (ip6tables conntrack: ESTABLISHED)' : ''} to ${from.label}`;
    if (proto === 'icmp') {
      this.hop(at.label, '', 'deliver', `the kernel of ${at.label} answers the ICMPv6 echo request to ${to}; ${back}`);
      return { verdict: 'delivered', reason: `${at.label} answered the ping over IPv6 (ICMPv6 echo reply from ${to})` };
    }
    // Unbound (a file's listen): a dual-stack socket. Read from a live host: [::] or this very address.
    const v6Bind = (b: string | undefined) => b === undefined || b === '::' || b.toLowerCase() === to.toLowerCase();
    const l = this.listeners(at.hx, at.sb).find((x) => x.port === port && x.proto === proto && v6Bind(x.bind));
    if (l) {
      this.hop(at.label, '', 'deliver', `${l.container.name} listens on ${port}/${proto} (${l.bind === undefined ? 'a dual-stack socket: IPv4 and IPv6' : `bound to [${l.bind}]`}): ${proto === 'tcp' ? 'connection accepted' : 'datagram received'}; ${back}`);
      return { verdict: 'delivered', reason: `${l.container.name} accepts [${to}]:${port}/${proto} over IPv6` };
    }
    const other = this.listeners(at.hx, at.sb).find((x) => x.port === port && x.proto === proto);
    if (other) {
      const only = other.bind === '0.0.0.0' ? 'on IPv4 only (0.0.0.0)' : `only on ${other.bind}`;
      this.hop(at.label, '', 'refuse', `${other.container.name} listens on ${port}/${proto} ${only}, not on [${to}]: ${proto === 'tcp' ? 'the kernel answers with a TCP reset' : 'ICMPv6 port unreachable'}; ${back}`);
      return { verdict: 'refused', reason: `${other.container.name}'s process listens on ${port}/${proto} ${only}: [${to}]:${port} is refused`, fix: `make the process listen on [::]:${port} (IPv6 and IPv4)` };
    }
    this.hop(at.label, '', 'refuse', `nothing listens on ${port}/${proto}: ${proto === 'tcp' ? 'the kernel answers with a TCP reset' : 'ICMPv6 port unreachable'}; ${back}`);
    return { verdict: 'refused', reason: `nothing in ${at.label} listens on ${port}/${proto}: it answers [${to}]:${port} with ${proto === 'tcp' ? 'a TCP reset ("Connection refused")' : 'ICMPv6 port unreachable'}`, fix: `make its process listen on ${port}/${proto} (listen: ["${port}/${proto}"])` };
  }
}

/** The IPv6 addresses a container's resolver returns for `name` (AAAA), or none. */
export function v6Only(addrs: readonly string[]): IpAddr[] {
  return addrs.map(parseIp).filter((a): a is IpAddr => !!a && a.family === 6);
}

