// How dockerd finds a network or a container from what the user typed.
import { DockerError, BAD_REQUEST, NOT_FOUND, msg } from './errors';
import type { ContainerState, HostState, NetworkState } from './model';

/** daemon.FindNetwork: full id, then exact name, then a unique id prefix. */
export function findNetwork(host: HostState, byName: Map<string, NetworkState>, term: string): NetworkState {
  const byId = host.networks.get(term);
  if (byId) return byId;
  const named = byName.get(term);
  if (named) return named;
  let found: NetworkState | null = null;
  let count = 0;
  for (const n of host.networks.values()) {
    if (n.id.startsWith(term)) {
      found = n;
      count++;
    }
  }
  if (count === 1) return found!;
  if (count > 1) throw new DockerError(msg.networkAmbiguousId(term, count), BAD_REQUEST, { field: 'network' });
  throw new DockerError(msg.networkNotFound(term), NOT_FOUND, { field: 'network' });
}

/** daemon.GetContainer: full id, then name (with or without the leading "/"), then a unique id prefix. */
export function findContainer(host: HostState, byName: Map<string, ContainerState>, term: string): ContainerState {
  if (term === '') throw new DockerError(msg.noSuchContainer(term), NOT_FOUND);
  const byId = host.containers.get(term);
  if (byId) return byId;
  const named = byName.get(term.startsWith('/') ? term.slice(1) : term);
  if (named) return named;
  let found: ContainerState | null = null;
  let count = 0;
  for (const c of host.containers.values()) {
    if (c.id.startsWith(term)) {
      found = c;
      count++;
    }
  }
  if (count === 1) return found!;
  if (count > 1) throw new DockerError(msg.multipleIds(term), BAD_REQUEST);
  throw new DockerError(msg.noSuchContainer(term), NOT_FOUND);
}

/** runconfig.IsPreDefinedNetwork */
export function isPredefinedNetworkName(name: string): boolean {
  return name === 'bridge' || name === 'host' || name === 'none' || name === 'default';
}

/** NetworkMode(name).IsUserDefined() */
export function isUserDefinedName(name: string): boolean {
  return !isPredefinedNetworkName(name) && !name.startsWith('container:');
}
