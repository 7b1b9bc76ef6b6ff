// The reachability matrix: every container to every container, ICMP echo and each port the target
// listens on. Containers that look alike to the network — the same networks, gateway, mode, listening
// and published ports — get the same verdicts, so one representative pair is traced per pair of such
// classes instead of N² full traces. A cell is traced on its own when source and target share a
// namespace (the same container, or container: mode).
import type { ContainerState, EngineState, ExposedPort, HostState, SandboxState } from '../model';
import { formatV4, v4 } from './hostIndex';
import { tracerFor, type Tracer } from './tracer';
import type { TraceOptions, TraceProto, Verdict } from './types';

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
}

export interface MatrixCell {
  /** The address traced, or null when the target has none (stopped, network_mode none). */
  readonly address: string | null;
  /** One verdict per probe of the target. */
  readonly verdicts: Verdict[];
}

export interface MatrixResult {
  readonly containers: MatrixContainer[];
  /** From containers[i] to containers[j]. */
  cell(i: number, j: number): MatrixCell;
  /** How many traces were run (the rest came from equivalent pairs). */
  readonly traces: number;
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
}

function sandboxOf(host: HostState, c: ContainerState): SandboxState | null {
  if (c.status !== 'running' || !c.sandboxId) return null;
  return host.sandboxes.get(c.sandboxId) ?? null;
}

function networksKey(sb: SandboxState | null): string {
  if (!sb) return '-';
  const ids = sb.endpoints.map((e) => e.networkId).sort();
  return `${sb.hostNetwork ? 'H' : ''}${ids.join(',')}>${sb.gatewayEndpointId ? sb.endpoints.find((e) => e.id === sb.gatewayEndpointId)?.networkId ?? '' : ''}`;
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

function gatewayNetwork(sb: SandboxState | null): string {
  return sb?.endpoints.find((e) => e.id === sb.gatewayEndpointId)?.networkId ?? '';
}

/**
 * What decides a container-to-container verdict by address: on a shared network, that network (the
 * packet is bridged, the reply too); otherwise the source's gateway network, the target's network and
 * the target's gateway network (routed through the host both ways) — plus what the target listens on
 * and publishes. Subnet-based rules see only networks; per-container rules only published ports.
 */
function pathKey(src: Shape, dst: Shape, networkId: string, dstSig: string): string {
  // A network spanning hosts (overlay, flannel) has one id on every host: where the target runs matters too.
  const there = dst.host === src.host ? '' : dst.host.name;
  if (src.netIds.has(networkId)) return `L|${src.host.name}|${there}|${networkId}|${dstSig}`;
  return `R|${src.host.name}|${there}|${gatewayNetwork(src.sb)}|${networkId}|${gatewayNetwork(dst.sb)}|${dstSig}`;
}

export function reachabilityMatrix(state: EngineState, options: TraceOptions = {}): MatrixResult {
  const tracer: Tracer = tracerFor(state, options);
  tracer.refresh();
  const shapes: Shape[] = [];
  const containers: MatrixContainer[] = [];
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
      shapes.push({
        host, c, sb, netIds: new Set((sb?.endpoints ?? []).map((e) => e.networkId)), dstSig,
        srcKey: `${host.name}|${c.modeKind === 'none' ? 'none' : ''}|${nets}|${run}`,
        dstKey: `${host.name}|${c.modeKind}|${nets}|${run}|${dstSig}`,
      });
      containers.push({ host: host.name, name: c.name, running: c.status === 'running', probes });
    }
  }
  const n = shapes.length;
  const srcClass = classIds(shapes.map((s) => s.srcKey));
  const dstClass = classIds(shapes.map((s) => s.dstKey));
  const dstClasses = Math.max(0, ...dstClass) + 1;
  const classCells = new Map<number, MatrixCell>();
  const ownCells = new Map<number, MatrixCell>();
  let traces = 0;

  const byPath = new Map<string, Verdict[]>();
  const compute = (i: number, j: number): MatrixCell => {
    const s = shapes[i]!, t = shapes[j]!;
    const target = targetEndpoint(s, t);
    const probes = containers[j]!.probes;
    if (target === null) return { address: null, verdicts: probes.map(() => 'dropped') };
    const to = target.address;
    const plain = target.networkId !== null && !sharesNamespace(i, j) && s.sb && !s.sb.hostNetwork && s.c.modeKind !== 'none';
    const key = plain ? pathKey(s, t, target.networkId!, t.dstSig) : null;
    const known = key === null ? undefined : byPath.get(key);
    if (known) return { address: to, verdicts: known };
    const verdicts = probes.map((p) => {
      traces++;
      return tracer.verdict({ host: s.host.name, from: s.c.name, to, proto: p.proto, ...(p.port !== undefined ? { port: p.port } : {}) });
    });
    if (key !== null) byPath.set(key, verdicts);
    return { address: to, verdicts };
  };

  const sharesNamespace = (i: number, j: number): boolean => {
    if (i === j) return true;
    const a = shapes[i]!, b = shapes[j]!;
    return a.host === b.host && a.sb !== null && a.sb === b.sb;
  };

  return {
    containers,
    get traces() {
      return traces;
    },
    cell(i, j) {
      if (i < 0 || j < 0 || i >= n || j >= n) throw new RangeError(`no cell ${i},${j}`);
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
      // The address differs per member; the verdicts are the class's.
      if (c.address === null) return c;
      const target = targetEndpoint(shapes[i]!, shapes[j]!);
      return { address: target === null ? null : target.address, verdicts: c.verdicts };
    },
  };
}

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
