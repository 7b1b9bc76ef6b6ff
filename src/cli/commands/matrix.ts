// cnm matrix FILE [--json] [--pairs] — every container to every container: ICMP echo and each port the
// target listens on (its `listen` list, else `expose` and published container ports), by address (on a
// network they share, else the target's main one).
// By default a summary: containers that behave alike are one group (the engine's equivalence classes),
// and the pairs are counted per pair of networks, with the rule that decides; `--pairs` streams every
// pair instead (a million lines for 1,000 containers), written as it goes rather than built as one string.
import { matrixCells, reachabilityMatrix, type MatrixResult, type Verdict } from '../../engine';
import { expectPositionals } from '../args';
import { EXIT_OK } from '../errors';
import { formatTable } from '../format';
import type { CliIo } from '../io';
import type { Command } from './command';
import { loadFile, noteErrors } from './load';
import { listeningFromSpec } from './tracing';

export const matrixCommand: Command = {
  name: 'matrix',
  usage: 'cnm matrix FILE [--json] [--pairs]',
  summary: 'reachability of every container from every container, grouped',
  details:
    'For each pair, ICMP echo and each port the target listens on, traced to the target\'s address on a network\n' +
    'the two share (else its main address). Each result is delivered, refused, dropped, unresolved or unknown (a\n' +
    'path the engine does not model: `cnm trace` says what).\n' +
    'Containers that behave alike (the same networks, gateway, mode, listening and published ports) form a group:\n' +
    'every pair from one group to another gives the same verdicts. Text: the groups, then the verdicts counted\n' +
    'per pair of networks (FROM: the network the two share, else the source\'s gateway network; TO: the target\'s)\n' +
    'with the rule or reason that decides each verdict but `delivered`. With --json:\n' +
    '{"containers": [{"name", "host", "group", "probes", "addresses": {NETWORK: IP}}],\n' +
    ' "groups": [{"id", "host", "networks", "probes", "members": [NAME]}],\n' +
    ' "cells": [{"from": GROUP, "to": GROUP, "network", "address", "verdicts": [one per probe of the target]}],\n' +
    ' "exceptions": [{"from", "to", "address", "verdicts"}], "networkPairs": [{"from", "to", "pairs", "probes",\n' +
    ' "verdicts": {VERDICT: COUNT}, "decidedBy": {VERDICT: TEXT}}]}: a cell holds for every pair (i != j) of its\n' +
    'two groups (each target\'s address on "network"; "address" when network is null) but the exceptions, whose\n' +
    'cells are their own (a shared namespace, a host-mode target).\n' +
    '--pairs: every pair instead, one line each (FROM TO ADDRESS RESULTS), or with --json\n' +
    '{"containers": [{"name", "host", "probes"}], "results": [{"from", "to", "address", "probe", "verdict"}]}.',
  options: { json: { type: 'boolean' }, pairs: { type: 'boolean' } },
  run({ values, positionals }, io) {
    const [file] = expectPositionals('matrix', positionals, ['FILE']) as [string];
    const loaded = loadFile(io, file);
    const m = reachabilityMatrix(loaded.engine.state, { listening: listeningFromSpec(loaded.spec) });
    if (values.pairs) {
      if (values.json) pairsJson(m, io);
      else pairsText(m, io);
    } else {
      const s = summarise(m);
      io.out(values.json ? JSON.stringify(summaryJson(m, s)) + '\n' : summaryText(m, s));
    }
    noteErrors(io, file, loaded);
    return EXIT_OK;
  },
};

const VERDICTS: readonly Verdict[] = ['delivered', 'refused', 'dropped', 'unresolved', 'unknown'];

interface NetworkPair {
  from: string;
  to: string;
  pairs: number;
  probes: number;
  verdicts: Record<Verdict, number>;
  /** One probe (source, target, probe index) per verdict: the trace that says what decides it. */
  example: Partial<Record<Verdict, [number, number, number]>>;
}

