// Values that differ between two plays of the same Compose project. Compose starts independent services
// (and replicas) at the same time and creates networks in Go map order, so which container gets which
// address, and which network gets which pool, depends on timing; the engine warns where it does
// (PlayedCompose.racing, racingSubnets). Such values are compared as a set: dockerd's and the engine's
// addresses of the containers that race must be the same set (likewise the subnets). When they are, the
// docker side is relabelled to the engine's assignment — each address, MAC (02:42 + the address) and
// address inside a racing subnet becomes the engine's value for the same container or network — so that
// everything derived from them (routes, /etc/hosts, DNS answers) is still compared exactly.
import ipaddr from 'ipaddr.js';
import type { InspectResult } from '../../../src/engine/inspectTypes';
import type { LoadedCompose } from '../../../src/topology/compose';
import type { Observation } from '../harness/observe';
import type { NameQuery } from '../harness/queries';

export interface RaceResult {
  /** The docker side under the engine's assignment. */
  observation: Observation;
  /** Sets that differ: each a failure. */
  problems: string[];
  /** How many timing-dependent values were compared as members of a set. */
  compared: number;
  /** The sets, for the record. */
  sets: { what: string; dockerd: string[]; engine: string[] }[];
}

const show = (xs: (string | null)[]) => xs.map((x) => x ?? '-').sort();

function v4(ip: string): number | null {
  try {
    const a = ipaddr.parse(ip);
    return a.kind() === 'ipv4' ? (a.toByteArray().reduce((n, b) => n * 256 + b, 0)) : null;
  } catch {
    return null;
  }
}
const fromInt = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

