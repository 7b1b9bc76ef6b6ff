// The reachability matrix: every container to every container, ICMP echo and each port the target
// listens on. Containers that look alike to the network — the same networks, gateway, mode, listening
// and published ports — get the same verdicts, so one representative pair is traced per pair of such
// classes instead of N² full traces. A cell is traced on its own when source and target share a
// namespace (the same container, or container: mode).
import type { ContainerState, EngineState, ExposedPort, HostState, Route, SandboxState } from '../model';
import { standardRoutes } from '../sandbox';
import { formatV4, v4, type V4 } from './hostIndex';
import { tracerFor, type Tracer } from './tracer';
import type { TraceOptions, TraceProto, TraceResult, Verdict } from './types';

export interface MatrixProbe {
  readonly proto: TraceProto;
  readonly port?: number;
  /** "icmp", "80/tcp" */
  readonly label: string;
}

export interface MatrixContainer {
  readonly host: string;
  readonly name: string;
  readonly running: boolean;
  /** ICMP, then each port the container listens on. */
  readonly probes: MatrixProbe[];
  /** Its IPv4 address on each network (by name), in its sandbox's order. */
  readonly addresses: Readonly<Record<string, string>>;
  /** The networks it is on whose addresses are unknown (external, no subnet); absent when none. */
  readonly unknownOn?: readonly string[];
}

export interface MatrixCell {
  /** The address traced, or null when the target has none (stopped, network_mode none). */
  readonly address: string | null;
  /** One verdict per probe of the target. */
  readonly verdicts: Verdict[];
  /** The network the target is reached on when its addresses there are unknown (address null, verdicts unknown). */
  readonly unknownOn?: string;
}

export interface MatrixResult {
  readonly containers: MatrixContainer[];
  /** From containers[i] to containers[j]. */
  cell(i: number, j: number): MatrixCell;
  /** How many traces were run (the rest came from equivalent pairs). */
  readonly traces: number;
  /**
   * Containers that behave alike, as sources and as targets (the same host, mode, networks in the same
   * order, gateway network, listening and published ports): groups[g] = their indexes, in file order.
   */
  readonly groups: readonly (readonly number[])[];
  /** containers[i] is in groups[groupOf[i]]. */
  readonly groupOf: readonly number[];
  /**
   * What every pair (i ≠ j) from group g to group h gives, but the pairs of groupExceptions(g, h); null
   * when no such pair exists or the pairs differ (then they are all among the exceptions).
   */
  groupCell(g: number, h: number): GroupCell | null;
  /** The pairs (i ≠ j) from group g to group h whose cells are their own: they share a namespace (container: mode), or a host-mode target's differ. */
  groupExceptions(g: number, h: number): readonly (readonly [number, number])[];
  /** containers[j]'s IPv4 address on a network (by id), or null. */
  addressOn(j: number, networkId: string): string | null;
  /** The networks a packet of cell(i, j) goes between (as GroupCell.path). */
  path(i: number, j: number): { readonly from: string; readonly to: string };
  /** The rule (iptables-save form) that decided probe k of cell(i, j), when a rule did. */
  rule(i: number, j: number, k: number): string | undefined;
  /** The full trace (hops, reason, rule) behind cell(i, j)'s verdict for probe k of the target. */
  explain(i: number, j: number, k: number): TraceResult;
}

export interface GroupCell {
  /**
   * The network of the target's address (each member's own address on it), with its name; null when the
   * cell gives one address for every pair (`address`).
   */
  readonly network: { readonly id: string; readonly name: string } | null;
  /** With `network` null: the address of every pair, or null (no address: stopped, network_mode none). */
  readonly address: string | null;
  /** One verdict per probe of the target group. */
  readonly verdicts: Verdict[];
  /**
   * The networks the packet goes between: the one the two share (from = to), else the source's gateway
   * network and the target's network ("host" for the host's namespace, "-" when there is no address).
   */
  readonly path: { readonly from: string; readonly to: string };
}

