// The packet tracer: from a container or a host, to a name or address, with ICMP echo, TCP or UDP.
// It resolves the name as the source would, walks the packet hop by hop (walk.ts), decides at the
// destination's socket (a listening process, docker-proxy, or nothing: refused), checks that the
// reply gets back (conntrack ESTABLISHED), and explains a failure with the rule or condition and a fix.
import { resolveName } from '../dns';
import type { ContainerState, EngineState, HostState, ServiceState } from '../model';
import { INGRESS_SANDBOX_ID, replicaForConnection, routingMesh, type MeshEntry } from '../swarm/services';
import { formatRule } from '../netfilter/format';
import { stateStamp } from '../netfilter/stamp';
import { causeVerdict, explainCause, type Explanation, type TraceSides } from './explain';
import { buildHostIndex, formatV4, isLoopback, parseV4, type HostIndex, type Listener, type ProxyBinding, type V4 } from './hostIndex';
import type { ListeningLookup, TraceHop, TraceOptions, TraceProto, TraceQuery, TraceResult, Verdict } from './types';
import { Walker, type Cause, type Leg, type Ns, type Pkt, type WorldIndex } from './walk';
import { Ipv6Walk, v6Only } from './ipv6';
import { formatAddr, parseIp, type IpAddr } from '../ip';

/** A question the tracer cannot answer because it is malformed (unknown source, no port for TCP…). */
export class TraceInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceInputError';
  }
}

const EPHEMERAL_PORT = 40000;

interface Source {
  readonly hx: HostIndex;
  readonly ns: Ns | null;
  readonly container: ContainerState | null;
  /** Why it cannot send at all (not running). */
  readonly down?: string;
}

interface Outcome {
  verdict: Verdict;
  reason: string;
  fix?: string;
  rule?: string;
}

export class Tracer {
  private readonly hostIndexes = new Map<string, HostIndex>();
  private readonly stamps = new Map<string, string>();
  private readonly nsCache = new Map<string, Ns | null>();
  private readonly meshCache = new Map<string, readonly MeshEntry[]>();
  private readonly world: WorldIndex;

  constructor(
    readonly state: EngineState,
    private readonly options: TraceOptions = {},
  ) {
    const hostNs = (hx: HostIndex): Ns =>
      this.ns(`${hx.host.name}\0host`, () => ({ kind: 'host', hx, view: null, label: hx.host.name, key: `${hx.host.name}\0host` }))!;
    this.world = {
      hosts: this.hostIndexes,
      underlayOwner: new Map(),
      hostNs,
      sandboxNs: (hx, sandboxId) =>
        this.ns(`${hx.host.name}\0${sandboxId}`, () => {
          const view = hx.sandbox(sandboxId);
          if (!view) return null;
          if (view.sb.hostNetwork) return hostNs(hx);
          const label = sandboxId === INGRESS_SANDBOX_ID ? `ingress-sbox on ${hx.host.name}` : view.label;
          return { kind: 'sandbox', hx, view, label, key: `${hx.host.name}\0${sandboxId}` };
        }),
      mesh: (hx) => {
        let m = this.meshCache.get(hx.host.name);
        if (!m) this.meshCache.set(hx.host.name, (m = routingMesh(this.state, hx.host.name)));
        return m;
      },
    };
    this.refresh();
  }

  get listening(): ListeningLookup | undefined {
    return this.options.listening;
  }

  private ns(key: string, make: () => Ns | null): Ns | null {
    if (this.nsCache.has(key)) return this.nsCache.get(key)!;
    const ns = make();
    this.nsCache.set(key, ns);
    return ns;
  }

  /** Rebuilds the indexes of hosts whose state changed since; cheap when nothing did. */
  refresh(): void {
    let changed = this.hostIndexes.size !== this.state.hosts.size;
    for (const [name, host] of this.state.hosts) {
      const stamp = stateStamp(host);
      if (this.stamps.get(name) === stamp && this.hostIndexes.has(name)) continue;
      this.hostIndexes.set(name, buildHostIndex(host, this.options.listening));
      this.stamps.set(name, stamp);
      changed = true;
    }
    for (const name of [...this.hostIndexes.keys()]) if (!this.state.hosts.has(name)) this.hostIndexes.delete(name);
    if (!changed) return;
    this.nsCache.clear();
    this.meshCache.clear();
    const owners = this.world.underlayOwner;
    owners.clear();
    for (const hx of this.hostIndexes.values()) for (const u of hx.underlay) owners.set(u.addr, { hx, iface: u.name, net: u.route });
  }

  hostIndex(name: string): HostIndex | undefined {
    return this.hostIndexes.get(name);
  }

  /** Traces one packet (with every hop). */
  trace(q: TraceQuery): TraceResult {
    this.refresh();
    return this.run(q, []);
  }

  /** The verdict only, without hop texts or explanations (the reachability matrix). */
  verdict(q: TraceQuery): Verdict {
    this.refresh();
    this.explain = false;
    try {
      return this.run(q, null).verdict;
    } finally {
      this.explain = true;
    }
  }