export function translateRaces(l: LoadedCompose, observed: Observation, engine: InspectResult): RaceResult {
  let obs = observed;
  const problems: string[] = [];
  const sets: RaceResult['sets'] = [];
  let compared = 0;
  const exact = new Map<string, string>();
  const subnets: { from: number; to: number; size: number }[] = [];

  // Networks whose pool depends on creation order: their subnets, as a set.
  const racingNets = [...l.played.racingSubnets];
  if (racingNets.length) {
    const d = racingNets.map((n) => obs.inspect.networks.find((x) => x.name === n)?.subnet ?? null);
    const e = racingNets.map((n) => engine.networks.find((x) => x.name === n)?.subnet ?? null);
    sets.push({ what: `subnets of ${racingNets.join(', ')}`, dockerd: show(d), engine: show(e) });
    compared += racingNets.length;
    if (JSON.stringify(show(d)) !== JSON.stringify(show(e))) problems.push(`timing-dependent subnets of ${racingNets.join(', ')} (compared as a set): dockerd ${show(d).join(' ')}, engine ${show(e).join(' ')}`);
    else {
      racingNets.forEach((_, i) => {
        const [dn, dl] = d[i]!.split('/');
        const [en, el] = e[i]!.split('/');
        if (dn !== en && dl === el && v4(dn!) !== null && v4(en!) !== null) subnets.push({ from: v4(dn!)!, to: v4(en!)!, size: 2 ** (32 - Number(dl)) });
      });
    }
  }
  const mapV4 = (ip: string): string => {
    if (exact.has(ip)) return exact.get(ip)!;
    const n = v4(ip);
    if (n === null) return ip;
    const s = subnets.find((x) => n >= x.from && n < x.from + x.size);
    return s ? fromInt(s.to + (n - s.from)) : ip;
  };

  // Replicas of one service whose addresses race among themselves (the engine's warning): their numbers
  // are interchangeable, so each docker replica is renamed to the engine's replica that has its addresses.
  // What depends on which replica is which (the link names that answer "the replica started last",
  // played.racingLinks) is then compared exactly.
  const renamed = renameReplicas(l, obs, engine, mapV4, sets);
  obs = renamed.observation;
  problems.push(...renamed.problems);
  compared += renamed.compared;

  // Containers whose addresses on a network depend on who starts first: per family, as a set.
  const endpoint = (inspect: InspectResult, c: string, net: string) => inspect.containers.find((x) => x.name === c)?.endpoints.find((e) => e.network === net);
  for (const [net, members] of l.played.racing) {
    const cs = [...members];
    for (const fam of ['ipv4_address', 'ipv6_address', 'mac_address'] as const) {
      const d = cs.map((c) => {
        const v = endpoint(obs.inspect, c, net)?.[fam] ?? null;
        return v !== null && fam === 'ipv4_address' ? mapV4(v) : v;
      });
      const e = cs.map((c) => endpoint(engine, c, net)?.[fam] ?? null);
      if (d.every((x) => x === null) && e.every((x) => x === null)) continue;
      sets.push({ what: `${fam} on ${net} of ${cs.join(', ')}`, dockerd: show(d), engine: show(e) });
      compared += cs.length;
      if (fam === 'mac_address') continue; // follows the address (02:42 + IPv4): relabelled with it below
      if (JSON.stringify(show(d)) !== JSON.stringify(show(e))) {
        problems.push(`timing-dependent ${fam} on ${net} of ${cs.join(', ')} (compared as a set): dockerd ${show(d).join(' ')}, engine ${show(e).join(' ')}`);
        continue;
      }
      cs.forEach((c, i) => {
        const raw = endpoint(obs.inspect, c, net)?.[fam];
        if (raw && e[i] && raw !== e[i]) exact.set(raw, e[i]!);
      });
    }
  }

  const v6keys = [...exact.keys()].filter((k) => k.includes(':')).sort((a, b) => b.length - a.length);
  const v6re = v6keys.length ? new RegExp(`(?<![0-9A-Fa-f:])(${v6keys.map((k) => k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})(?![0-9A-Fa-f:])`, 'g') : null;
  const text = (s: string): string => {
    let out = v6re ? s.replace(v6re, (k) => exact.get(k) ?? k) : s;
    // MACs derived from the IPv4 address follow it.
    out = out.replace(/\b02:42:([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2}):([0-9a-f]{2})\b/gi, (all, ...b: string[]) => {
      const ip = b.slice(0, 4).map((h) => parseInt(h, 16)).join('.');
      const to = mapV4(ip);
      return to === ip ? all : `02:42:${to.split('.').map((x) => Number(x).toString(16).padStart(2, '0')).join(':')}`;
    });
    return out.replace(/(?<![\d.])\d{1,3}(?:\.\d{1,3}){3}(?![\d]|\.\d)/g, (ip) => mapV4(ip));
  };
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const observation = walk(obs) as Observation;
  // Answers are sets: keep them sorted after relabelling.
  for (const r of observation.resolutions) r.addresses = [...r.addresses].sort();

  // Interface names of containers on several networks (joined in Go map order at start): as a set, then
  // each endpoint's interface (and the routes naming it) relabelled to the engine's name for that network.
  for (const name of l.played.racingInterfaces) {
    const d = observation.inspect.containers.find((c) => c.name === name);
    const e = engine.containers.find((c) => c.name === name);
    if (!d || !e) continue;
    const dn = d.endpoints.map((x) => x.interface ?? null);
    const en = e.endpoints.map((x) => x.interface ?? null);
    sets.push({ what: `interfaces of ${name}`, dockerd: show(dn), engine: show(en) });
    compared += dn.length;
    if (JSON.stringify(show(dn)) !== JSON.stringify(show(en))) {
      problems.push(`timing-dependent interface names of ${name} (compared as a set): dockerd ${show(dn).join(' ')}, engine ${show(en).join(' ')}`);
      continue;
    }
    const rename = new Map<string, string>();
    for (const ep of d.endpoints) {
      const mine = e.endpoints.find((x) => x.network === ep.network)?.interface;
      if (ep.interface && mine) rename.set(ep.interface, mine);
    }
    for (const ep of d.endpoints) if (ep.interface) ep.interface = rename.get(ep.interface) ?? ep.interface;
    // /etc/hosts gets a line per network in join order (26.1): the same lines, in the engine's order.
    if (d.hosts_file && e.hosts_file && d.hosts_file.length === e.hosts_file.length) {
      const norm = (xs: string[]) => JSON.stringify(xs.map((x) => x.replace(/\b[0-9a-f]{12}\b/g, '<id>')).sort());
      if (norm(d.hosts_file) === norm(e.hosts_file)) {
        const order = e.hosts_file.map((x) => x.split(/\s+/)[0]);
        d.hosts_file = [...d.hosts_file].sort((a, b) => order.indexOf(a.split(/\s+/)[0]) - order.indexOf(b.split(/\s+/)[0]));
      }
    }
    // The namespace's routes: its own, and those of containers sharing it (network_mode container:).
    for (const c of observation.inspect.containers) {
      if (c.name !== name && c.network_mode !== `container:${name}`) continue;
      if (c.routes) c.routes = c.routes.map((r) => r.replace(/\bdev (\S+)/g, (all, dev: string) => (rename.has(dev) ? `dev ${rename.get(dev)}` : all)));
    }
  }
  return { observation, problems, compared, sets };
}

/**
 * The docker side with each racing replica (PlayedCompose.racingReplicas) renamed to the engine's replica
 * whose addresses on the racing networks are the same, when that pairs them one to one (else unchanged: the
 * address sets below then say what differs). Names in look-ups are renamed too, except a linking
 * container's link names (they name "the replica started last", whatever its number: compared as they are).
 */
