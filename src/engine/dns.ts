// Name resolution inside a container. Two views:
// - resolveDns: what the DNS server the container uses answers (what `nslookup` shows, and what
//   `cnm resolve` prints). That is the embedded server at 127.0.0.11 once the sandbox has joined a
//   user-defined network; it looks a name up network by network in the sandbox's endpoint order (swarm-scope
//   networks first), also as name.<network>. On the default bridge / none / host the container's servers
//   are the daemon's (--dns 127.0.0.1 here): they know no container names.
// - resolveName: getaddrinfo, what `ping NAME` or `nc NAME` uses: /etc/hosts first, then DNS.
// Docker shuffles the addresses of a shared name per answer; the engine returns them sorted, IPv4 then IPv6.
import { compareAddr, formatAddr, type IpAddr } from './ip';
import { parseIp } from './ip';
import type { ContainerState, EndpointState, HostState, NetworkState, SandboxState, SwarmState } from './model';

function runningSandbox(host: HostState, ctr: ContainerState): SandboxState | null {
  if (ctr.status !== 'running' || !ctr.sandboxId) return null;
  return host.sandboxes.get(ctr.sandboxId) ?? null;
}

function normalise(rawName: string): string {
  return rawName.replace(/\.$/, '').toLowerCase();
}

/**
 * A name's answer: its addresses, or (`unknownOn`) the network whose record answers it when that
 * network's addresses are unknown (NetworkState.addressesUnknown): the name resolves, to an address
 * the engine cannot know.
 */
export interface NameAnswer {
  addresses: string[];
  unknownOn?: string;
}

/** getaddrinfo: /etc/hosts, then the DNS answer. */
export function resolveName(host: HostState, ctr: ContainerState, rawName: string, swarm?: SwarmState): string[] {
  return lookupName(host, ctr, rawName, swarm, false).addresses;
}

/** The DNS answer only (A and AAAA), as `nslookup NAME` in the container shows it. */
export function resolveDns(host: HostState, ctr: ContainerState, rawName: string, swarm?: SwarmState): string[] {
  return lookupName(host, ctr, rawName, swarm, true).addresses;
}

/** resolveName (dnsOnly: resolveDns), saying when the answer is an address on a network whose addresses are unknown. */
export function lookupName(host: HostState, ctr: ContainerState, rawName: string, swarm: SwarmState | undefined, dnsOnly: boolean): NameAnswer {
  const sb = runningSandbox(host, ctr);
  const name = normalise(rawName);
  if (!sb || name === '') return { addresses: [] };
  if (!dnsOnly) {
    // /etc/hosts (host mode: the host's own file, which we only know for localhost).
    if (name === 'localhost') return { addresses: ['127.0.0.1'] };
    if (name === 'ip6-localhost' || name === 'ip6-loopback') return { addresses: ['::1'] };
    if (!sb.hostNetwork) {
      for (const entry of sb.hostsEntries) {
        if (entry.names.some((n) => n.toLowerCase() === name)) return { addresses: [entry.ip] };
      }
    }
  }
  return dnsAnswer(host, sb, rawName.replace(/\.$/, ''), swarm);
}

/** `asked`: the name as queried (link aliases match it case and all; everything else lower-cased). */
function dnsAnswer(host: HostState, sb: SandboxState, asked: string, swarm?: SwarmState): NameAnswer {
  if (!sb.resolverStarted) return { addresses: [] }; // the daemon's resolvers do not know container names
  const v4 = lookup(host, sb, asked, 4, swarm);
  if (!Array.isArray(v4)) return { addresses: [], unknownOn: v4.unknownOn };
  const v6 = lookup(host, sb, asked, 6, swarm);
  return { addresses: [...v4, ...(Array.isArray(v6) ? v6 : [])].sort(compareAddr).map(formatAddr) };
}