interface Shape {
  readonly host: HostState;
  readonly c: ContainerState;
  readonly sb: SandboxState | null;
  readonly srcKey: string;
  readonly dstKey: string;
  /** The networks of its sandbox. */
  readonly netIds: Set<string>;
  /** As a target: what it listens on and publishes. */
  readonly dstSig: string;
  /** Short ids for pathKey (a key per class cell: hashing long strings cost more than the look-up saved). */
  readonly hostNo: number;
  readonly sigNo: number;
  /** The network of its default gateway (id, or ""). */
  readonly gwNet: string;
  /** Short id of extrasKey: what else makes its packets differ. */
  readonly extraNo: number;
  /**
   * Short id of what pathKey needs beyond the networks: labels, unknown addresses, and its routes only
   * when they are not the ones Docker derives from its endpoints (else they split every pair of network
   * sets apart, and the matrix traced nearly every pair of classes).
   */
  readonly pathExtraNo: number;
  /** Short id of its IPv4 default route: the network of its device and the gateway ("" when none). */
  readonly defaultNo: number;
  /** The network of its default route's device: null when it has no default route, "" when the device is no endpoint's. */
  readonly defaultNet: string | null;
  /** Its IPv4 routes but the default ones, with the network of each one's device ("" when none). */
  readonly specific: readonly Specific[];
  /** Its IPv4 address on each network (by id). */
  readonly addr4: ReadonlyMap<string, V4>;
}

interface Specific {
  readonly base: V4;
  readonly mask: V4;
  readonly prefix: number;
  readonly networkId: string;
}

function sandboxOf(host: HostState, c: ContainerState): SandboxState | null {
  if (c.status !== 'running' || !c.sandboxId) return null;
  return host.sandboxes.get(c.sandboxId) ?? null;
}

function networksKey(sb: SandboxState | null, ordered = false): string {
  if (!sb) return '-';
  // As a target, the order matters: a source on two of its networks addresses it on the first one.
  const ids = ordered ? sb.endpoints.map((e) => e.networkId) : sb.endpoints.map((e) => e.networkId).sort();
  return `${sb.hostNetwork ? 'H' : ''}${ids.join(',')}>${sb.gatewayEndpointId ? sb.endpoints.find((e) => e.id === sb.gatewayEndpointId)?.networkId ?? '' : ''}`;
}

/**
 * What else decides a container's verdicts beyond Docker's networks: its labels (calico's policies
 * select by them), its routes (pipework's gateway replaces the default route) and endpoints whose
 * address is unknown (pipework's dhcp).
 */
function extrasKey(c: ContainerState, sb: SandboxState | null): string {
  const labels = Object.keys(c.labels ?? {}).length ? JSON.stringify(Object.entries(c.labels).sort()) : '';
  if (!sb) return labels;
  const routes = sb.routes.map((r) => `${r.destination}>${r.gateway ?? ''}>${r.dev}`).join(';');
  return `${labels}|${routes}|${sb.endpoints.map((e) => (e.ipv4 ? '' : '?')).join('')}`;
}

const routeText = (r: Route): string => `${r.destination}>${r.gateway ?? ''}>${r.dev}`;
const fullRouteText = (r: Route): string => `${r.family}|${r.destination}|${r.gateway ?? ''}|${r.dev}|${r.scope}|${r.src ?? ''}|${r.proto ?? ''}`;

/** As extrasKey, but routes Docker derived from the endpoints are left to pathKey's own look-ups. */
function pathExtrasKey(c: ContainerState, sb: SandboxState | null): string {
  const labels = Object.keys(c.labels ?? {}).length ? JSON.stringify(Object.entries(c.labels).sort()) : '';
  if (!sb) return labels;
  const std = standardRoutes(sb);
  const derived = std.length === sb.routes.length && std.every((r, k) => fullRouteText(r) === fullRouteText(sb.routes[k]!));
  const routes = derived ? '' : sb.routes.map(routeText).join(';');
  return `${labels}|${routes}|${sb.endpoints.map((e) => (e.ipv4 ? '' : '?')).join('')}`;
}

