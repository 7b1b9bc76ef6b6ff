// Playing a container or a bridge network again in place with another definition (an editor's change),
// exactly as re-playing everything would, or refusing/reporting that it cannot.
import type { ContainerState, HostState } from '../model';
import { GW_BRIDGE_NETWORK } from '../sandbox';
import { endpointPrints, fixedPorts, identity, networksOf, poolsBySubnet, replaceable, restoreNetworkOrder, restoreOrder, tailPortsUnaffected, vethsFirstDrawn } from '../replace';
import { type EngineCore, type HostInternals, hostOf } from './core';
import { overlapsNet } from './networkViews';
import { removeNetwork } from './networks';
import { removeContainer } from './containers';

/**
 * Plays one bridge network again in place with another definition (subnet, gateway, ip_range, aux
 * addresses, driver options…), as if it had been created so from the start. `containers`: every
 * container that asks for it (by name); each must have its endpoint there, and every endpoint there
 * must be one of theirs. They are removed, the network is removed and made again by `recreateNetwork`
 * with its id and creation number, then each container is made again by `recreate` in creation order
 * (as replaceContainer does). Refused (nothing touched) unless its pools and those of every network
 * created after it were asked for by subnet (no pool cursor moved, no pool picked around it), or when
 * more than `limit` containers would be played again; spoilt when the outcome differs from the
 * original elsewhere (other ids, another network's addresses) or the network could not be made.
 */
export function replaceNetwork(core: EngineCore, hostName: string, name: string, containers: readonly string[], recreateNetwork: () => void, recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
  const refused = { ok: false, spoilt: false };
  const spoilt = { ok: false, spoilt: true };
  const { host, int } = hostOf(core, hostName);
  const net = int.networksByName.get(name);
  if (!net || net.predefined || net.scope !== 'local' || net.driver !== 'bridge' || net.ipamDriver !== 'default' || host.networks.get(net.id) !== net) return refused;
  if (core.state.swarm.nodes.length > 0 || core.taskContainers.size > 0 || int.networksByName.has(GW_BRIDGE_NETWORK) || !vethsFirstDrawn(host)) return refused;
  for (const other of host.networks.values()) if (other.seq >= net.seq && !poolsBySubnet(other)) return refused;
  const group: ContainerState[] = [];
  for (const n of new Set(containers)) {
    const c = int.containersByName.get(n);
    if (!c) return refused;
    group.push(c);
  }
  if (group.length > limit) return refused;
  group.sort((a, b) => a.seq - b.seq);
  const sandboxes = new Set(group.map((c) => c.sandboxId));
  for (const ep of net.endpoints.values()) if (!sandboxes.has(ep.sandboxId)) return refused;
  for (const c of group) {
    if (!fixedPorts(c) || !replaceable(host, c) || int.idStart[c.seq] === undefined || !networksOf(host, c).includes(net.id)) return refused;
  }
  const later: ContainerState[] = [];
  for (const c of host.containers.values()) if (group.length > 0 && c.seq > group[0]!.seq) later.push(c);
  const { id, seq } = net;
  const finalSeq = int.seq;
  const again = () => {
    removeNetwork(core, hostName, id);
    int.seq = seq - 1;
    core.pinnedNetworkId = id;
    try {
      recreateNetwork();
    } finally {
      core.pinnedNetworkId = undefined;
      int.seq = finalSeq;
    }
    const made = int.networksByName.get(name);
    if (!made || made.id !== id || made.seq !== seq || made.driver !== 'bridge' || made.scope !== 'local' || made.ipamDriver !== 'default' || !poolsBySubnet(made)) return false;
    // A pool overlapping another network's would have made one of them fail in the original order;
    // which one is not told by making it last (an ip_range's parent pool is added unchecked).
    const mine = [...made.ipv4, ...made.ipv6];
    for (const other of host.networks.values()) {
      if (other !== made && [...other.ipv4, ...other.ipv6].some((a) => mine.some((b) => overlapsNet(a.subnet, b.subnet)))) return false;
    }
    return true;
  };
  let now: ContainerState[] | undefined = [];
  if (group.length > 0) now = replayGroup(core, hostName, host, int, group, later, new Set([id]), recreate, again);
  else if (!again()) return spoilt;
  if (!now || !vethsFirstDrawn(host) || int.networksByName.has(GW_BRIDGE_NETWORK)) return spoilt;
  host.revision++;
  restoreNetworkOrder(host, id);
  if (now.length > 0) restoreOrder(host, now);
  return { ok: true, spoilt: false };
}

