// cnm rules FILE [--host H] — the filter and nat rules dockerd would install for the file, in
// iptables-save form (one block per host; the layout follows the host's daemon.version).
import { engineRules, formatIptablesSave } from '../../engine';
import { expectPositionals, stringOption } from '../args';
import { EXIT_OK, UsageError } from '../errors';
import type { Command } from './command';
import { loadFile, noteErrors } from './load';

export const rulesCommand: Command = {
  name: 'rules',
  usage: 'cnm rules FILE [--host H]',
  summary: 'the filter and nat rules, in iptables-save form',
  details:
    'The chains and rules dockerd programs for the file\'s networks and published ports, in order, as iptables-save\n' +
    'prints them (Docker 20.10–27: FORWARD with DOCKER-USER, DOCKER-ISOLATION-STAGE-1/2 and DOCKER; 28+: DOCKER-FORWARD,\n' +
    'DOCKER-CT, DOCKER-BRIDGE and raw PREROUTING drops; 29: DOCKER-INTERNAL instead of the isolation chains).\n' +
    'With several hosts and no --host, each host\'s block starts with a "# host: NAME" comment.',
  options: { host: { type: 'string' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('rules', positionals, ['FILE']) as [string];
    const host = stringOption('rules', values, 'host', false);
    const loaded = loadFile(io, file);
    const names = loaded.engine.hostNames();
    if (host !== undefined && !names.includes(host)) {
      throw new UsageError(`rules: no host "${host}" in ${file} (hosts: ${names.join(', ') || 'none'})`);
    }
    const sets = engineRules(loaded.engine.state, host);
    const many = sets.length > 1;
    io.out(sets.map((rs) => `${many ? `# host: ${rs.host}\n` : ''}${formatIptablesSave(rs)}`).join(''));
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};
