// The packet tracer: from a container or a host, to a name or address, with ICMP echo, TCP or UDP.
// This module runs a trace: it finds the source, has the name resolved as the source would (names.ts),
// sends the packet through a service's virtual IP (mesh.ts) and hop by hop (walk.ts), and hands what
// arrives to arrival.ts, which decides at the destination's socket, checks that the reply gets back
// (conntrack ESTABLISHED), and explains a failure with the rule or condition and a fix.
import type { ContainerState, EngineState } from '../model';
import { INGRESS_SANDBOX_ID, routingMesh, type MeshEntry } from '../swarm/services';
import { stateStamp } from '../netfilter/stamp';
import type { TraceSides } from './explain';
import { buildHostIndex, formatV4, parseV4, type HostIndex, type V4 } from './hostIndex';
import type { ListeningLookup, TraceHop, TraceOptions, TraceProto, TraceQuery, TraceResult, Verdict } from './types';
import { Walker, type Ns, type Pkt, type WorldIndex } from './walk';
import { Ipv6Walk } from './ipv6';
import { formatAddr, parseIp, type IpAddr } from '../ip';
import { EPHEMERAL_PORT, type Outcome, type Source, type TraceContext } from './context';
import { conclude, withReply } from './arrival';
import { serviceVip } from './mesh';
import { resolverOf, resolveTarget, resolveTargetV6 } from './names';
import { TraceInputError } from './errors';
import { outsideClientAddress, traceFromOutside } from './outside';

export { TraceInputError };

export class Tracer {
  private readonly hostIndexes = new Map<string, HostIndex>();
  private readonly stamps = new Map<string, string>();
  private readonly nsCache = new Map<string, Ns | null>();
  private readonly meshCache = new Map<string, readonly MeshEntry[]>();
  private readonly world: WorldIndex;
  /** What arrival.ts, mesh.ts and names.ts get: this tracer's state, indexes and steps. */
  private readonly ctx: TraceContext;

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
      drivers: this.state.drivers,
    };
    this.ctx = {
      state: this.state,
      world: this.world,
      explain: true,
      connection: 0,
      ownerOf: (a) => this.ownerOf(a),
      conclude: (...args) => conclude(this.ctx, ...args),
      withReply: (...args) => withReply(this.ctx, ...args),
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
      this.hostIndexes.set(name, buildHostIndex(host, this.options.listening, this.state.drivers));
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
    this.ctx.explain = false;
    try {
      return this.run(q, null).verdict;
    } finally {
      this.ctx.explain = true;
    }
  }

  /** The verdict, and the rule that decided it when a rule did (in iptables-save form), without hop texts or explanations. */
  verdictRule(q: TraceQuery): { verdict: Verdict; rule?: string } {
    this.refresh();
    this.ctx.explain = false;
    try {
      const r = this.run(q, null);
      return r.rule !== undefined ? { verdict: r.verdict, rule: r.rule } : { verdict: r.verdict };
    } finally {
      this.ctx.explain = true;
    }
  }

  private run(q: TraceQuery, hops: TraceHop[] | null): TraceResult {
    this.ctx.connection = q.connection !== undefined && Number.isSafeInteger(q.connection) && q.connection >= 0 ? q.connection : 0;
    if ((q.proto === 'tcp' || q.proto === 'udp') && (q.port === undefined || !Number.isInteger(q.port) || q.port < 1 || q.port > 65535)) {
      throw new TraceInputError(`${q.proto.toUpperCase()} needs a port between 1 and 65535`);
    }
    const client = q.host === undefined ? outsideClientAddress(this.hostIndexes.values(), q.from) : null;
    if (client !== null) {
      if (q.family === 6 || q.to.includes(':')) throw new TraceInputError('a trace from a client outside the topology is IPv4 only');
      const o = traceFromOutside(this.ctx, { from: q.from, client, to: q.to, proto: q.proto, ...(q.port !== undefined ? { port: q.port } : {}) }, hops);
      return { verdict: o.verdict, reason: o.reason, ...(o.fix ? { fix: o.fix } : {}), hops: hops ?? [], ...(o.rule ? { rule: o.rule } : {}), ...(o.address !== undefined ? { address: formatV4(o.address) } : {}) };
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

    const resolved = resolveTarget(this.ctx, src, q.to, hops);
    if ('unresolved' in resolved) {
      if (resolved.unresolved.verdict === 'unresolved') hops?.push({ node: ns.label, interface: '', action: 'resolve', detail: `${q.to}: no address (${resolverOf(src)})` });
      return done(resolved.unresolved);
    }
    const dst = resolved.address;

    const lb = serviceVip(this.ctx, src, dst, hops);
    if (lb && 'fail' in lb) return done(lb.fail, dst);
    const pkt: Pkt = { src: 0, dst: lb?.backend ?? dst, proto: q.proto, sport: q.proto === 'icmp' ? 0 : EPHEMERAL_PORT, dport: q.proto === 'icmp' ? 0 : q.port! };
    const walker = new Walker(this.world, hops, false);
    const leg = walker.send(ns, pkt, false);
    const outcome = conclude(this.ctx, src, ns, leg, walker, hops, pkt.dst, 0);
    return done(lb && this.ctx.explain ? { ...outcome, reason: `${outcome.reason} ${lb.note}` } : outcome, dst);
  }

  /** The same question over IPv6 (ipv6.ts): a literal, or a name resolved to its AAAA answer. */
  private runV6(src: Source, q: TraceQuery, literal: IpAddr | null, hops: TraceHop[] | null): TraceResult {
    const ns = src.ns!;
    const done = (o: { verdict: Verdict; reason: string; fix?: string; rule?: string }, a?: IpAddr): TraceResult => ({
      verdict: o.verdict, reason: o.reason, ...(o.fix ? { fix: o.fix } : {}), hops: hops ?? [], ...(o.rule ? { rule: o.rule } : {}), ...(a ? { address: formatAddr(a) } : {}),
    });
    let dst = literal;
    if (!dst) {
      const resolved = resolveTargetV6(this.ctx, src, q.to, hops);
      if ('unresolved' in resolved) return done(resolved.unresolved);
      dst = resolved.address;
    }
    const walk = new Ipv6Walk(hops, (hx, sb) => {
      const view = sb ? hx.sandbox(sb.id) : null;
      return view ? hx.listeners(view.containers) : hx.hostListeners();
    });
    const side = { hx: src.hx, sb: ns.kind === 'sandbox' ? ns.view!.sb : null, label: ns.label };
    return done(walk.run(side, dst, q.proto, q.port), dst);
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
