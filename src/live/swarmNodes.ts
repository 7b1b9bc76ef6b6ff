// A swarm's node daemons read beside its manager's: what `cnm … --docker MANAGER --docker-node ENDPOINT`
// and the extension's `cnm.live.swarmNodes` share. Each endpoint is read (snapshot, then its sockets and
// rules) and matched to the manager's node list by the node id its daemon reports; a node that cannot be
// read is known from the manager's tasks only (swarmReplay.ts), never a failure of the whole read.
import { observeHost, takeSnapshot, type DockerClient, type ObserveOptions, type Snapshot } from '../docker';
import { swarmSpec, swarmToEngine, type NodeReading, type SwarmEngine } from './swarmReplay';
import type { TopologySpec } from '../topology';

/** One node endpoint as given: a client for it (and the host it names, to match it when it does not answer), or why it cannot be used. */
export type NodeEndpoint = { readonly client: DockerClient; readonly host: string | null } | { readonly error: string };

export interface SwarmNodesOptions {
  /** What is read of each node after its snapshot (sockets, rules; default both). */
  read?: ObserveOptions['read'];
  /** The containers whose sockets are read (default all), from the node's snapshot. */
  only?: (snapshot: Snapshot) => ReadonlySet<string> | null;
  /** Bound on reading one container's sockets (default 8 s on this machine, 20 s elsewhere). */
  timeoutMs?: (client: DockerClient) => number;
  /** A note for the user (a node that cannot be read, an endpoint of another swarm). */
  note(message: string): void;
}

export interface SwarmNodesRead {
  /** Every other node's reading by node id. */
  readonly readings: ReadonlyMap<string, NodeReading>;
  /** The client of each node read, by node id (the manager's included). */
  readonly clients: ReadonlyMap<string, DockerClient>;
  /** Why nodes not matched to an endpoint were not read (endpoints that did not answer and name no node's address). */
  readonly notAnswered: string | undefined;
}

/** The manager's snapshot is in a swarm as a manager (only a manager lists the nodes and tasks). */
export function isSwarmManager(snapshot: Snapshot): boolean {
  return snapshot.swarm?.manager === true;
}

export async function readSwarmNodes(manager: DockerClient, managerSnap: Snapshot, endpoints: readonly NodeEndpoint[], o: SwarmNodesOptions): Promise<SwarmNodesRead> {
  const sw = managerSnap.swarm;
  if (!sw || !sw.manager) throw new Error(`${manager.description} is not a swarm manager (only a manager lists the swarm's nodes and tasks)`);
  const readings = new Map<string, NodeReading>();
  const clients = new Map<string, DockerClient>();
  const failed: string[] = [];
  if (sw.nodeId) clients.set(sw.nodeId, manager);
  await Promise.all(endpoints.map(async (ep) => {
    if ('error' in ep) {
      o.note(`swarm node endpoint cannot be used: ${ep.error}`);
      failed.push(ep.error);
      return;
    }
    const { client } = ep;
    let snap: Snapshot;
    try {
      snap = await takeSnapshot(client);
    } catch (err) {
      // Which node it was is not known when it cannot answer: matched by its address where it has one.
      const why = `${client.description} cannot be read: ${err instanceof Error ? err.message.replace(/\s*\n\s*/g, ' ') : String(err)}`;
      o.note(`swarm node ${why}`);
      const node = ep.host ? sw.nodes.find((n) => n.address === ep.host) : undefined;
      if (node && !readings.has(node.id)) readings.set(node.id, { unreachable: why });
      else failed.push(why);
      return;
    }
    const id = snap.swarm?.nodeId;
    // A worker does not know the cluster's id (only managers do): its node id must be one of the manager's.
    const other = snap.swarm?.clusterId && sw.clusterId && snap.swarm.clusterId !== sw.clusterId;
    if (!id || other || !sw.nodes.some((n) => n.id === id)) {
      o.note(`${client.description} is not a node of this swarm: left out`);
      return;
    }
    if (id === sw.nodeId) return; // the manager itself, given again
    const timeoutMs = o.timeoutMs?.(client) ?? (client.local ? 8_000 : 20_000);
    const only = o.only?.(snap);
    readings.set(id, { snapshot: await observeHost(client, snap, { timeoutMs, ...(o.read ? { read: o.read } : {}), ...(only ? { only } : {}) }) });
    clients.set(id, client);
  }));
  return { readings, clients, notAnswered: failed.length ? `no node endpoint given answered for it (${failed.join('; ')})` : undefined };
}

/** The swarm as one multi-host topology: the engine (nodes as hosts), its spec, and each node's client by host name. */
export interface SwarmTopology {
  readonly model: SwarmEngine;
  readonly spec: TopologySpec;
  /** The daemon of the node (engine host) named, when it was read. */
  clientOf(host: string | undefined): DockerClient | undefined;
}

export function swarmTopology(managerSnap: Snapshot, read: SwarmNodesRead): SwarmTopology {
  const model = swarmToEngine(managerSnap, read.readings, read.notAnswered);
  const spec = swarmSpec(managerSnap, read.readings, model);
  const nodes = managerSnap.swarm!.nodes;
  return {
    model,
    spec,
    clientOf: (host) => {
      const node = nodes.find((n) => n.hostname === host);
      return node ? read.clients.get(node.id) : undefined;
    },
  };
}
