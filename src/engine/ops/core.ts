// The state every concern module of the Engine shares: the public model, the drivers, swarmkit's side and
// the per-host bookkeeping; each module's operations take it as their first argument.
import { DockerError, NOT_FOUND } from '../errors';
import type { IpamPoolConfig } from '../requests';
import type { ContainerState, EndpointState, EngineState, HostState, NetworkState } from '../model';
import type { VersionFeatures } from '../version';
import type { IdFactory } from '../ids';
import type { IpAddr, IpNet } from '../ip';
import type { DriverContext, DriverRegistry } from '../drivers/types';
import type { SwarmCluster } from '../swarm/cluster';

/** Per-host bookkeeping that is not part of the public model. */
export interface HostInternals {
  readonly ids: IdFactory;
  readonly features: VersionFeatures;
  readonly ctx: DriverContext;
  readonly networksByName: Map<string, NetworkState>;
  readonly containersByName: Map<string, ContainerState>;
  /** Networks the host routes on-link (its own interfaces): auto-picked pools avoid them. */
  readonly onLink: IpNet[];
  seq: number;
  /** The id count when each container was created, by its creation number (replaceContainer gives a re-played one the same ids). */
  readonly idStart: number[];
}

/** Internal create-network spec shared by `docker network create` and the daemon's own networks. */
export interface NetworkSpec {
  name: string;
  driver: string;
  ipamDriver: string;
  ipamOptions: Record<string, string>;
  v4: IpamPoolConfig[];
  v6: IpamPoolConfig[];
  /** Index of each config in the request, for hints. */
  v4Index: number[];
  v6Index: number[];
  options: Record<string, string>;
  labels: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  ingress: boolean;
  enableIpv6: boolean;
  predefined: boolean;
  /** docker0 with --fixed-cidr-v6 ≤ /80 (before 28): IPv6 comes from the MAC, then is reserved. */
  deferIpv6Alloc: boolean;
  /** NetworkCreateRequest.addressesUnknown: no IPAM at all. */
  addressesUnknown?: boolean;
  /** A swarm network's view on a node: the id the manager gave it and the records all views share. */
  id?: string;
  dnsRecords?: Map<string, EndpointState[]>;
}

/** One engine's state, shared by its concern modules (the Engine class owns it). */
export interface EngineCore {
  readonly state: EngineState;
  readonly drivers: DriverRegistry;
  /** The managers' state: overlay IPAM, VNIs, published ports (swarmkit). */
  readonly swarm: SwarmCluster;
  readonly internals: Map<string, HostInternals>;
  swarmInitialised: boolean;
  /** How every node's view of an overlay is created (kept for nodes that join later). */
  readonly overlaySpecs: Map<string, NetworkSpec>;
  /** Containers that are swarm tasks (they may join non-attachable overlays). */
  readonly taskContainers: Set<string>;
  serviceSeq: number;
  /** The default ingress was removed (`docker network rm ingress`): a later ingress is the user's. */
  ingressReplaced: boolean;
  /** Ingress networks the user made: each node gets its sandbox only with its next overlay attachment. */
  readonly userIngress: Set<string>;
  /** While createService starts its tasks: the addresses the manager gave each task (by container name, then network id). */
  readonly taskAddresses: Map<string, Map<string, IpAddr>>;
  /** While replaceNetwork makes a network again: the id it had (so the creation counter need not go back). */
  pinnedNetworkId: string | undefined;
}

export function hostOf(core: EngineCore, name: string): { host: HostState; int: HostInternals } {
  const host = core.state.hosts.get(name);
  const int = core.internals.get(name);
  if (!host || !int) throw new DockerError(`no such host: ${name}`, NOT_FOUND);
  return { host, int };
}

/** The hosts in the order they were added. */
export function hostNames(core: EngineCore): string[] {
  return [...core.state.hosts.keys()];
}
