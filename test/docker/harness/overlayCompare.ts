// Comparing an overlay played on lab hosts with the engine's model of the same topology, value by value and
// probe by probe (lab/multihost.test.ts with two nodes, lab/multihost3.test.ts with three): per node the
// networks' subnet, gateway, VXLAN id and swarm's own endpoints (lb-<net>, ingress-sbox), the devices in the
// node's overlay namespace; per container its endpoint, interfaces with MTU, routes, /etc/hosts and
// resolv.conf; the embedded DNS between every pair; ping and TCP between every pair against the tracer.
import { existsSync, readFileSync } from 'node:fs';
import type { InspectNetwork } from '../../../src/engine/inspectTypes';
import { Tracer } from '../../../src/engine/trace';
import type { loadTopology } from '../../../src/topology/index';
import { listeningFromSpec } from '../../../src/cli/commands/tracing';
import { run, useDockerTarget } from './exec';
import type { Lab, LabHost } from './lab';
import { normaliseResolvConf, normaliseRoute, parseNslookup } from './observe';
import { compareField, eventually, type Disagreement } from './fieldCompare';
import { CLOSED_PORT, runProbes } from './probe';

type Loaded = ReturnType<typeof loadTopology>;

export interface OverlayContainer {
  name: string;
  host: string;
  /** Serves TCP 80 (httpd); otherwise a closed port is probed. */
  serves: boolean;
}

export interface ProbeRecord {
  from: string;
  to: string;
  proto: 'icmp' | 'tcp';
  port?: number;
  dockerd: string;
  engine: string;
  reason: string;
}

/** The network as `docker network inspect` shows it on one node, in the engine's words. */
interface NetView {
  subnet: string | null;
  gateway: string | null;
  vxlan_id: string | null;
  mtu: string | null;
  swarm_endpoints: { key: string; name: string; ipv4_address: string | null; mac_address: string | null }[];
}

export async function networkView(host: LabHost, name: string): Promise<NetView | null> {
  const r = await host.docker(['network', 'inspect', name]);
  if (r.code !== 0) return null;
  const n = (JSON.parse(r.stdout) as {
    IPAM: { Config: { Subnet?: string; Gateway?: string }[] | null };
    Options: Record<string, string> | null;
    Containers: Record<string, { Name: string; MacAddress: string; IPv4Address: string }> | null;
  }[])[0]!;
  const cfg = n.IPAM.Config?.[0];
  return {
    subnet: cfg?.Subnet ?? null,
    gateway: cfg?.Gateway ?? null,
    vxlan_id: n.Options?.['com.docker.network.driver.overlay.vxlanid_list'] ?? null,
    mtu: n.Options?.['com.docker.network.driver.mtu'] ?? null,
    swarm_endpoints: Object.entries(n.Containers ?? {})
      .filter(([k]) => k.startsWith('lb-') || k.endsWith('-sbox'))
      .map(([k, c]) => ({ key: k, name: c.Name, ipv4_address: c.IPv4Address.split('/')[0] || null, mac_address: c.MacAddress || null }))
      .sort((a, b) => a.key.localeCompare(b.key)),
  };
}

export function engineNetView(n: InspectNetwork | undefined): NetView | null {
  if (!n) return null;
  return {
    subnet: n.subnet,
    gateway: n.gateway,
    vxlan_id: n.options['com.docker.network.driver.overlay.vxlanid_list'] ?? null,
    mtu: n.options['com.docker.network.driver.mtu'] ?? null,
    swarm_endpoints: [...(n.swarm_endpoints ?? [])].sort((a, b) => a.key.localeCompare(b.key)),
  };
}

