// The probe kinds beyond ping and TCP over IPv4 (issue 12): UDP, and TCP over IPv6. They run beside
// probe.ts's probes, are checked by the same guard (assertSafe) and compared with the tracer the same way.
//
// UDP needs an answer to tell delivered from dropped, and this machine's busybox nc has no -u. So the
// listeners and the probes are udp.mjs, run with node in the container's network namespace
// (`nsenter -t <pid> -n`: same interfaces, routes and netfilter as a process of the container): a
// listener answers every datagram, a probe waits 2 s for the answer; ICMP port unreachable is
// ECONNREFUSED on the connected socket ("Connection refused", the verdict refused).
import { spawn, type ChildProcess } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import type { InspectResult } from '../../../src/engine/inspectTypes';
import type { TopologySpec } from '../../../src/topology/spec';
import { docker, hostRun, run } from './exec';
import { listenList, listeners, namespaceListeners } from './play';
import { CLOSED_PORT, classify, runProbes, type Observed, type Probe, type ProbeTarget, type PublishedRef } from './probe';

const UDP_SCRIPT = resolvePath(__dirname, 'udp.mjs');

/**
 * For every running container: UDP to each UDP port other containers listen on (`listen`) (each IPv4 and IPv6
 * address) and to a closed port; TCP over IPv6 to each TCP port they listen on and to a closed port.
 * From the host: the same to every container address, and UDP to every port published on 127.0.0.1 or
 * all addresses, over loopback. At most `maxPerSource` per source, taken evenly.
 */
export function moreProbes(spec: TopologySpec, real: InspectResult, maxPerSource = 16): Probe[] {
  const host = spec.hosts[0]!.name;
  const running = real.containers.filter((c) => c.running);
  const ports = (name: string, proto: 'tcp' | 'udp') => {
    const c = spec.containers.find((x) => x.name === name);
    return c ? [...new Set(namespaceListeners(spec, c).filter((l) => l.proto === proto).map((l) => l.port))] : [];
  };
  const publishedUdp: PublishedRef[] = real.containers.flatMap((c) =>
    c.ports.filter((p) => p.protocol === 'udp' && (p.host_ip === '0.0.0.0' || p.host_ip === '127.0.0.1')).map((p) => ({ container: c.name, containerPort: p.container_port, hostIp: p.host_ip })),
  );
  const out: Probe[] = [];
  const towards = (from: string, fromHost: boolean): Probe[] => {
    const mine: Probe[] = [];
    const add = (target: ProbeTarget, proto: 'tcp' | 'udp', port: number) => mine.push({ from, fromHost, target, proto, port });
    for (const dst of running) {
      if (dst.name === from) continue;
      for (const ep of dst.endpoints) {
        if (ep.ipv4_address) for (const p of ports(dst.name, 'udp')) add({ kind: 'endpoint', container: dst.name, network: ep.network }, 'udp', p);
        if (ep.ipv6_address) {
          for (const p of ports(dst.name, 'tcp')) add({ kind: 'endpoint6', container: dst.name, network: ep.network }, 'tcp', p);
          for (const p of ports(dst.name, 'udp')) add({ kind: 'endpoint6', container: dst.name, network: ep.network }, 'udp', p);
        }
      }
      if (fromHost) continue;
      const first = dst.endpoints.find((e) => e.ipv4_address);
      if (first) add({ kind: 'endpoint', container: dst.name, network: first.network }, 'udp', CLOSED_PORT);
      const first6 = dst.endpoints.find((e) => e.ipv6_address);
      if (first6) add({ kind: 'endpoint6', container: dst.name, network: first6.network }, 'tcp', CLOSED_PORT);
    }
    return mine;
  };
  for (const src of running) {
    const mine = towards(src.name, false);
    for (const p of ports(src.name, 'udp')) mine.push({ from: src.name, fromHost: false, target: { kind: 'loopback' }, proto: 'udp', port: p });
    out.push(...spread(mine, maxPerSource));
  }
  const fromHost = towards(host, true);
  for (const ref of publishedUdp) fromHost.push({ from: host, fromHost: true, target: { kind: 'loopback' }, proto: 'udp', published: ref });
  out.push(...spread(fromHost, maxPerSource));
  return out;
}

function spread<T>(items: T[], max: number): T[] {
  if (items.length <= max) return items;
  return Array.from({ length: max }, (_, i) => items[Math.floor((i * items.length) / max)]!);
}

/** This side's host port for a published UDP port (probe.ts's AddressBook knows TCP ones only). */
export function udpHostPort(inspect: InspectResult, ref: PublishedRef): number | null {
  const c = inspect.containers.find((x) => x.name === ref.container);
  return c?.ports.find((p) => p.protocol === 'udp' && p.container_port === ref.containerPort && p.host_ip === ref.hostIp)?.host_port ?? null;
}

// ---------------------------------------------------------------------------------------------------
// Running them