  /** Whether outcomes get their reason and fix (not in verdict-only runs). */
  private explain = true;

  private run(q: TraceQuery, hops: TraceHop[] | null): TraceResult {
    if ((q.proto === 'tcp' || q.proto === 'udp') && (q.port === undefined || !Number.isInteger(q.port) || q.port < 1 || q.port > 65535)) {
      throw new TraceInputError(`${q.proto.toUpperCase()} needs a port between 1 and 65535`);
    }
    const src = this.locateSource(q);
    const done = (o: Outcome, address?: V4): TraceResult => ({
      verdict: o.verdict,
      reason: o.reason,
      ...(o.fix ? { fix: o.fix } : {}),
      hops: hops ?? [],
      ...(o.rule ? { rule: o.rule } : {}),
      ...(address !== undefined ? { address: formatV4(address) } : {}),
    });
    if (src.down || !src.ns) return done({ verdict: 'dropped', reason: src.down ?? `${q.from} has no network namespace`, fix: src.container ? `start it: docker start ${src.container.name}` : undefined });
    const ns = src.ns;
    const literal6 = q.to.includes(':') ? parseIp(q.to.replace(/^\[|\]$/g, '')) : null;
    if (literal6?.family === 6 || (q.family === 6 && parseV4(q.to) === null)) return this.runV6(src, q, literal6, hops);

    const resolved = this.resolveTarget(src, q.to, hops);
    if ('unresolved' in resolved) {
      if (resolved.unresolved.verdict === 'unresolved') hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${q.to}: no address (${this.resolverOf(src)})` });
      return done(resolved.unresolved);
    }
    const dst = resolved.address;

    const lb = this.serviceVip(src, dst, hops);
    if (lb && 'fail' in lb) return done(lb.fail, dst);
    const pkt: Pkt = { src: 0, dst: lb?.backend ?? dst, proto: q.proto, sport: q.proto === 'icmp' ? 0 : EPHEMERAL_PORT, dport: q.proto === 'icmp' ? 0 : q.port! };
    const walker = new Walker(this.world, hops, false);
    const leg = walker.send(ns, pkt, false);
    const outcome = this.conclude(src, ns, leg, walker, hops, pkt.dst, 0);
    return done(lb && this.explain ? { ...outcome, reason: `${outcome.reason} ${lb.note}` } : outcome, dst);
  }

  /** The same question over IPv6 (ipv6.ts): a literal, or a name resolved to its AAAA answer. */
  private runV6(src: Source, q: TraceQuery, literal: IpAddr | null, hops: TraceHop[] | null): TraceResult {
    const ns = src.ns!;
    const done = (o: { verdict: Verdict; reason: string; fix?: string; rule?: string }, a?: IpAddr): TraceResult => ({
      verdict: o.verdict, reason: o.reason, ...(o.fix ? { fix: o.fix } : {}), hops: hops ?? [], ...(o.rule ? { rule: o.rule } : {}), ...(a ? { address: formatAddr(a) } : {}),
    });
    let dst = literal;
    if (!dst) {
      if (!src.container) return done({ verdict: 'unresolved', reason: `${src.hx.host.name}'s own resolver does not know "${q.to}": Docker's DNS answers containers only`, fix: 'use the IPv6 address instead' });
      const all = resolveName(src.hx.host, src.container, q.to, this.state.swarm);
      const six = v6Only(all);
      if (six.length === 0) {
        hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${q.to} (AAAA): no IPv6 address${all.length ? ` — only ${all.join(', ')}` : ''}` });
        return done(all.length
          ? { verdict: 'unresolved', reason: `"${q.to}" has no IPv6 address: the AAAA answer is empty because the network they share is not enable_ipv6 (it resolves to ${all.join(', ')} over IPv4)`, fix: 'create the network with enable_ipv6: true and an IPv6 subnet, or trace over IPv4' }
          : this.unresolvedFromContainer(src, q.to));
      }
      dst = six[0]!;
      hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${q.to} (AAAA) → ${six.map(formatAddr).join(', ')} (${this.howResolved(src, q.to.toLowerCase())})` });
    }
    const walk = new Ipv6Walk(hops, (hx, sb) => {
      const view = sb ? hx.sandbox(sb.id) : null;
      return view ? hx.listeners(view.containers) : hx.hostListeners();
    });
    const side = { hx: src.hx, sb: ns.kind === 'sandbox' ? ns.view!.sb : null, label: ns.label };
    return done(walk.run(side, dst, q.proto, q.port), dst);
  }

  /**
   * A service's virtual IP (reference §4.2): IPVS in the source's own namespace (fwmark per service,
   * scheduler rr, NAT) sends the connection to one task; the engine's replicaForConnection says which.
   */
  private serviceVip(src: Source, dst: V4, hops: TraceHop[] | null): { backend: V4; note: string } | { fail: Outcome } | null {
    const sb = src.container?.sandboxId ? src.hx.host.sandboxes.get(src.container.sandboxId) : undefined;
    if (!sb || this.state.swarm.services.size === 0) return null;
    const mine = new Set(sb.endpoints.map((e) => e.networkId));
    for (const svc of this.state.swarm.services.values()) {
      const vip = svc.vips.find((v) => parseV4(v.address) === dst && mine.has(v.networkId));
      if (!vip) continue;
      const netName = src.hx.host.networks.get(vip.networkId)?.name ?? vip.networkId.slice(0, 12);
      const task = replicaForConnection(svc);
      const addr = task?.addresses.find((a) => a.networkId === vip.networkId)?.address;
      const backend = addr ? parseV4(addr) : null;
      if (!task || backend === null) {
        return { fail: { verdict: 'dropped', reason: `${vip.address} is the virtual IP of service ${svc.name} on ${netName}, but the service has no task there: IPVS has no real server to send it to`, fix: `scale it up: docker service scale ${svc.name}=1` } };
      }
      hops?.push({ node: src.ns!.label, interface: '', action: 'ipvs', detail: `${vip.address} is the virtual IP of service ${svc.name} on ${netName}: the mangle table in ${src.ns!.label} marks it with the service's fwmark and IPVS (scheduler rr, NAT mode) rewrites the destination to a task: ${this.whichReplica(svc, vip.networkId)}` });
      return { backend, note: `(through service ${svc.name}'s virtual IP ${vip.address}: IPVS sent the connection to ${task.name} at ${addr} on ${task.host})` };
    }
    return null;
  }

  /** Which task connection 0 lands on, and why (IPVS rr over the tasks in slot order). */
  private whichReplica(svc: ServiceState, networkId: string): string {
    const n = svc.tasks.length;
    const task = replicaForConnection(svc)!;
    const addrOf = (t: typeof task) => t.addresses.find((a) => a.networkId === networkId)?.address ?? '?';
    const next = n > 1 ? `; connection 2 would go to ${replicaForConnection(svc, 1)!.name.split('.').slice(0, 2).join('.')}${n > 2 ? `, connection 3 to ${replicaForConnection(svc, 2)!.name.split('.').slice(0, 2).join('.')}` : ''}` : '';
    return `task ${task.name} at ${addrOf(task)} on ${task.host} — IPVS round robin walks the ${n} task${n === 1 ? '' : 's'} in slot order and a trace is the first connection (tasks[(firstBackend ${svc.firstBackend} + 0) mod ${n}])${next}`;
  }

  /** The ingress-sbox got a routing-mesh connection: IPVS picks a task, SNATs, and sends it over the ingress overlay. */
  private throughMesh(origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, m: MeshEntry, sides: () => TraceSides): Outcome {
    const sbox = leg.ns;
    const svc = m.service;
    const task = replicaForConnection(svc);
    const backend = task ? m.backends.find((b) => b.task === task) : undefined;
    const addr = backend ? parseV4(backend.address) : null;
    const sboxAddr = m.sboxIngressAddress ? parseV4(m.sboxIngressAddress) : null;
    if (!task || !backend || addr === null || sboxAddr === null) {
      return { verdict: 'dropped', reason: `port ${m.published}/${m.proto} belongs to service ${svc.name} on the routing mesh, but the service has no task on the ingress network: IPVS in the ingress-sbox has no real server`, fix: `scale it up: docker service scale ${svc.name}=1` };
    }
    const list = m.backends.map((b) => `${b.task.name.split('.').slice(0, 2).join('.')} ${b.address} on ${b.task.host}`).join(', ');
    hops?.push({ node: sbox.label, interface: leg.iface, action: 'ipvs', detail: `mangle PREROUTING marks ${m.proto} dport ${m.published} with service ${svc.name}'s fwmark; IPVS on that mark has ${m.backends.length} real server${m.backends.length === 1 ? '' : 's'} (${list}) and sends the connection to ${this.whichReplica(svc, this.state.swarm.ingressNetworkId ?? '')}` });
    const subnet = sbox.hx.host.networks.get(this.state.swarm.ingressNetworkId ?? '')?.ipv4[0]?.subnet;
    const sub = subnet ? `${formatV4(Number(subnet.base) >>> 0)}/${subnet.prefix}` : 'the ingress subnet';
    hops?.push({ node: sbox.label, interface: '', action: 'SNAT', detail: `-A POSTROUTING -d ${sub} -m ipvs --ipvs -j SNAT --to-source ${m.sboxIngressAddress}: source → ${m.sboxIngressAddress}, destination → ${backend.address}:${m.target} (the task sees the ingress-sbox, not the client)` });
    const pkt: Pkt = { src: sboxAddr, dst: addr, proto: leg.pkt.proto, sport: EPHEMERAL_PORT + 2, dport: m.target };
    const inner = new Walker(this.world, hops, false);
    const innerLeg = inner.send(sbox, pkt, true);
    const backendOutcome = this.conclude({ hx: sbox.hx, ns: sbox, container: null }, sbox, innerLeg, inner, hops, addr, 1);
    const what = backendOutcome.verdict === 'delivered' ? (leg.pkt.proto === 'tcp' ? 'SYN-ACK' : '') : backendOutcome.verdict === 'refused' ? (leg.pkt.proto === 'tcp' ? 'reset (RST)' : 'port unreachable') : '';
    if (backendOutcome.verdict === 'dropped' || backendOutcome.verdict === 'unknown') return { ...backendOutcome, reason: `routing mesh → ${task.name}: ${backendOutcome.reason}` };
    const client = this.withReply(origin, leg, walker, hops, sides, backendOutcome, what);
    if (client !== backendOutcome) return client;
    return {
      ...backendOutcome,
      reason: `routing mesh: ${formatV4(walker.nat.find((n) => n.kind === 'dnat')?.before ?? leg.pkt.dst)}:${m.published} → ingress-sbox → IPVS → ${task.name} (${backend.address}:${m.target} on ${task.host}): ${backendOutcome.reason}`,
    };
  }

  /** What happens where the packet arrives (or why it did not). */
  private conclude(src: Source, origin: Ns, leg: Leg, walker: Walker, hops: TraceHop[] | null, dst: V4, depth: number): Outcome {
    const sides = (): TraceSides => ({ source: src.container, sourceNs: origin, target: this.ownerOf(dst), address: dst, ownerOf: (a) => this.ownerOf(a) });
    if (!leg.ok) {
      const verdict = causeVerdict(leg.cause);
      if (!this.explain) return { verdict, reason: '' };
      const e = explainCause(leg.cause, sides());
      if (verdict === 'unknown') this.unknownHop(hops, leg.cause, origin, e.reason);
      return { verdict, ...e };
    }
    const { ns, pkt } = leg;
    if (ns.kind === 'sandbox' && ns.view!.sb.id === INGRESS_SANDBOX_ID && pkt.proto !== 'icmp' && depth === 0) {
      const m = this.world.mesh(ns.hx).find((e) => e.published === pkt.dport && e.proto === pkt.proto);
      if (m) return this.throughMesh(origin, leg, walker, hops, m, sides);
    }
    const where = `${formatV4(pkt.dst)}${pkt.proto === 'icmp' ? '' : `:${pkt.dport}`}`;
    if (pkt.proto === 'icmp') {
      hops?.push({ node: ns.label, interface: leg.iface, action: 'deliver', detail: `the kernel of ${ns.label} answers the ICMP echo request to ${formatV4(pkt.dst)}` });
      return this.withReply(origin, leg, walker, hops, sides, { verdict: 'delivered', reason: `${ns.label} answered the ping (ICMP echo reply)${this.viaNat(walker)}` }, 'echo reply');
    }
    const listener = ns.kind === 'sandbox'
      ? this.findListener(ns.hx.listeners(ns.view!.containers), pkt)
      : this.findListener(ns.hx.hostListeners(), pkt);
    if (listener) {
      hops?.push({ node: ns.label, interface: leg.iface, action: 'deliver', detail: `${listener.container.name} listens on ${pkt.dport}/${pkt.proto}: ${pkt.proto === 'tcp' ? 'connection accepted' : 'datagram received'}` });
      return this.withReply(origin, leg, walker, hops, sides, { verdict: 'delivered', reason: `${listener.container.name} accepts ${where}/${pkt.proto}${this.viaNat(walker)}` }, pkt.proto === 'tcp' ? 'SYN-ACK' : '');
    }
    if (ns.kind === 'host') {
      const proxy = this.findProxy(ns.hx, pkt);
      if (proxy && depth === 0) return this.throughProxy(origin, leg, walker, hops, proxy, sides);
    }
    // Nobody listens: TCP reset / ICMP port unreachable, which must get back to be seen.
    hops?.push({ node: ns.label, interface: leg.iface, action: 'refuse', detail: `nothing listens on ${pkt.dport}/${pkt.proto}: ${pkt.proto === 'tcp' ? 'the kernel answers with a TCP reset' : 'the kernel answers ICMP port unreachable'}` });
    const why = this.explain ? this.explainRefused(ns, pkt) : { reason: '' };
    return this.withReply(origin, leg, walker, hops, sides, { verdict: 'refused', ...why }, pkt.proto === 'tcp' ? 'reset (RST)' : 'port unreachable');
  }

  private viaNat(walker: Walker): string {
    const d = walker.nat.find((n) => n.kind === 'dnat');
    return d ? ` (published port ${formatV4(d.before)}:${d.beforePort} → ${formatV4(d.after)}:${d.afterPort} by DNAT on ${d.host})` : '';
  }

  /** docker-proxy accepted the client; it then connects to the container itself. */
  private throughProxy(origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, proxy: ProxyBinding, sides: () => TraceSides): Outcome {
    const hx = leg.ns.hx;
    const b = proxy.binding;
    const backend = parseV4(b.containerIp)!;
    const userland = hx.host.daemon.userlandProxy;
    if (!userland) {
      hops?.push({ node: hx.host.name, interface: leg.iface, action: 'deliver', detail: `dockerd's placeholder socket holds ${b.hostIp}:${b.hostPort}/${b.proto} (userland-proxy=false): it accepts but forwards nothing` });
      return this.withReply(origin, leg, walker, hops, sides, {
        verdict: 'delivered',
        reason: `only dockerd's placeholder socket listens on ${b.hostIp}:${b.hostPort}/${b.proto} (userland-proxy is off): the connection opens but reaches no container`,
        fix: `connect to a host address the DNAT rule matches${b.hostIp === '0.0.0.0' ? '' : ` (${b.hostIp})`}`,
      }, b.proto === 'tcp' ? 'SYN-ACK' : '');
    }
    hops?.push({ node: hx.host.name, interface: leg.iface, action: 'docker-proxy', detail: `docker-proxy listens on ${b.hostIp}:${b.hostPort}/${b.proto} for ${proxy.container.name}: it accepts and opens its own connection to ${b.containerIp}:${b.containerPort}` });
    const pkt: Pkt = { src: 0, dst: backend, proto: leg.pkt.proto, sport: EPHEMERAL_PORT + 1, dport: b.containerPort };
    const inner = new Walker(this.world, hops, false);
    const innerLeg = inner.send(this.world.hostNs(hx), pkt, false);
    const hostSource: Source = { hx, ns: this.world.hostNs(hx), container: null };
    const backendOutcome = this.conclude(hostSource, this.world.hostNs(hx), innerLeg, inner, hops, backend, 1);
    if (leg.pkt.proto === 'udp') {
      // docker-proxy's UDP replyLoop (proxy/udp_proxy.go) ignores ECONNREFUSED from the container and keeps
      // waiting: the client never hears the port unreachable, it just gets no answer.
      if (backendOutcome.verdict === 'refused') {
        return {
          verdict: 'dropped',
          reason: `through docker-proxy on ${b.hostIp}:${b.hostPort}: ${backendOutcome.reason}; docker-proxy ignores that ICMP port unreachable, so the client gets no answer at all`,
          ...(backendOutcome.fix ? { fix: backendOutcome.fix } : {}),
        };
      }
      return { ...backendOutcome, reason: `through docker-proxy on ${b.hostIp}:${b.hostPort}: ${backendOutcome.reason}` };
    }
    // TCP: the client's connection is with docker-proxy; it succeeds whatever the backend says.
    const clientSide = this.withReply(origin, leg, walker, hops, sides, { verdict: 'delivered', reason: '' }, 'SYN-ACK from docker-proxy');
    if (clientSide.verdict !== 'delivered') return clientSide;
    const skipped = walker.skippedDnat;
    const why = skipped ? ` (packets from ${skipped.match.in?.value} are not DNATed: ${formatRule(skipped)})` : '';
    if (backendOutcome.verdict === 'delivered') {
      return { verdict: 'delivered', reason: `docker-proxy on ${b.hostIp}:${b.hostPort}${why} relays the connection to ${proxy.container.name} (${b.containerIp}:${b.containerPort}): ${backendOutcome.reason}` };
    }
    if (backendOutcome.verdict === 'unknown') {
      return { verdict: 'delivered', reason: `docker-proxy on ${b.hostIp}:${b.hostPort} accepts the connection; what becomes of its own connection to ${proxy.container.name} (${b.containerIp}:${b.containerPort}) the engine cannot know: ${backendOutcome.reason}` };
    }
    return {
      verdict: 'delivered',
      reason: `docker-proxy on ${b.hostIp}:${b.hostPort} accepts the connection, but its own connection to ${proxy.container.name} (${b.containerIp}:${b.containerPort}) is ${backendOutcome.verdict}: ${backendOutcome.reason}; the client sees the connection open and close at once`,
      ...(backendOutcome.fix ? { fix: backendOutcome.fix } : {}),
    };
  }

  /** The reply must come home (conntrack ESTABLISHED) for the sender to see anything. */
  private withReply(origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, sides: () => TraceSides, ok: Outcome, what: string): Outcome {
    const rp: Pkt = { src: leg.pkt.dst, dst: leg.pkt.src, proto: leg.pkt.proto, sport: leg.pkt.dport, dport: leg.pkt.sport };
    const replyHops: TraceHop[] | null = hops ? [] : null;
    const route = `${formatV4(rp.src)} → ${formatV4(rp.dst)}`;
    const back = new Walker(this.world, replyHops, true, walker.nat).send(leg.ns, rp, true);
    if (back.ok && back.ns.key === origin.key) {
      if (hops) {
        const filters = replyHops!.filter((h) => h.action.startsWith('filter ') && !h.detail.endsWith('policy ACCEPT (no rule matched)')).map((h) => `${h.action}: ${h.detail}`);
        hops.push({
          node: leg.ns.label,
          interface: leg.iface,
          action: 'reply',
          detail: `the ${what ? `${what} ` : 'reply '}${route} gets back to ${origin.label} (conntrack: ESTABLISHED)${filters.length ? `; ${filters.join('; ')}` : ''}`,
        });
      }
      return ok;
    }
    if (hops) for (const h of replyHops!) hops.push({ ...h, action: `reply ${h.action}` });
    if (!back.ok) {
      const verdict = causeVerdict(back.cause);
      if (!this.explain) return { verdict, reason: '' };
      const e = explainCause(back.cause, sides());
      if (verdict === 'unknown') {
        this.unknownHop(hops, back.cause, leg.ns, e.reason);
        return { verdict, reason: `the request arrives, but the engine cannot follow the ${what || 'reply'} back: ${e.reason}`, ...(e.fix ? { fix: e.fix } : {}) };
      }
      return { verdict, reason: `the request arrives, but the ${what || 'reply'} is lost on the way back: ${e.reason}`, ...(e.fix ? { fix: e.fix } : {}), ...(e.rule ? { rule: e.rule } : {}) };
    }
    return { verdict: 'dropped', reason: `the request arrives, but the ${what || 'reply'} goes to ${back.ns.label} instead of ${origin.label}` };
  }

  /** The last hop of a path the engine cannot follow further: where it leaves what is modelled. */
  private unknownHop(hops: TraceHop[] | null, cause: Cause, origin: Ns, reason: string): void {
    if (!hops) return;
    const node = cause.kind === 'outside' ? cause.hx.host.name : hops[hops.length - 1]?.node ?? origin.label;
    const iface = cause.kind === 'outside' ? cause.dev ?? '' : '';
    hops.push({ node, interface: iface, action: 'unknown', detail: reason });
  }

  private findListener(listeners: Listener[], pkt: Pkt): Listener | null {
    for (const l of listeners) if (l.port === pkt.dport && l.proto === pkt.proto) return l;
    return null;
  }

  private findProxy(hx: HostIndex, pkt: Pkt): ProxyBinding | null {
    const list = hx.proxies.get(`${pkt.proto}/${pkt.dport}`);
    if (!list) return null;
    for (const p of list) if (p.hostIp === pkt.dst || p.hostIp === 0) return p;
    return null;
  }

  private explainRefused(ns: Ns, pkt: Pkt): Explanation {
    const what = `${pkt.dport}/${pkt.proto}`;
    const kernel = pkt.proto === 'tcp' ? 'a TCP reset ("Connection refused")' : 'ICMP port unreachable';
    if (ns.kind === 'sandbox') {
      const ls = ns.hx.listeners(ns.view!.containers);
      const list = ls.map((l) => `${l.port}/${l.proto}`).join(', ');
      const c = ns.view!.containers[0]?.name ?? ns.label;
      const loop = isLoopback(pkt.dst) ? `; ${formatV4(pkt.dst)} inside a container is the container itself, not the host` : '';
      return {
        reason: `nothing in ${ns.label} listens on ${what} (${ls.length ? `it listens on ${list}` : 'it listens on nothing'}): ${c} answers with ${kernel}${loop}`,
        fix: isLoopback(pkt.dst)
          ? `to reach a port published on the host, use the host's address as the container sees it (its gateway), not 127.0.0.1`
          : ls.length ? `use a port it listens on (${list}), or make its process listen on ${what} (${listenFix(ls.filter((l) => l.container === ns.view!.containers[0]), what)})` : `make its process listen on ${what} (listen: ["${what}"])`,
      };
    }
    const hx = ns.hx;
    const others = (hx.proxies.get(`${pkt.proto}/${pkt.dport}`) ?? []).filter((p) => p.hostIp !== pkt.dst && p.hostIp !== 0);
    if (others.length > 0) {
      const o = others[0]!;
      return {
        reason: `port ${pkt.dport}/${pkt.proto} is published only on ${o.binding.hostIp} (by ${o.container.name}), so nothing listens on ${formatV4(pkt.dst)}:${pkt.dport}: ${hx.host.name} answers with ${kernel}`,
        fix: `publish it on every address ("${pkt.dport}:${o.binding.containerPort}${pkt.proto === 'udp' ? '/udp' : ''}"), or connect to ${o.binding.hostIp}:${pkt.dport} from the host itself`,
      };
    }
    return {
      reason: `nothing listens on ${formatV4(pkt.dst)}:${pkt.dport}/${pkt.proto} on host ${hx.host.name}: no container publishes ${what} there, so the host answers with ${kernel}`,
      fix: `publish the container's port on the host, e.g. ports: ["${pkt.dport}:<container port>${pkt.proto === 'udp' ? '/udp' : ''}"]`,
    };
  }

  /** The container (by endpoint) that owns an address, on any host. */
  private ownerOf(a: V4): TraceSides['target'] {
    for (const hx of this.hostIndexes.values()) {
      const ep = hx.endpointsByV4.get(a);
      if (ep) return { hx, ep, container: hx.containersById.get(ep.containerId) ?? null };
    }
    return null;
  }

  // ------------------------------------------------------------------ the source

  private locateSource(q: TraceQuery): Source {
    const hosts = q.host !== undefined ? [this.hostIndexes.get(q.host)] : [...this.hostIndexes.values()];
    if (q.host !== undefined && !hosts[0]) throw new TraceInputError(`no host "${q.host}"`);
    const matches: { hx: HostIndex; c: ContainerState }[] = [];
    for (const hx of hosts) {
      const c = hx!.containersByName.get(q.from);
      if (c) matches.push({ hx: hx!, c });
    }
    if (matches.length > 1) throw new TraceInputError(`"${q.from}" names a container on several hosts (${matches.map((m) => m.hx.host.name).join(', ')}); say which host`);
    if (matches.length === 1) {
      const { hx, c } = matches[0]!;
      if (c.status !== 'running') return { hx, ns: null, container: c, down: `${c.name} is not running (${c.status}), so it sends nothing` };
      if (c.modeKind === 'host') {
        const hostNs = this.world.hostNs(hx);
        return { hx, ns: { ...hostNs, label: `${c.name} (host network of ${hx.host.name})` }, container: c };
      }
      const ns = c.sandboxId ? this.world.sandboxNs(hx, c.sandboxId) : null;
      if (!ns) return { hx, ns: null, container: c, down: `${c.name} has no network namespace` };
      return { hx, ns, container: c };
    }
    const hx = this.hostIndexes.get(q.from);
    if (hx && (q.host === undefined || q.host === q.from)) return { hx, ns: this.world.hostNs(hx), container: null };
    throw new TraceInputError(`no container or host named "${q.from}"`);
  }

  // ------------------------------------------------------------------ the destination

  private resolveTarget(src: Source, to: string, hops: TraceHop[] | null): { address: V4 } | { unresolved: Outcome } {
    const node = src.ns!.label;
    const literal = parseV4(to);
    if (literal !== null) return { address: literal };
    if (to.includes(':')) {
      return { unresolved: { verdict: 'unresolved', reason: `${to} is not an IPv4 address nor an IPv6 one`, fix: 'write IPv6 addresses in brackets, e.g. [fd00::2]:80' } };
    }
    const name = to.toLowerCase().replace(/\.$/, '');
    if (!src.container) {
      if (name === 'localhost') {
        hops?.push({ node, interface: '', action: 'resolve', detail: 'localhost → 127.0.0.1 (/etc/hosts)' });
        return { address: parseV4('127.0.0.1')! };
      }
      return { unresolved: this.unresolvedFromHost(src.hx, to) };
    }
    const addrs = resolveName(src.hx.host, src.container, to, this.state.swarm).map(parseV4).filter((a): a is V4 => a !== null);
    if (addrs.length === 0) return { unresolved: this.unresolvedFromContainer(src, to) };
    const how = this.howResolved(src, name);
    hops?.push({
      node, interface: '', action: 'resolve',
      detail: `${to} → ${addrs.map(formatV4).join(', ')} (${how})${addrs.length > 1 ? `; Docker shuffles the answers, tracing ${formatV4(addrs[0]!)}` : ''}`,
    });
    return { address: addrs[0]! };
  }

  /** Which resolver the source asks. */
  private resolverOf(src: Source): string {
    const c = src.container;
    if (!c) return `${src.hx.host.name}'s own resolver`;
    if (c.modeKind === 'host') return "the host's resolver (host network)";
    const sb = c.sandboxId ? src.hx.host.sandboxes.get(c.sandboxId) : undefined;
    return sb?.resolverStarted ? "/etc/hosts, then Docker's embedded DNS at 127.0.0.11" : "/etc/hosts, then the daemon's DNS servers (no embedded DNS)";
  }

  private howResolved(src: Source, name: string): string {
    const c = src.container!;
    const sb = c.sandboxId ? src.hx.host.sandboxes.get(c.sandboxId) : undefined;
    if (name === 'localhost') return '/etc/hosts';
    if (sb?.hostsEntries.some((e) => e.names.some((n) => n.toLowerCase() === name))) return '/etc/hosts';
    if (sb) {
      for (const ep of sb.endpoints) {
        const net = src.hx.host.networks.get(ep.networkId);
        for (const svc of this.state.swarm.services.values()) {
          if (!net || !svc.networks.includes(net.id)) continue;
          const lower = svc.name.toLowerCase();
          if (name === `tasks.${lower}`) return `Docker's embedded DNS: tasks.${svc.name} answers every task's address on ${net.name} (${svc.tasks.length} task${svc.tasks.length === 1 ? '' : 's'})`;
          if (name === lower) {
            return svc.endpointMode === 'dnsrr'
              ? `Docker's embedded DNS: service ${svc.name} has endpoint_mode dnsrr, so its name answers every task's address on ${net.name} (no virtual IP)`
              : `Docker's embedded DNS: service ${svc.name} (endpoint_mode vip) answers its virtual IP on ${net.name}`;
          }
        }
        const base = name.endsWith(`.${net?.name.toLowerCase()}`) ? name.slice(0, -(net!.name.length + 1)) : name;
        if (net?.dnsRecords.get(base)?.length) return `Docker's embedded DNS at 127.0.0.11, record on network ${net.name}`;
      }
    }
    return "Docker's embedded DNS at 127.0.0.11";
  }

  private unresolvedFromHost(hx: HostIndex, to: string): Outcome {
    const c = hx.containersByName.get(to);
    const addr = c ? this.addressOf(hx.host, c) : null;
    return {
      verdict: 'unresolved',
      reason: `${hx.host.name}'s own resolver does not know "${to}": Docker's DNS answers containers only, inside their user-defined networks`,
      fix: addr ? `use ${to}'s address instead: ${addr}` : `use an address instead of a name`,
    };
  }

  private unresolvedFromContainer(src: Source, to: string): Outcome {
    const c = src.container!;
    const hx = src.hx;
    const sb = c.sandboxId ? hx.host.sandboxes.get(c.sandboxId) : undefined;
    const target = hx.containersByName.get(to) ?? [...hx.containersByName.values()].find((x) => x.name.toLowerCase() === to.toLowerCase());
    const addr = target ? this.addressOf(hx.host, target) : null;
    const useAddr = addr ? `, or use ${target!.name}'s address ${addr}` : '';
    const srcNets = (sb?.endpoints ?? []).map((e) => e.networkName);
    if (!sb?.resolverStarted) {
      const why = c.modeKind === 'host'
        ? `${c.name} uses the host's network and its resolver, which knows no container names`
        : c.modeKind === 'none'
          ? `${c.name} has no network (network_mode: none)`
          : `${c.name} is only on the default bridge, where Docker runs no embedded DNS: container names do not resolve there`;
      const fix = target && c.modeKind !== 'none' && c.modeKind !== 'host'
        ? `connect both containers to a user-defined network: docker network create shared && docker network connect shared ${c.name} && docker network connect shared ${target.name}${useAddr}`
        : addr ? `use ${target!.name}'s address ${addr}` : undefined;
      return { verdict: 'unresolved', reason: `"${to}" does not resolve from ${c.name}: ${why}`, ...(fix ? { fix } : {}) };
    }
    if (!target) {
      const isHost = this.hostIndexes.has(to);
      return {
        verdict: 'unresolved',
        reason: isHost
          ? `"${to}" is a host of the topology, not a name ${c.name}'s DNS knows`
          : `no container or alias named "${to}" on ${c.name}'s networks (${srcNets.join(', ')}), and the upstream DNS does not know it either`,
        fix: isHost ? `use the host's address (from a container: its gateway, e.g. the first address of its network)` : `check the name; cnm inspect lists the containers and their aliases`,
      };
    }
    if (target.status !== 'running') {
      return { verdict: 'unresolved', reason: `${target.name} is not running, so Docker's DNS has no record for it`, fix: `start it: docker start ${target.name}` };
    }
    if (target.modeKind === 'host' || target.modeKind === 'none' || target.modeKind === 'container') {
      const mode = target.modeKind === 'container' ? `container:${target.modeTarget}` : target.modeKind;
      return {
        verdict: 'unresolved',
        reason: `${target.name} runs with network_mode ${mode}: it has no endpoint of its own, so Docker's DNS has no name for it`,
        fix: target.modeKind === 'container' ? `use the name of the container whose network it shares (${target.modeTarget})` : target.modeKind === 'host' ? `reach it on the host's address (the gateway of ${c.name}'s network)` : `it cannot be reached: it has no network`,
      };
    }
    const tsb = target.sandboxId ? hx.host.sandboxes.get(target.sandboxId) : undefined;
    const tNets = (tsb?.endpoints ?? []).map((e) => e.networkName);
    const userNet = srcNets.find((n) => n !== 'bridge');
    return {
      verdict: 'unresolved',
      reason: `${target.name} is not on any network ${c.name} is on (${c.name}: ${srcNets.join(', ') || 'none'}; ${target.name}: ${tNets.join(', ') || 'none'}): Docker's DNS only answers for containers on the same user-defined network${tNets.every((n) => n === 'bridge') ? ` (and ${target.name} is only on the default bridge, which has no DNS)` : ''}`,
      fix: userNet ? `connect it to a network they can share: docker network connect ${userNet} ${target.name}${useAddr}` : `connect both to a user-defined network${useAddr}`,
    };
  }

  private addressOf(host: HostState, c: ContainerState): string | null {
    const sb = c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
    for (const ep of sb?.endpoints ?? []) if (ep.ipv4) return ep.ipv4.address;
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------

const cache = new WeakMap<EngineState, { listening: ListeningLookup | undefined; tracer: Tracer }>();

/** One trace. The indexes are cached per engine state and rebuilt only for hosts that changed. */
export function trace(state: EngineState, query: TraceQuery, options: TraceOptions = {}): TraceResult {
  return tracerFor(state, options).trace(query);
}

export function tracerFor(state: EngineState, options: TraceOptions = {}): Tracer {
  const hit = cache.get(state);
  if (hit && hit.listening === options.listening) return hit.tracer;
  const tracer = new Tracer(state, options);
  cache.set(state, { listening: options.listening, tracer });
  return tracer;
}

export type { TraceProto };

/** The `listen` list that adds `what` to what the sandbox listens on now. */
function listenFix(ls: readonly Listener[], what: string): string {
  const now = [...new Set(ls.map((l) => `${l.port}/${l.proto}`))];
  return `listen: [${[...now, what].map((p) => `"${p}"`).join(', ')}]`;
}