/** A container's endpoint on `net`, interfaces, routes, /etc/hosts and resolv.conf, read on its node. */
export async function containerView(host: LabHost, name: string, net: string): Promise<Record<string, unknown> & { id: string; address: string | null }> {
  const c = (JSON.parse(await host.dockerOk(['inspect', name])) as {
    Id: string;
    NetworkSettings: { Networks: Record<string, { IPAddress: string; IPPrefixLen: number; MacAddress: string; Gateway: string; Aliases: string[] | null }> };
  }[])[0]!;
  const ep = c.NetworkSettings.Networks[net];
  const short = c.Id.slice(0, 12);
  const script = 'for f in /sys/class/net/*; do echo "${f##*/} $(cat $f/mtu)"; done; echo @@; ip route; echo @@; cat /etc/hosts; echo @@; cat /etc/resolv.conf';
  const text = await host.dockerOk(['exec', name, 'sh', '-c', script]);
  const [ifs, routes, hosts, resolv] = text.split('@@\n').map((s) => s.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !l.startsWith('#')));
  const hostResolv = readFileSync('/etc/resolv.conf', 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
  return {
    id: c.Id,
    address: ep?.IPAddress || null,
    endpoint: ep
      ? { ipv4_address: ep.IPAddress || null, ipv4_prefix: ep.IPPrefixLen, mac_address: ep.MacAddress || null, gateway: ep.Gateway || null, aliases: (ep.Aliases ?? []).map((a) => (a === short ? '<own short id>' : a)) }
      : null,
    interfaces: (ifs ?? []).map((l) => l.split(' ')).map(([n, mtu]) => `${n} mtu ${mtu}`).sort(),
    routes: (routes ?? []).map(normaliseRoute).sort(),
    hosts_file: (hosts ?? []).map((l) => l.replace(short, '<own short id>').split(/\s+/).join(' ')),
    resolv_conf: normaliseResolvConf(resolv ?? [], ['127.0.0.1'], hostResolv),
  };
}

/** The overlay's bridge and VXLAN device in the node's overlay namespace (ids → <id5>), with their MTU. */
export async function overlayDevices(host: LabHost, networkId: string, withMtu = false): Promise<string[] | null> {
  const ns = `${host.paths.execRoot}/netns/1-${networkId.slice(0, 10)}`;
  // No namespace (nothing on this node has joined the network yet): null, as the engine says it.
  if (!existsSync(ns)) return null;
  const r = await run('nsenter', [`--net=${ns}`, '--', 'ip', '-o', 'link', 'show'], { timeoutMs: 15_000 });
  if (r.code !== 0) return [`(overlay namespace ${ns}: ${r.stderr.trim()})`];
  return r.stdout.split('\n').map((l) => /^\d+:\s+([^:@\s]+)[^:]*:.*?\bmtu (\d+)/.exec(l)).filter((m): m is RegExpExecArray => !!m && m[1] !== 'lo' && !m[1]!.startsWith('veth'))
    .map((m) => `${m[1]!.replace(networkId.slice(0, 5), '<id5>')}${withMtu ? ` mtu ${m[2]}` : ''}`).sort();
}

/** The engine's devices of an overlay namespace, in overlayDevices' words. */
export function engineOverlayDevices(loaded: Loaded, host: string, networkId: string | undefined, withMtu = false): string[] | null {
  const ns = loaded.engine.state.hosts.get(host)?.overlays.get(networkId ?? '');
  if (!ns) return null;
  const mtu = withMtu ? ` mtu ${ns.mtu}` : '';
  return [ns.bridge, ns.vxlan].map((d) => `${d.replace(ns.networkId.slice(0, 5), '<id5>')}${mtu}`).sort();
}

/**
 * Compares the overlay `net` (and docker_gwbridge, ingress) on every host, each container's view, DNS between
 * every pair and probes between every pair; pushes what differs to `out` and every probe to `probes`.
 */