interface Summary {
  rows: NetworkPair[];
  cells: { from: number; to: number; network: string | null; address: string | null; verdicts: Verdict[] }[];
  exceptions: [number, number][];
}

/** The verdicts counted per pair of networks, from the group cells and the exceptions (never pair by pair). */
function summarise(m: MatrixResult): Summary {
  // Keyed by the path object: the matrix gives one per pair of network names.
  const rows = new Map<object, NetworkPair>();
  const cells: Summary['cells'] = [];
  const exceptions: [number, number][] = [];
  const add = (path: { from: string; to: string }, verdicts: readonly Verdict[], pairs: number, example: [number, number]) => {
    let row = rows.get(path);
    if (!row) rows.set(path, (row = { from: path.from, to: path.to, pairs: 0, probes: 0, verdicts: { delivered: 0, refused: 0, dropped: 0, unresolved: 0, unknown: 0 }, example: {} }));
    row.pairs += pairs;
    row.probes += pairs * verdicts.length;
    for (let k = 0; k < verdicts.length; k++) {
      const v = verdicts[k]!;
      row.verdicts[v] += pairs;
      row.example[v] ??= [example[0], example[1], k];
    }
  };
  const groups = m.groups;
  for (let g = 0; g < groups.length; g++) {
    for (let h = 0; h < groups.length; h++) {
      const own = m.groupExceptions(g, h);
      for (const [i, j] of own) {
        exceptions.push([i, j]);
        add(m.path(i, j), m.cell(i, j).verdicts, 1, [i, j]);
      }
      const cell = m.groupCell(g, h);
      if (!cell) continue;
      const a = groups[g]!, b = groups[h]!;
      const pairs = a.length * b.length - (g === h ? a.length : 0) - own.length;
      if (pairs <= 0) continue;
      cells.push({ from: g, to: h, network: cell.network?.name ?? null, address: cell.network ? null : cell.address, verdicts: cell.verdicts });
      // The example pair: the first of the group pair that is no exception.
      let example: [number, number] | undefined = a[0] !== b[0] && own.length === 0 ? [a[0]!, b[0]!] : undefined;
      if (!example) {
        const ownSet = new Set(own.map(([i, j]) => i * m.containers.length + j));
        for (const i of a) {
          for (const j of b) if (i !== j && !ownSet.has(i * m.containers.length + j)) { example = [i, j]; break; }
          if (example) break;
        }
      }
      add(cell.path, cell.verdicts, pairs, example!);
    }
  }
  const order = (x: string) => (x === 'host' ? '\uffff0' : x === '-' ? '\uffff1' : x);
  const sorted = [...rows.values()].sort((x, y) => order(x.from).localeCompare(order(y.from)) || order(x.to).localeCompare(order(y.to)));
  return { rows: sorted, cells, exceptions };
}

/** What decides a verdict of a row: the rule (iptables-save) when one did, else the tracer's reason (one full trace). */
function decidedBy(m: MatrixResult, row: NetworkPair, v: Verdict): string {
  const ex = row.example[v];
  if (!ex) return '';
  const rule = m.rule(ex[0], ex[1], ex[2]);
  if (rule !== undefined) return rule;
  const r = m.explain(ex[0], ex[1], ex[2]);
  return (r.rule ?? r.reason).replace(/\s*\n\s*/g, ' ');
}

/** What a row says, but the names of bridges: rows of one source network that differ only there are one line. */
function shapeOf(decided: string, r: NetworkPair): string {
  return `${r.from}\u0000${VERDICTS.filter((v) => r.verdicts[v] > 0).join(',')}\u0000${decided.replace(/\bbr-[0-9a-f]{12}\b/g, 'br-…')}`;
}

const n = (x: number) => x.toLocaleString('en-US');
const UNKNOWN_LEGEND = 'unknown: the engine cannot know (a path it does not model, or a destination beyond the topology); cnm trace FILE --from FROM --to TO says what';