export interface ProbeJob {
  proto: 'icmp' | 'tcp' | 'udp';
  dest: string;
  port?: number;
}

async function containerPid(container: string): Promise<number | null> {
  const r = await docker(['inspect', '-f', '{{.State.Pid}}', container], { timeoutMs: 15_000 });
  const pid = Number(r.stdout.trim());
  return r.code === 0 && pid > 0 ? pid : null;
}

/** UDP probes of one source, all at once, in its network namespace. */
export async function runUdpProbes(source: string, fromHost: boolean, jobs: { dest: string; port: number }[]): Promise<Observed[]> {
  if (jobs.length === 0) return [];
  const args = [UDP_SCRIPT, 'probe', ...jobs.flatMap((j) => [j.dest, String(j.port)])];
  let r: Awaited<ReturnType<typeof run>>;
  if (fromHost) r = await hostRun(process.execPath, args, { timeoutMs: 30_000 });
  else {
    const pid = await containerPid(source);
    if (pid === null) return jobs.map(() => ({ verdict: 'error', output: `no pid for ${source}` }));
    r = await run('nsenter', ['-t', String(pid), '-n', process.execPath, ...args], { timeoutMs: 30_000 });
  }
  const blocks = new Map<number, string>();
  let current = -1;
  for (const line of r.stdout.split('\n')) {
    const m = /^@@CNM-PROBE (\d+)$/.exec(line);
    if (m) blocks.set((current = Number(m[1])), '');
    else if (current >= 0) blocks.set(current, blocks.get(current)! + line + '\n');
  }
  return jobs.map((_, i) => {
    const out = blocks.get(i + 1);
    return out === undefined ? { verdict: 'error', output: `no result (exit ${r.code}: ${r.stderr.trim()})` } : { verdict: classify(out), output: out.trim() };
  });
}

/** probe.ts's runProbes for ICMP and TCP (IPv4 and IPv6: busybox nc takes IPv6 literals), runUdpProbes for UDP; results in job order. */
export async function runAnyProbes(source: string, fromHost: boolean, jobs: ProbeJob[]): Promise<Observed[]> {
  const udp = jobs.map((j, i) => [j, i] as const).filter(([j]) => j.proto === 'udp');
  const other = jobs.map((j, i) => [j, i] as const).filter(([j]) => j.proto !== 'udp');
  const [u, o] = await Promise.all([
    runUdpProbes(source, fromHost, udp.map(([j]) => ({ dest: j.dest, port: j.port ?? 0 }))),
    runProbes(source, fromHost, other.map(([j]) => ({ proto: j.proto as 'icmp' | 'tcp', dest: j.dest, ...(j.port !== undefined ? { port: j.port } : {}) }))),
  ]);
  const out: Observed[] = new Array(jobs.length);
  udp.forEach(([, i], k) => (out[i] = u[k]!));
  other.forEach(([, i], k) => (out[i] = o[k]!));
  return out;
}

/**
 * Starts a UDP listener (udp.mjs serve) for every container's UDP `listen` ports (play.ts listenList), one per network
 * namespace (a `container:` joiner shares its owner's, host mode the host's). Returns the function that
 * stops them (by the pids started here).
 */
export async function startUdpListeners(spec: TopologySpec, real: InspectResult): Promise<() => void> {
  const byNs = new Map<string, { pid: number; ports: Set<number> }>();
  for (const c of real.containers.filter((x) => x.running)) {
    const specC = spec.containers.find((s) => s.name === c.name);
    const ports = specC ? listeners(listenList(specC)).filter((l) => l.proto === 'udp').map((l) => l.port) : [];
    if (ports.length === 0) continue;
    const pid = await containerPid(c.name);
    if (pid === null) continue;
    const ns = readlinkSync(`/proc/${pid}/ns/net`);
    const entry = byNs.get(ns) ?? { pid, ports: new Set<number>() };
    for (const p of ports) entry.ports.add(p);
    byNs.set(ns, entry);
  }
  const children: ChildProcess[] = [];
  const stop = () => {
    for (const ch of children) if (ch.exitCode === null) ch.kill();
  };
  try {
    for (const { pid, ports } of byNs.values()) {
      const ch = spawn('nsenter', ['-t', String(pid), '-n', process.execPath, UDP_SCRIPT, 'serve', ...[...ports].map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(ch);
      await new Promise<void>((resolveReady, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`UDP listener in pid ${pid}'s namespace did not start: ${err}`)), 10_000);
        ch.stderr!.on('data', (b: Buffer) => (err += b.toString()));
        ch.stdout!.on('data', (b: Buffer) => {
          if (b.toString().includes('ready')) {
            clearTimeout(timer);
            resolveReady();
          }
        });
        ch.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`UDP listener in pid ${pid}'s namespace exited (${code}): ${err}`));
        });
      });
    }
  } catch (e) {
    stop();
    throw e;
  }
  return stop;
}
