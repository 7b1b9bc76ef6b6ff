// A live host, read once: the daemon, every network and every container, inspected and validated.
// Plain data; src/live reads it in CNM terms (replay on the engine, import, drift).
import type { ContainerInfo, DaemonInfo, DockerClient, NetworkInfo, SwarmInfo } from './types';
import { localInterfaces } from './localHost';
import { perRunningContainer, readAllListeners, type ListenerReading } from './listeners';
import { readHostNetfilter, sharesDaemonNetns, type HostReading } from './hostNetfilter';
import { readHostRouting, readSandboxRoutes, type RouteReading } from './routes';
import { readHostOverSsh, type SshHostAccess } from './sshHost';

export interface Snapshot {
  /** Where it came from (describeEndpoint). */
  endpoint: string;
  daemon: DaemonInfo;
  networks: NetworkInfo[];
  containers: ContainerInfo[];
  /** The daemon's swarm when it is in one (nodes, services and tasks when it is a manager). */
  swarm?: SwarmInfo;
  /** ISO time the snapshot was taken. */
  takenAt: string;
  /** The host's own interfaces (name → CIDR) when known: a daemon on this machine. */
  hostInterfaces?: Record<string, string>;
  /** What each running container really listens on (by container id), once read (observeHost). */
  listeners?: Record<string, ListenerReading>;
  /** Each running container's own routing table (by container id), read with its listeners. */
  routes?: Record<string, RouteReading>;
  /** The host's real rules and sysctls (a daemon on this machine), or why they could not be read. */
  host?: HostReading | { readonly unread: string };
}

export async function takeSnapshot(client: DockerClient): Promise<Snapshot> {
  const [daemon, networks, containers, swarm] = await Promise.all([client.daemon(), client.networks(), client.containers(), client.swarm ? client.swarm() : Promise.resolve(undefined)]);
  const snapshot: Snapshot = { endpoint: client.description, daemon, networks: withMembers(networks, containers), containers, takenAt: new Date().toISOString() };
  if (swarm && swarm.localState !== 'inactive') snapshot.swarm = swarm;
  if (client.local) snapshot.hostInterfaces = localInterfaces();
  return snapshot;
}

/** Each network's members from the containers' endpoints (what `network inspect` lists as Containers). */
export function withMembers(networks: NetworkInfo[], containers: ContainerInfo[]): NetworkInfo[] {
  return networks.map((n) => {
    if (n.members.length > 0) return n;
    const members = containers.flatMap((c) =>
      c.endpoints
        .filter((e) => e.endpointId !== '' && (e.networkId === n.id || (e.networkId === '' && e.network === n.name)))
        .map((e) => ({
          containerId: c.id,
          name: c.name,
          endpointId: e.endpointId,
          macAddress: e.macAddress,
          ipv4Address: e.ipv4Address ? `${e.ipv4Address}/${e.ipv4Prefix ?? 32}` : null,
          ipv6Address: e.ipv6Address ? `${e.ipv6Address}/${e.ipv6Prefix ?? 128}` : null,
        })),
    );
    return { ...n, members };
  });
}

export interface ObserveOptions {
  /** Bound on reading one container's sockets, and on each iptables-save. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Read only these containers again; the other readings are kept (after events naming them). */
  only?: ReadonlySet<string>;
  /**
   * What to read (default both): a command that shows no listeners or rules (inspect, resolve) reads
   * neither, since reading them costs a /proc walk per container and a process per iptables-save.
   */
  read?: { readonly listeners: boolean; readonly rules: boolean };
  /** An ssh host: whether the user allows reading its rules, routes and sysctls over ssh (off by default). */
  sshHost?: SshHostAccess;
}

/**
 * The snapshot with what the host really has: every running container's listening sockets and, on a
 * daemon on this machine, its iptables rules and sysctls. Never throws: what cannot be read is said.
 */
export async function observeHost(client: DockerClient, snapshot: Snapshot, opts: ObserveOptions = {}): Promise<Snapshot> {
  const want = opts.read ?? { listeners: true, rules: true };
  const read = opts.only ? snapshot.containers.filter((c) => opts.only!.has(c.id)) : snapshot.containers;
  // A unix socket does not mean the daemon's namespace is ours (a lab host, a rootless daemon).
  const netns = client.local && want.rules ? sharesDaemonNetns(snapshot.networks) : { same: false, why: '' };
  const [fresh, host, routesRead] = await Promise.all([
    !want.listeners ? Promise.resolve(undefined) : readAllListeners(client, read, { ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }),
    !want.rules
      ? Promise.resolve(undefined)
      : !client.local
      ? opts.sshHost?.allowed
        ? readHostOverSsh(opts.sshHost.endpoint, { ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) }).then((r) =>
            'unread' in r ? { unread: `reading the Docker host over ssh failed: ${r.unread}` } : r,
          )
        : Promise.resolve({ unread: `the Docker host (${client.description}) is not this machine: its iptables rules and sysctls cannot be read from here${opts.sshHost ? ' (reading them over ssh is off: the setting cnm.live.readHostOverSsh, or --read-host on the command line)' : ''}` })
      : netns.same === false
        ? Promise.resolve({ unread: `${netns.why}, so this machine's iptables rules and sysctls are not the daemon's` })
        : Promise.all([readHostNetfilter(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), readHostRouting()]).then(([h, routing]) => ({ ...h, routing })),
    !want.listeners ? Promise.resolve(undefined) : readAllRoutes(client, read, opts),
  ]);
  const live = new Set(snapshot.containers.filter((c) => c.running).map((c) => c.id));
  const listeners: Record<string, ListenerReading> = {};
  for (const [id, r] of Object.entries({ ...(opts.only ? snapshot.listeners ?? {} : {}), ...fresh })) if (live.has(id)) listeners[id] = r;
  const routes: Record<string, RouteReading> = {};
  for (const [id, r] of Object.entries({ ...(opts.only ? snapshot.routes ?? {} : {}), ...routesRead })) if (live.has(id)) routes[id] = r;
  return { ...snapshot, listeners, ...(want.listeners ? { routes } : {}), host };
}

/** The routing tables of these containers, a few at a time (a cheap read each on this machine). */
function readAllRoutes(client: DockerClient, containers: readonly ContainerInfo[], opts: ObserveOptions): Promise<Record<string, RouteReading>> {
  const readOpts = { ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}), ...(opts.signal ? { signal: opts.signal } : {}) };
  return perRunningContainer(client, containers, (c) => readSandboxRoutes(client, c, readOpts));
}
