// A live host, read once: the daemon, every network and every container, inspected and validated.
// Plain data; src/live reads it in CNM terms (replay on the engine, import, drift).
import type { ContainerInfo, DaemonInfo, DockerClient, NetworkInfo } from './types';
import { localInterfaces } from './localHost';

export interface Snapshot {
  /** Where it came from (describeEndpoint). */
  endpoint: string;
  daemon: DaemonInfo;
  networks: NetworkInfo[];
  containers: ContainerInfo[];
  /** ISO time the snapshot was taken. */
  takenAt: string;
  /** The host's own interfaces (name → CIDR) when known: a daemon on this machine. */
  hostInterfaces?: Record<string, string>;
}

export async function takeSnapshot(client: DockerClient): Promise<Snapshot> {
  const [daemon, networks, containers] = await Promise.all([client.daemon(), client.networks(), client.containers()]);
  const snapshot: Snapshot = { endpoint: client.description, daemon, networks: withMembers(networks, containers), containers, takenAt: new Date().toISOString() };
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
