// Compares what the engine predicts for a topology file with what the real dockerd did for the same
// file: networks, endpoints, published ports, name resolution and errors. Generated names (ids, br-<hex>,
// veth<hex>, short ids in aliases and messages) are normalised; everything else must be equal. Every
// disagreement is listed; none is tolerated.
import type { InspectContainer, InspectEndpoint, InspectNetwork, InspectResult } from '../../../src/engine/inspectTypes';
import type { TopologyDiagnostic } from '../../../src/topology/diagnostics';
import type { TopologySpec } from '../../../src/topology/spec';
import ipaddr from 'ipaddr.js';
import type { Observation } from './observe';
import type { PlayRecord } from './play';
import { nameQueries, queryText, type NameQuery } from './queries';

export interface Disagreement {
  /** e.g. "networks.mynet.gateway", "containers.web.endpoints[mynet].mac_address", "resolve web → db.mynet". */
  field: string;
  dockerd: string;
  engine: string;
  note?: string;
}

/** What the engine side gives for the file: its inspect, its resolver and its diagnostics. */
export interface EngineSide {
  inspect: InspectResult;
  resolve(from: string, name: string): string[];
  diagnostics: readonly TopologyDiagnostic[];
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

// ---------------------------------------------------------------------------------------------------
// Normalisation of generated names

const HEX64 = /\b[0-9a-f]{64}\b/g;

export function normaliseMessage(msg: string): string {
  return msg
    .trim()
    .replace(HEX64, '<id>')
    .replace(/\.$/, '');
}

function normaliseBridge(bridge: string | null | undefined, id: string): string | null {
  if (bridge === undefined || bridge === null) return null;
  if (/^br-[0-9a-f]{12}$/.test(bridge)) return bridge === `br-${id.slice(0, 12)}` ? 'br-<id[:12]>' : `${bridge} (not br-<id[:12]>)`;
  return bridge;
}

function normaliseVeth(name: string | null | undefined): string | null {
  if (name === undefined || name === null) return null;
  return /^veth[0-9a-f]{7}$/.test(name) ? 'veth<7 hex>' : name;
}

function normaliseIp(ip: string | null | undefined): string | null {
  if (ip === undefined || ip === null || ip === '') return null;
  try {
    return ipaddr.parse(ip).toString();
  } catch {
    return ip;
  }
}

function normaliseCidr(cidr: string | null | undefined): string | null {
  if (cidr === undefined || cidr === null || cidr === '') return null;
  try {
    const [addr, len] = ipaddr.parseCIDR(cidr);
    const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
    return `${net.toString()}/${len}`;
  } catch {
    return cidr;
  }
}

/** "container:<id>" → "container:<name>" with that side's own ids. */
function normaliseMode(mode: string, idToName: ReadonlyMap<string, string>): string {
  if (!mode.startsWith('container:')) return mode;
  const target = mode.slice('container:'.length);
  for (const [id, name] of idToName) if (id === target || (target.length >= 12 && id.startsWith(target))) return `container:${name}`;
  return mode;
}

function sortedOptions(o: Record<string, string> | undefined): string {
  return JSON.stringify(Object.fromEntries(Object.entries(o ?? {}).sort(([a], [b]) => a.localeCompare(b))));
}

// ---------------------------------------------------------------------------------------------------

function compareField(out: Disagreement[], field: string, d: unknown, e: unknown, note?: string): void {
  const ds = show(d);
  const es = show(e);
  if (ds !== es) out.push(note === undefined ? { field, dockerd: ds, engine: es } : { field, dockerd: ds, engine: es, note });
}

function compareNetworks(out: Disagreement[], spec: TopologySpec, d: InspectResult, e: InspectResult): void {
  const host = spec.hosts[0]!.name;
  const wanted = new Set(['bridge', 'host', 'none', ...spec.networks.map((n) => n.name)]);
  const dn = new Map(d.networks.map((n) => [n.name, n]));
  const en = new Map(e.networks.filter((n) => n.host === host).map((n) => [n.name, n]));
  for (const name of wanted) {
    const a = dn.get(name);
    const b = en.get(name);
    const at = `networks.${name}`;
    if (!a || !b) {
      if (a || b) compareField(out, `${at} exists`, !!a, !!b);
      continue;
    }
    compareNetwork(out, at, a, b);
  }
  for (const name of en.keys()) if (!wanted.has(name)) compareField(out, `networks.${name} exists`, false, true);
}

function compareNetwork(out: Disagreement[], at: string, a: InspectNetwork, b: InspectNetwork): void {
  compareField(out, `${at}.id`, 'a 64-hex id', /^[0-9a-f]{64}$/.test(b.id) ? 'a 64-hex id' : b.id);
  compareField(out, `${at}.driver`, a.driver, b.driver);
  compareField(out, `${at}.scope`, a.scope, b.scope);
  compareField(out, `${at}.subnet`, normaliseCidr(a.subnet), normaliseCidr(b.subnet));
  compareField(out, `${at}.gateway`, normaliseIp(a.gateway), normaliseIp(b.gateway));
  compareField(out, `${at}.ip_range`, normaliseCidr(a.ip_range), normaliseCidr(b.ip_range));
  compareField(out, `${at}.ipv6_subnet`, normaliseCidr(a.ipv6_subnet), normaliseCidr(b.ipv6_subnet));
  compareField(out, `${at}.ipv6_gateway`, normaliseIp(a.ipv6_gateway), normaliseIp(b.ipv6_gateway));
  compareField(out, `${at}.internal`, a.internal, b.internal);
  compareField(out, `${at}.attachable`, a.attachable, b.attachable);
  compareField(out, `${at}.ingress`, a.ingress, b.ingress);
  compareField(out, `${at}.enable_ipv6`, a.enable_ipv6, b.enable_ipv6);
  compareField(out, `${at}.options`, sortedOptions(a.options), sortedOptions(b.options));
  compareField(out, `${at}.bridge`, normaliseBridge(a.bridge, a.id), normaliseBridge(b.bridge, b.id));
}

function endpointView(ep: InspectEndpoint, ownShortId: string) {
  return {
    ipv4_address: normaliseIp(ep.ipv4_address),
    ipv4_prefix: ep.ipv4_prefix ?? null,
    ipv6_address: normaliseIp(ep.ipv6_address),
    mac_address: ep.mac_address === null || ep.mac_address === undefined ? null : ep.mac_address.toLowerCase(),
    interface: ep.interface ?? null,
    host_interface: normaliseVeth(ep.host_interface),
    gateway: normaliseIp(ep.gateway),
    aliases: (ep.aliases ?? []).map((a) => (a === ownShortId ? '<own short id>' : a)),
    ipv6_prefix: ep.ipv6_prefix ?? null,
    ipv6_gateway: normaliseIp(ep.ipv6_gateway),
  };
}

/**
 * Published ports as `host_ip:host_port->port/proto`, a set. An engine binding whose port is one of a set
 * (host_port_one_of: the daemon's allocation order varies from run to run) is `host_ip:{p1|p2}->…` on both
 * sides: dockerd's binding of the same address and container port shows so when its port is in the set.
 * `picked` lists the ports those bindings got on each side (sorted), so that two bindings cannot both get
 * one port of the set: compared too.
 */
export function portSets(d: InspectContainer, e: InspectContainer): { dockerd: string[]; engine: string[]; picked: { dockerd: number[]; engine: number[] } } {
  const plain = (p: InspectContainer['ports'][number]) => `${p.host_ip}:${p.host_port}->${p.container_port}/${p.protocol}`;
  const oneOf = (p: InspectContainer['ports'][number], set: number[]) => `${p.host_ip}:{${set.join('|')}}->${p.container_port}/${p.protocol}`;
  const open = e.ports.filter((p) => p.host_port_one_of);
  const picked = { dockerd: [] as number[], engine: open.map((p) => p.host_port).sort((a, b) => a - b) };
  const dockerd = d.ports.map((p) => {
    const i = open.findIndex((x) => x.host_ip === p.host_ip && x.container_port === p.container_port && x.protocol === p.protocol && x.host_port_one_of!.includes(p.host_port));
    if (i < 0) return plain(p);
    const [x] = open.splice(i, 1);
    picked.dockerd.push(p.host_port);
    return oneOf(p, x!.host_port_one_of!);
  });
  picked.dockerd.sort((a, b) => a - b);
  return { dockerd: dockerd.sort(), engine: e.ports.map((p) => (p.host_port_one_of ? oneOf(p, p.host_port_one_of) : plain(p))).sort(), picked };
}

function compareContainers(out: Disagreement[], spec: TopologySpec, d: InspectResult, e: InspectResult): void {
  const host = spec.hosts[0]!.name;
  const dc = new Map(d.containers.map((c) => [c.name, c]));
  const ec = new Map(e.containers.filter((c) => c.host === host).map((c) => [c.name, c]));
  const dIds = new Map(d.containers.map((c) => [c.id, c.name]));
  const eIds = new Map(e.containers.map((c) => [c.id, c.name]));
  for (const s of spec.containers) {
    const a = dc.get(s.name);
    const b = ec.get(s.name);
    const at = `containers.${s.name}`;
    if (!a || !b) {
      if (a || b) compareField(out, `${at} exists`, !!a, !!b);
      continue;
    }
    compareField(out, `${at}.id`, 'a 64-hex id', /^[0-9a-f]{64}$/.test(b.id) ? 'a 64-hex id' : b.id);
    compareField(out, `${at}.network_mode`, normaliseMode(a.network_mode, dIds), normaliseMode(b.network_mode, eIds));
    compareField(out, `${at}.running`, a.running, b.running);
    const aEps = new Map(a.endpoints.map((x) => [x.network, x]));
    const bEps = new Map(b.endpoints.map((x) => [x.network, x]));
    for (const net of new Set([...aEps.keys(), ...bEps.keys()])) {
      const x = aEps.get(net);
      const y = bEps.get(net);
      const eat = `${at}.endpoints[${net}]`;
      if (!x || !y) {
        compareField(out, `${eat} exists`, !!x, !!y);
        continue;
      }
      const vx = endpointView(x, a.id.slice(0, 12));
      const vy = endpointView(y, b.id.slice(0, 12));
      for (const k of Object.keys(vx) as (keyof typeof vx)[]) compareField(out, `${eat}.${k}`, vx[k], vy[k]);
    }
    const ports = portSets(a, b);
    compareField(out, `${at}.ports`, ports.dockerd, ports.engine);
    if (ports.picked.engine.length) compareField(out, `${at}.ports (the host ports picked from a set)`, ports.picked.dockerd, ports.picked.engine);
    compareField(out, `${at}.default_gateway_network`, a.default_gateway_network, b.default_gateway_network ?? null);
    compareField(out, `${at}.warnings`, [...a.warnings].sort(), [...(b.warnings ?? [])].sort());
  }
}

function compareResolutions(out: Disagreement[], spec: TopologySpec, obs: Observation, engine: EngineSide, played: PlayRecord, extra: readonly NameQuery[]): void {
  const engineIds = new Map(engine.inspect.containers.map((c) => [c.name, c.id]));
  const queries = new Map([...extra, ...nameQueries(spec)].map((q) => [q.label, q]));
  for (const r of obs.resolutions) {
    const field = `resolve from ${r.from}: ${r.query}`;
    if (r.failure) {
      out.push({ field, dockerd: `(not observed: ${r.failure})`, engine: '-' });
      continue;
    }
    const q = queries.get(r.query)!;
    const text = queryText(q, engineIds);
    let mine: string;
    if (text === undefined) mine = '(the engine has no such container)';
    else {
      try {
        mine = show([...new Set(engine.resolve(r.from, text).map((x) => normaliseIp(x)!))].sort());
      } catch (err) {
        mine = `(throws: ${(err as Error).message})`;
      }
    }
    const theirs = show(r.addresses);
    if (theirs !== mine) {
      const dockerName = queryText(q, played.containerIds);
      out.push({ field, dockerd: theirs, engine: mine, ...(q.shortIdOf ? { note: `dockerd looked up ${dockerName}, the engine ${text}` } : {}) });
    }
  }
}

function diagnosticObject(d: TopologyDiagnostic): string {
  const p = d.path ?? [];
  return p.length >= 2 ? `${p[0]}.${p[1]}` : p.length === 1 ? String(p[0]) : '(file)';
}

function compareErrors(out: Disagreement[], played: PlayRecord, engine: EngineSide): void {
  const engineErrors = engine.diagnostics.filter((d) => d.severity === 'error');
  const used = new Set<TopologyDiagnostic>();
  for (const s of played.steps.filter((x) => !x.ok)) {
    const object = s.object.join('.');
    const mine = engineErrors.filter((d) => diagnosticObject(d) === object);
    if (s.skipped !== undefined) {
      // Not played because something it depends on failed: the engine must say so on the same object.
      const dep = mine.find((d) => !used.has(d) && d.code === 'dependency');
      if (dep) used.add(dep);
      else out.push({ field: `error on ${object}`, dockerd: `(not played: ${s.skipped})`, engine: '(no dependency error)' });
      continue;
    }
    const match = mine.find((d) => !used.has(d) && normaliseMessage(d.message) === normaliseMessage(s.error ?? ''));
    if (match) {
      used.add(match);
      continue;
    }
    const what = s.kind === 'connect' ? `${object} (connect to ${s.network})` : object;
    out.push({
      field: `error on ${what}`,
      dockerd: show(s.error),
      engine: mine.length === 0 ? '(no error)' : mine.map((d) => show(d.message)).join(' | '),
      ...(s.errorSource === 'cli' ? { note: "refused by the docker CLI's own check, before any API call" } : {}),
    });
    for (const d of mine) used.add(d);
  }
  for (const d of engineErrors) {
    if (used.has(d)) continue;
    out.push({ field: `error on ${diagnosticObject(d)}`, dockerd: '(no error)', engine: show(d.message) });
  }
}

// ---------------------------------------------------------------------------------------------------
// The namespace: interfaces and MTUs, the routing table, /etc/hosts, /etc/resolv.conf

/** A side's short ids (and full ids) → `<short id of NAME>`, for the hostnames dockerd writes. */
function shortIdNamer(containers: readonly InspectContainer[]): (line: string) => string {
  const byShort = new Map(containers.map((c) => [c.id.slice(0, 12), c.name]));
  return (line) => line.replace(HEX64, (id) => `<id of ${byShort.get(id.slice(0, 12)) ?? '?'}>`).replace(/\b[0-9a-f]{12}\b/g, (sid) => (byShort.has(sid) ? `<short id of ${byShort.get(sid)}>` : sid));
}

function interfaceList(c: InspectContainer): string[] | null {
  if (c.interfaces === undefined || c.interfaces === null) return null;
  return c.interfaces.map((i) => `${i.name} mtu ${i.mtu}`).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

function compareSandboxes(out: Disagreement[], spec: TopologySpec, d: InspectResult, e: InspectResult): void {
  const host = spec.hosts[0]!.name;
  const dc = new Map(d.containers.map((c) => [c.name, c]));
  const ec = new Map(e.containers.filter((c) => c.host === host).map((c) => [c.name, c]));
  const dName = shortIdNamer(d.containers);
  const eName = shortIdNamer(e.containers);
  for (const s of spec.containers) {
    const a = dc.get(s.name);
    const b = ec.get(s.name);
    if (!a || !b) continue; // compareContainers says so
    const at = `containers.${s.name}`;
    compareField(out, `${at}.interfaces (ip link: name, MTU)`, interfaceList(a), interfaceList(b));
    compareLines(out, `${at}.routes (ip route, ip -6 route)`, a.routes ?? null, b.routes ?? null, true);
    compareLines(out, `${at}./etc/hosts`, a.hosts_file?.map(dName) ?? null, b.hosts_file?.map(eName) ?? null, false);
    compareLines(out, `${at}./etc/resolv.conf`, a.resolv_conf ?? null, b.resolv_conf ?? null, false);
  }
}

/** Line lists: one disagreement naming the lines only one side has (or the order, when that differs). */
function compareLines(out: Disagreement[], field: string, a: string[] | null, b: string[] | null, sorted: boolean): void {
  if (a === null || b === null) {
    compareField(out, field, a, b);
    return;
  }
  const x = sorted ? [...a].sort() : a;
  const y = sorted ? [...b].sort() : b;
  if (show(x) === show(y)) return;
  const onlyA = x.filter((l) => !y.includes(l));
  const onlyB = y.filter((l) => !x.includes(l));
  const note = onlyA.length === 0 && onlyB.length === 0 ? 'same lines, other order' : `only dockerd: ${show(onlyA)}; only the engine: ${show(onlyB)}`;
  out.push({ field, dockerd: show(x), engine: show(y), note });
}

/** `extra`: the names observe() looked up beyond queries.ts's. */
export function compare(spec: TopologySpec, played: PlayRecord, obs: Observation, engine: EngineSide, extra: readonly NameQuery[] = []): Disagreement[] {
  const out: Disagreement[] = [];
  compareErrors(out, played, engine);
  compareNetworks(out, spec, obs.inspect, engine.inspect);
  compareContainers(out, spec, obs.inspect, engine.inspect);
  compareSandboxes(out, spec, obs.inspect, engine.inspect);
  compareResolutions(out, spec, obs, engine, played, extra);
  return out;
}

export function formatDisagreements(scenario: string, ds: readonly Disagreement[]): string {
  const lines = [`${scenario}: ${ds.length} disagreement(s) between dockerd and the engine`];
  for (const d of ds) {
    lines.push(`  ${d.field}`);
    lines.push(`      dockerd: ${d.dockerd}`);
    lines.push(`      engine:  ${d.engine}`);
    if (d.note) lines.push(`      (${d.note})`);
  }
  return lines.join('\n');
}
