// Traces for the diagram and the "Trace From Here" command: turns the user's pick (diagram elements or
// names) into a tracer request, runs the engine's tracer, and maps every hop to the diagram elements
// it passes. Pure: no `vscode`.
import type { EngineState, IpvsChoice, RuleRef } from '../engine';
import type { DiagramSnapshot } from '../protocol/diagram';
import type { HopPacketView, ServiceSpread, TraceHopView, TraceProto, TraceView, Verdict } from '../protocol/trace';
import type { ElementIndex } from './diagramSnapshot';
import { ids, parseElementId } from './elementIds';

/** What the engine's tracer is asked (src/engine/trace). */
export interface TraceQuery {
  host: string;
  from: string;
  to: string;
  port?: number;
  proto: TraceProto;
  /** Which connection to a swarm service (IPVS round robin): 0, the first, by default. */
  connection?: number;
}

/** What the engine's tracer answers (the `cnm trace --json` shape). */
export interface EngineTrace {
  verdict: Verdict;
  reason: string;
  fix?: string;
  /** The rule that decided a drop, in iptables-save form. */
  rule?: string;
  /** The destination address after name resolution. */
  address?: string;
  hops: { node: string; interface?: string | null; action: string; detail: string; rule?: string; packet?: HopPacketView; ipvs?: IpvsChoice; ruleRef?: RuleRef }[];
}

export type Tracer = (state: EngineState, query: TraceQuery) => EngineTrace;

/** How a target element is addressed: by its name (DNS decides) or by its address. */
export type TargetBy = 'name' | 'address';

/** The destination a target element stands for, or an error for the user. */
export function destinationOf(snapshot: DiagramSnapshot, targetId: string, by: TargetBy = 'name'): { to: string; defaultPort?: number; proto?: TraceProto } | { error: string } {
  const ref = parseElementId(targetId);
  if (!ref) return { error: `unknown target ${targetId}` };
  const host = snapshot.hosts.find((h) => h.name === ref.host);
  if (!host) return { error: `no host ${ref.host}` };
  const hostAddress = host.interfaces[0]?.address.split('/')[0] ?? '127.0.0.1';
  switch (ref.kind) {
    case 'container': {
      const box = host.sandboxes.find((s) => s.id === targetId || s.sharedBy.some((m) => m.id === targetId));
      if (!box) return { error: `no container ${ref.container}` };
      const port = firstPort(box.listening);
      const address = box.mode === 'host' ? hostAddress : box.endpoints.find((e) => e.ipv4)?.ipv4;
      // The ingress-sbox has no name DNS answers: it is reached by its address.
      const to = (by === 'address' || box.mode === 'ingress') && address ? address : ref.container;
      return port === undefined ? { to } : { to, defaultPort: port };
    }
    case 'endpoint': {
      for (const sb of host.sandboxes) {
        const ep = sb.endpoints.find((e) => e.id === targetId);
        if (ep) {
          const port = firstPort(sb.listening);
          const to = ep.ipv4 ?? ep.ipv6 ?? sb.name;
          return port === undefined ? { to } : { to, defaultPort: port };
        }
      }
      return { error: `no endpoint ${targetId}` };
    }
    case 'port': {
      const p = host.ports.find((x) => x.id === targetId);
      if (!p) return { error: `no published port ${targetId}` };
      const ip = p.hostIp === '0.0.0.0' || p.hostIp === '::' || p.hostIp === '' ? hostAddress : p.hostIp;
      return { to: ip, defaultPort: p.hostPort, proto: p.proto === 'udp' ? 'udp' : 'tcp' };
    }
    case 'hostIf': {
      const i = host.interfaces.find((x) => x.id === targetId);
      return i ? { to: i.address.split('/')[0]! } : { error: `no interface ${ref.ifname}` };
    }
    case 'network': {
      const n = host.networks.find((x) => x.id === targetId);
      return n?.gateway ? { to: n.gateway } : { error: `${ref.network} has no gateway address to trace to` };
    }
    case 'host':
      return { to: hostAddress };
    case 'link':
      return { error: 'a veth link is not a destination' };
    case 'device':
      return { error: `${ref.device} is a device of a network driver, not a destination: pick a container, an interface or a port` };
    case 'service': {
      const svc = snapshot.services?.find((s) => s.id === targetId);
      if (!svc) return { error: `no service ${ref.service}` };
      // What its tasks listen on (the first task's box), else the first published port's target.
      const box = svc.tasks.map((t) => snapshot.hosts.find((h) => h.name === t.host)?.sandboxes.find((s) => s.id === t.sandboxId)).find(Boolean);
      const port = (box && firstPort(box.listening)) ?? svc.ports[0]?.target;
      const vip = svc.vips.find((v) => !v.ingress)?.address ?? svc.tasks[0]?.addresses[0]?.address;
      const to = by === 'address' && vip ? vip : svc.name;
      return port === undefined ? { to } : { to, defaultPort: port };
    }
    case 'mesh': {
      const p = snapshot.services?.flatMap((s) => s.ports).find((x) => x.id === targetId);
      if (!p) return { error: `no routing-mesh port ${ref.binding}` };
      return { to: hostAddress, defaultPort: p.published, proto: p.proto === 'udp' ? 'udp' : 'tcp' };
    }
  }
}