/**
 * Plays one running container again in place, as if the operations that made it had been different
 * from the start (an editor changed it). `networks`: the networks whose part of its definition changed
 * (joined, left, or with other settings). The containers created after it on those networks are played
 * again too (their addresses there may move); all of them are removed, the host's creation counters go back to
 * where they stood for each, `recreate(name)` makes each again (create, start, connect) in creation
 * order, and every record goes back to its place. True when the result is exactly what re-playing
 * everything would give: the same ids, and nothing else differs but what was played again. False
 * before touching anything when that many containers would be played again that a full build is as
 * cheap (`limit`), or a container cannot be played again (a shared namespace, a swarm, a picked port);
 * false after, when the outcome shows the change reached further — then the engine is in no defined
 * state and the caller must start afresh (`spoilt` says which).
 */
export function replaceContainer(core: EngineCore, hostName: string, name: string, networks: readonly string[], recreate: (name: string) => void, limit = Infinity): { ok: boolean; spoilt: boolean } {
  const refused = { ok: false, spoilt: false };
  const { host, int } = hostOf(core, hostName);
  const first = int.containersByName.get(name);
  if (!first || int.idStart[first.seq] === undefined || !replaceable(host, first)) return refused;
  if (core.state.swarm.nodes.length > 0 || core.taskContainers.size > 0 || int.networksByName.has(GW_BRIDGE_NETWORK) || !vethsFirstDrawn(host)) return refused;
  // The networks whose addresses may move.
  const touched = new Set<string>();
  for (const n of networks) {
    const net = int.networksByName.get(n);
    if (net) touched.add(net.id);
  }
  // host.containers is in creation order.
  const later: ContainerState[] = [];
  for (const c of host.containers.values()) if (c.seq > first.seq) later.push(c);
  const group = [first];
  if (touched.size > 0) {
    for (const c of later) {
      if (networksOf(host, c).some((id) => touched.has(id)) || c.networks.some((cn) => cn.networkId !== null && touched.has(cn.networkId))) group.push(c);
    }
  }
  if (group.length > limit) return refused;
  for (const c of group) if (!fixedPorts(c) || !replaceable(host, c) || int.idStart[c.seq] === undefined) return refused;
  // Later containers bind the same ports again; only the first one's may change.
  const oldPorts = fixedPorts(first)!;
  const now = replayGroup(core, hostName, host, int, group, later, touched, recreate);
  if (!now) return { ok: false, spoilt: true };
  const newPorts = fixedPorts(now[0]!);
  if (!newPorts || !tailPortsUnaffected(host, first.seq, new Set([...oldPorts, ...newPorts])) || !vethsFirstDrawn(host)) return { ok: false, spoilt: true };
  host.revision++;
  restoreOrder(host, now);
  return { ok: true, spoilt: false };
}

/**
 * Removes `group` (containers in creation order; `later`: every container created after the first of
 * them) and makes each again with `recreate`, its creation counters put back where they stood. The
 * re-made containers, or undefined when one came out with other ids or, outside the networks
 * `touched`, other addresses (then the engine is spoilt). `between` runs after the removal, before
 * the first is made again (false: spoilt). The host's counters end where they stood.
 */
function replayGroup(
  core: EngineCore,
  hostName: string, host: HostState, int: HostInternals, group: ContainerState[], later: ContainerState[], touched: ReadonlySet<string>,
  recreate: (name: string) => void, between: () => boolean = () => true,
): ContainerState[] | undefined {
  // Where each one's ids end: where the next container's (any container's) begin.
  const idEnd = new Map<ContainerState, number>();
  for (let i = 0, j = 0; i < group.length; i++) {
    const c = group[i]!;
    while (j < later.length && later[j]!.seq <= c.seq) j++;
    const next = later[j];
    idEnd.set(c, (next && int.idStart[next.seq]) ?? int.ids.count);
  }
  const before = group.map((c) => ({ name: c.name, seq: c.seq, start: int.idStart[c.seq]!, end: idEnd.get(c)!, identity: identity(host, c), prints: endpointPrints(host, c) }));
  const finalCount = int.ids.count;
  const finalSeq = int.seq;

  for (let i = group.length - 1; i >= 0; i--) removeContainer(core, hostName, group[i]!.id, { force: true });
  if (!between()) return undefined;
  const now: ContainerState[] = [];
  for (const b of before) {
    int.ids.rewind(b.start);
    int.seq = b.seq - 1;
    recreate(b.name);
    const c = int.containersByName.get(b.name);
    if (!c || int.ids.count !== b.end || int.seq !== b.seq || !replaceable(host, c) || identity(host, c) !== b.identity) return undefined;
    // Outside the touched networks, nothing may have moved.
    const prints = endpointPrints(host, c);
    for (const [net, print] of b.prints) if (!touched.has(net) && prints.get(net) !== print) return undefined;
    for (const [net, print] of prints) if (!touched.has(net) && b.prints.get(net) !== print) return undefined;
    now.push(c);
  }
  int.ids.rewind(finalCount);
  int.seq = finalSeq;
  return now;
}
