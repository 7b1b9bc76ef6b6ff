// Helpers of ops/replay.ts (Engine.replaceContainer, replaceNetwork): what a container occupies that later
// containers could see, and its place in every creation-ordered collection, so a container re-played in
// place ends up exactly where a re-play of everything would have put it.
import type { ContainerState, EndpointState, HostState, NetworkState, SandboxState } from './model';

/** Drivers whose endpoints hold nothing but an address, a veth and a bridge port (no host links, no overlay). */
const SIMPLE_DRIVERS = new Set(['bridge', 'host', 'null']);

/** A running container with its own namespace (not shared with `container:` joiners) on simple drivers only. */
export function replaceable(host: HostState, c: ContainerState): boolean {
  if (c.status !== 'running' || c.modeKind === 'container' || c.runtimeWarnings.length > 0) return false;
  const sb = sandboxOf(host, c);
  if (!sb || sb.sharedBy.size > 0 || sb.containerId !== c.id) return false;
  return sb.endpoints.every((ep) => SIMPLE_DRIVERS.has(ep.networkDriver) && !ep.service);
}

/** What names the container and orders it: ids and its creation number (must not change when re-played). */
export function identity(host: HostState, c: ContainerState): string {
  const sb = sandboxOf(host, c);
  return [c.id, c.seq, c.sandboxId, sb?.key].join('|');
}

/**
 * Per network id, what the other containers on that network could depend on: the container's addresses
 * there (the next free address follows from them). Its endpoint ids, veth names, MACs and interface
 * names are its own; ids are checked through the creation counter, veth names apart.
 */
export function endpointPrints(host: HostState, c: ContainerState): Map<string, string> {
  const out = new Map<string, string>();
  for (const ep of sandboxOf(host, c)?.endpoints ?? []) out.set(ep.networkId, `${ep.ipv4?.address ?? ''}|${ep.ipv6?.address ?? ''}`);
  return out;
}

/** The networks (ids) the container has an endpoint on. */
export function networksOf(host: HostState, c: ContainerState): string[] {
  return (sandboxOf(host, c)?.endpoints ?? []).map((ep) => ep.networkId);
}

/** True when every host-side veth has the name of a first attempt (no name was taken twice and re-drawn). */
export function vethsFirstDrawn(host: HostState): boolean {
  for (const v of host.veths.values()) {
    const id = v.endpointId;
    const name = v.hostIfname;
    if (id.length !== 64) continue;
    if (name.length !== 11) return false;
    for (let i = 4; i < 11; i++) if (name.charCodeAt(i) !== id.charCodeAt(53 + i)) return false;
  }
  return true;
}

/** "proto/port" of every host port the container binds, or null when one is picked by the daemon (ephemeral, -P). */
export function fixedPorts(c: ContainerState): Set<string> | null {
  if (c.publishAll) return null;
  const out = new Set<string>();
  for (const b of c.portSpecs) {
    if (b.hostPortStart === 0 || b.hostPortStart !== b.hostPortEnd) return null;
    out.add(`${b.proto}/${b.hostPortStart}`);
  }
  return out;
}

/**
 * True when no container created after `seq` asks for a port the replaced container held or now holds, and
 * none picks one (an ephemeral pick walks the taken ports): then their bindings are the same either way.
 */
export function tailPortsUnaffected(host: HostState, seq: number, ports: Set<string>): boolean {
  for (const c of host.containers.values()) {
    if (c.seq <= seq) continue;
    if (c.publishAll) return false;
    for (const b of c.portSpecs) {
      if (b.hostPortStart === 0 || b.hostPortStart !== b.hostPortEnd) return false;
      if (ports.has(`${b.proto}/${b.hostPortStart}`)) return false;
    }
  }
  return true;
}

/**
 * Puts the records of re-played containers (appended at the end of every creation-ordered collection
 * when they were made again) back in creation order among the others': containers, sandboxes, veths,
 * bridge ports, network endpoints, and DNS record lists.
 */
