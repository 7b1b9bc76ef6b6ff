// Text edits that change the topology the way a user would by hand, keeping the file's indentation
// and style: add a network under `networks:`, connect a container to one more network.
import type { TextEdit } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { getPair, getValue, isMap, isSeq, type Node, pairEnd, pairsOf, stringValue } from '../topology/yaml';

function column(analysis: Analysis, offset: number): number {
  return analysis.lines.position(offset).character;
}

/** The offset just after the line holding `offset` (where a new line can be inserted). */
function endOfLine(text: string, offset: number): number {
  const nl = text.indexOf('\n', Math.max(0, offset - 1));
  return nl < 0 ? text.length : nl + 1;
}

function insertAt(analysis: Analysis, offset: number, newText: string): TextEdit {
  const needsBreak = offset === analysis.text.length && analysis.text.length > 0 && !analysis.text.endsWith('\n');
  return { range: analysis.lines.range({ start: offset, end: offset }), newText: needsBreak ? `\n${newText}` : newText };
}

/** `networks:` gets a new bridge network `name` (the section is created when missing). */
export function createNetworkEdit(analysis: Analysis, name: string): TextEdit {
  const root = analysis.yaml.doc.contents;
  const section = getPair(root, 'networks');
  const entries = pairsOf(section?.value);
  if (section && entries.length > 0) {
    const last = entries[entries.length - 1]!;
    const indent = ' '.repeat(column(analysis, entries[0]!.key.range![0]));
    const inner = ' '.repeat(column(analysis, entries[0]!.key.range![0]) + 2);
    return insertAt(analysis, endOfLine(analysis.text, pairEnd(last)), `${indent}${name}:\n${inner}driver: bridge\n`);
  }
  if (section) {
    // `networks:` with nothing (or `{}`) under it: replace the whole pair.
    const start = section.key.range![0];
    const end = pairEnd(section);
    return { range: analysis.lines.range({ start, end }), newText: `networks:\n  ${name}:\n    driver: bridge` };
  }
  // No section: networks are created before containers, so put it above `containers:` when there is one.
  const containers = getPair(root, 'containers');
  const at = containers ? containers.key.range![0] : analysis.text.length;
  return insertAt(analysis, at, `networks:\n  ${name}:\n    driver: bridge\n`);
}

/** Connect container `name` to `network` too (list, flow list or map form; `networks:` added when missing). */
export function connectEdit(analysis: Analysis, name: string, network: string): TextEdit | undefined {
  const containers = getValue(analysis.yaml.doc.contents, 'containers');
  const pair = getPair(containers, name);
  if (!pair) return undefined;
  const text = analysis.text;
  const body = pair.value;
  const networksPair = getPair(body, 'networks');
  const mode = stringValue(getValue(body, 'network_mode'));
  const propIndent = (() => {
    const first = pairsOf(body)[0];
    return first ? column(analysis, first.key.range![0]) : column(analysis, pair.key.range![0]) + 2;
  })();

  if (networksPair) {
    const list = networksPair.value as Node | null;
    if (isSeq(list)) {
      const items = list.items as Node[];
      if (list.flow || items.length === 0) {
        const names = items.map((i) => stringValue(i)).filter((s): s is string => s !== undefined);
        const r = list.range ?? [networksPair.key.range![1] + 1, networksPair.key.range![1] + 1];
        return { range: analysis.lines.range({ start: r[0], end: r[1] }), newText: `[${[...names, network].join(', ')}]` };
      }
      const last = items[items.length - 1]!;
      const first = items[0]!;
      const dashCol = column(analysis, first.range![0]) - 2;
      return insertAt(analysis, endOfLine(text, last.range![1]), `${' '.repeat(Math.max(0, dashCol))}- ${network}\n`);
    }
    if (isMap(list)) {
      const entries = pairsOf(list);
      if (list.flow || entries.length === 0) {
        const r = list.range!;
        const inner = text.slice(r[0] + 1, r[1] - 1).trim();
        return { range: analysis.lines.range({ start: r[0], end: r[1] }), newText: `{ ${inner ? `${inner}, ` : ''}${network}: {} }` };
      }
      const last = entries[entries.length - 1]!;
      const indent = ' '.repeat(column(analysis, entries[0]!.key.range![0]));
      return insertAt(analysis, endOfLine(text, pairEnd(last)), `${indent}${network}: {}\n`);
    }
    // `networks:` with nothing under it.
    const start = networksPair.key.range![0];
    return { range: analysis.lines.range({ start, end: pairEnd(networksPair) }), newText: `networks: [${network}]` };
  }

  if (mode !== undefined) {
    const modePair = getPair(body, 'network_mode')!;
    const builtin = mode === 'bridge' || mode === 'default';
    if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) return undefined; // cannot join another network
    const start = modePair.key.range![0];
    return { range: analysis.lines.range({ start, end: pairEnd(modePair) }), newText: `networks: [${builtin ? 'bridge' : mode}, ${network}]` };
  }
  // On the default bridge (no network_mode, no networks): add `networks:` at the end of the container.
  if (isMap(body) && !body.flow && pairsOf(body).length > 0) {
    return insertAt(analysis, endOfLine(text, pairEnd(pair)), `${' '.repeat(propIndent)}networks: [${network}]\n`);
  }
  if (isMap(body) && body.flow) {
    const r = body.range!;
    const inner = text.slice(r[0] + 1, r[1] - 1).trim();
    return { range: analysis.lines.range({ start: r[0], end: r[1] }), newText: `{ ${inner ? `${inner}, ` : ''}networks: [${network}] }` };
  }
  // `name:` with nothing under it.
  return insertAt(analysis, endOfLine(text, pair.key.range![1]), `${' '.repeat(propIndent)}networks: [${network}]\n`);
}