/** The network of each IPv4 route's device, its default route's key, and its addresses by network. */
function routing(sb: SandboxState | null): { specific: Specific[]; defaultKey: string; defaultNet: string | null; addr4: Map<string, V4> } {
  const specific: Specific[] = [];
  const addr4 = new Map<string, V4>();
  if (!sb) return { specific, defaultKey: '', defaultNet: null, addr4 };
  const netOfDev = new Map<string, string>();
  for (const i of sb.interfaces) {
    const ep = sb.endpoints.find((e) => e.id === i.endpointId);
    if (ep) netOfDev.set(i.name, ep.networkId);
  }
  for (const e of sb.endpoints) {
    const a = v4(e.ipv4?.addr);
    if (a !== null) addr4.set(e.networkId, a);
  }
  const defaults: string[] = [];
  let defaultNet: string | null = null;
  for (const r of sb.routes) {
    if (r.family !== 4) continue;
    const networkId = netOfDev.get(r.dev) ?? '';
    if (r.destination === 'default') {
      defaults.push(`${networkId}>${r.gateway ?? ''}>${r.dev}`);
      defaultNet ??= networkId;
      continue;
    }
    const base = v4({ family: 4, value: r.dest.base });
    if (base === null) continue;
    specific.push({ base, mask: r.dest.prefix === 0 ? 0 : (0xffffffff << (32 - r.dest.prefix)) >>> 0, prefix: r.dest.prefix, networkId });
  }
  return { specific, defaultKey: defaults.join(';'), defaultNet, addr4 };
}

/** The network of the most specific non-default route to a, or undefined (the default route, or none). */
function specificRoute(s: Shape, a: V4): string | undefined {
  let best: Specific | undefined;
  let tie = false;
  for (const r of s.specific) {
    if (((a & r.mask) >>> 0) !== r.base) continue;
    if (!best || r.prefix > best.prefix) {
      best = r;
      tie = false;
    } else if (r.prefix === best.prefix) tie = true;
  }
  // Two routes as specific (overlapping subnets): the kernel's choice is the table's order; say "unusual".
  return best === undefined ? undefined : tie ? '\u0000tie' : best.networkId;
}

function probesOf(ports: readonly ExposedPort[]): MatrixProbe[] {
  const seen = new Set<string>();
  const out: MatrixProbe[] = [{ proto: 'icmp', label: 'icmp' }];
  const sorted = [...ports].filter((p) => p.proto === 'tcp' || p.proto === 'udp').sort((a, b) => a.port - b.port || a.proto.localeCompare(b.proto));
  for (const p of sorted) {
    const label = `${p.port}/${p.proto}`;
    if (seen.has(label)) continue;
    seen.add(label);
    out.push({ proto: p.proto as TraceProto, port: p.port, label });
  }
  return out;
}

/** The address a source uses for a target: on a network they share, else the target's main address. */
function targetEndpoint(src: Shape, dst: Shape): { address: string; networkId: string | null } | null {
  if (dst.c.status !== 'running') return null;
  if (dst.c.modeKind === 'host') {
    if (src.sb?.hostNetwork) return { address: '127.0.0.1', networkId: null };
    const gw = src.sb?.endpoints.find((e) => e.id === src.sb!.gatewayEndpointId);
    const a = v4(gw?.gateway);
    return a === null ? null : { address: formatV4(a), networkId: null };
  }
  const sb = dst.sb;
  if (!sb || sb.hostNetwork) return null;
  for (const e of sb.endpoints) if (e.ipv4 && src.netIds.has(e.networkId)) return { address: e.ipv4.address, networkId: e.networkId };
  // docker_gwbridge addresses are per host (every node has its own 172.18.0.x): not the container's name on the network.
  const own = (e: { networkName: string; ipv4: unknown }) => !!e.ipv4 && e.networkName !== 'docker_gwbridge';
  const ep = sb.endpoints.find((e) => e.id === sb.gatewayEndpointId && own(e)) ?? sb.endpoints.find(own) ?? sb.endpoints.find((e) => e.ipv4);
  return ep ? { address: ep.ipv4!.address, networkId: ep.networkId } : null;
}

