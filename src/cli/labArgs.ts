// `cnm lab up|down|compare FILE …`: the arguments, parsed without loading any of the lab (run.ts hands
// them to dist/cli-lab.js only once they are good).
import { parseCommandArgs, type OptionSpec } from './args';
import { UsageError } from './errors';

export const LAB_USAGE = 'cnm lab up FILE [--compare] [--daemon-version V] | cnm lab compare FILE [--daemon-version V] | cnm lab down FILE';
export const LAB_SUMMARY = 'play FILE on lab hosts (root), compare prediction and reality, tear it down';
export const LAB_DETAILS =
  'up: starts one lab host per host of FILE (dockerd of the file\'s daemon.version, or --daemon-version: 20.10 is\n' +
  'the system\'s dockerd, 26.1 the one in /opt/docker26; started with the file\'s daemon settings), joined by a LAN,\n' +
  'and plays FILE\'s networks and containers on them in file order (every container runs busybox:local, listening\n' +
  'where the file says). The lab stays up, each host\'s DOCKER_HOST printed, until `cnm lab down FILE`.\n' +
  '--compare (or `cnm lab compare FILE`): then prints where the engine\'s prediction and the lab agree and disagree:\n' +
  'containers, addresses (docker inspect) and verdicts (ping and nc inside the containers). compare uses the lab of\n' +
  'FILE when it is up, else plays FILE on a fresh lab and removes it afterwards.\n' +
  'Not played yet (refused with the reason): Compose files, swarm services and swarms, overlay networks, plugin drivers.\n' +
  'Needs root (it starts dockerd in network namespaces). Exit codes: 0 done (compare: all agree); 1 compare found a\n' +
  'disagreement, or the lab could not be started; 2 bad arguments, not root, or a file lab hosts cannot play.';

export type LabAction = 'up' | 'down' | 'compare';

export interface LabArgs {
  action: LabAction;
  file: string;
  /** up --compare, and always for compare. */
  compare: boolean;
  daemonVersion?: string;
}

/** Parses what follows `cnm lab`; 'help' for --help / -h / `cnm lab help`. Throws UsageError. */
export function parseLabArgs(argv: readonly string[]): LabArgs | 'help' {
  const [action, ...rest] = argv;
  if (action === undefined) throw new UsageError(`lab: missing up, down or compare (usage: ${LAB_USAGE})`);
  if (action === '--help' || action === '-h' || action === 'help') return 'help';
  if (action !== 'up' && action !== 'down' && action !== 'compare') throw new UsageError(`lab: unknown action "${action}": up, down or compare`);
  const options: OptionSpec = action === 'down' ? {} : { 'daemon-version': { type: 'string' } };
  if (action === 'up') options.compare = { type: 'boolean' };
  const { values, positionals } = parseCommandArgs(`lab ${action}`, [...rest], options);
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError(`lab ${action}: missing FILE (usage: cnm lab ${action} FILE)`);
  if (positionals.length > 1) throw new UsageError(`lab ${action}: unexpected argument "${positionals[1]}"`);
  const version = values['daemon-version'];
  if (version !== undefined && (typeof version !== 'string' || !/^\d+\.\d+$/.test(version))) {
    throw new UsageError(`lab ${action}: --daemon-version takes a Docker release such as 20.10 or 26.1`);
  }
  return {
    action,
    file: positionals[0]!,
    compare: action === 'compare' || values.compare === true,
    ...(typeof version === 'string' ? { daemonVersion: version } : {}),
  };
}