function firstPort(listening: string[]): number | undefined {
  const p = listening[0] ? Number.parseInt(listening[0], 10) : NaN;
  return Number.isInteger(p) ? p : undefined;
}

/** Runs the tracer and maps its hops onto the diagram. Never throws: a tracer failure becomes an error. */
export function traceForDiagram(
  tracer: Tracer,
  state: EngineState,
  index: ElementIndex,
  query: TraceQuery,
): { trace: TraceView } | { error: string } {
  let result: EngineTrace;
  try {
    result = tracer(state, query);
  } catch (e) {
    return { error: `the tracer failed: ${e instanceof Error ? e.message : String(e)}` };
  }
  let where: string[] = index.sandboxOf(query.host, query.from) ? [index.sandboxOf(query.host, query.from)!] : [];
  // The host the packet is on: a trace across hosts (overlay, macvlan LAN, flannel) moves on at a hop
  // that names another host or a container of another host, and the later hops are drawn there.
  let at = query.host;
  const hostOfHop: string[] = [];
  const hops: TraceHopView[] = result.hops.map((h, i) => {
    if (index.isHost(h.node)) at = h.node;
    else if (!index.sandboxOf(at, h.node)) at = index.hostOfContainer(h.node) ?? at;
    hostOfHop.push(at);
    // A hop with no picture of its own (a netfilter chain, a DNS answer) happens where the packet is —
    // on this hop's host: once the packet has crossed to another host, never at the last host's element.
    const own = hopElements(index, at, h);
    const last = where.at(-1);
    const lastHost = last === undefined ? undefined : parseElementId(last)?.host;
    const elements = own.length ? own : lastHost !== undefined && lastHost !== at && index.isHost(at) ? [ids.host(at)] : where.slice(-1);
    where = elements.length ? elements : where;
    const hop: TraceHopView = { node: h.node, action: h.action, detail: h.rule ? `${h.detail} — ${h.rule}` : h.detail, elements };
    if (h.interface) hop.interface = h.interface;
    if (h.ruleRef) hop.ruleRef = { ...h.ruleRef };
    if (h.packet) hop.packet = { ...h.packet, ...(h.packet.outer ? { outer: { ...h.packet.outer } } : {}) };
    // The last hop of an undelivered packet: where it ends, or (unknown) where the engine stops following it.
    if (i === result.hops.length - 1 && result.verdict === 'unknown') hop.unknown = true;
    else if (i === result.hops.length - 1 && result.verdict !== 'delivered') hop.drop = true;
    return hop;
  });
  lightDeviceTunnels(index, result.hops, hostOfHop, hops);
  // Nothing left the source (no route, not running): the packet ends at the source, and the list says so.
  if (hops.length === 0 && result.verdict === 'unknown') {
    hops.push({ node: query.from, action: 'unknown', detail: result.reason, elements: where.slice(-1), unknown: true });
  } else if (hops.length === 0 && result.verdict !== 'delivered') {
    hops.push({ node: query.from, action: result.verdict === 'unresolved' ? 'resolve' : 'drop', detail: result.reason, elements: where.slice(-1), drop: true });
  }
  const trace: TraceView = { from: query.from, to: query.to, proto: query.proto, verdict: result.verdict, reason: result.reason, hops };
  if (query.port !== undefined && query.proto !== 'icmp') trace.port = query.port;
  if (result.fix) trace.fix = result.fix;
  if (result.rule) trace.rule = result.rule;
  else if (result.verdict === 'dropped') {
    // A drop by a rule: the rule view's red line comes from the hop that dropped it.
    const ref = [...result.hops].reverse().find((h) => h.ruleRef)?.ruleRef;
    if (ref?.rule && ref.verdict === 'DROP') trace.rule = ref.rule;
  }
  if (result.address) trace.address = result.address;
  const spread = serviceSpread(tracer, state, index, query, result);
  if (spread) trace.spread = spread;
  return { trace };
}

