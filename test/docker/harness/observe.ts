// Reads back from the real dockerd what a played scenario produced, in the shape of the engine's
// InspectResult (src/engine/inspectTypes.ts), plus every name resolution from every running container.
//
// Where `docker inspect` shows configuration rather than what dockerd did (§1.8: IPAM.Config echoes the
// user's input, without the gateway dockerd picked), the truth is read from the system: the bridge
// device's addresses, the container's own interfaces and routing table.
import { readdirSync, readFileSync } from 'node:fs';
import ipaddr from 'ipaddr.js';
import type {
  InspectContainer,
  InspectEndpoint,
  InspectNetwork,
  InspectPortBinding,
  InspectResult,
} from '../../../src/engine/inspectTypes';
import type { TopologySpec } from '../../../src/topology/spec';
import { DAEMON_NAMESERVERS, HOST_HOSTS_FILE } from '../../../src/engine/sandboxView';
import { daemonDnsServers } from './daemon';
import { docker, dockerTarget, hostRun } from './exec';
import type { PlayRecord } from './play';
import { nameQueries, queryText, type NameQuery } from './queries';

export interface Resolution {
  from: string;
  query: string; // NameQuery.label
  addresses: string[]; // sorted; [] = does not resolve
  /** Why no answer could be had at all (exec failed, unsafe resolver), as opposed to "does not resolve". */
  failure?: string;
}

export interface Observation {
  inspect: InspectResult;
  resolutions: Resolution[];
  /** Facts worth printing that the InspectResult has no field for (inspect quirks, MTUs, …). */
  notes: string[];
}

const EXEC_TIMEOUT = 30_000;
const PREDEFINED = ['bridge', 'host', 'none'];

// ---------------------------------------------------------------------------------------------------
// Small helpers

function canonicalCidr(cidr: string): string {
  const [addr, len] = ipaddr.parseCIDR(cidr);
  const net = addr.kind() === 'ipv4' ? ipaddr.IPv4.networkAddressFromCIDR(cidr) : ipaddr.IPv6.networkAddressFromCIDR(cidr);
  return `${net.toString()}/${len}`;
}

function isV4Cidr(cidr: string | undefined): boolean {
  if (!cidr) return false;
  try {
    return ipaddr.parseCIDR(cidr)[0].kind() === 'ipv4';
  } catch {
    return false;
  }
}

function normalIp(ip: string): string {
  try {
    return ipaddr.parse(ip).toString();
  } catch {
    return ip;
  }
}

const orNull = (s: string | undefined | null): string | null => (s === undefined || s === null || s === '' ? null : s);

/** Addresses on a host device: `ip -o addr show dev X`, global scope only. */
async function deviceAddresses(dev: string): Promise<{ v4: string[]; v6: string[] }> {
  const r = await hostRun('ip', ['-o', 'addr', 'show', 'dev', dev], { timeoutMs: 10_000 });
  const v4: string[] = [];
  const v6: string[] = [];
  if (r.code !== 0) return { v4, v6 };
  for (const line of r.stdout.split('\n')) {
    const m = /\binet6? (\S+)/.exec(line);
    if (!m || !/scope global/.test(line)) continue;
    (line.includes(' inet6 ') ? v6 : v4).push(m[1]!);
  }
  return { v4, v6 };
}

/** Host interfaces by ifindex, to name the host end of a container's veth (in a lab host's namespace:
 * `ip -o link` there, since /sys/class/net shows this process's namespace). */
async function hostIfindexNames(): Promise<Map<number, string>> {
  const m = new Map<number, string>();
  if (dockerTarget()) {
    const r = await hostRun('ip', ['-o', 'link', 'show'], { timeoutMs: 10_000 });
    for (const line of r.stdout.split('\n')) {
      const f = /^(\d+):\s+([^:@\s]+)/.exec(line);
      if (f) m.set(Number(f[1]), f[2]!);
    }
    return m;
  }
  for (const name of readdirSync('/sys/class/net')) {
    try {
      m.set(Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim()), name);
    } catch {
      /* gone meanwhile */
    }
  }
  return m;
}

// ---------------------------------------------------------------------------------------------------
// Networks

interface DockerNetworkJson {
  Name: string;
  Id: string;
  Scope: string;
  Driver: string;
  EnableIPv6: boolean;
  IPAM: { Config: { Subnet?: string; IPRange?: string; Gateway?: string; AuxiliaryAddresses?: Record<string, string> }[] | null };
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  Options: Record<string, string> | null;
}