export async function compareOverlay(lab: Lab, loaded: Loaded, net: string, containers: readonly OverlayContainer[], out: Disagreement[], probes: ProbeRecord[], opts: { deviceMtu?: boolean; prefix?: string; networks?: readonly string[] } = {}): Promise<void> {
  const engine = loaded.engine.inspect();
  const node = (n: string) => lab.host(n);
  const hosts = [...new Set(lab.hosts.map((h) => h.name))];
  const p = opts.prefix ? `${opts.prefix}: ` : '';
  // Networks per node, and the overlay's devices in each node's overlay namespace.
  for (const h of hosts) {
    for (const n of [net, 'docker_gwbridge', 'ingress', ...(opts.networks ?? [])]) {
      const real = await networkView(node(h), n);
      compareField(out, `${p}${h}: networks.${n}`, real, engineNetView(engine.networks.find((x) => x.host === h && x.name === n)));
    }
    const realId = await node(h).docker(['network', 'inspect', '--format', '{{.Id}}', net]);
    if (realId.code !== 0) continue;
    const engineId = engine.networks.find((x) => x.host === h && x.name === net)?.id;
    compareField(out, `${p}${h}: overlay namespace devices`, await overlayDevices(node(h), realId.stdout.trim(), opts.deviceMtu), engineOverlayDevices(loaded, h, engineId, opts.deviceMtu));
  }
  // Containers.
  const realAddr = new Map<string, string | null>();
  for (const c of containers) {
    const real = await containerView(node(c.host), c.name, net);
    realAddr.set(c.name, real.address);
    const e = engine.containers.find((x) => x.name === c.name && x.host === c.host);
    const ep = e?.endpoints.find((x) => x.network === net);
    const short = e?.id.slice(0, 12) ?? '';
    const mine = {
      endpoint: ep ? { ipv4_address: ep.ipv4_address, ipv4_prefix: ep.ipv4_prefix, mac_address: ep.mac_address, gateway: ep.gateway, aliases: ep.aliases.map((a) => (a === short ? '<own short id>' : a)) } : null,
      interfaces: (e?.interfaces ?? []).map((i) => `${i.name} mtu ${i.mtu}`).sort(),
      routes: [...(e?.routes ?? [])].sort(),
      hosts_file: (e?.hosts_file ?? []).map((l) => l.replace(short, '<own short id>').split(/\s+/).join(' ')),
      resolv_conf: e?.resolv_conf ?? null,
    };
    for (const k of Object.keys(mine) as (keyof typeof mine)[]) compareField(out, `${p}${c.host}: containers.${c.name}.${k}`, real[k], mine[k]);
  }
  // The embedded DNS across nodes: every container asks for every container's name.
  for (const from of containers) {
    for (const to of containers) {
      const real = await eventually(async () => {
        const r = await node(from.host).docker(['exec', from.name, 'nslookup', to.name], { timeoutMs: 20_000 });
        const got = parseNslookup(r.stdout);
        if (got.length === 0) throw new Error(`nslookup ${to.name} from ${from.name}: ${(r.stdout + r.stderr).trim()}`);
        return got;
      }).catch(() => [] as string[]);
      compareField(out, `${p}${from.host}: DNS ${to.name} from ${from.name}`, real, [...loaded.engine.resolve(from.host, from.name, to.name)].sort());
    }
  }
  // Probes: ping by name and address, TCP to each served port and to a closed port, every pair.
  const tracer = new Tracer(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
  const ownAddresses = new Set([...realAddr.values()].filter((a): a is string => !!a));
  for (const from of containers) {
    const h = node(from.host);
    useDockerTarget({ label: `lab ${lab.id} ${from.host}`, cli: h.cli, env: h.env, netnsPath: h.paths.netnsPath, dnsServers: ['127.0.0.1'] });
    try {
      const jobs: { proto: 'icmp' | 'tcp'; dest: string; port?: number; engineDest: string; to: string }[] = [];
      for (const to of containers) {
        if (to.name === from.name) continue;
        const real = realAddr.get(to.name);
        const mine = engine.containers.find((x) => x.name === to.name)?.endpoints.find((x) => x.network === net)?.ipv4_address;
        // Network safety: only the lab's own container addresses (or their names) are probed.
        if (!real || !ownAddresses.has(real) || !mine) {
          compareField(out, `${p}probes ${from.name} → ${to.name}: target`, real ?? null, mine ?? null);
          continue;
        }
        jobs.push({ proto: 'icmp', dest: to.name, engineDest: to.name, to: `${to.name} (name)` });
        jobs.push({ proto: 'icmp', dest: real, engineDest: mine, to: `${to.name} (address)` });
        jobs.push({ proto: 'tcp', dest: real, port: to.serves ? 80 : CLOSED_PORT, engineDest: mine, to: `${to.name}:${to.serves ? 80 : CLOSED_PORT}` });
      }
      const asked = jobs.map((j) => ({ proto: j.proto, dest: j.dest, ...(j.port !== undefined ? { port: j.port } : {}) }));
      const results = await eventually(async () => {
        const res = await runProbes(from.name, false, asked);
        // The overlay's peers spread over a few seconds: retry while anything is still dropped.
        if (res.some((r) => r.verdict === 'dropped' || r.verdict === 'unresolved')) throw Object.assign(new Error('not settled'), { res });
        return res;
      }, 15_000).catch((e: Error & { res?: Awaited<ReturnType<typeof runProbes>> }) => e.res ?? runProbes(from.name, false, asked));
      jobs.forEach((j, i) => {
        const traced = tracer.trace({ host: from.host, from: from.name, to: j.engineDest, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}) });
        const real = results[i]!;
        probes.push({ from: from.name, to: j.to, proto: j.proto, ...(j.port !== undefined ? { port: j.port } : {}), dockerd: real.verdict, engine: traced.verdict, reason: traced.reason });
        if (traced.verdict === 'unknown' || real.verdict !== traced.verdict) out.push({ field: `${p}probe ${from.name} → ${j.to} ${j.proto}`, dockerd: `${real.verdict} (${real.output.trim().split('\n').slice(-1)[0]})`, engine: `${traced.verdict}: ${traced.reason}` });
      });
    } finally {
      useDockerTarget(undefined);
    }
  }
}
