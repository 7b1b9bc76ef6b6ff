// Probes for issue 4: real `ping -c1 -W3` and `nc -w 2` from containers and from the host, against the
// packet tracer's verdicts. A probe names its target symbolically (a container's address on a network,
// a network's gateway, an unused address of a network, a name, loopback), so each side — the real
// dockerd and the engine — substitutes its own address.
//
// Network safety (testing-offline.md): every concrete address is checked before anything is sent. From
// the host only the scenario's container addresses and 127.0.0.1; from containers only the scenario's
// container addresses, the gateways and unused addresses of the scenario's own user-defined networks,
// and loopback. Names are only the scenario's own container names.
import ipaddr from 'ipaddr.js';
import type { InspectResult } from '../../../src/engine/inspectTypes';
import type { TopologySpec } from '../../../src/topology/spec';
import type { Verdict } from '../../../src/engine/trace';
import { docker, hostRun, run } from './exec';
import { namespaceListeners } from './play';

export type ProbeTarget =
  | { kind: 'name'; name: string }
  | { kind: 'endpoint'; container: string; network: string }
  | { kind: 'endpoint6'; container: string; network: string }
  | { kind: 'gateway'; network: string }
  | { kind: 'unused'; network: string }
  | { kind: 'loopback' };

/** A published port, named by what it publishes: each side has its own host port for it. */
export interface PublishedRef {
  readonly container: string;
  readonly containerPort: number;
  readonly hostIp: string;
}

export interface Probe {
  /** A container name, or the host's name for the host's own namespace. */
  readonly from: string;
  readonly fromHost: boolean;
  readonly target: ProbeTarget;
  readonly proto: 'icmp' | 'tcp' | 'udp';
  /** A fixed port (a container's own) … */
  readonly port?: number;
  /** … or the host port of a published one. */
  readonly published?: PublishedRef;
}

export function probeLabel(p: Probe): string {
  const t = p.target;
  const to =
    t.kind === 'name' ? t.name
    : t.kind === 'endpoint' ? `<${t.container} on ${t.network}>`
    : t.kind === 'endpoint6' ? `<${t.container} on ${t.network}, IPv6>`
    : t.kind === 'gateway' ? `<gateway of ${t.network}>`
    : t.kind === 'unused' ? `<unused address of ${t.network}>`
    : '127.0.0.1';
  const port = p.published ? `<${p.published.hostIp}:port publishing ${p.published.container}:${p.published.containerPort}>` : String(p.port);
  return `${p.from} → ${to}${p.proto === 'icmp' ? ' (ping)' : `:${port}/${p.proto}`}`;
}

/** One side's concrete addresses: from `cnm inspect`'s shape, which both sides produce. */
export class AddressBook {
  constructor(private readonly inspect: InspectResult) {}

  endpoint(container: string, network: string): string | null {
    const c = this.inspect.containers.find((x) => x.name === container);
    return c?.endpoints.find((e) => e.network === network)?.ipv4_address ?? null;
  }

  endpoint6(container: string, network: string): string | null {
    const c = this.inspect.containers.find((x) => x.name === container);
    return c?.endpoints.find((e) => e.network === network)?.ipv6_address ?? null;
  }

  gateway(network: string): string | null {
    return this.inspect.networks.find((n) => n.name === network)?.gateway ?? null;
  }

  /** The highest host address of the network's subnet, when no endpoint, gateway or the other side uses it. */
  unused(network: string, alsoUsed: ReadonlySet<string> = new Set()): string | null {
    const n = this.inspect.networks.find((x) => x.name === network);
    if (!n?.subnet) return null;
    const [base, len] = ipaddr.parseCIDR(n.subnet);
    if (base.kind() !== 'ipv4' || len > 29) return null;
    const bcast = ipaddr.IPv4.broadcastAddressFromCIDR(n.subnet).toByteArray();
    bcast[3] = bcast[3]! - 1;
    const candidate = bcast.join('.');
    return this.usedAddresses().has(candidate) || alsoUsed.has(candidate) || candidate === n.gateway ? null : candidate;
  }

  usedAddresses(): Set<string> {
    const used = new Set<string>();
    for (const c of this.inspect.containers) for (const e of c.endpoints) if (e.ipv4_address) used.add(e.ipv4_address);
    for (const n of this.inspect.networks) if (n.gateway) used.add(n.gateway);
    return used;
  }