async function observeNetwork(name: string, host: string, notes: string[]): Promise<InspectNetwork | null> {
  const r = await docker(['network', 'inspect', name], { timeoutMs: 30_000 });
  if (r.code !== 0) return null;
  const n = (JSON.parse(r.stdout) as DockerNetworkJson[])[0]!;
  const config = n.IPAM.Config ?? [];
  const v4 = config.find((c) => isV4Cidr(c.Subnet));
  const v6 = config.find((c) => c.Subnet !== undefined && !isV4Cidr(c.Subnet));
  const options = n.Options ?? {};
  const bridge = n.Driver === 'bridge' ? (options['com.docker.network.bridge.name'] ?? `br-${n.Id.slice(0, 12)}`) : null;

  let gateway = orNull(v4?.Gateway);
  let ipv6Gateway = orNull(v6?.Gateway);
  if (bridge !== null) {
    // The bridge device carries the gateway dockerd really chose (§1.8: inspect may not show it).
    const dev = await deviceAddresses(bridge);
    const devV4 = dev.v4[0]?.split('/')[0];
    if (devV4 !== undefined) {
      if (gateway !== null && gateway !== devV4) notes.push(`network ${name}: inspect says gateway ${gateway}, ${bridge} has ${devV4}`);
      if (gateway === null && v4 !== undefined) notes.push(`network ${name}: inspect shows no Gateway (§1.8); ${bridge} has ${devV4}`);
      gateway = devV4;
    }
    if (ipv6Gateway === null && v6?.Subnet) {
      const inNet = dev.v6.map((a) => a.split('/')[0]!).find((a) => {
        try {
          return ipaddr.parse(a).match(ipaddr.parseCIDR(v6.Subnet!));
        } catch {
          return false;
        }
      });
      if (inNet) ipv6Gateway = normalIp(inNet);
    }
  }
  return {
    name: n.Name,
    host,
    id: n.Id,
    driver: n.Driver,
    scope: n.Scope as InspectNetwork['scope'],
    subnet: v4?.Subnet ? canonicalCidr(v4.Subnet) : null,
    gateway,
    ip_range: v4?.IPRange ? canonicalCidr(v4.IPRange) : null,
    ipv6_subnet: v6?.Subnet ? canonicalCidr(v6.Subnet) : null,
    ipv6_gateway: ipv6Gateway === null ? null : normalIp(ipv6Gateway),
    internal: n.Internal,
    attachable: n.Attachable,
    ingress: n.Ingress,
    enable_ipv6: n.EnableIPv6,
    options,
    bridge,
  };
}

// ---------------------------------------------------------------------------------------------------
// Containers

interface DockerEndpointJson {
  Aliases: string[] | null;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
}

interface DockerContainerJson {
  Id: string;
  Name: string;
  State: { Running: boolean };
  Config: { Hostname: string };
  HostConfig: { NetworkMode: string };
  NetworkSettings: {
    Networks: Record<string, DockerEndpointJson> | null;
    Ports: Record<string, { HostIp: string; HostPort: string }[] | null> | null;
  };
}

interface SandboxInterface {
  name: string;
  mac: string;
  iflink: number;
  mtu: number;
}

interface SandboxView {
  interfaces: SandboxInterface[];
  defaultRouteIface: string | null;
  text: SandboxText;
}

// ---------------------------------------------------------------------------------------------------
// Routes, /etc/hosts and /etc/resolv.conf as the container sees them

interface SandboxText {
  routes: string[];
  hosts: string[];
  resolv: string[];
}

const SANDBOX_TEXT_SCRIPT = [
  'echo @@CNM-ROUTE; ip route; ip -6 route',
  'echo @@CNM-HOSTS; cat /etc/hosts',
  'echo @@CNM-RESOLV; cat /etc/resolv.conf',
].join('\n');

const fileLines = (text: string): string[] => text.split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '' && !l.trimStart().startsWith('#'));

/** The exec's output before the markers, and the parsed sections after them. */
function splitSandboxText(out: string): [string, SandboxText] {
  const at = out.indexOf('@@CNM-ROUTE\n');
  const head = at < 0 ? out : out.slice(0, at);
  const sections: Record<string, string> = {};
  let current: string | null = null;
  for (const line of (at < 0 ? '' : out.slice(at)).split('\n')) {
    const m = /^@@CNM-(ROUTE|HOSTS|RESOLV)$/.exec(line);
    if (m) sections[(current = m[1]!)] = '';
    else if (current !== null) sections[current] += line + '\n';
  }
  return [head, { routes: (sections.ROUTE ?? '').split('\n').map(normaliseRoute).filter((l) => l !== '').sort(), hosts: fileLines(sections.HOSTS ?? ''), resolv: fileLines(sections.RESOLV ?? '') }];
}