/** At most this many tasks are traced one by one (each is one more trace). */
export const SPREAD_LIMIT = 32;

/**
 * A trace that met IPVS (a service's VIP, the routing mesh): each other task is reached by a later
 * connection (round robin), so each is traced as that connection, and every task shows its own verdict.
 */
function serviceSpread(tracer: Tracer, state: EngineState, index: ElementIndex, query: TraceQuery, result: EngineTrace): ServiceSpread | undefined {
  const hop = result.hops.find((h) => h.ipvs);
  const choice = hop?.ipvs;
  if (!hop || !choice || choice.backends.length === 0) return undefined;
  const n = choice.backends.length;
  const first = choice.chosen < 0 ? 0 : choice.chosen;
  const base = query.connection ?? 0;
  const backends = choice.backends.slice(0, SPREAD_LIMIT).map((b, i) => {
    // Backend i is reached by the connection (i - first) mod n after this one.
    const k = (i - first + n) % n;
    let verdict: Verdict = result.verdict;
    let reason = result.reason;
    if (k !== 0) {
      try {
        const r = tracer(state, { ...query, connection: base + k });
        verdict = r.verdict;
        reason = r.reason;
      } catch (e) {
        verdict = 'unknown';
        reason = `the tracer failed: ${e instanceof Error ? e.message : String(e)}`;
      }
    }
    const element = index.sandboxOf(b.host, b.task);
    return { task: b.task, host: b.host, address: b.address, connection: base + k + 1, verdict, reason, ...(element ? { element } : {}) };
  });
  const serviceId = index.service(choice.service);
  return { service: choice.service, ...(serviceId ? { serviceId } : {}), via: /ingress-sbox/.test(hop.node) ? 'mesh' : 'vip', backends, chosen: first };
}

/**
 * A driver's tunnel between two hosts (calico's tunl0s, weave's routers) lights from the hop that
 * encapsulates (its interface is the tunnel's `via`) until the packet is on the other host.
 */
function lightDeviceTunnels(index: ElementIndex, raw: EngineTrace['hops'], hostOfHop: string[], hops: TraceHopView[]): void {
  for (let i = 0; i < raw.length; i++) {
    const via = raw[i]!.interface;
    const here = hostOfHop[i]!;
    if (!via) continue;
    const j = hostOfHop.findIndex((h, k) => k > i && h !== here);
    if (j < 0) continue;
    const tunnel = index.tunnelVia(here, via, hostOfHop[j]!);
    if (!tunnel) continue;
    for (let k = i; k < j; k++) if (!hops[k]!.elements.includes(tunnel)) hops[k]!.elements.push(tunnel);
    i = j - 1;
  }
}

/** The diagram elements a hop passes: the interface it names, else the node (container box or host). */
export function hopElements(index: ElementIndex, host: string, hop: { node: string; interface?: string | null; detail: string }): string[] {
  const out: string[] = [];
  const node = hop.node;
  const hostName = index.isHost(node) ? node : host;
  const iface = hop.interface ?? undefined;
  const box = index.sandboxOf(host, node);
  if (iface) {
    if (box) {
      // Inside a container: its endpoint (and the veth behind it); lo and the like stay in the box.
      const inBox = index.sandboxInterface(host, node, iface);
      if (inBox) out.push(inBox, inBox.replace(/^e\//, 'l/'));
    } else {
      const device = index.device(hostName, iface);
      if (device) out.push(device);
    }
  }
  // A hop at a device (a bridge switching a frame) lights the device too.
  if (!box && !index.isHost(node)) {
    const device = index.device(host, node);
    if (device) out.unshift(device);
  }
  if (box && !out.length) out.push(box);
  return [...new Set(out)];
}