/** The network the source would reach the target on, when the target's address there is unknown (an external network without a subnet). */
function unknownTarget(src: Shape, dst: Shape): string | null {
  if (dst.c.status !== 'running' || dst.c.modeKind === 'host' || !dst.sb || dst.sb.hostNetwork) return null;
  for (const e of dst.sb.endpoints) {
    if (!src.netIds.has(e.networkId)) continue;
    if (e.ipv4) return null;
    if (e.addressUnknown) return e.networkName;
  }
  // No network in common, and no known address at all: the only address to try is unknown.
  if (dst.sb.endpoints.some((e) => e.ipv4)) return null;
  return dst.sb.endpoints.find((e) => e.addressUnknown)?.networkName ?? null;
}

function gatewayNetwork(sb: SandboxState | null): string {
  return sb?.endpoints.find((e) => e.id === sb.gatewayEndpointId)?.networkId ?? '';
}

/**
 * What decides a container-to-container verdict by address: on a shared network, that network (the
 * packet is bridged, the reply too); otherwise the source's default route, the target's network and
 * the target's default route (routed through the host both ways) — plus what the target listens on
 * and publishes. Subnet-based rules see only networks; per-container rules only published ports.
 * Each side's routes are looked up for the other's address: a pair where a more specific route than
 * the one assumed applies (overlapping subnets, a driver's static route) gets no key (null: traced
 * for its pair of classes alone).
 */
function pathKey(src: Shape, dst: Shape, networkId: string, netNo: (id: string) => number): string | null {
  const dstAddr = dst.addr4.get(networkId);
  if (dstAddr === undefined) return null;
  // A network spanning hosts (overlay, flannel) has one id on every host: where the target runs matters too.
  const there = dst.host === src.host ? '' : dst.hostNo;
  const extras = `${src.pathExtraNo}|${dst.pathExtraNo}`;
  if (src.netIds.has(networkId)) {
    const srcAddr = src.addr4.get(networkId);
    if (srcAddr === undefined || specificRoute(src, dstAddr) !== networkId || specificRoute(dst, srcAddr) !== networkId) return null;
    return `L${src.hostNo}|${there}|${netNo(networkId)}|${dst.sigNo}|${extras}`;
  }
  if (specificRoute(src, dstAddr) !== undefined) return null;
  // The address the target sees (no NAT between a host's networks) is the source's on its default route's network.
  if (src.defaultNet !== null) {
    const srcAddr = src.addr4.get(src.defaultNet);
    if (srcAddr === undefined || specificRoute(dst, srcAddr) !== undefined) return null;
  }
  return `R${src.hostNo}|${there}|${src.defaultNo}|${netNo(src.gwNet)}|${netNo(networkId)}|${dst.defaultNo}|${dst.sigNo}|${extras}`;
}

