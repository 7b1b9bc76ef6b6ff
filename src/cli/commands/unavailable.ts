// Commands of the fixed CLI contract that later versions implement. They are listed in --help and
// answer with one clear line and exit code 2, so scripts can tell "not yet" from "failed".
import { UsageError } from '../errors';
import type { Command } from './command';

function notYet(name: string, usage: string, summary: string): Command {
  return {
    name,
    usage,
    summary,
    options: {},
    unavailable: true,
    run() {
      throw new UsageError(`${name} is not available yet in this version (available: validate, inspect, resolve)`);
    },
  };
}

export const traceCommand = notYet('trace', 'cnm trace FILE --from SRC --to DST [--json]', 'trace a packet hop by hop: verdict, rule, reason');
export const matrixCommand = notYet('matrix', 'cnm matrix FILE [--json]', 'reachability of every container from every container');
export const checkCommand = notYet('check', 'cnm check FILE', 'evaluate the expect: entries; exit 1 when one fails');
export const rulesCommand = notYet('rules', 'cnm rules FILE [--host H]', 'the filter and nat rules, in iptables-save form');
