// The CLI without the process: argv in, exit code out, output through CliIo. main.ts wires it to the
// real process; tests can call it directly.
// Only the version: esbuild then bundles that one field, not the whole manifest (its contributes section is most of it).
import { version } from '../../package.json';
import { parseCommandArgs } from './args';
import { wantsDocker } from './args';
import type { Command } from './commands/command';
import { inspectCommand } from './commands/inspect';
import { resolveCommand } from './commands/resolve';
import { checkCommand } from './commands/check';
import { matrixCommand } from './commands/matrix';
import { rulesCommand } from './commands/rules';
import { traceCommand } from './commands/trace';
import { validateCommand } from './commands/validate';
import { EXIT_OK, EXIT_USAGE, UsageError } from './errors';
import { LAB_DETAILS, LAB_SUMMARY, parseLabArgs } from './labArgs';
import type { CliIo } from './io';

/** Exit code for a bug in cnm itself (sysexits' EX_SOFTWARE), distinct from 1 (file has errors) and 2 (usage). */
export const EXIT_INTERNAL = 70;

export const COMMANDS: readonly Command[] = [
  validateCommand,
  inspectCommand,
  resolveCommand,
  traceCommand,
  matrixCommand,
  checkCommand,
  rulesCommand,
];

/** `cnm lab` in help only: its three actions are parsed by labArgs.ts and run by lab.ts. */
const LAB_COMMAND: Command = {
  name: 'lab',
  usage: 'cnm lab up|compare|down FILE',
  summary: LAB_SUMMARY,
  details: `cnm lab up FILE [--compare] [--daemon-version V]\ncnm lab compare FILE [--daemon-version V]\ncnm lab down FILE\n\n${LAB_DETAILS}`,
  options: {},
  run: () => EXIT_USAGE,
};

export function runCli(argv: string[], io: CliIo): number | Promise<number> {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('missing command (run cnm --help)');
    if (first === '--help' || first === '-h') return help(io);
    if (first === 'help') return rest[0] ? help(io, rest[0] === 'lab' ? LAB_COMMAND : findCommand(rest[0])) : help(io);
    if (first === '--version' || first === '-V') {
      io.out(`${version}\n`);
      return EXIT_OK;
    }
    // `cnm lab …`: lab hosts (dockerd in network namespaces), in a bundle of their own (dist/cli-lab.js),
    // loaded only once the arguments are good.
    if (first === 'lab') {
      const parsed = parseLabArgs(rest);
      if (parsed === 'help') return help(io, LAB_COMMAND);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runLab } = require('./lab') as typeof import('./lab');
      return runLab(rest, io);
    }
    const command = findCommand(first);
    // --docker [ENDPOINT] in place of FILE: the live host (asynchronous, see docker.ts).
    if (wantsDocker(rest) && !rest.includes('--help') && !rest.includes('-h')) {
      // Loaded only here: the Docker client and the live-host replay are no part of reading a FILE. The
      // build makes docker.ts a bundle of its own (dist/cli-docker.js, with its own copy of the commands),
      // so `cnm validate FILE` neither loads nor parses dockerode; the command goes there by name.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { runDockerCommandNamed } = require('./docker') as typeof import('./docker');
      return runDockerCommandNamed(command.name, rest, io);
    }
    if (command.unavailable && !rest.includes('--help') && !rest.includes('-h')) return command.run({ values: {}, positionals: rest }, io);
    // --daemon-version V: every command that reads FILE takes it (the Docker release to model).
    const args = parseCommandArgs(command.name, rest, { ...command.options, 'daemon-version': { type: 'string' } });
    if (args.values.help) return help(io, command);
    const daemonVersion = args.values['daemon-version'];
    if (daemonVersion !== undefined && (typeof daemonVersion !== 'string' || !/^\d+\.\d+(\.\d+)?$/.test(daemonVersion))) {
      throw new UsageError(`${command.name}: --daemon-version takes a Docker release such as 20.10 or 26.1`);
    }
    delete args.values['daemon-version'];
    return command.run(args, daemonVersion !== undefined ? { ...io, daemonVersion } : io);
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`cnm: ${err.message}\n`);
      return EXIT_USAGE;
    }
    io.err(`cnm: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_INTERNAL;
  }
}

function findCommand(name: string): Command {
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) throw new UsageError(name.startsWith('-') ? `unknown option "${name}" (run cnm --help)` : `unknown command "${name}" (run cnm --help)`);
  return command;
}

function help(io: CliIo, command?: Command): number {
  if (command) {
    io.out(`usage: ${command.usage}\n\n${command.summary}${command.unavailable ? ' (not available yet)' : ''}\n${command.details ? `\n${command.details}\n` : ''}`);
    return EXIT_OK;
  }
  const listed = [...COMMANDS, LAB_COMMAND];
  const width = Math.max(...listed.map((c) => c.usage.length));
  const lines = listed.map((c) => `  ${c.usage.padEnd(width)}  ${c.summary}${c.unavailable ? ' (not available yet)' : ''}`);
  io.out(
    [
      'cnm — Docker container networking (CNM) from topology files (*.cnm.yaml), without Docker',
      '',
      'usage:',
      ...lines,
      '',
      'Every command that reads FILE also takes --docker [ENDPOINT] in its place: a live Docker host (DOCKER_HOST / current context when no ENDPOINT).',
      'With an ssh:// ENDPOINT, --read-host also reads that host\'s iptables rules, routes and sysctls over the same ssh login (iptables-save needs root).',
      'On a swarm manager, --docker-node ENDPOINT (repeatable: unix://, tcp://, ssh://, a socket path or a docker context) reads each node too: the swarm as one multi-host topology.',
      'FILE may be a Compose file (compose.yaml, docker-compose.yml, ...) or a directory holding one: the project as `docker compose up` makes it;',
      'names are Docker\'s (shop-api-1), and a service name as SRC means its first replica. --daemon-version V (20.10, 26.1) picks the Docker release.',
      'cnm help COMMAND, or COMMAND --help, for details.',
      '',
      'exit codes: 0 ok; 1 the file has errors (validate) or an expectation failed (check);',
      '            2 bad arguments, unreadable file or unavailable command; 70 internal error',
      '',
    ].join('\n'),
  );
  return EXIT_OK;
}
