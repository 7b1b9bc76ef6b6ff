// cnm resolve FILE --from SRC NAME [--json] — what SRC's resolver answers for NAME (embedded DNS on
// user-defined networks; nothing for names on the default bridge).
import { expectPositionals, stringOption } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import type { Command } from './command';
import { loadFile, noteErrors, sourceName } from './load';

export const resolveCommand: Command = {
  name: 'resolve',
  usage: 'cnm resolve FILE --from SRC NAME [--json]',
  summary: 'the addresses container SRC gets when it looks up NAME',
  details: 'With --json: {"addresses": [...]}, empty when NAME does not resolve; when NAME resolves to an address on a network whose addresses are unknown (a Compose external network without a subnet), {"addresses": [], "unknown": "<network>"}. Without: one address per line.',
  options: { from: { type: 'string' }, json: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file, name] = expectPositionals('resolve', positionals, ['FILE', 'NAME']) as [string, string];
    const loaded = loadFile(io, file);
    const from = sourceName(loaded, stringOption('resolve', values, 'from', true)!);
    const matches = loaded.engine.inspect().containers.filter((c) => c.name === from);
    if (matches.length === 0) {
      const isHost = loaded.spec.hosts.some((h) => h.name === from);
      throw new UsageError(isHost ? `resolve: --from takes a container; "${from}" is a host` : `resolve: no container "${from}" in ${file}`);
    }
    if (matches.length > 1) throw new UsageError(`resolve: "${from}" names a container on several hosts (${matches.map((c) => c.host).join(', ')})`);
    const { addresses, unknownOn } = loaded.engine.resolveAnswer(matches[0]!.host, from, name);
    if (values.json) io.out(JSON.stringify({ addresses, ...(unknownOn !== undefined ? { unknown: unknownOn } : {}) }) + '\n');
    else if (addresses.length > 0) io.out(addresses.join('\n') + '\n');
    else if (unknownOn !== undefined) io.err(`cnm: ${name} resolves from ${from} to an unknown address: its record is on ${unknownOn}, a network whose addresses are unknown\n`);
    else io.err(`cnm: ${name} does not resolve from ${from}\n`);
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};
