// Arrival: what happens where the packet arrives — a listening process, docker-proxy (relaying to the
// container), the routing mesh, or nothing (refused) — and whether the reply gets back (conntrack).
import { formatRule } from '../netfilter/format';
import { INGRESS_SANDBOX_ID } from '../swarm/services';
import { causeRule, causeVerdict, explainCause, type Explanation, type TraceSides } from './explain';
import { formatV4, isLoopback, parseV4, type HostIndex, type Listener, type ProxyBinding, type V4 } from './hostIndex';
import type { TraceHop } from './types';
import { Walker, type Cause, type Leg, type Ns, type Pkt } from './walk';
import { EPHEMERAL_PORT, type Outcome, type Source, type TraceContext } from './context';
import { throughMesh } from './mesh';

/** What happens where the packet arrives (or why it did not). */
export function conclude(run: TraceContext, src: Source, origin: Ns, leg: Leg, walker: Walker, hops: TraceHop[] | null, dst: V4, depth: number): Outcome {
  const sides = (): TraceSides => ({ source: src.container, sourceNs: origin, target: run.ownerOf(dst), address: dst, ownerOf: (a) => run.ownerOf(a) });
  if (!leg.ok) {
    const verdict = causeVerdict(leg.cause);
    if (!run.explain) return { verdict, reason: '', ...causeRule(leg.cause) };
    const e = explainCause(leg.cause, sides());
    if (verdict === 'unknown') unknownHop(hops, leg.cause, origin, e.reason);
    return { verdict, ...e };
  }
  const { ns, pkt } = leg;
  if (ns.kind === 'sandbox' && ns.view!.sb.id === INGRESS_SANDBOX_ID && pkt.proto !== 'icmp' && depth === 0) {
    const m = run.world.mesh(ns.hx).find((e) => e.published === pkt.dport && e.proto === pkt.proto);
    if (m) return throughMesh(run, origin, leg, walker, hops, m, sides);
  }
  const where = `${formatV4(pkt.dst)}${pkt.proto === 'icmp' ? '' : `:${pkt.dport}`}`;
  if (pkt.proto === 'icmp') {
    hops?.push({ node: ns.label, interface: leg.iface, action: 'deliver', detail: `the kernel of ${ns.label} answers the ICMP echo request to ${formatV4(pkt.dst)}` });
    return withReply(run, origin, leg, walker, hops, sides, { verdict: 'delivered', reason: `${ns.label} answered the ping (ICMP echo reply)${viaNat(walker)}` }, 'echo reply');
  }
  const candidates = ns.kind === 'sandbox' ? ns.hx.listeners(ns.view!.containers) : ns.hx.hostListeners();
  const listener = findListener(candidates, pkt);
  if (listener) {
    hops?.push({ node: ns.label, interface: leg.iface, action: 'deliver', detail: `${listener.container.name} listens on ${pkt.dport}/${pkt.proto}: ${pkt.proto === 'tcp' ? 'connection accepted' : 'datagram received'}` });
    return withReply(run, origin, leg, walker, hops, sides, { verdict: 'delivered', reason: `${listener.container.name} accepts ${where}/${pkt.proto}${viaNat(walker)}` }, pkt.proto === 'tcp' ? 'SYN-ACK' : '');
  }
  if (ns.kind === 'host') {
    // The host's own processes, as the file says (a host's `listen`): before docker-proxy, which could not bind a port they hold.
    const own = (ns.hx.host.listening ?? []).find((p) => p.port === pkt.dport && p.proto === pkt.proto && bindAccepts(p.bind, pkt.dst));
    if (own) {
      hops?.push({ node: ns.label, interface: leg.iface, action: 'deliver', detail: `a process of ${ns.hx.host.name} listens on ${own.bind ? `${own.bind}:` : ''}${pkt.dport}/${pkt.proto} (the host's listen): ${pkt.proto === 'tcp' ? 'connection accepted' : 'datagram received'}` });
      return withReply(run, origin, leg, walker, hops, sides, { verdict: 'delivered', reason: `a process on ${ns.hx.host.name} accepts ${where}/${pkt.proto} (the host's own service)${viaNat(walker)}` }, pkt.proto === 'tcp' ? 'SYN-ACK' : '');
    }
    const proxy = findProxy(ns.hx, pkt);
    if (proxy && depth === 0) return throughProxy(run, origin, leg, walker, hops, proxy, sides);
    // A host without `listen`: what its own processes listen on is not described, so neither is the answer.
    // (A port docker-proxy holds on another address is known to be closed here: nothing else can bind it.)
    if (ns.hx.host.listening === undefined && publishedElsewhere(ns.hx, pkt).length === 0) {
      const host = ns.hx.host.name;
      const reason = `no container publishes ${pkt.dport}/${pkt.proto} on ${host}, and nothing in the topology says what ${host}'s own processes listen on (no listen), so whether ${where}/${pkt.proto} is accepted or refused is unknown`;
      hops?.push({ node: ns.label, interface: leg.iface, action: 'unknown', detail: reason });
      return {
        verdict: 'unknown', reason,
        fix: ns.hx.live ? `check on ${host}: ss -lntu` : `declare ${host}'s services: hosts.${host}.listen: ["${pkt.dport}/${pkt.proto}"] (or listen: [] when nothing listens)`,
      };
    }
  }
  // A live container whose sockets could not be read: whether anything listens is unknown.
  const unread = ns.kind === 'sandbox' ? ns.hx.unknownListening(ns.view!.containers) : null;
  if (unread) {
    const reason = `what ${unread.container.name} listens on could not be read (${unread.why}), so whether ${where}/${pkt.proto} is accepted or refused is unknown`;
    hops?.push({ node: ns.label, interface: leg.iface, action: 'unknown', detail: reason });
    return { verdict: 'unknown', reason, fix: `check inside the container: docker exec ${unread.container.name} netstat -ln (or ss -ln)` };
  }
  // Bound to another address only (127.0.0.1): the port is open inside, but not to this packet.
  const elsewhere = candidates.find((l) => l.port === pkt.dport && l.proto === pkt.proto);
  if (elsewhere && elsewhere.bind !== undefined) {
    const loop = isLoopbackBind(elsewhere.bind);
    hops?.push({ node: ns.label, interface: leg.iface, action: 'refuse', detail: `${elsewhere.container.name} listens on ${pkt.dport}/${pkt.proto} only on ${elsewhere.bind}${loop ? ' (loopback: reachable only from inside the container)' : ''}, not on ${formatV4(pkt.dst)}: ${pkt.proto === 'tcp' ? 'the kernel answers with a TCP reset' : 'the kernel answers ICMP port unreachable'}` });
    const kernel = pkt.proto === 'tcp' ? 'a TCP reset ("Connection refused")' : 'ICMP port unreachable';
    const outcome: Outcome = {
      verdict: 'refused',
      reason: `${elsewhere.container.name}'s process listens on ${pkt.dport}/${pkt.proto} only on ${elsewhere.bind}${loop ? ', which is not reachable from outside the container' : ''}: ${formatV4(pkt.dst)}:${pkt.dport} is answered with ${kernel}`,
      fix: ns.hx.live
        ? `make the process listen on 0.0.0.0:${pkt.dport} (every address) instead of ${elsewhere.bind}:${pkt.dport}`
        : `make the process listen on every address: listen: ["${pkt.dport}/${pkt.proto}"] instead of "${elsewhere.bind}:${pkt.dport}/${pkt.proto}"`,
    };
    return withReply(run, origin, leg, walker, hops, sides, outcome, pkt.proto === 'tcp' ? 'reset (RST)' : 'port unreachable');
  }
  // Nobody listens: TCP reset / ICMP port unreachable, which must get back to be seen.
  hops?.push({ node: ns.label, interface: leg.iface, action: 'refuse', detail: `nothing listens on ${pkt.dport}/${pkt.proto}: ${pkt.proto === 'tcp' ? 'the kernel answers with a TCP reset' : 'the kernel answers ICMP port unreachable'}` });
  const why = run.explain ? explainRefused(ns, pkt) : { reason: '' };
  return withReply(run, origin, leg, walker, hops, sides, { verdict: 'refused', ...why }, pkt.proto === 'tcp' ? 'reset (RST)' : 'port unreachable');
}

