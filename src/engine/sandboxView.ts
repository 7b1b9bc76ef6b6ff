// What a container sees of its network namespace, in the words of the tools a user runs in it: the
// interfaces with their MTU (`ip link`), the main routing table (`ip route`, `ip -6 route`), and the
// /etc/hosts and /etc/resolv.conf dockerd writes. The differential suite reads the same from dockerd.
import type { Route, SandboxState } from './model';
import { DEFAULT_HOSTS_ENTRIES } from './sandbox';

/** Lines that come from the machine, not from Docker: the engine names them instead of guessing them. */
export const HOST_HOSTS_FILE = "<the host's /etc/hosts>";
export const DAEMON_NAMESERVERS = "nameserver <the daemon's --dns servers, else the host's>";

export interface SandboxFiles {
  interfaces: { name: string; mtu: number }[] | null;
  routes: string[] | null;
  hosts_file: string[];
  resolv_conf: string[];
}

/** One route as iproute2 prints it, without metric (IPv6 routes have no scope: always universe). */
function routeLine(r: Route): string {
  const via = r.gateway ? ` via ${r.gateway}` : '';
  if (r.family === 6) return `${r.destination}${via} dev ${r.dev}`;
  const scope = r.scope === 'global' ? '' : ` scope ${r.scope}`;
  return `${r.destination}${via} dev ${r.dev}${scope}${r.src ? ` src ${r.src}` : ''}`;
}

export function sandboxFiles(sb: SandboxState): SandboxFiles {
  const hostMode = sb.hostNetwork;
  let routes: string[] | null = null;
  if (!hostMode) {
    routes = sb.routes.map(routeLine);
    // The kernel adds a link-local and a multicast route on every interface where IPv6 is on; libnetwork
    // (osl, 20.10) turns IPv6 off on interfaces it gives no IPv6 address.
    for (const i of sb.interfaces) if (i.name !== 'lo' && i.ipv6) routes.push(`fe80::/64 dev ${i.name}`, `multicast ff00::/8 dev ${i.name}`);
    routes.sort();
  }
  // Host mode copies the host's /etc/hosts (daemon: OptionOriginHostsPath when no extra hosts).
  const hosts_file = hostMode
    ? [HOST_HOSTS_FILE]
    : [...DEFAULT_HOSTS_ENTRIES, ...sb.hostsEntries].map((e) => `${e.ip}\t${e.names.join(' ')}`);
  // setupDNS/rebuildDNS: the embedded server with ndots:0 once a user-defined network joined; else the
  // daemon's --dns servers (or the host's, loopback ones filtered out), which the engine does not know.
  const resolv_conf = sb.resolvConf === 'embedded' ? ['nameserver 127.0.0.11', 'options ndots:0'] : [DAEMON_NAMESERVERS];
  return {
    interfaces: hostMode ? null : sb.interfaces.map((i) => ({ name: i.name, mtu: i.mtu })),
    routes,
    hosts_file,
    resolv_conf,
  };
}
