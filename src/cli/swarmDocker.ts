// `--docker MANAGER --docker-node ENDPOINT…`: the command works on the whole swarm, one host per node.
// Each node's daemon is read (a node that cannot be read is known from the manager's tasks only, and
// what the engine cannot know there is `unknown`); the swarm is replayed as one multi-host topology,
// so a trace crosses nodes over the overlay, and `--verify` probes from the source container's own node.
import { connectDocker, resolveNodeEndpoint, type DockerClient, type Snapshot } from '../docker';
import { inspectLiveServices, involvedContainers, liveSwarm, observationFor, readSwarmNodes, swarmTopology, verifyTrace, type NodeEndpoint } from '../live';
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
  const { from, to } = args.values;
  // Resolved first: an endpoint that names nothing (a missing context) is the user's to fix.
  const nodes: NodeEndpoint[] = endpoints.map((text) => {
    const ep = resolveNodeEndpoint(text);
    return { client: connectDocker(ep, { timeoutMs: Math.min(timeoutMs, 10_000) }), host: 'host' in ep && typeof ep.host === 'string' ? ep.host : null };
  });
  const read = await readSwarmNodes(manager, managerSnap, nodes, {
    note: (m) => io.err(`cnm: note: ${m}\n`),
    read: observationFor(command.name),
    // One trace depends on the sockets of the containers it names only (on each node, those it runs).
    ...(command.name === 'trace' && typeof from === 'string' && typeof to === 'string' ? { only: (snap: Snapshot) => involvedContainers(snap, from, to) } : {}),
    timeoutMs: (client) => Math.min(client.local ? 8_000 : 20_000, timeoutMs),
  });
  const { model, spec, clientOf } = swarmTopology(managerSnap, read);
  for (const w of model.warnings) io.err(`cnm: note: ${w}\n`);
  const virtualFile = `docker:${manager.description}`;
  const loaded: LoadedTopology = { spec, engine: model.engine, diagnostics: [], rangeOf: () => ZERO };
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
      const client = clientOf(host);
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