function nameOf(m: MatrixResult): (i: number) => string {
  const many = new Set(m.containers.map((c) => c.host)).size > 1;
  return (i) => (many ? `${m.containers[i]!.host}/${m.containers[i]!.name}` : m.containers[i]!.name);
}

function groupNetworks(m: MatrixResult, g: number): string {
  const i = m.groups[g]![0]!;
  const nets = networksOf(m, i);
  return nets.length ? nets.join(',') : '-';
}

/** The networks a container is on: those it has an address on, then those whose addresses are unknown. */
function networksOf(m: MatrixResult, i: number): string[] {
  return [...Object.keys(addressesOf(m, i)), ...(m.containers[i]!.unknownOn ?? [])];
}

function addressesOf(m: MatrixResult, i: number): Record<string, string> {
  return m.containers[i]!.addresses;
}

function summaryText(m: MatrixResult, s: Summary): string {
  if (m.containers.length === 0) return 'no containers\n';
  const name = nameOf(m);
  const total = s.rows.reduce((a, r) => a + r.pairs, 0);
  const probes = s.rows.reduce((a, r) => a + r.probes, 0);
  const out: string[] = [];
  out.push(`${n(m.containers.length)} containers in ${n(m.groups.length)} group${m.groups.length === 1 ? '' : 's'} that behave alike; ${n(total)} pairs, ${n(probes)} probes (cnm matrix --pairs lists every pair)\n\n`);
  const shown = 3;
  out.push(formatTable(['GROUP', 'SIZE', 'NETWORKS', 'PROBES', 'MEMBERS'], m.groups.map((members, g) => [
    `g${g + 1}`, n(members.length), groupNetworks(m, g), m.containers[members[0]!]!.probes.map((p) => p.label).join(','),
    members.slice(0, shown).map(name).join(', ') + (members.length > shown ? `, … (${n(members.length - shown)} more)` : ''),
  ])));
  out.push('\n');
  // Per pair of networks; consecutive rows of one source network with the same verdicts decided alike
  // (the rule names another bridge, say) are one line: TO is then the first … the last, and how many.
  const rows: string[][] = [];
  let run: { shape: string; first: NetworkPair; last: NetworkPair; count: number; total: NetworkPair; decided: string } | undefined;
  const flush = () => {
    if (!run) return;
    const t = run.total;
    const to = run.count === 1 ? run.first.to : `${run.first.to} … ${run.last.to} (${n(run.count)} networks)`;
    const decided = run.count === 1 ? run.decided : run.decided.replace(/\bbr-[0-9a-f]{12}\b/g, 'br-…');
    rows.push([t.from, to, n(t.pairs), ...VERDICTS.map((v) => n(t.verdicts[v])), decided]);
    run = undefined;
  };
  for (const r of s.rows) {
    const decided = VERDICTS.filter((v) => v !== 'delivered' && r.verdicts[v] > 0).map((v) => `${v}: ${decidedBy(m, r, v)}`).join('; ') || '-';
    const shape = shapeOf(decided, r);
    if (run && run.shape === shape && r.from !== r.to && run.last.from !== run.last.to) {
      run.last = r;
      run.count++;
      run.total.pairs += r.pairs;
      for (const v of VERDICTS) run.total.verdicts[v] += r.verdicts[v];
      continue;
    }
    flush();
    run = { shape, first: r, last: r, count: 1, total: { ...r, verdicts: { ...r.verdicts } }, decided };
  }
  flush();
  out.push(formatTable(['FROM', 'TO', 'PAIRS', 'DELIVERED', 'REFUSED', 'DROPPED', 'UNRESOLVED', 'UNKNOWN', 'DECIDED BY'], rows));
  if (s.exceptions.length > 0) {
    out.push(`\npairs with cells of their own (a shared namespace, a host-mode target):\n`);
    out.push(formatTable(['FROM', 'TO', 'ADDRESS', 'RESULTS'], s.exceptions.map(([i, j]) => {
      const c = m.cell(i, j);
      return [name(i), name(j), c.address ?? '-', m.containers[j]!.probes.map((p, k) => `${p.label} ${c.verdicts[k]}`).join(', ')];
    })));
  }
  if (s.rows.some((r) => r.verdicts.unknown > 0)) out.push(`${UNKNOWN_LEGEND}\n`);
  return out.join('');
}