export function reachabilityMatrix(state: EngineState, options: TraceOptions = {}): MatrixResult {
  const tracer: Tracer = tracerFor(state, options);
  tracer.refresh();
  const shapes: Shape[] = [];
  const containers: MatrixContainer[] = [];
  const sigNos = new Map<string, number>();
  const extraNos = new Map<string, number>();
  const numbers = new Map<string, number>();
  const numberOf = (key: string): number => {
    let k = numbers.get(key);
    if (k === undefined) numbers.set(key, (k = numbers.size));
    return k;
  };
  const netNos = new Map<string, number>();
  const netNo = (id: string): number => {
    let k = netNos.get(id);
    if (k === undefined) netNos.set(id, (k = netNos.size));
    return k;
  };
  let hostNo = 0;
  for (const host of state.hosts.values()) {
    const published = new Map<string, string>();
    for (const n of host.networks.values()) {
      for (const ep of n.endpoints.values()) {
        if (ep.portBindings.length > 0) published.set(ep.containerId, ep.portBindings.map((b) => `${b.containerPort}/${b.proto}`).sort().join(','));
      }
    }
    for (const c of host.containers.values()) {
      const sb = sandboxOf(host, c);
      const ports = options.listening?.(host.name, c.name) ?? c.listening;
      const probes = probesOf(ports);
      const nets = networksKey(sb);
      const run = c.status === 'running' ? 'R' : 'S';
      const dstSig = `${probes.map((p) => p.label).join(',')}|${published.get(c.id) ?? ''}`;
      let sigNo = sigNos.get(dstSig);
      if (sigNo === undefined) sigNos.set(dstSig, (sigNo = sigNos.size));
      const extras = extrasKey(c, sb);
      let extraNo = extraNos.get(extras);
      if (extraNo === undefined) extraNos.set(extras, (extraNo = extraNos.size));
      const { specific, defaultKey, defaultNet, addr4 } = routing(sb);
      shapes.push({
        host, c, sb, netIds: new Set((sb?.endpoints ?? []).map((e) => e.networkId)), dstSig, hostNo, sigNo, gwNet: gatewayNetwork(sb), extraNo,
        pathExtraNo: numberOf(`x${pathExtrasKey(c, sb)}`), defaultNo: numberOf(`d${defaultKey}`), defaultNet, specific, addr4,
        srcKey: `${host.name}|${c.modeKind === 'none' ? 'none' : ''}|${nets}|${run}|${extraNo}`,
        dstKey: `${host.name}|${c.modeKind}|${networksKey(sb, true)}|${run}|${dstSig}|${extraNo}`,
      });
      const addresses: Record<string, string> = {};
      const unknownOn: string[] = [];
      for (const e of sb?.hostNetwork ? [] : sb?.endpoints ?? []) {
        if (e.ipv4) addresses[e.networkName] = e.ipv4.address;
        else if (e.addressUnknown) unknownOn.push(e.networkName);
      }
      containers.push({ host: host.name, name: c.name, running: c.status === 'running', probes, addresses, ...(unknownOn.length ? { unknownOn } : {}) });
    }
    hostNo++;
  }
  const n = shapes.length;
  const srcClass = classIds(shapes.map((s) => s.srcKey));
  const dstClass = classIds(shapes.map((s) => s.dstKey));
  const dstClasses = Math.max(0, ...dstClass) + 1;
  const classCells = new Map<number, MatrixCell>();
  const ownCells = new Map<number, MatrixCell>();
  let traces = 0;

  const byPath = new Map<string, Verdict[]>();
  // The rule that decided each verdict (when one did), by the verdicts array a cell shares with its path.
  const rulesOf = new WeakMap<Verdict[], (string | undefined)[]>();
  const compute = (i: number, j: number): MatrixCell => {
    const s = shapes[i]!, t = shapes[j]!;
    const probes = containers[j]!.probes;
    const unknownOn = unknownTarget(s, t);
    if (unknownOn !== null) return { address: null, verdicts: probes.map(() => 'unknown'), unknownOn };
    const target = targetEndpoint(s, t);
    if (target === null) return { address: null, verdicts: probes.map(() => 'dropped') };
    const to = target.address;
    const plain = target.networkId !== null && !sharesNamespace(i, j) && s.sb && !s.sb.hostNetwork && s.c.modeKind !== 'none';
    const key = plain ? pathKey(s, t, target.networkId!, netNo) : null;
    const known = key === null ? undefined : byPath.get(key);
    if (known) return { address: to, verdicts: known };
    const rules: (string | undefined)[] = [];
    const verdicts = probes.map((p) => {
      traces++;
      const r = tracer.verdictRule({ host: s.host.name, from: s.c.name, to, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) });
      rules.push(r.rule);
      return r.verdict;
    });
    rulesOf.set(verdicts, rules);
    if (key !== null) byPath.set(key, verdicts);
    return { address: to, verdicts };
  };

  const sharesNamespace = (i: number, j: number): boolean => {
    if (i === j) return true;
    const a = shapes[i]!, b = shapes[j]!;
    return a.host === b.host && a.sb !== null && a.sb === b.sb;
  };

  /** A pair's own cell, or its classes' (with the address of the pair that computed it). */
  const baseCell = (i: number, j: number): MatrixCell => {
    if (sharesNamespace(i, j) || shapes[j]!.c.modeKind === 'host') {
      const key = i * n + j;
      let c = ownCells.get(key);
      if (!c) ownCells.set(key, (c = compute(i, j)));
      return c;
    }
    const key = srcClass[i]! * dstClasses + dstClass[j]!;
    let c = classCells.get(key);
    if (!c) {
      c = compute(i, j);
      classCells.set(key, c);
    }
    return c;
  };

  const cell = (i: number, j: number): MatrixCell => {
    if (i < 0 || j < 0 || i >= n || j >= n) throw new RangeError(`no cell ${i},${j}`);
    const c = baseCell(i, j);
    if (sharesNamespace(i, j) || shapes[j]!.c.modeKind === 'host') return c;
    // The address differs per member; the verdicts are the class's.
    if (c.address === null) return c;
    const target = targetEndpoint(shapes[i]!, shapes[j]!);
    return { address: target === null ? null : target.address, verdicts: c.verdicts };
  };

  // Groups: alike as a source and as a target (both classes the same).
  const groupKeys = new Map<string, number>();
  const groups: number[][] = [];
  const groupOf = shapes.map((_, i) => {
    const key = `${srcClass[i]}/${dstClass[i]}`;
    let g = groupKeys.get(key);
    if (g === undefined) {
      groupKeys.set(key, (g = groups.length));
      groups.push([]);
    }
    groups[g]!.push(i);
    return g;
  });
  // Pairs sharing a namespace (container: mode) have cells of their own, by group pair.
  const sharing = new Map<number, [number, number][]>();
  const bySandbox = new Map<SandboxState, number[]>();
  shapes.forEach((s, i) => {
    if (s.sb) bySandbox.set(s.sb, [...(bySandbox.get(s.sb) ?? []), i]);
  });
  for (const members of bySandbox.values()) {
    for (const i of members) {
      for (const j of members) {
        if (i === j) continue;
        const key = groupOf[i]! * groups.length + groupOf[j]!;
        let list = sharing.get(key);
        if (!list) sharing.set(key, (list = []));
        list.push([i, j]);
      }
    }
  }
  const networkName = (host: HostState, id: string): string => host.networks.get(id)?.name ?? state.swarm.networks.get(id)?.name ?? id;
  // One object per network and per pair of names: a group cell per pair of groups shares them.
  const networkRefs = new Map<HostState, Map<string, { id: string; name: string }>>();
  const networkRef = (host: HostState, id: string) => {
    let byId = networkRefs.get(host);
    if (!byId) networkRefs.set(host, (byId = new Map()));
    let r = byId.get(id);
    if (!r) byId.set(id, (r = { id, name: networkName(host, id) }));
    return r;
  };
  const paths = new Map<string, Map<string, { from: string; to: string }>>();
  const path = (from: string, to: string) => {
    let byTo = paths.get(from);
    if (!byTo) paths.set(from, (byTo = new Map()));
    let p = byTo.get(to);
    if (!p) byTo.set(to, (p = { from, to }));
    return p;
  };
  const pathOf = (i: number, j: number, c: MatrixCell, known?: ReturnType<typeof targetEndpoint>): { from: string; to: string } => {
    const s = shapes[i]!, t = shapes[j]!;
    const fromGw = s.sb?.hostNetwork ? 'host' : s.gwNet ? networkRef(s.host, s.gwNet).name : '-';
    if (c.unknownOn !== undefined) return path(s.netIds.size && [...s.netIds].some((id) => networkRef(s.host, id).name === c.unknownOn) ? c.unknownOn : fromGw, c.unknownOn);
    if (c.address === null) return path(fromGw, '-');
    const target = known !== undefined ? known : targetEndpoint(s, t);
    if (!target || target.networkId === null) return path(fromGw, 'host');
    const to = networkRef(t.host, target.networkId).name;
    return path(s.netIds.has(target.networkId) ? to : fromGw, to);
  };
  const groupCells = new Map<number, { cell: GroupCell | null; exceptions: [number, number][] }>();
  const grouped = (g: number, h: number) => {
    const key = g * groups.length + h;
    let r = groupCells.get(key);
    if (r) return r;
    const shared = sharing.get(key) ?? NONE;
    const isShared = (i: number, j: number) => shared.some(([a, b]) => a === i && b === j);
    const targetOwn = shapes[groups[h]![0]!]!.c.modeKind === 'host';
    const pairs: [number, number][] = [];
    let first: [number, number] | undefined;
    for (const i of groups[g]!) {
      for (const j of groups[h]!) {
        if (i === j || isShared(i, j)) continue;
        if (!targetOwn) {
          first = [i, j];
          break;
        }
        pairs.push([i, j]);
      }
      if (first) break;
    }
    if (!targetOwn) {
      if (!first) r = { cell: null, exceptions: shared };
      else {
        const [i, j] = first;
        const c = baseCell(i, j);
        const target = c.address === null ? null : targetEndpoint(shapes[i]!, shapes[j]!);
        const network = target && target.networkId !== null ? networkRef(shapes[j]!.host, target.networkId) : null;
        const address = network ? null : target ? target.address : null;
        r = { cell: { network, address, verdicts: c.verdicts, path: pathOf(i, j, c, target) }, exceptions: shared };
      }
    } else {
      // A host-mode target: each pair is traced on its own; one cell when they all agree.
      const cells = pairs.map(([i, j]) => cell(i, j));
      const same = cells.every((c) => c.address === cells[0]!.address && c.verdicts.every((v, k) => v === cells[0]!.verdicts[k]));
      const [i, j] = pairs[0] ?? [0, 0];
      r = cells.length > 0 && same
        ? { cell: { network: null, address: cells[0]!.address, verdicts: cells[0]!.verdicts, path: pathOf(i, j, cells[0]!) }, exceptions: shared }
        : { cell: null, exceptions: [...shared, ...pairs] };
    }
    groupCells.set(key, r);
    return r;
  };

  return {
    containers,
    get traces() {
      return traces;
    },
    cell,
    groups,
    groupOf,
    groupCell: (g, h) => grouped(g, h).cell,
    groupExceptions: (g, h) => grouped(g, h).exceptions,
    path: (i, j) => pathOf(i, j, cell(i, j)),
    rule: (i, j, k) => rulesOf.get(cell(i, j).verdicts)?.[k],
    addressOn(j, networkId) {
      return shapes[j]!.sb?.endpoints.find((e) => e.networkId === networkId)?.ipv4?.address ?? null;
    },
    explain(i, j, k) {
      const s = shapes[i]!;
      const c = cell(i, j);
      const p = containers[j]!.probes[k];
      if (!p) throw new RangeError(`no probe ${k} of ${containers[j]!.name}`);
      if (c.unknownOn !== undefined) return { verdict: c.verdicts[k]!, reason: `${containers[j]!.name} is reached on network ${c.unknownOn}, which exists outside what is described (external) with an unknown subnet: its address there is unknown`, hops: [] };
      if (c.address === null) return { verdict: c.verdicts[k]!, reason: `${containers[j]!.name} has no address to reach`, hops: [] };
      return tracer.trace({ host: s.host.name, from: s.c.name, to: c.address, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) });
    },
  };
}

const NONE: [number, number][] = [];

function classIds(keys: string[]): number[] {
  const ids = new Map<string, number>();
  return keys.map((k) => {
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    return id;
  });
}

/** Every cell, row by row (what `cnm matrix` prints). */
export function* matrixCells(m: MatrixResult): Generator<{ from: MatrixContainer; to: MatrixContainer; cell: MatrixCell }> {
  for (let i = 0; i < m.containers.length; i++) {
    for (let j = 0; j < m.containers.length; j++) yield { from: m.containers[i]!, to: m.containers[j]!, cell: m.cell(i, j) };
  }
}
