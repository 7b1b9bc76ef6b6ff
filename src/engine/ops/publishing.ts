// Published ports on the sandbox's gateway endpoint: programmed, moved when the gateway endpoint changes,
// revoked; and the sandbox's port bindings in dockerd's order.
import { DockerError, type ErrorHint, INTERNAL, msg } from '../errors';
import type { ContainerState, EndpointState, NetworkState, PortBindingState, PortSpecBinding } from '../model';
import { PortBindingError, bindingSource } from '../ports/publish';
import type { EngineCore, HostInternals } from './core';

/** Revoke the ports from the old gateway endpoint and program them on the new one (a failure fails the join). */
export function moveExternalConnectivity(core: EngineCore, int: HostInternals, ctr: ContainerState, from: EndpointState | null, to: EndpointState | null): void {
  if (from) {
    const fromDriver = core.drivers.driver(from.networkDriver);
    const fromNet = networkOf(int, from);
    if (fromDriver && fromNet) fromDriver.revokeExternalConnectivity(int.ctx, fromNet, from);
    from.portBindings = [];
  }
  if (to && !to.networkInternal) programPorts(core, int, ctr, to, true);
}

export function programPorts(core: EngineCore, int: HostInternals, ctr: ContainerState, ep: EndpointState, strict: boolean): void {
  const driver = core.drivers.driver(ep.networkDriver);
  const net = networkOf(int, ep);
  if (!driver || !net) return;
  const bindings = sandboxPortBindings(ctr);
  // The allocator as it was before this container's ports, to try the other orders dockerd may use.
  const before = int.ctx.features.randomPortMapOrder && bindings.filter(dynamicPort).length >= 2 ? int.ctx.host.ports.clone() : null;
  try {
    ep.portBindings = driver.programExternalConnectivity(int.ctx, net, ep, bindings);
    if (before) {
      const tryOrder = (order: readonly PortSpecBinding[]) => driver.programExternalConnectivity({ ...int.ctx, host: { ...int.ctx.host, ports: before.clone() } }, net, ep, order);
      ep.portBindings = withOtherOrders(ep.portBindings, ctr, tryOrder);
    }
  } catch (e) {
    if (!(e instanceof DockerError)) throw e;
    const wrapped = msg.externalConnectivity(ep.name, ep.id, e.message);
    const binding = e instanceof PortBindingError ? e.binding : null;
    const hint: ErrorHint = binding?.specIndex !== undefined ? { field: 'ports', index: binding.specIndex } : { field: binding ? 'expose' : 'ports' };
    if (strict) throw new DockerError(wrapped, INTERNAL, hint);
    ctr.runtimeWarnings.push(wrapped);
    ep.portBindings = [];
  }
}

function networkOf(int: HostInternals, ep: EndpointState): NetworkState | undefined {
  return int.ctx.host.networks.get(ep.networkId);
}

/**
 * The sandbox's port bindings (buildSandboxOptions + nat.SortPortMap): bound ports sorted by host port,
 * then container port, descending, tcp first; with -P every exposed port without a binding gets an
 * ephemeral one.
 */
export function sandboxPortBindings(ctr: ContainerState): PortSpecBinding[] {
  // Nothing published and no -P: exposed ports alone bind nothing (the common case, kept cheap).
  if (ctr.portSpecs.length === 0 && !ctr.publishAll) return [];
  type Entry = { b: PortSpecBinding | null; port: number; proto: string; order: number };
  const entries: Entry[] = [];
  let order = 0;
  for (const p of ctr.exposedPorts) {
    const bs = ctr.portSpecs.filter((b) => b.containerPort === p.port && b.proto === p.proto);
    if (bs.length === 0) entries.push({ b: null, port: p.port, proto: p.proto, order: order++ });
    for (const b of bs) entries.push({ b, port: p.port, proto: p.proto, order: order++ });
  }
  entries.sort((x, y) => {
    const hx = x.b?.hostPortStart ?? 0, hy = y.b?.hostPortStart ?? 0;
    if (hx !== hy) return hy - hx;
    if (x.port !== y.port) return y.port - x.port;
    const tx = x.proto === 'tcp' ? 0 : 1, ty = y.proto === 'tcp' ? 0 : 1;
    if (tx !== ty) return tx - ty;
    return x.order - y.order;
  });
  const out: PortSpecBinding[] = [];
  for (const e of entries) {
    if (e.b) out.push(e.b);
    else if (ctr.publishAll && (e.proto === 'tcp' || e.proto === 'udp' || e.proto === 'sctp')) {
      out.push({ containerPort: e.port, proto: e.proto, hostIp: '', hostPortStart: 0, hostPortEnd: 0 });
    }
  }
  return out;
}

/** A binding whose host port the allocator picks (ephemeral or a range), so the order of picks matters. */
function dynamicPort(b: PortSpecBinding): boolean {
  return b.hostPortStart === 0 || b.hostPortEnd > b.hostPortStart;
}

/** Above this many exposed ports the orders are not enumerated (n! of them); see withOtherOrders. */
const MAX_ENUMERATED_PORTS = 8;