export function restoreOrder(host: HostState, replayed: ContainerState[]): void {
  const seqOfContainer = (id: string | null | undefined) => (id ? host.containers.get(id)?.seq : undefined);
  const seqOfSandbox = (id: string | null | undefined) => (id ? seqOfContainer(host.sandboxes.get(id)?.containerId) : undefined);
  const seqOfVeth = (name: string) => seqOfSandbox(host.veths.get(name)?.sandboxId);
  const ids = new Set(replayed.map((c) => c.id));
  const seqs = new Set(replayed.map((c) => c.seq)); // a Set: every later veth asks
  const mine = (seq: number | undefined) => seq !== undefined && seqs.has(seq);
  const bridges = new Set<string>();
  const networks = new Set<string>();
  for (const c of replayed) {
    for (const ep of sandboxOf(host, c)?.endpoints ?? []) {
      networks.add(ep.networkId);
      const v = ep.hostIfname ? host.veths.get(ep.hostIfname) : undefined;
      if (v) bridges.add(v.bridge);
    }
  }
  const firstSeq = Math.min(...replayed.map((c) => c.seq));
  inCreationOrder(host.containers, firstSeq, (_k, c) => c.seq, (_k, c) => ids.has(c.id));
  inCreationOrder(host.sandboxes, firstSeq, (_k, sb) => seqOfContainer(sb.containerId), (_k, sb) => ids.has(sb.containerId));
  inCreationOrder(host.veths, firstSeq, (k) => seqOfVeth(k), (k) => mine(seqOfVeth(k)));
  for (const b of bridges) {
    const ports = host.bridges.get(b)?.ports;
    if (ports) inCreationOrder(ports, firstSeq, (k) => seqOfVeth(k), (k) => mine(seqOfVeth(k)));
  }
  for (const id of networks) {
    const net = host.networks.get(id);
    if (!net) continue;
    inCreationOrder(net.endpoints, firstSeq, (_k, ep) => seqOfContainer(ep.containerId), (_k, ep) => ids.has(ep.containerId));
  }
  for (const c of replayed) {
    for (const ep of sandboxOf(host, c)?.endpoints ?? []) {
      const net = host.networks.get(ep.networkId);
      if (net) placeDnsRecords(host, net.dnsRecords, ep, c.seq);
    }
  }
}

/**
 * Moves the entries `moved` says were re-made (they stand at the end, in creation order) back among the
 * others by their owner's creation number; the others keep their order. Only the part from the first
 * entry that has to move on is re-inserted.
 */
function inCreationOrder<K, V>(
  collection: Map<K, V> | Set<K>,
  firstSeq: number,
  seqOf: (k: K, v: V) => number | undefined,
  moved: (k: K, v: V) => boolean,
): void {
  // Only entries from the first one owned by a later container on are looked at again; owners are looked
  // up before anything is taken out (a veth's owner is found through the veth map itself).
  const entries: { k: K; v: V; seq: number; moved: boolean }[] = [];
  collection.forEach((v: unknown, k: unknown) => {
    const seq = seqOf(k as K, v as V) ?? -Infinity;
    if (entries.length === 0 && seq < firstSeq) return;
    entries.push({ k: k as K, v: v as V, seq, moved: moved(k as K, v as V) });
  });
  const back = entries.filter((e) => e.moved);
  if (back.length === 0) return;
  for (const e of entries) collection.delete(e.k);
  const put = (e: { k: K; v: V }) => (collection instanceof Map ? collection.set(e.k, e.v) : collection.add(e.k));
  let b = 0;
  for (const e of entries) {
    if (e.moved) continue;
    while (b < back.length && back[b]!.seq < e.seq) put(back[b++]!);
    put(e);
  }
  while (b < back.length) put(back[b++]!);
}

/** Each record list answers in registration order: the endpoint goes before those of later containers. */
function placeDnsRecords(host: HostState, records: Map<string, EndpointState[]>, ep: EndpointState, seq: number): void {
  for (const name of ep.dnsNames) {
    const list = records.get(name.toLowerCase());
    const i = list ? list.indexOf(ep) : -1;
    if (!list || i < 0) continue;
    list.splice(i, 1);
    let at = list.findIndex((other) => (host.containers.get(other.containerId)?.seq ?? -1) > seq);
    if (at < 0) at = list.length;
    list.splice(at, 0, ep);
  }
}

function sandboxOf(host: HostState, c: ContainerState): SandboxState | undefined {
  return c.sandboxId ? host.sandboxes.get(c.sandboxId) : undefined;
}

/** Every pool of the network was asked for by subnet: making it moved no pool cursor and took no pool another network could have picked. */
export function poolsBySubnet(net: NetworkState): boolean {
  return net.ipamConfig.v4.length > 0 && net.ipamConfig.v4.every((c) => !!c.subnet) && (!net.enableIpv6 || (net.ipamConfig.v6.length > 0 && net.ipamConfig.v6.every((c) => !!c.subnet)));
}

/** Puts a network made again (now last) back in creation order among the host's networks, and its bridge among the bridges. */
export function restoreNetworkOrder(host: HostState, id: string): void {
  const net = host.networks.get(id);
  if (!net) return;
  putBack(host.networks, id, (_k, other) => other.seq > net.seq);
  if (net.bridge) putBack(host.bridges, net.bridge.name, (_k, b) => (host.networks.get(b.networkId)?.seq ?? -1) > net.seq);
}

/** Moves the entry `key` (re-made, so last) back before the first other entry `later` says comes after it. */
function putBack<K, V>(map: Map<K, V>, key: K, later: (k: K, v: V) => boolean): void {
  const value = map.get(key);
  if (value === undefined) return;
  map.delete(key);
  const tail: [K, V][] = [];
  for (const [k, v] of map) if (tail.length > 0 || later(k, v)) tail.push([k, v]);
  for (const [k] of tail) map.delete(k);
  map.set(key, value);
  for (const [k, v] of tail) map.set(k, v);
}
