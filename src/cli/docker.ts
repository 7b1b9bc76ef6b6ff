// `--docker [ENDPOINT]` in place of FILE: the command (inspect, resolve, trace, matrix, rules) works on
// a live Docker host, through a snapshot replayed on the engine, standing in for the file it would read.
import { connectDocker, DockerApiError, EndpointError, MalformedAnswerError, observeHost, resolveEndpoint, takeSnapshot, tlsWarning, UnreachableError } from '../docker';
import { inspectLiveServices, involvedContainers, liveSwarm, liveTopology, observationFor, snapshotToEngine, verifyTrace } from '../live';
import { VerifyInputError } from '../live/verify';
import type { LoadedTopology } from '../topology';
import { parseCommandArgs } from './args';
import type { Command } from './commands/command';
import { COMMANDS } from './run';
import { EXIT_USAGE, UsageError } from './errors';
import type { CliIo } from './io';
import { runOnSwarm } from './swarmDocker';

const EXIT_INTERNAL = 70;

export { wantsDocker } from './args';

/** A token after --docker is its ENDPOINT only when it looks like one, so `--docker NAME` stays a positional. */
function looksLikeEndpoint(token: string | undefined): token is string {
  return token !== undefined && (/^(unix|tcp|ssh|https?):\/\//.test(token) || token.startsWith('/'));
}

/**
 * Splits `--docker [ENDPOINT]` / `--docker=ENDPOINT`, every `--docker-node ENDPOINT`, and `--read-host`
 * (read an ssh host's rules, routes and sysctls over ssh: the user's consent, off by default) out of argv.
 */
export function extractDockerFlag(argv: string[]): { endpoint: string | undefined; nodes: string[]; readHost: boolean; rest: string[] } {
  const rest: string[] = [];
  const nodes: string[] = [];
  let endpoint: string | undefined;
  let readHost = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--read-host') readHost = true;
    else if (a.startsWith('--docker-node=')) nodes.push(a.slice('--docker-node='.length));
    else if (a === '--docker-node') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError('--docker-node needs an ENDPOINT (unix://…, tcp://…, a socket path or a docker context name)');
      nodes.push(v);
    } else if (a.startsWith('--docker=')) endpoint = a.slice('--docker='.length) || undefined;
    else if (a === '--docker') {
      if (looksLikeEndpoint(argv[i + 1])) endpoint = argv[++i];
    } else rest.push(a);
  }
  return { endpoint, nodes, readHost, rest };
}

/**
 * Every request to the host ends within this: CNM_DOCKER_TIMEOUT seconds (default 30), so a daemon
 * that accepts the connection and never answers fails the command with a clear line instead of hanging.
 */
export function dockerTimeoutMs(env: Record<string, string | undefined>): number {
  const text = env.CNM_DOCKER_TIMEOUT;
  if (text === undefined || text === '') return 30_000;
  const s = Number(text);
  if (!Number.isFinite(s) || s <= 0) throw new UsageError(`CNM_DOCKER_TIMEOUT must be a number of seconds above 0, not "${text}"`);
  return Math.round(s * 1000);
}

/** The entry point of dist/cli-docker.js: the command of that name, from this bundle's own table. */
export function runDockerCommandNamed(name: string, argv: string[], io: CliIo): Promise<number> {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new Error(`no command ${name}`);
  return runDockerCommand(command, argv, io);
}

export async function runDockerCommand(command: Command, argv: string[], io: CliIo): Promise<number> {
  try {
    const { endpoint, nodes, readHost, rest } = extractDockerFlag(argv);
    if (command.name === 'validate' || command.name === 'check') {
      throw new UsageError(`${command.name}: --docker does not apply (a live host has no file to ${command.name === 'validate' ? 'validate' : 'check'}); give a topology FILE`);
    }
    const args = parseCommandArgs(command.name, rest, command.options);
    const ep = resolveEndpoint(endpoint);
    if (readHost && ep.kind !== 'ssh') throw new UsageError(`--read-host applies to an ssh:// Docker host (this one is ${ep.kind === 'unix' ? 'a unix socket: a daemon on this machine is read directly' : 'tcp: there is no shell to read it through'})`);
    // TLS that does not check the daemon is the user's choice (DOCKER_CERT_PATH without DOCKER_TLS_VERIFY,
    // a context's SkipTLSVerify), never a silent one: it is said on stderr every time.
    const insecure = tlsWarning(ep);
    if (insecure) io.err(`cnm: warning: ${insecure}\n`);
    const client = connectDocker(ep, { timeoutMs: dockerTimeoutMs(process.env) });
    // What the host really has (each container's listening sockets, its iptables rules and sysctls),
    // so predictions follow the kernel rather than the expose lists and dockerd's modelled rules; only
    // what the command shows (inspect reads neither).
    const base = await takeSnapshot(client);
    // One trace depends on the sockets of the containers it can reach only: the others are not read.
    const only = command.name === 'trace' && typeof args.values.from === 'string' && typeof args.values.to === 'string' ? involvedContainers(base, args.values.from, args.values.to) : null;
    const snapshot = await observeHost(client, base, { timeoutMs: Math.min(client.local ? 8_000 : 20_000, dockerTimeoutMs(process.env)), read: observationFor(command.name), ...(only ? { only } : {}), ...(ep.kind === 'ssh' ? { sshHost: { endpoint: ep, allowed: readHost } } : {}) });
    if (nodes.length > 0) return await runOnSwarm(command, args, client, snapshot, nodes, io);
    const model = snapshotToEngine(snapshot);
    // What the engine could not reproduce goes to stderr (stdout stays the result only).
    for (const w of model.warnings) io.err(`cnm: note: ${w}\n`);
    // The command runs unchanged on a stand-in FILE: the spec of the host read as a topology (names,
    // exposed ports), and the engine replayed from the snapshot (exact addresses, also on docker0).
    const virtualFile = `docker:${client.description}`;
    const live = liveTopology(snapshot, model);
    const loaded: LoadedTopology = { spec: live.spec, engine: live.engine, diagnostics: [], rangeOf: (path, part) => live.rangeOf(path, part) };
    const liveIo: CliIo = { ...io, loadLive: (file) => (file === virtualFile ? loaded : undefined), liveSwarm: (file, inspect) => {
      if (file !== virtualFile) return undefined;
      const sw = liveSwarm(snapshot, inspect.containers);
      if (!sw) return undefined;
      const nodes = sw.nodes.map((n) => ({ name: n.hostname, id: n.id, role: n.role, address: n.address, availability: n.availability, state: n.state, leader: n.leader, engine_version: n.engineVersion }));
      return { services: inspectLiveServices(sw), nodes, manager: sw.manager };
    }, verify: (request, predicted) => verifyTrace(client, request, predicted).catch((err: unknown) => {
      if (err instanceof VerifyInputError) throw new UsageError(`trace: --verify: ${err.message}`);
      throw err;
    }) };
    return await command.run({ values: args.values, positionals: [virtualFile, ...args.positionals] }, liveIo);
  } catch (err) {
    if (err instanceof UsageError || err instanceof EndpointError) {
      io.err(`cnm: ${err.message}\n`);
      return EXIT_USAGE;
    }
    if (err instanceof UnreachableError || err instanceof MalformedAnswerError || err instanceof DockerApiError) {
      // One line: the host, then Docker's (or the transport's) reason.
      io.err(`cnm: ${command.name}: Docker host: ${err.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return EXIT_USAGE;
    }
    io.err(`cnm: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_INTERNAL;
  }
}
