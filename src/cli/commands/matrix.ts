// cnm matrix FILE [--json] — every container to every container: ICMP echo and each port the target
// listens on (its `listen` list, else `expose` and published container ports), by address (on a network they share, else the target's main one).
import { matrixCells, reachabilityMatrix, type MatrixResult } from '../../engine';
import { expectPositionals } from '../args';
import { EXIT_OK } from '../errors';
import { formatTable } from '../format';
import type { Command } from './command';
import { loadFile, noteErrors } from './load';
import { listeningFromSpec } from './tracing';

export const matrixCommand: Command = {
  name: 'matrix',
  usage: 'cnm matrix FILE [--json]',
  summary: 'reachability of every container from every container',
  details:
    'For each pair, ICMP echo and each port the target listens on, traced to the target\'s address on a network\n' +
    'the two share (else its main address). Each result is delivered, refused, dropped, unresolved or unknown (a\n' +
    'path the engine does not model: `cnm trace` says what). Text: one line per pair. With --json:\n' +
    '{"containers": [{"name", "host", "probes"}], "results": [{"from", "to", "address", "probe", "verdict"}]}.',
  options: { json: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('matrix', positionals, ['FILE']) as [string];
    const loaded = loadFile(io, file);
    const m = reachabilityMatrix(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
    io.out(values.json ? JSON.stringify(matrixJson(m)) + '\n' : matrixText(m));
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};

function matrixJson(m: MatrixResult): object {
  const results: object[] = [];
  for (const { from, to, cell } of matrixCells(m)) {
    to.probes.forEach((p, k) => results.push({ from: from.name, to: to.name, address: cell.address, probe: p.label, verdict: cell.verdicts[k] }));
  }
  return { containers: m.containers.map((c) => ({ name: c.name, host: c.host, probes: c.probes.map((p) => p.label) })), results };
}

const UNKNOWN_LEGEND = 'unknown: the engine cannot know (a path it does not model, or a destination beyond the topology); cnm trace FILE --from FROM --to TO says what';

function matrixText(m: MatrixResult): string {
  if (m.containers.length === 0) return 'no containers\n';
  const many = new Set(m.containers.map((c) => c.host)).size > 1;
  const name = (c: { name: string; host: string }) => (many ? `${c.host}/${c.name}` : c.name);
  const rows: string[][] = [];
  for (const { from, to, cell } of matrixCells(m)) {
    if (from === to) continue;
    const results = to.probes.map((p, k) => `${p.label} ${cell.verdicts[k]}`).join(', ');
    rows.push([name(from), name(to), cell.address ?? '-', results]);
  }
  const table = formatTable(['FROM', 'TO', 'ADDRESS', 'RESULTS'], rows);
  // `unknown` is not a drop: say what it means once, under the table, when it shows.
  return rows.some((r) => / unknown(,|$)/.test(r[3]!)) ? `${table}${UNKNOWN_LEGEND}\n` : table;
}
