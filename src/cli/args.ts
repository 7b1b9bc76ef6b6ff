// Argument parsing on node:util parseArgs. Each command declares its options; this turns argv into
// the command and its values, or a UsageError with one clear line.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './errors';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/** Parse the arguments after the command name against its options (plus --help). */
export function parseCommandArgs(command: string, argv: string[], options: OptionSpec): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    throw new UsageError(`${command}: ${cleanParseArgsMessage((err as Error).message)}`);
  }
}

/** parseArgs' messages carry advice about "--" that does not apply here; keep the first sentence. */
function cleanParseArgsMessage(message: string): string {
  return message.split('. To specify')[0]!.split('\n')[0]!.replace(/^Unknown option/, 'unknown option');
}

/** Exactly `count` positionals, named for the message (e.g. ["FILE"]). */
export function expectPositionals(command: string, positionals: string[], names: string[]): string[] {
  if (positionals.length < names.length) throw new UsageError(`${command}: missing ${names[positionals.length]} (usage: cnm ${command} ${names.join(' ')} …)`);
  if (positionals.length > names.length) throw new UsageError(`${command}: unexpected argument "${positionals[names.length]}"`);
  return positionals;
}

export function stringOption(command: string, values: ParsedArgs['values'], name: string, required: boolean): string | undefined {
  const v = values[name];
  if (typeof v === 'string' && v !== '') return v;
  if (required) throw new UsageError(`${command}: --${name} is required`);
  return undefined;
}

/** `--docker [ENDPOINT]` in place of FILE (cheap to ask: the Docker part of the CLI loads only when it is there). */
export function wantsDocker(argv: string[]): boolean {
  return argv.includes('--docker') || argv.some((a) => a.startsWith('--docker='));
}
