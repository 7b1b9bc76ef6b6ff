// "Is there an endpoint named X on this network?" — asked at every connect (libnetwork CreateEndpoint's
// duplicate-name check). A scan of the network's endpoints makes a network of N containers cost N²/2
// comparisons; this keeps a count per name beside each network's endpoint map instead.
import type { EndpointState, NetworkState } from './model';

interface NameIndex {
  readonly counts: Map<string, number>;
  /** The map's size when the index last matched it: a mismatch (a map changed elsewhere) rebuilds it. */
  size: number;
}

/** Keyed by the network's endpoint map itself: a copied network (a new map) starts its own index. */
const indexes = new WeakMap<ReadonlyMap<string, EndpointState>, NameIndex>();

function indexOf(n: NetworkState): NameIndex {
  let index = indexes.get(n.endpoints);
  if (!index || index.size !== n.endpoints.size) {
    const counts = new Map<string, number>();
    for (const ep of n.endpoints.values()) counts.set(ep.name, (counts.get(ep.name) ?? 0) + 1);
    index = { counts, size: n.endpoints.size };
    indexes.set(n.endpoints, index);
  }
  return index;
}

export function hasEndpointNamed(n: NetworkState, name: string): boolean {
  return (indexOf(n).counts.get(name) ?? 0) > 0;
}

/** n.endpoints.set, with the name counted. */
export function addNetworkEndpoint(n: NetworkState, ep: EndpointState): void {
  const index = indexes.get(n.endpoints);
  const had = n.endpoints.get(ep.id);
  (n.endpoints as Map<string, EndpointState>).set(ep.id, ep);
  if (!index) return;
  if (index.size + (had ? 0 : 1) !== n.endpoints.size) {
    indexes.delete(n.endpoints);
    return;
  }
  if (had) count(index, had.name, -1);
  count(index, ep.name, 1);
  index.size = n.endpoints.size;
}

/** n.endpoints.delete, with the name uncounted. */
export function deleteNetworkEndpoint(n: NetworkState, id: string): void {
  const index = indexes.get(n.endpoints);
  const had = n.endpoints.get(id);
  (n.endpoints as Map<string, EndpointState>).delete(id);
  if (!index) return;
  if (!had || index.size - 1 !== n.endpoints.size) {
    indexes.delete(n.endpoints);
    return;
  }
  count(index, had.name, -1);
  index.size = n.endpoints.size;
}

function count(index: NameIndex, name: string, by: number): void {
  const c = (index.counts.get(name) ?? 0) + by;
  if (c > 0) index.counts.set(name, c);
  else index.counts.delete(name);
}
