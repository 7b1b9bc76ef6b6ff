// The way in: a client outside the topology (an address on a host's LAN, or on the internet beyond its
// default gateway) sends to a host — a published port (DNAT, docker-proxy), a port nothing publishes, a
// ping. The packet enters the host on the interface the client is behind, walks as any other, and the
// reply must leave toward the client the same way.
import type { TraceHop } from './types';
import { formatV4, lookupRoute, parseV4, type HostIndex, type V4 } from './hostIndex';
import { Walker, type Ns, type OutsideClient, type Pkt, type WorldIndex } from './walk';
import { conclude, withReply } from './arrival';
import { EPHEMERAL_PORT, type Outcome, type Source, type TraceContext } from './context';
import type { TraceProto } from './types';
import { TraceInputError } from './errors';

export interface OutsideQuery {
  readonly from: string;
  readonly client: V4;
  readonly to: string;
  readonly proto: TraceProto;
  readonly port?: number;
}

/** `from` is an IPv4 address that nothing in the topology has: a client outside it. */
export function outsideClientAddress(hosts: Iterable<HostIndex>, from: string): V4 | null {
  const a = parseV4(from);
  if (a === null) return null;
  for (const hx of hosts) {
    if (hx.containersByName.has(from)) return null;
    const owner = hx.localV4.get(a);
    if (owner !== undefined) throw new TraceInputError(`${from} is ${hx.host.name}'s own address (${owner}): trace from ${hx.host.name}`);
    const ep = hx.endpointsByV4.get(a);
    if (ep) throw new TraceInputError(`${from} is ${ep.name}'s address on ${ep.networkName}: trace from ${ep.name}`);
    const r = lookupRoute(hx.routes, a);
    if (r && r.prefix > 0 && !hx.underlay.some((u) => u.name === r.dev)) {
      throw new TraceInputError(`${from} is inside ${r.dev} on ${hx.host.name} (${r.text}), not outside the topology: trace from the container that has it`);
    }
  }
  if (a >>> 24 === 127 || a === 0 || a >>> 28 >= 14) throw new TraceInputError(`${from} cannot be a client outside the topology (loopback, unspecified, multicast or reserved)`);
  return a;
}

export function traceFromOutside(base: TraceContext, q: OutsideQuery, hops: TraceHop[] | null): Outcome & { address?: V4 } {
  const target = entryHost(base, q);
  if ('outcome' in target) return target.outcome;
  const { hx, dst } = target;
  const route = lookupRoute(hx.routes, q.client);
  const lan = route && route.prefix > 0 && route.gateway === null && hx.underlay.some((u) => u.name === route.dev) ? route : null;
  const dev = lan ? lan.dev : hx.uplink?.dev ?? '';
  const where = lan
    ? `on ${hx.host.name}'s LAN (${lan.text.split(' ')[0]} on ${lan.dev})`
    : hx.uplink
      ? `beyond ${hx.host.name}'s default gateway ${formatV4(hx.uplink.gateway)} (the internet, or another network): it comes in on ${hx.uplink.dev}`
      : `beyond ${hx.host.name}'s uplink: the topology gives ${hx.host.name} no gateway, so which interface it comes in by is unknown`;
  const ns: Ns = { kind: 'outside', hx, view: null, label: `client ${q.from}`, key: `outside\0${q.from}` };
  const client: OutsideClient = { addr: q.client, hx, dev, ns };
  const world: WorldIndex = { ...base.world, outside: client };
  const ctx: TraceContext = {
    state: base.state,
    world,
    explain: base.explain,
    connection: base.connection,
    ownerOf: base.ownerOf,
    conclude: (...args) => conclude(ctx, ...args),
    withReply: (...args) => withReply(ctx, ...args),
  };
  const pkt: Pkt = { src: q.client, dst, proto: q.proto, sport: q.proto === 'icmp' ? 0 : EPHEMERAL_PORT, dport: q.proto === 'icmp' ? 0 : q.port! };
  const what = `${formatV4(dst)}${q.proto === 'icmp' ? ' (ICMP echo)' : `:${q.port}/${q.proto}`}`;
  hops?.push({ node: ns.label, interface: dev, action: 'send', detail: `a client outside the topology at ${q.from}, ${where}, sends to ${what}, ${hx.host.name}'s address` });
  const walker = new Walker(world, hops, false);
  const leg = walker.hostReceive(hx, dev, pkt);
  const src: Source = { hx, ns, container: null };
  return { ...conclude(ctx, src, ns, leg, walker, hops, dst, 0), address: dst };
}

/** The host the client reaches, and the address it sends to (a host name means its uplink's, else its first interface's). */
function entryHost(ctx: TraceContext, q: OutsideQuery): { hx: HostIndex; dst: V4 } | { outcome: Outcome & { address?: V4 } } {
  const hosts = [...ctx.world.hosts.values()];
  const literal = parseV4(q.to);
  if (literal === null) {
    const hx = ctx.world.hosts.get(q.to);
    if (!hx) {
      return { outcome: {
        verdict: 'unresolved',
        reason: `a client outside the topology does not ask Docker's embedded DNS: "${q.to}" resolves only inside containers`,
        fix: `trace to a host's name or address and the port published there (e.g. --to ${hosts[0]?.host.name ?? 'host1'}:8080)`,
      } };
    }
    const dst = hx.uplink?.addr ?? hx.underlay[0]?.addr ?? null;
    if (dst === null) {
      return { outcome: {
        verdict: 'unknown',
        reason: `${hx.host.name} has no address the topology knows, so where a client outside reaches it is unknown`,
        fix: `give ${hx.host.name} its interface and default route: hosts.${hx.host.name}: { interfaces: { eth0: 192.168.50.10/24 }, gateway: 192.168.50.1 }`,
      } };
    }
    return { hx, dst };
  }
  if (literal >>> 24 === 127) throw new TraceInputError(`${q.to} from a client outside the topology is the client itself; use the host's address`);
  for (const hx of hosts) {
    const dev = hx.localV4.get(literal);
    if (dev !== undefined && hx.underlay.some((u) => u.name === dev)) return { hx, dst: literal };
  }
  const owner = ctx.ownerOf(literal);
  for (const hx of hosts) {
    const dev = hx.localV4.get(literal);
    if (dev === undefined) continue;
    // A bridge's gateway address: only a client that routes that subnet to the host reaches it.
    return { outcome: { ...unreachableInside(`${q.to} is ${hx.host.name}'s address on ${dev}`, hx), address: literal } };
  }
  if (owner) return { outcome: { ...unreachableInside(`${q.to} is ${owner.container?.name ?? owner.ep.name}'s address on ${owner.ep.networkName} (${owner.hx.host.name})`, owner.hx), address: literal } };
  return { outcome: {
    verdict: 'unknown',
    reason: `no one in the topology has ${q.to}: a packet from ${q.from} to it never touches the topology`,
    fix: 'trace to a host of the topology (its name or address) and a port published there',
    address: literal,
  } };
}

/** A client outside sends an address inside a host to its own router, which the topology does not describe. */
function unreachableInside(what: string, hx: HostIndex): Outcome {
  const hostAddr = hx.uplink?.addr ?? hx.underlay[0]?.addr;
  return {
    verdict: 'unknown',
    reason: `${what}, inside ${hx.host.name}: a client outside sends it to its own router, and whether anything routes it to ${hx.host.name} the topology does not say`,
    fix: `from outside, use a published port on ${hx.host.name}'s address${hostAddr !== undefined ? ` (${formatV4(hostAddr)}:<published port>)` : ''}`,
  };
}