function viaNat(walker: Walker): string {
  const d = walker.nat.find((n) => n.kind === 'dnat');
  return d ? ` (published port ${formatV4(d.before)}:${d.beforePort} → ${formatV4(d.after)}:${d.afterPort} by DNAT on ${d.host})` : '';
}

/** docker-proxy accepted the client; it then connects to the container itself. */
function throughProxy(run: TraceContext, origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, proxy: ProxyBinding, sides: () => TraceSides): Outcome {
  const hx = leg.ns.hx;
  const b = proxy.binding;
  const backend = parseV4(b.containerIp)!;
  const userland = hx.host.daemon.userlandProxy;
  if (!userland) {
    hops?.push({ node: hx.host.name, interface: leg.iface, action: 'deliver', detail: `dockerd's placeholder socket holds ${b.hostIp}:${b.hostPort}/${b.proto} (userland-proxy=false): it accepts but forwards nothing` });
    return withReply(run, origin, leg, walker, hops, sides, {
      verdict: 'delivered',
      reason: `only dockerd's placeholder socket listens on ${b.hostIp}:${b.hostPort}/${b.proto} (userland-proxy is off): the connection opens but reaches no container`,
      fix: `connect to a host address the DNAT rule matches${b.hostIp === '0.0.0.0' ? '' : ` (${b.hostIp})`}`,
    }, b.proto === 'tcp' ? 'SYN-ACK' : '');
  }
  hops?.push({ node: hx.host.name, interface: leg.iface, action: 'docker-proxy', detail: `docker-proxy listens on ${b.hostIp}:${b.hostPort}/${b.proto} for ${proxy.container.name}: it accepts and opens its own connection to ${b.containerIp}:${b.containerPort}` });
  const pkt: Pkt = { src: 0, dst: backend, proto: leg.pkt.proto, sport: EPHEMERAL_PORT + 1, dport: b.containerPort };
  const inner = new Walker(run.world, hops, false);
  const innerLeg = inner.send(run.world.hostNs(hx), pkt, false);
  const hostSource: Source = { hx, ns: run.world.hostNs(hx), container: null };
  const backendOutcome = conclude(run, hostSource, run.world.hostNs(hx), innerLeg, inner, hops, backend, 1);
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
  const clientSide = withReply(run, origin, leg, walker, hops, sides, { verdict: 'delivered', reason: '' }, 'SYN-ACK from docker-proxy');
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
export function withReply(run: TraceContext, origin: Ns, leg: Leg & { ok: true }, walker: Walker, hops: TraceHop[] | null, sides: () => TraceSides, ok: Outcome, what: string): Outcome {
  const rp: Pkt = { src: leg.pkt.dst, dst: leg.pkt.src, proto: leg.pkt.proto, sport: leg.pkt.dport, dport: leg.pkt.sport };
  const replyHops: TraceHop[] | null = hops ? [] : null;
  const route = `${formatV4(rp.src)} → ${formatV4(rp.dst)}`;
  const back = new Walker(run.world, replyHops, true, walker.nat).send(leg.ns, rp, true);
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
    if (!run.explain) return { verdict, reason: '', ...(verdict === 'unknown' ? {} : causeRule(back.cause)) };
    const e = explainCause(back.cause, sides());
    if (verdict === 'unknown') {
      unknownHop(hops, back.cause, leg.ns, e.reason);
      return { verdict, reason: `the request arrives, but the engine cannot follow the ${what || 'reply'} back: ${e.reason}`, ...(e.fix ? { fix: e.fix } : {}) };
    }
    return { verdict, reason: `the request arrives, but the ${what || 'reply'} is lost on the way back: ${e.reason}`, ...(e.fix ? { fix: e.fix } : {}), ...(e.rule ? { rule: e.rule } : {}) };
  }
  return { verdict: 'dropped', reason: `the request arrives, but the ${what || 'reply'} goes to ${back.ns.label} instead of ${origin.label}` };
}