/** sandbox.ResolveName for one query type. */
function lookup(host: HostState, sb: SandboxState, asked: string, v: 4 | 6, swarm?: SwarmState): IpAddr[] | { unknownOn: string } {
  const name = asked;
  const candidates: [string, string | null][] = [[name, null]];
  // a.b.c is tried as {a.b.c anywhere}, {a.b on network c}, {a on network b.c}.
  for (let i = name.lastIndexOf('.'); i > 0; i = name.lastIndexOf('.', i - 1)) {
    candidates.push([name.slice(0, i), name.slice(i + 1)]);
  }
  const eps = endpointOrder(host, sb);
  // Per candidate: the endpoints' link aliases first (EndpointSettings.Links: alias → container name),
  // then the name itself on every endpoint that has no such link alias (sandbox.resolveName).
  const pass = (asReq: string, asNet: string | null, alias: boolean): IpAddr[] | { unknownOn: string } | 'v6miss' | null => {
    let v6Miss = false;
    // Link aliases: a plain map in libnetwork (case as asked); names and networks: case-insensitive.
    const req = asReq.toLowerCase();
    const netName = asNet === null ? null : asNet.toLowerCase();
    for (const ep of eps) {
      const net = host.networks.get(ep.networkId);
      if (!net) continue;
      if (netName !== null && netName !== net.name.toLowerCase()) continue;
      let target = req;
      if (alias) {
        const t = ep.links?.get(asReq);
        if (t === undefined) continue;
        target = t;
      } else if (ep.links?.has(asReq)) continue;
      if (swarm && net.scope === 'swarm' && !net.ingress) {
        const svc = serviceRecords(swarm, net, target);
        if (svc) return v === 6 ? [] : svc;
      }
      const records = net.dnsRecords.get(target);
      if (!records || records.length === 0) continue;
      // The record is there, its address is not known: the answer is unknown, not the next network's.
      if (net.addressesUnknown) return { unknownOn: net.name };
      if (v === 6 && !net.enableIpv6) {
        // The name exists here with IPv4 only: the AAAA answer is empty, not forwarded.
        v6Miss = true;
        continue;
      }
      const out = uniqueAddrs(records, v);
      if (out.length > 0) return out;
    }
    return v6Miss ? 'v6miss' : null;
  };
  for (const [req, netName] of candidates) {
    for (const alias of [true, false]) {
      const r = pass(req, netName, alias);
      if (r === 'v6miss') return [];
      if (r) return r;
    }
  }
  return [];
}

function uniqueAddrs(records: EndpointState[], v: 4 | 6): IpAddr[] {
  const seen = new Set<bigint>();
  const out: IpAddr[] = [];
  for (const r of records) {
    const a = v === 4 ? r.ipv4?.addr : r.ipv6?.addr;
    if (a && !seen.has(a.value)) {
      seen.add(a.value);
      out.push(a);
    }
  }
  return out;
}

/** Swarm-scope (non-ingress) networks first, then ingress, then local ones, each in sandbox order. */
function endpointOrder(host: HostState, sb: SandboxState): EndpointState[] {
  const dynamic: EndpointState[] = [], local: EndpointState[] = [];
  let ingress: EndpointState | null = null;
  for (const ep of sb.endpoints) {
    const n = host.networks.get(ep.networkId);
    if (n?.ingress) ingress ??= ep;
    else if (n && n.scope === 'swarm') dynamic.push(ep);
    else local.push(ep);
  }
  return [...dynamic, ...(ingress ? [ingress] : []), ...local];
}

/**
 * Service discovery on a swarm network (service_common.go): the service name answers the VIP of that
 * network (vip mode) or every task's address (dnsrr); tasks.<service> answers the task addresses.
 */
function serviceRecords(swarm: SwarmState, net: NetworkState, name: string): IpAddr[] | null {
  for (const svc of swarm.services.values()) {
    if (!svc.networks.includes(net.id)) continue;
    const lower = svc.name.toLowerCase();
    const tasks = () => svc.tasks.flatMap((t) => t.addresses.filter((a) => a.networkId === net.id).map((a) => parseIp(a.address)!));
    if (name === `tasks.${lower}`) return tasks();
    if (name !== lower) continue;
    if (svc.endpointMode === 'dnsrr') return tasks();
    const vip = svc.vips.find((x) => x.networkId === net.id);
    return vip ? [parseIp(vip.address)!] : [];
  }
  return null;
}
