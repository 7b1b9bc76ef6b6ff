// `--docker [ENDPOINT]` in place of FILE: the command works on a live Docker host, through a snapshot
// replayed on the engine. inspect and resolve use the snapshot's engine directly; any other command
// that reads FILE gets the host imported as a topology file (so trace/matrix/rules work once they exist).
import { connectDocker } from '../docker/client';
import { EndpointError, resolveEndpoint } from '../docker/connection';
import { importTopology } from '../docker/import';
import { snapshotToEngine, takeSnapshot, type SnapshotEngine } from '../docker/snapshot';
import { DockerApiError, MalformedAnswerError, UnreachableError } from '../docker/types';
import { expectPositionals, parseCommandArgs, stringOption } from './args';
import type { Command } from './commands/command';
import { inspectTables } from './commands/inspect';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import type { CliIo } from './io';

const EXIT_INTERNAL = 70;

export function wantsDocker(argv: string[]): boolean {
  return argv.includes('--docker') || argv.some((a) => a.startsWith('--docker='));
}

/** A token after --docker is its ENDPOINT only when it looks like one, so `--docker NAME` stays a positional. */
function looksLikeEndpoint(token: string | undefined): token is string {
  return token !== undefined && (/^(unix|tcp|ssh|https?):\/\//.test(token) || token.startsWith('/'));
}

/** Splits `--docker [ENDPOINT]` / `--docker=ENDPOINT` out of argv. */
export function extractDockerFlag(argv: string[]): { endpoint: string | undefined; rest: string[] } {
  const rest: string[] = [];
  let endpoint: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--docker=')) endpoint = a.slice('--docker='.length) || undefined;
    else if (a === '--docker') {
      if (looksLikeEndpoint(argv[i + 1])) endpoint = argv[++i];
    } else rest.push(a);
  }
  return { endpoint, rest };
}

export async function runDockerCommand(command: Command, argv: string[], io: CliIo): Promise<number> {
  try {
    const { endpoint, rest } = extractDockerFlag(argv);
    if (command.name === 'validate' || command.name === 'check') {
      throw new UsageError(`${command.name}: --docker does not apply (a live host has no file to ${command.name === 'validate' ? 'validate' : 'check'}); give a topology FILE`);
    }
    if (command.name === 'inspect') {
      const { values, positionals } = parseCommandArgs('inspect', rest, command.options);
      expectPositionals('inspect', positionals, []);
      const live = await liveModel(endpoint, io);
      const result = live.engine.inspect();
      io.out(values.json ? JSON.stringify(result, null, 2) + '\n' : inspectTables(result));
      return EXIT_OK;
    }
    if (command.name === 'resolve') {
      const { values, positionals } = parseCommandArgs('resolve', rest, command.options);
      const [name] = expectPositionals('resolve', positionals, ['NAME']) as [string];
      const from = stringOption('resolve', values, 'from', true)!;
      const live = await liveModel(endpoint, io);
      if (!live.engine.inspect().containers.some((c) => c.name === from)) throw new UsageError(`resolve: no container "${from}" on the Docker host`);
      const addresses = live.engine.resolve(live.host, from, name);
      if (values.json) io.out(JSON.stringify({ addresses }) + '\n');
      else if (addresses.length > 0) io.out(addresses.join('\n') + '\n');
      else io.err(`cnm: ${name} does not resolve from ${from}\n`);
      return EXIT_OK;
    }
    // Any other command: the host imported as a file it reads in place of FILE.
    const client = connect(endpoint);
    const snapshot = await takeSnapshot(client);
    const virtualFile = `docker:${client.description}`;
    const text = importTopology(snapshot);
    const virtualIo: CliIo = { ...io, readFile: (p) => (p === virtualFile ? text : io.readFile(p)) };
    if (command.unavailable) return command.run({ values: {}, positionals: rest }, virtualIo);
    const args = parseCommandArgs(command.name, rest, command.options);
    return command.run({ values: args.values, positionals: [virtualFile, ...args.positionals] }, virtualIo);
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

function connect(endpoint: string | undefined) {
  return connectDocker(resolveEndpoint(endpoint), { timeoutMs: 30_000 });
}

async function liveModel(endpoint: string | undefined, io: CliIo): Promise<SnapshotEngine> {
  const snapshot = await takeSnapshot(connect(endpoint));
  const model = snapshotToEngine(snapshot);
  // What the engine could not reproduce goes to stderr (stdout stays the result only).
  for (const w of model.warnings) io.err(`cnm: note: ${w}\n`);
  return model;
}