/** The last hop of a path the engine cannot follow further: where it leaves what is modelled. */
export function unknownHop(hops: TraceHop[] | null, cause: Cause, origin: Ns, reason: string): void {
  if (!hops) return;
  const node = cause.kind === 'outside' ? cause.hx.host.name : hops[hops.length - 1]?.node ?? origin.label;
  const iface = cause.kind === 'outside' ? cause.dev ?? '' : '';
  hops.push({ node, interface: iface, action: 'unknown', detail: reason });
}

function findListener(listeners: Listener[], pkt: Pkt): Listener | null {
  for (const l of listeners) if (l.port === pkt.dport && l.proto === pkt.proto && bindAccepts(l.bind, pkt.dst)) return l;
  return null;
}

const isLoopbackBind = (bind: string): boolean => bind.startsWith('127.') || bind === '::1' || bind.startsWith('::ffff:127.');

/** A socket bound to BIND takes an IPv4 packet to DST (a dual-stack [::] socket takes IPv4 too). */
function bindAccepts(bind: string | undefined, dst: V4): boolean {
  if (bind === undefined || bind === '0.0.0.0' || bind === '::') return true;
  const v4 = parseV4(bind.startsWith('::ffff:') ? bind.slice('::ffff:'.length) : bind);
  if (v4 === null) return false; // an IPv6 address only
  return isLoopback(v4) ? isLoopback(dst) : v4 === dst;
}

function findProxy(hx: HostIndex, pkt: Pkt): ProxyBinding | null {
  const list = hx.proxies.get(`${pkt.proto}/${pkt.dport}`);
  if (!list) return null;
  for (const p of list) if (p.hostIp === pkt.dst || p.hostIp === 0) return p;
  return null;
}