function summaryJson(m: MatrixResult, s: Summary): object {
  return {
    containers: m.containers.map((c, i) => ({ name: c.name, host: c.host, group: m.groupOf[i], probes: c.probes.map((p) => p.label), addresses: addressesOf(m, i) })),
    groups: m.groups.map((members, g) => ({
      id: g, host: m.containers[members[0]!]!.host, networks: networksOf(m, members[0]!),
      probes: m.containers[members[0]!]!.probes.map((p) => p.label), members: members.map((i) => m.containers[i]!.name),
    })),
    cells: s.cells,
    exceptions: s.exceptions.map(([i, j]) => ({ from: m.containers[i]!.name, to: m.containers[j]!.name, ...m.cell(i, j) })),
    networkPairs: s.rows.map((r) => ({
      from: r.from, to: r.to, pairs: r.pairs, probes: r.probes, verdicts: r.verdicts,
      decidedBy: Object.fromEntries(VERDICTS.filter((v) => v !== 'delivered' && r.verdicts[v] > 0).map((v) => [v, decidedBy(m, r, v)])),
    })),
  };
}

/** Every pair, written a block of rows at a time: the columns are as wide as the longest name and address. */
function pairsText(m: MatrixResult, io: CliIo): void {
  if (m.containers.length === 0) {
    io.out('no containers\n');
    return;
  }
  const name = nameOf(m);
  let wName = 'FROM'.length, wAddr = 'ADDRESS'.length;
  for (let i = 0; i < m.containers.length; i++) {
    wName = Math.max(wName, name(i).length);
    for (const a of Object.values(addressesOf(m, i))) wAddr = Math.max(wAddr, a.length);
  }
  // The host-mode target's address is the source's gateway (or 127.0.0.1): at most an IPv4 address.
  wAddr = Math.max(wAddr, '255.255.255.255'.length);
  const line = (a: string, b: string, c: string, d: string) => `${a.padEnd(wName)}  ${b.padEnd(wName)}  ${c.padEnd(wAddr)}  ${d}`.trimEnd();
  let block: string[] = [line('FROM', 'TO', 'ADDRESS', 'RESULTS')];
  let unknown = false;
  const count = m.containers.length;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < count; j++) {
      if (i === j) continue;
      const cell = m.cell(i, j);
      const results = m.containers[j]!.probes.map((p, k) => `${p.label} ${cell.verdicts[k]}`).join(', ');
      if (!unknown && cell.verdicts.includes('unknown')) unknown = true;
      block.push(line(name(i), name(j), cell.address ?? '-', results));
      if (block.length >= 4096) {
        io.out(block.join('\n') + '\n');
        block = [];
      }
    }
  }
  if (block.length) io.out(block.join('\n') + '\n');
  // `unknown` is not a drop: say what it means once, under the table, when it shows.
  if (unknown) io.out(`${UNKNOWN_LEGEND}\n`);
}

function pairsJson(m: MatrixResult, io: CliIo): void {
  const containers = m.containers.map((c) => ({ name: c.name, host: c.host, probes: c.probes.map((p) => p.label) }));
  io.out(`{"containers":${JSON.stringify(containers)},"results":[`);
  let block: string[] = [];
  let first = true;
  for (const { from, to, cell } of matrixCells(m)) {
    to.probes.forEach((p, k) => block.push(JSON.stringify({ from: from.name, to: to.name, address: cell.address, probe: p.label, verdict: cell.verdicts[k] })));
    if (block.length >= 4096) {
      io.out((first ? '' : ',') + block.join(','));
      first = false;
      block = [];
    }
  }
  if (block.length) io.out((first ? '' : ',') + block.join(','));
  io.out(']}\n');
}