  /** This side's host port for a published port, or null. */
  hostPort(ref: PublishedRef): number | null {
    const c = this.inspect.containers.find((x) => x.name === ref.container);
    return c?.ports.find((p) => p.protocol === 'tcp' && p.container_port === ref.containerPort && p.host_ip === ref.hostIp)?.host_port ?? null;
  }

  /** The concrete destination of a probe on this side: an address, a name, or null (no such thing here). */
  resolve(t: ProbeTarget, otherSide?: AddressBook): string | null {
    switch (t.kind) {
      case 'name': return t.name;
      case 'endpoint': return this.endpoint(t.container, t.network);
      case 'endpoint6': return this.endpoint6(t.container, t.network);
      case 'gateway': return this.gateway(t.network);
      case 'unused': return this.unused(t.network, otherSide?.usedAddresses());
      case 'loopback': return '127.0.0.1';
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Which probes a scenario gets

const PREDEFINED = new Set(['bridge', 'host', 'none', 'default']);
/** A port nothing listens on anywhere in the suite. */
export const CLOSED_PORT = 1;

/**
 * For every running container: ping every other container by name and by each of its addresses, TCP to
 * the ports it listens on and to a closed one; ping the gateways and an unused address of the scenario's
 * user networks; TCP to every published port through its own gateway. From the host: ping and TCP to
 * every container address, TCP to 127.0.0.1:<each published port>.
 */
export function scenarioProbes(spec: TopologySpec, real: InspectResult, maxPerSource = 40): Probe[] {
  const host = spec.hosts[0]!.name;
  const running = real.containers.filter((c) => c.running);
  const userNets = spec.networks.filter((n) => !PREDEFINED.has(n.name) && n.driver === 'bridge').map((n) => n.name);
  const listen = new Map(spec.containers.map((c) => [c.name, namespaceListeners(spec, c).filter((l) => l.proto === 'tcp').map((l) => l.port)]));
  const published: PublishedRef[] = real.containers.flatMap((c) =>
    c.ports.filter((p) => p.protocol === 'tcp' && !p.host_ip.includes(':')).map((p) => ({ container: c.name, containerPort: p.container_port, hostIp: p.host_ip })),
  );
  // Host-mode containers listen on the host's own ports.
  const hostModePorts = running.filter((c) => c.network_mode === 'host').flatMap((c) => listen.get(c.name) ?? []);
  const out: Probe[] = [];

  for (const src of running) {
    const mine: Probe[] = [];
    const add = (target: ProbeTarget, proto: 'icmp' | 'tcp', port?: number, ref?: PublishedRef) =>
      mine.push({ from: src.name, fromHost: false, target, proto, ...(port !== undefined ? { port } : {}), ...(ref ? { published: ref } : {}) });
    for (const dst of running) {
      if (dst.name === src.name) continue;
      add({ kind: 'name', name: dst.name }, 'icmp');
      for (const ep of dst.endpoints) {
        if (!ep.ipv4_address) continue;
        add({ kind: 'endpoint', container: dst.name, network: ep.network }, 'icmp');
        for (const port of listen.get(dst.name) ?? []) add({ kind: 'endpoint', container: dst.name, network: ep.network }, 'tcp', port);
      }
      const first = dst.endpoints.find((e) => e.ipv4_address);
      if (first) add({ kind: 'endpoint', container: dst.name, network: first.network }, 'tcp', CLOSED_PORT);
      // Dual-stack networks: the same over IPv6 (issue 5).
      for (const ep of dst.endpoints) if (ep.ipv6_address) add({ kind: 'endpoint6', container: dst.name, network: ep.network }, 'icmp');
    }
    add({ kind: 'loopback' }, 'icmp');
    for (const port of listen.get(src.name) ?? []) add({ kind: 'loopback' }, 'tcp', port);
    for (const net of userNets) {
      add({ kind: 'gateway', network: net }, 'icmp');
      add({ kind: 'unused', network: net }, 'icmp');
    }
    // Published ports through the gateway of the source's own user network (the host, as it sees it).
    const ownNet = src.endpoints.find((e) => userNets.includes(e.network))?.network;
    if (ownNet) {
      for (const ref of published) add({ kind: 'gateway', network: ownNet }, 'tcp', undefined, ref);
      for (const port of hostModePorts) add({ kind: 'gateway', network: ownNet }, 'tcp', port);
    }
    out.push(...spread(mine, maxPerSource));
  }

  const fromHost: Probe[] = [];
  const addHost = (target: ProbeTarget, proto: 'icmp' | 'tcp', port?: number, ref?: PublishedRef) =>
    fromHost.push({ from: host, fromHost: true, target, proto, ...(port !== undefined ? { port } : {}), ...(ref ? { published: ref } : {}) });
  for (const dst of running) {
    for (const ep of dst.endpoints) {
      if (!ep.ipv4_address) continue;
      addHost({ kind: 'endpoint', container: dst.name, network: ep.network }, 'icmp');
      for (const port of listen.get(dst.name) ?? []) addHost({ kind: 'endpoint', container: dst.name, network: ep.network }, 'tcp', port);
    }
    for (const ep of dst.endpoints) if (ep.ipv6_address) addHost({ kind: 'endpoint6', container: dst.name, network: ep.network }, 'icmp');
  }
  for (const ref of published) addHost({ kind: 'loopback' }, 'tcp', undefined, ref);
  for (const port of hostModePorts) addHost({ kind: 'loopback' }, 'tcp', port);
  out.push(...spread(fromHost, maxPerSource));
  return out;
}

/** At most `max` probes, taken evenly across the list (deterministic). */
function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  const out: T[] = [];
  for (let i = 0; i < max; i++) out.push(items[Math.floor((i * items.length) / max)]!);
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Running probes for real

export interface Observed {
  readonly verdict: Verdict | 'error';
  /** What the command printed, for the record. */
  readonly output: string;
}

/** The guard: what may be sent to, for this scenario. */
export interface SafeTargets {
  readonly containerAddresses: Set<string>;
  /** Subnets of the scenario's own user-defined networks. */
  readonly ownSubnets: string[];
  readonly names: Set<string>;
}

export function safeTargets(spec: TopologySpec, real: InspectResult): SafeTargets {
  const containerAddresses = new Set<string>();
  for (const c of real.containers) for (const e of c.endpoints) {
    if (e.ipv4_address) containerAddresses.add(e.ipv4_address);
    if (e.ipv6_address) containerAddresses.add(e.ipv6_address);
  }
  const own = new Set(spec.networks.filter((n) => !PREDEFINED.has(n.name)).map((n) => n.name));
  const ownSubnets = real.networks.filter((n) => own.has(n.name) && n.subnet && !n.subnet.includes(':')).map((n) => n.subnet!);
  const names = new Set(spec.containers.map((c) => c.name));
  return { containerAddresses, ownSubnets, names };
}

export function assertSafe(dest: string, fromHost: boolean, safe: SafeTargets): void {
  if (dest === '127.0.0.1') return;
  if (ipaddr.isValid(dest)) {
    const a = ipaddr.parse(dest);
    if (safe.containerAddresses.has(dest)) return;
    if (a.kind() !== 'ipv4') throw new Error(`probe to ${dest} refused: IPv6 only to the scenario's own containers`);
    if (!fromHost && safe.ownSubnets.some((s) => a.match(ipaddr.parseCIDR(s)))) return;
    throw new Error(`probe to ${dest} refused: not one of the scenario's own containers or networks`);
  }
  if (fromHost) throw new Error(`probe from the host to name ${dest} refused: the host probes addresses only`);
  if (!safe.names.has(dest) || !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(dest)) throw new Error(`probe to name ${dest} refused: not a container of the scenario`);
}

/**
 * Runs all probes of one source in parallel, in one shell: `docker exec` in a container, or busybox on the
 * host. Each run writes its outputs in a folder of its own: on the host, /tmp is shared by every suite
 * probing at the same time (the main dockerd's and the lab hosts', which share this machine's files).
 */
const SCRIPT = [
  'bb="$1"; shift; i=0; d=$(/bin/busybox mktemp -d /tmp/cnm-probe.XXXXXX)',
  'while [ $# -ge 3 ]; do',
  '  i=$((i+1)); k=$1; a=$2; p=$3; shift 3',
  '  if [ "$k" = icmp ]; then ( $bb ping -c1 -W3 "$a" >$d/$i 2>&1; echo "rc=$?" >>$d/$i ) &',
  '  else ( $bb nc -w 2 "$a" "$p" </dev/null >$d/$i 2>&1; echo "rc=$?" >>$d/$i ) & fi',
  'done',
  'wait',
  'j=0; while [ $j -lt $i ]; do j=$((j+1)); echo "@@CNM-PROBE $j"; cat $d/$j; done; /bin/busybox rm -rf "$d"',
].join('\n');

export function classify(output: string): Verdict | 'error' {
  const rc = /rc=(\d+)/.exec(output)?.[1];
  // busybox ping matches replies by ICMP id only: the answer must come from the address pinged.
  const pinged = /^PING \S+ \((\S+)\)/m.exec(output)?.[1];
  const answered = /bytes from (\S+): seq=/.exec(output)?.[1];
  if (rc === '0' && pinged && answered && pinged !== answered) return 'error';
  if (rc === '0') return 'delivered';
  if (/bad address|can't resolve|unknown host|Name or service not known/i.test(output)) return 'unresolved';
  if (/Connection refused/i.test(output)) return 'refused';
  return 'dropped';
}

export async function runProbes(source: string, fromHost: boolean, jobs: { proto: 'icmp' | 'tcp'; dest: string; port?: number }[]): Promise<Observed[]> {
  if (jobs.length === 0) return [];
  const args = jobs.flatMap((j) => [j.proto, j.dest, String(j.port ?? 0)]);
  const r = fromHost
    ? await hostRun('/bin/busybox', ['sh', '-c', SCRIPT, 'sh', '/bin/busybox', ...args], { timeoutMs: 60_000 })
    : await docker(['exec', source, 'sh', '-c', SCRIPT, 'sh', '', ...args], { timeoutMs: 60_000 });
  const blocks = new Map<number, string>();
  let current = -1;
  for (const line of r.stdout.split('\n')) {
    const m = /^@@CNM-PROBE (\d+)$/.exec(line);
    if (m) {
      current = Number(m[1]);
      blocks.set(current, '');
    } else if (current >= 0) blocks.set(current, blocks.get(current)! + line + '\n');
  }
  return jobs.map((_, i) => {
    const out = blocks.get(i + 1);
    if (out === undefined) return { verdict: 'error', output: `no result (exit ${r.code}: ${r.stderr.trim()})` };
    return { verdict: classify(out), output: out.trim() };
  });
}

// ---------------------------------------------------------------------------------------------------
// A daemon without history

/**
 * Removes what earlier dockerd runs left in iptables — only Docker's own chains and the rules in the
 * built-in chains that name them, a Docker bridge, or a container's hairpin MASQUERADE — so the next
 * dockerd starts as on a fresh host (which is what the engine models). dockerd 20.10 never removes
 * docker0's rules when it stops, so e.g. `--userland-proxy=false`'s MASQUERADE for docker0 outlives it.
 * Only while dockerd is stopped.
 */
export async function resetDockerFirewall(): Promise<void> {
  const tables: Record<string, { builtins: string[]; own: string[] }> = {
    filter: { builtins: ['INPUT', 'FORWARD', 'OUTPUT'], own: ['DOCKER', 'DOCKER-ISOLATION-STAGE-1', 'DOCKER-ISOLATION-STAGE-2', 'DOCKER-USER'] },
    nat: { builtins: ['PREROUTING', 'INPUT', 'OUTPUT', 'POSTROUTING'], own: ['DOCKER'] },
  };
  for (const [table, { builtins, own }] of Object.entries(tables)) {
    for (const chain of builtins) {
      const listed = await run('iptables', ['-t', table, '-S', chain], { timeoutMs: 15_000 });
      for (const line of listed.stdout.split('\n')) {
        if (!line.startsWith(`-A ${chain} `)) continue;
        const hairpin = /-s (\S+)\/32 -d \1\/32 .*-j MASQUERADE/.test(line);
        if (!/DOCKER| docker0| br-[0-9a-f]{12}\b/.test(line) && !hairpin) continue;
        await run('iptables', ['-t', table, '-D', ...line.split(' ').slice(1)], { timeoutMs: 15_000 });
      }
    }
    for (const chain of own) {
      await run('iptables', ['-t', table, '-F', chain], { timeoutMs: 15_000 });
      await run('iptables', ['-t', table, '-X', chain], { timeoutMs: 15_000 });
    }
  }
}
