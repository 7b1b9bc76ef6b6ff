// `--docker MANAGER --docker-node ENDPOINT…`: the command works on the whole swarm, one host per node.
// Each node's daemon is read (a node that cannot be read is known from the manager's tasks only, and
// what the engine cannot know there is `unknown`); the swarm is replayed as one multi-host topology,
// so a trace crosses nodes over the overlay, and `--verify` probes from the source container's own node.
import { connectDocker, observeHost, resolveNodeEndpoint, takeSnapshot, type DockerClient, type Snapshot } from '../docker';
import { inspectLiveServices, involvedContainers, liveSwarm, observationFor, swarmSpec, swarmToEngine, verifyTrace, type NodeReading } from '../live';
import { VerifyInputError } from '../live/verify';
import type { LoadedTopology } from '../topology';
import type { ParsedArgs } from './args';
import type { Command } from './commands/command';
import { dockerTimeoutMs } from './docker';
import { UsageError } from './errors';
import type { CliIo } from './io';

const ZERO = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export async function runOnSwarm(command: Command, args: ParsedArgs, manager: DockerClient, managerSnap: Snapshot, endpoints: readonly string[], io: CliIo): Promise<number> {
  const sw = managerSnap.swarm;
  if (!sw || !sw.manager) throw new UsageError(`--docker-node: ${manager.description} is not a swarm manager (only a manager lists the swarm's nodes and tasks)`);
  const timeoutMs = dockerTimeoutMs(process.env);
  const readings = new Map<string, NodeReading>();
  const clients = new Map<string, DockerClient>();
  const { from, to } = args.values;
  const observe = (client: DockerClient, snap: Snapshot) => {
    // One trace depends on the sockets of the containers it names only (on each node, those it runs).
    const only = command.name === 'trace' && typeof from === 'string' && typeof to === 'string' ? involvedContainers(snap, from, to) : null;
    return observeHost(client, snap, { timeoutMs: Math.min(client.local ? 8_000 : 20_000, timeoutMs), read: observationFor(command.name), ...(only ? { only } : {}) });
  };
  const failed: string[] = [];
  const selfId = sw.nodeId;
  if (selfId) clients.set(selfId, manager);
  await Promise.all(endpoints.map(async (text) => {
    const ep = resolveNodeEndpoint(text);
    const client = connectDocker(ep, { timeoutMs: Math.min(timeoutMs, 10_000) });
    let snap: Snapshot;
    try {
      snap = await takeSnapshot(client);
    } catch (err) {
      // Which node it was is not known when it cannot answer: matched by its address where it has one.
      const why = `${client.description} cannot be read: ${err instanceof Error ? err.message.replace(/\s*\n\s*/g, ' ') : String(err)}`;
      io.err(`cnm: note: swarm node ${why}\n`);
      const host = 'host' in ep && typeof ep.host === 'string' ? ep.host : null;
      const node = host ? sw.nodes.find((n) => n.address === host) : undefined;
      if (node && !readings.has(node.id)) readings.set(node.id, { unreachable: why });
      else failed.push(why);
      return;
    }
    const id = snap.swarm?.nodeId;
    // A worker does not know the cluster's id (only managers do): its node id must be one of the manager's.
    const other = snap.swarm?.clusterId && sw.clusterId && snap.swarm.clusterId !== sw.clusterId;
    if (!id || other || !sw.nodes.some((n) => n.id === id)) {
      io.err(`cnm: note: ${client.description} is not a node of this swarm: left out\n`);
      return;
    }
    if (id === selfId) return; // the manager itself, given again
    readings.set(id, { snapshot: await observe(client, snap) });
    clients.set(id, client);
  }));
  const model = swarmToEngine(managerSnap, readings, failed.length ? `no node endpoint given answered for it (${failed.join('; ')})` : undefined);
  for (const w of model.warnings) io.err(`cnm: note: ${w}\n`);
  const spec = swarmSpec(managerSnap, readings, model);
  const virtualFile = `docker:${manager.description}`;
  const loaded: LoadedTopology = { spec, engine: model.engine, diagnostics: [], rangeOf: () => ZERO };
  const clientOfHost = (host: string | undefined) => {
    const node = sw.nodes.find((n) => n.hostname === host);
    return node ? clients.get(node.id) : undefined;
  };
  const liveIo: CliIo = {
    ...io,
    loadLive: (file) => (file === virtualFile ? loaded : undefined),
    liveSwarm: (file, inspect) => {
      if (file !== virtualFile) return undefined;
      const view = liveSwarm(managerSnap, inspect.containers);
      if (!view) return undefined;
      const nodes = view.nodes.map((n) => ({ name: n.hostname, id: n.id, role: n.role, address: n.address, availability: n.availability, state: n.state, leader: n.leader, engine_version: n.engineVersion }));
      return { services: inspectLiveServices(view), nodes, manager: view.manager };
    },
    verify: (request, predicted) => {
      // The probe runs where the source container runs: its node's daemon.
      const host = request.fromHost ? model.host : model.hostOf.get(request.from);
      const client = clientOfHost(host);
      if (!client) {
        return Promise.reject(new UsageError(`trace: --verify: ${request.from} runs on ${host ?? 'no node read'}, whose daemon was not read: nothing can be probed from it`));
      }
      return verifyTrace(client, request, predicted).catch((err: unknown) => {
        if (err instanceof VerifyInputError) throw new UsageError(`trace: --verify: ${err.message}`);
        throw err;
      });
    },
  };
  return command.run({ values: args.values, positionals: [virtualFile, ...args.positionals] }, liveIo);
}
