// The shape of a CLI command: its usage line, its options, and what it does. main.ts keeps a table of
// these, so a new command (trace, matrix, check, rules) is one module and one line in the table.
import type { OptionSpec, ParsedArgs } from '../args';
import type { CliIo } from '../io';

export interface Command {
  name: string;
  /** e.g. "cnm validate FILE" */
  usage: string;
  summary: string;
  /** Longer help: what the output is, exit codes. */
  details?: string;
  options: OptionSpec;
  /** Returns the exit code (a promise when it waits on a live host). Throws UsageError for bad arguments. */
  run(args: ParsedArgs, io: CliIo): number | Promise<number>;
  /** Listed in --help but not implemented in this version. */
  unavailable?: boolean;
}