/** An `ip route` line without what the engine does not model (metric, proto, pref, expiry, linkdown). */
export function normaliseRoute(line: string): string {
  return line
    .replace(/\b(metric|proto|pref|expires)\s+\S+/g, '')
    .replace(/\blinkdown\b/g, '')
    .trim()
    .split(/\s+/)
    .join(' ');
}

/** The host's own files, for what dockerd copies from them. */
function hostFile(path: string): string[] {
  try {
    return fileLines(readFileSync(path, 'utf8'));
  } catch {
    return [];
  }
}

/**
 * The container's resolv.conf with what comes from the machine named as the engine names it: the
 * daemon's --dns servers (else the host's non-loopback ones) become one placeholder line; search and
 * options lines copied from the host's file are left out (the engine does not know the host's file).
 */
export function normaliseResolvConf(lines: string[], daemonDns: string[], hostResolv: string[]): string[] {
  const servers = lines.filter((l) => /^nameserver\s/.test(l)).map((l) => l.split(/\s+/)[1]!);
  const hostServers = hostResolv.filter((l) => /^nameserver\s/.test(l)).map((l) => l.split(/\s+/)[1]!).filter((a) => !/^127\.|^::1$/.test(a));
  const machine = daemonDns.length > 0 ? daemonDns : hostServers;
  const fromMachine = servers.length > 0 && servers.length === machine.length && servers.every((a, i) => a === machine[i]);
  const out: string[] = [];
  for (const l of lines) {
    if (/^nameserver\s/.test(l)) {
      if (!fromMachine) out.push(l.split(/\s+/).join(' '));
      else if (!out.includes(DAEMON_NAMESERVERS)) out.push(DAEMON_NAMESERVERS);
      continue;
    }
    if (/^(search|domain|options)\s/.test(l) && hostResolv.includes(l)) continue;
    out.push(l.split(/\s+/).join(' '));
  }
  return out;
}

/** /etc/hosts and /etc/resolv.conf of a host-mode container (its namespace is the host's: no routes read). */
async function hostModeText(container: string): Promise<SandboxText | null> {
  const r = await docker(['exec', container, 'sh', '-c', SANDBOX_TEXT_SCRIPT.replace(/ip route; ip -6 route/, 'true')], { timeoutMs: EXEC_TIMEOUT });
  return r.code === 0 ? splitSandboxText(r.stdout)[1] : null;
}

/** The InspectContainer fields of the namespace, normalised as the engine writes them. */
function sandboxFields(
  hostMode: boolean,
  view: SandboxView | null,
  text: SandboxText | null,
): Pick<InspectContainer, 'interfaces' | 'routes' | 'hosts_file' | 'resolv_conf'> {
  const hostHosts = hostFile('/etc/hosts');
  const hosts = text === null ? null : hostMode && text.hosts.join('\n') === hostHosts.join('\n') ? [HOST_HOSTS_FILE] : text.hosts;
  return {
    interfaces: hostMode || view === null ? null : view.interfaces.map((i) => ({ name: i.name, mtu: i.mtu })).sort((a, b) => (a.name === 'lo' ? -1 : b.name === 'lo' ? 1 : a.name.localeCompare(b.name, 'en', { numeric: true }))),
    routes: hostMode || view === null ? null : view.text.routes,
    hosts_file: hosts,
    resolv_conf: text === null ? null : normaliseResolvConf(text.resolv, dockerTarget()?.dnsServers ?? daemonDnsServers(), hostFile('/etc/resolv.conf')),
  };
}

/** The container's interfaces (name, MAC, peer ifindex, MTU) and the interface of its default route. */
async function sandboxView(container: string): Promise<SandboxView | null> {
  const script = [
    'for f in /sys/class/net/*; do',
    '  echo "IF ${f##*/} $(cat $f/address) $(cat $f/iflink) $(cat $f/mtu)"',
    'done',
    'cat /proc/net/route',
    // The rest of the namespace, in the same exec (see sandboxText).
    SANDBOX_TEXT_SCRIPT,
  ].join('\n');
  const r = await docker(['exec', container, 'sh', '-c', script], { timeoutMs: EXEC_TIMEOUT });
  if (r.code !== 0) return null;
  const interfaces: SandboxInterface[] = [];
  let defaultRouteIface: string | null = null;
  const [head, text] = splitSandboxText(r.stdout);
  for (const line of head.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'IF' && f.length >= 5) {
      interfaces.push({ name: f[1]!, mac: f[2]!.toLowerCase(), iflink: Number(f[3]), mtu: Number(f[4]) });
    } else if (f.length >= 8 && f[1] === '00000000' && f[7] === '00000000' && defaultRouteIface === null) {
      defaultRouteIface = f[0]!;
    }
  }
  return { interfaces, defaultRouteIface, text };
}