/**
 * 23.0+ (features.randomPortMapOrder): dockerd sorts the bindings with nat.SortPortMap, whose Less is not a
 * strict order, over the exposed ports in a Go map's (random) order, then allocates them in that order. Every
 * order the sort can give is allocated on a copy of the allocator; a binding whose host port differs between
 * them gets them all in hostPortOneOf. Beyond MAX_ENUMERATED_PORTS exposed ports, every ephemeral binding of a
 * protocol with two or more of them is one of the ports they got together.
 */
function withOtherOrders(primary: PortBindingState[], ctr: ContainerState, allocate: (order: readonly PortSpecBinding[]) => PortBindingState[]): PortBindingState[] {
  const orders = goSortOrders(ctr);
  const key = (b: PortBindingState) => {
    const src = bindingSource.get(b);
    return src ? `${ctr.portSpecs.indexOf(src)}|${src.containerPort}/${src.proto}|${b.hostIp}` : null;
  };
  const seen = new Map<string, Set<number>>();
  const note = (bs: readonly PortBindingState[]) => {
    for (const b of bs) {
      const k = key(b);
      if (k) seen.set(k, (seen.get(k) ?? new Set()).add(b.hostPort));
    }
  };
  note(primary);
  if (orders) {
    for (const order of orders) {
      try {
        note(allocate(order));
      } catch (e) {
        // An order that fails where the engine's succeeded: its ports are no candidates.
        if (!(e instanceof DockerError)) throw e;
      }
    }
  } else {
    const eph = primary.filter((b) => bindingSource.get(b)?.hostPortStart === 0);
    for (const b of eph) {
      const group = eph.filter((o) => o.proto === b.proto && o.hostIp.includes(':') === b.hostIp.includes(':'));
      if (group.length >= 2) seen.set(key(b)!, new Set(group.map((o) => o.hostPort)));
    }
  }
  return primary.map((b) => {
    const k = key(b);
    const ports = k ? seen.get(k) : undefined;
    return ports && ports.size > 1 ? { ...b, hostPortOneOf: [...ports].sort((x, y) => x - y) } : b;
  });
}

/**
 * Every binding order buildSandboxOptions can give (the distinct results of Go's insertion sort, which
 * sort.Sort uses below 13 elements, with nat.SortPortMap's Less over each order of the exposed ports), or
 * null when there are too many ports to enumerate.
 */
function goSortOrders(ctr: ContainerState): PortSpecBinding[][] | null {
  const ports = ctr.exposedPorts;
  if (ports.length > MAX_ENUMERATED_PORTS) return null;
  const ephemeral = new Map<string, PortSpecBinding>();
  const out = new Map<string, PortSpecBinding[]>();
  type Entry = { port: number; proto: string; hp: number; b: PortSpecBinding | null };
  // Less(i, j): hostPort_i > hostPort_j || port_i > port_j || (port_i == port_j && proto_i == "tcp")
  const less = (x: Entry, y: Entry) => x.hp > y.hp || x.port > y.port || (x.port === y.port && x.proto === 'tcp');
  for (const perm of permutations(ports.length)) {
    const entries: Entry[] = [];
    for (const i of perm) {
      const p = ports[i]!;
      const bs = ctr.portSpecs.filter((b) => b.containerPort === p.port && b.proto === p.proto);
      if (bs.length === 0) entries.push({ port: p.port, proto: p.proto, hp: 0, b: null });
      for (const b of bs) entries.push({ port: p.port, proto: p.proto, hp: b.hostPortStart, b });
    }
    for (let i = 1; i < entries.length; i++) {
      for (let j = i; j > 0 && less(entries[j]!, entries[j - 1]!); j--) [entries[j], entries[j - 1]] = [entries[j - 1]!, entries[j]!];
    }
    // Ports in the order of their first entry, each with its bindings in entry order.
    const order: PortSpecBinding[] = [];
    const done = new Set<string>();
    for (const e of entries) {
      const id = `${e.port}/${e.proto}`;
      if (done.has(id)) continue;
      done.add(id);
      const own = entries.filter((x) => x.port === e.port && x.proto === e.proto && x.b).map((x) => x.b!);
      if (own.length) order.push(...own);
      else if (ctr.publishAll && (e.proto === 'tcp' || e.proto === 'udp' || e.proto === 'sctp')) {
        let b = ephemeral.get(id);
        if (!b) ephemeral.set(id, (b = { containerPort: e.port, proto: e.proto, hostIp: '', hostPortStart: 0, hostPortEnd: 0 }));
        order.push(b);
      }
    }
    const k = order.map((b) => (ctr.portSpecs.includes(b) ? `s${ctr.portSpecs.indexOf(b)}` : `e${b.containerPort}/${b.proto}`)).join(',');
    if (!out.has(k)) out.set(k, order);
  }
  return [...out.values()];
}

function* permutations(n: number): Generator<number[]> {
  const a = Array.from({ length: n }, (_, i) => i);
  const c = new Array<number>(n).fill(0);
  yield [...a];
  // Heap's algorithm.
  let i = 0;
  while (i < n) {
    if (c[i]! < i) {
      const j = i % 2 === 0 ? 0 : c[i]!;
      [a[j], a[i]] = [a[i]!, a[j]!];
      yield [...a];
      c[i]!++;
      i = 0;
    } else {
      c[i] = 0;
      i++;
    }
  }
}