function renameReplicas(l: LoadedCompose, obs: Observation, engine: InspectResult, mapV4: (ip: string) => string, sets: RaceResult['sets']): { observation: Observation; problems: string[]; compared: number } {
  const problems: string[] = [];
  let compared = 0;
  const rename = new Map<string, string>();
  for (const [service, replicas] of l.played.racingReplicas) {
    const nets = [...l.played.racing].filter(([, members]) => replicas.every((r) => members.has(r))).map(([n]) => n);
    if (nets.length === 0) continue;
    const signature = (inspect: InspectResult, c: string, map: (ip: string) => string) =>
      JSON.stringify(nets.map((n) => {
        const ep = inspect.containers.find((x) => x.name === c)?.endpoints.find((e) => e.network === n);
        return [ep?.ipv4_address ? map(ep.ipv4_address) : null, ep?.ipv6_address ?? null];
      }));
    const engineBy = new Map(replicas.map((r) => [signature(engine, r, (x) => x), r]));
    const pairs = replicas.map((r) => [r, engineBy.get(signature(obs.inspect, r, mapV4))] as const);
    if (engineBy.size !== replicas.length || pairs.some(([, e]) => e === undefined) || new Set(pairs.map(([, e]) => e)).size !== replicas.length) continue;
    for (const [d, e] of pairs) if (d !== e) rename.set(d, e!);
    if (rename.size) sets.push({ what: `replicas of ${service} (by their addresses on ${nets.join(', ')})`, dockerd: pairs.map(([d, e]) => `${d} is ${e}`), engine: replicas });
  }
  if (rename.size === 0) return { observation: obs, problems, compared };
  const esc = (x: string) => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  // Case-insensitive, as names are looked up (the suite asks for one name upper-cased).
  const re = new RegExp(`(?<![A-Za-z0-9_.-])(${[...rename.keys()].map(esc).join('|')})(?![A-Za-z0-9_-])`, 'gi');
  const text = (x: string) => x.replace(re, (n) => {
    const to = rename.get(n.toLowerCase());
    return to === undefined ? n : n === n.toUpperCase() && n !== n.toLowerCase() ? to.toUpperCase() : to;
  });
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const linkNames = new Map<string, Set<string>>();
  for (const r of l.played.racingLinks) for (const n of r.names) linkNames.set(r.from, new Set([...(linkNames.get(r.from) ?? []), n]));
  const resolutions: Observation['resolutions'] = [];
  for (const r of obs.resolutions) {
    const own = linkNames.get(r.from);
    // A link name (also as `name.network`) was answered through the link alias: compared as it is.
    if (own?.has(r.query) || own?.has(r.query.split('.')[0]!)) {
      resolutions.push({ ...r, from: text(r.from) });
      continue;
    }
    const query = text(r.query);
    const [base, net] = [query.split('.')[0]!, query.includes('.') ? query.slice(query.indexOf('.') + 1) : undefined];
    if (query !== r.query && own?.has(base)) {
      // The renamed replica's name is one of this container's link names, which shadow it there: its
      // counterpart cannot be looked up on the engine, so the answer is checked against the renamed
      // replica's own addresses (on the network named, else on the networks the two share).
      const to = rename.get(r.query.split('.')[0]!.toLowerCase())!;
      const mine = engine.containers.find((c) => c.name === to);
      const fromNets = new Set(engine.containers.find((c) => c.name === text(r.from))?.endpoints.map((e) => e.network) ?? []);
      const want = (mine?.endpoints ?? []).filter((e) => (net !== undefined ? e.network === net : fromNets.has(e.network))).flatMap((e) => [e.ipv4_address, e.ipv6_address]).filter((x): x is string => !!x).sort();
      const got = r.addresses.map((a) => (a.includes(':') ? a : mapV4(a))).sort();
      compared++;
      if (JSON.stringify(got) !== JSON.stringify(want)) problems.push(`resolve from ${r.from}: ${r.query} (the replica the engine calls ${to}; its name is a link name there): dockerd ${JSON.stringify(got)}, engine's ${to} ${JSON.stringify(want)}`);
      continue;
    }
    resolutions.push({ ...r, from: text(r.from), query });
  }
  return { observation: { ...obs, inspect: walk(obs.inspect) as InspectResult, resolutions, notes: obs.notes.map(text) }, problems, compared };
}

/**
 * Every racing replica's name upper-cased (the suite asks for the first container's name so): a renamed
 * docker replica's look-up then has its counterpart on the engine's side.
 */
export function replicaQueries(l: LoadedCompose): NameQuery[] {
  return [...l.played.racingReplicas.values()].flat().map((c) => ({ label: c.toUpperCase(), name: c.toUpperCase() }));
}

/** Link aliases (`links: ["svc:alias"]`): looked up from every container, as Docker answers them for the linking one only. */
export function linkQueries(l: LoadedCompose): NameQuery[] {
  const out = new Map<string, NameQuery>();
  for (const s of l.project.services) {
    if (!s.enabled) continue;
    for (const link of s.links) for (const name of [link.alias, `${link.service}-1`]) out.set(name, { label: name, name });
  }
  return [...out.values()];
}