function portBindings(ports: DockerContainerJson['NetworkSettings']['Ports']): InspectPortBinding[] {
  const out: InspectPortBinding[] = [];
  for (const [key, binds] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split('/');
    for (const b of binds ?? []) {
      out.push({
        container_port: Number(port),
        protocol: (proto ?? 'tcp') as InspectPortBinding['protocol'],
        host_ip: b.HostIp,
        host_port: Number(b.HostPort),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Name resolution

/**
 * All look-ups of one container in one exec, in parallel (an unknown name takes busybox's 5 s timeout).
 * Refuses to query when the container's resolver is not on loopback (network safety: the only servers
 * asked are 127.0.0.11, dockerd's embedded DNS, and 127.0.0.1, where nothing listens).
 */
const NSLOOKUP_SCRIPT = [
  'while read k v rest; do',
  '  if [ "$k" = nameserver ]; then case "$v" in 127.*) ;; *) echo "CNM-UNSAFE $v"; exit 3;; esac; fi',
  'done < /etc/resolv.conf',
  'i=0; for n in "$@"; do i=$((i+1)); nslookup "$n" > /tmp/cnm-ns.$i 2>&1 & done; wait',
  'i=0; for n in "$@"; do i=$((i+1)); echo "@@CNM $n"; cat /tmp/cnm-ns.$i; done',
].join('\n');

/** Answers of one busybox nslookup output (the first "Address" after "Server:" is the server itself). */
export function parseNslookup(out: string): string[] {
  const addrs = new Set<string>();
  let serverAddressPending = false;
  for (const raw of out.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('Server:')) {
      serverAddressPending = true;
      continue;
    }
    const m = /^Address(?:\s+\d+)?:\s*(\S+)/.exec(line);
    if (!m) continue;
    if (serverAddressPending) {
      serverAddressPending = false;
      continue;
    }
    addrs.add(normalIp(m[1]!));
  }
  return [...addrs].sort();
}

async function resolveFrom(container: string, queries: { label: string; text: string }[]): Promise<Resolution[]> {
  const r = await docker(['exec', container, 'sh', '-c', NSLOOKUP_SCRIPT, 'sh', ...queries.map((q) => q.text)], {
    timeoutMs: EXEC_TIMEOUT,
  });
  const unsafe = /CNM-UNSAFE (\S+)/.exec(r.stdout);
  if (unsafe) {
    return queries.map((q) => ({ from: container, query: q.label, addresses: [], failure: `resolver ${unsafe[1]} is not on loopback: not queried` }));
  }
  const blocks = new Map<string, string>();
  let current: string | null = null;
  for (const line of r.stdout.split('\n')) {
    if (line.startsWith('@@CNM ')) {
      current = line.slice('@@CNM '.length);
      blocks.set(current, '');
    } else if (current !== null) blocks.set(current, blocks.get(current)! + line + '\n');
  }
  return queries.map((q) => {
    const block = blocks.get(q.text);
    if (block === undefined) {
      return { from: container, query: q.label, addresses: [], failure: `nslookup did not run (exec exit ${r.code}: ${r.stderr.trim()})` };
    }
    return { from: container, query: q.label, addresses: parseNslookup(block) };
  });
}

// ---------------------------------------------------------------------------------------------------

/** `extra`: names looked up beyond queries.ts's (a Compose project's link aliases). */
export async function observe(spec: TopologySpec, played: PlayRecord, extra: readonly NameQuery[] = []): Promise<Observation> {
  const host = spec.hosts[0]!.name;
  const notes: string[] = [];

  const networkNames = [...PREDEFINED, ...spec.networks.map((n) => n.name).filter((n) => !PREDEFINED.includes(n))];
  const networks = (await Promise.all(networkNames.map((n) => observeNetwork(n, host, notes)))).filter(
    (n): n is InspectNetwork => n !== null,
  );

  const ids = [...played.containerIds.values()];
  const raw: DockerContainerJson[] =
    ids.length === 0 ? [] : (JSON.parse((await docker(['container', 'inspect', ...ids], { timeoutMs: 30_000 })).stdout || '[]') as DockerContainerJson[]);
  const byName = new Map(raw.map((c) => [c.Name.replace(/^\//, ''), c]));
  const idToName = new Map(raw.map((c) => [c.Id, c.Name.replace(/^\//, '')]));
  const hostIfs = await hostIfindexNames();

  const views = new Map<string, SandboxView | null>();
  await Promise.all(
    raw
      .filter((c) => c.State.Running && c.HostConfig.NetworkMode !== 'host')
      .map(async (c) => views.set(c.Id, await sandboxView(c.Id))),
  );
  const hostTexts = new Map<string, SandboxText | null>();
  await Promise.all(
    raw.filter((c) => c.State.Running && c.HostConfig.NetworkMode === 'host').map(async (c) => hostTexts.set(c.Id, await hostModeText(c.Id))),
  );

  // Which network an interface (by MAC) belongs to, across all containers (container: mode shares one).
  const macToNetwork = new Map<string, string>();
  for (const c of raw) {
    for (const [net, ep] of Object.entries(c.NetworkSettings.Networks ?? {})) {
      if (ep.MacAddress) macToNetwork.set(ep.MacAddress.toLowerCase(), net);
    }
  }

  const containers: InspectContainer[] = [];
  for (const spec_c of spec.containers) {
    const c = byName.get(spec_c.name);
    if (!c) continue;
    const view = views.get(c.Id) ?? null;
    if (c.State.Running && c.HostConfig.NetworkMode !== 'host' && view === null) notes.push(`container ${spec_c.name}: could not read its interfaces`);
    const endpoints: InspectEndpoint[] = Object.entries(c.NetworkSettings.Networks ?? {}).map(([net, ep]) => {
      const mac = orNull(ep.MacAddress)?.toLowerCase() ?? null;
      const iface = mac === null ? undefined : view?.interfaces.find((i) => i.mac === mac);
      if (iface && iface.mtu !== 1500) notes.push(`container ${spec_c.name}: ${iface.name} (${net}) has MTU ${iface.mtu}`);
      return {
        network: net,
        ipv4_address: orNull(ep.IPAddress),
        ipv4_prefix: ep.IPAddress ? ep.IPPrefixLen : null,
        ipv6_address: ep.GlobalIPv6Address ? normalIp(ep.GlobalIPv6Address) : null,
        mac_address: mac,
        interface: iface?.name ?? null,
        host_interface: iface ? (hostIfs.get(iface.iflink) ?? null) : null,
        gateway: orNull(ep.Gateway),
        aliases: ep.Aliases ?? [],
        ipv6_prefix: ep.GlobalIPv6Address ? ep.GlobalIPv6PrefixLen : null,
        ipv6_gateway: ep.IPv6Gateway ? normalIp(ep.IPv6Gateway) : null,
      };
    });
    endpoints.sort((a, b) => (a.interface ?? '~').localeCompare(b.interface ?? '~', 'en', { numeric: true }) || a.network.localeCompare(b.network));

    let defaultGw: string | null = null;
    if (view?.defaultRouteIface) {
      const mac = view.interfaces.find((i) => i.name === view.defaultRouteIface)?.mac;
      defaultGw = (mac && macToNetwork.get(mac)) ?? null;
    }
    let mode = c.HostConfig.NetworkMode;
    if (mode.startsWith('container:')) {
      const target = mode.slice('container:'.length);
      mode = `container:${idToName.get(target) ?? target}`;
    }
    const runStep = played.steps.find((s) => s.kind === 'run' && s.object[1] === spec_c.name);
    containers.push({
      name: spec_c.name,
      host,
      id: c.Id,
      network_mode: mode,
      running: c.State.Running,
      endpoints,
      ports: portBindings(c.NetworkSettings.Ports),
      default_gateway_network: defaultGw,
      warnings: runStep?.warnings ?? [],
      ...(c.State.Running
        ? sandboxFields(c.HostConfig.NetworkMode === 'host', view, c.HostConfig.NetworkMode === 'host' ? (hostTexts.get(c.Id) ?? null) : (view?.text ?? null))
        : { interfaces: null, routes: null, hosts_file: null, resolv_conf: null }),
    });
  }

  // Every running container looks up every name.
  const queries: NameQuery[] = [...nameQueries(spec), ...extra.filter((q) => !nameQueries(spec).some((x) => x.label === q.label))];
  const resolutions: Resolution[] = [];
  const running = containers.filter((c) => c.running);
  const perContainer = await Promise.all(
    running.map((c) => {
      const qs = queries.flatMap((q) => {
        const text = queryText(q, played.containerIds);
        return text === undefined ? [] : [{ label: q.label, text }];
      });
      return resolveFrom(c.name, qs);
    }),
  );
  for (const rs of perContainer) resolutions.push(...rs);

  return { inspect: { networks, containers }, resolutions, notes };
}