function explainRefused(ns: Ns, pkt: Pkt): Explanation {
  const what = `${pkt.dport}/${pkt.proto}`;
  const kernel = pkt.proto === 'tcp' ? 'a TCP reset ("Connection refused")' : 'ICMP port unreachable';
  if (ns.kind === 'sandbox') {
    const ls = ns.hx.listeners(ns.view!.containers);
    const list = ls.map((l) => `${l.bind !== undefined ? `${l.bind.includes(':') ? `[${l.bind}]` : l.bind}:` : ''}${l.port}/${l.proto}`).join(', ');
    const c = ns.view!.containers[0]?.name ?? ns.label;
    const loop = isLoopback(pkt.dst) ? `; ${formatV4(pkt.dst)} inside a container is the container itself, not the host` : '';
    return {
      reason: `nothing in ${ns.label} listens on ${what} (${ls.length ? `it listens on ${list}` : 'it listens on nothing'}): ${c} answers with ${kernel}${loop}`,
      fix: isLoopback(pkt.dst)
        ? `to reach a port published on the host, use the host's address as the container sees it (its gateway), not 127.0.0.1`
        : ns.hx.live
          ? `${ls.length ? `use a port it listens on (${list}), or ` : ''}start a process in ${c} that listens on 0.0.0.0:${pkt.dport}${pkt.proto === 'udp' ? '/udp' : ''}`
          : ls.length ? `use a port it listens on (${list}), or make its process listen on ${what} (${listenFix(ls.filter((l) => l.container === ns.view!.containers[0]), what)})` : `make its process listen on ${what} (listen: ["${what}"])`,
    };
  }
  const hx = ns.hx;
  const others = publishedElsewhere(hx, pkt);
  if (others.length > 0) {
    const o = others[0]!;
    return {
      reason: `port ${pkt.dport}/${pkt.proto} is published only on ${o.binding.hostIp} (by ${o.container.name}), so nothing listens on ${formatV4(pkt.dst)}:${pkt.dport}: ${hx.host.name} answers with ${kernel}`,
      fix: hx.live
        ? `recreate ${o.container.name} publishing on every address (docker run -p ${pkt.dport}:${o.binding.containerPort}${pkt.proto === 'udp' ? '/udp' : ''} …), or connect to ${o.binding.hostIp}:${pkt.dport} from the host itself`
        : `publish it on every address ("${pkt.dport}:${o.binding.containerPort}${pkt.proto === 'udp' ? '/udp' : ''}"), or connect to ${o.binding.hostIp}:${pkt.dport} from the host itself`,
    };
  }
  // A host process bound to another address only (127.0.0.1:5432): open on the host, not to this packet.
  const bound = (hx.host.listening ?? []).find((p) => p.port === pkt.dport && p.proto === pkt.proto);
  if (bound?.bind !== undefined) {
    return {
      reason: `a process on ${hx.host.name} listens on ${pkt.dport}/${pkt.proto} only on ${bound.bind}${isLoopbackBind(bound.bind) ? ' (loopback: reachable only from the host itself, not from containers or the LAN)' : ''}, not on ${formatV4(pkt.dst)}: ${hx.host.name} answers with ${kernel}`,
      fix: `make the host's process listen on ${formatV4(pkt.dst)} or on every address (0.0.0.0:${pkt.dport}), e.g. hosts.${hx.host.name}.listen: ["${what}"]`,
    };
  }
  const own = hx.host.listening ? `the host's own processes listen on ${hx.host.listening.length ? hx.host.listening.map((p) => `${p.bind ? `${p.bind}:` : ''}${p.port}/${p.proto}`).join(', ') : 'nothing'} (its listen)` : 'the topology names no process of the host itself (no listen)';
  return {
    reason: `nothing listens on ${formatV4(pkt.dst)}:${pkt.dport}/${pkt.proto} on host ${hx.host.name}: no container publishes ${what} there and ${own}, so the host answers with ${kernel}`,
    fix: hx.live
      ? `publish the container's port on the host: docker run -p ${pkt.dport}:<container port>${pkt.proto === 'udp' ? '/udp' : ''} … (a running container's ports cannot be added: recreate it)`
      : `publish the container's port on the host, e.g. ports: ["${pkt.dport}:<container port>${pkt.proto === 'udp' ? '/udp' : ''}"]; if a process of the host itself serves it, say so: hosts.${hx.host.name}.listen: ["${what}"]`,
  };
}

/** Bindings of this port on another of the host's addresses (docker-proxy holds them). */
function publishedElsewhere(hx: HostIndex, pkt: Pkt): ProxyBinding[] {
  return (hx.proxies.get(`${pkt.proto}/${pkt.dport}`) ?? []).filter((p) => p.hostIp !== pkt.dst && p.hostIp !== 0);
}

/** The `listen` list that adds `what` to what the sandbox listens on now. */
function listenFix(ls: readonly Listener[], what: string): string {
  const now = [...new Set(ls.map((l) => `${l.port}/${l.proto}`))];
  return `listen: [${[...now, what].map((p) => `"${p}"`).join(', ')}]`;
}
