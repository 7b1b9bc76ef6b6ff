// The splices every edit is made of: add an entry to a map or a list, remove one, replace a pair, add
// a section. Only the lines that must change are written; every other byte, comments and layout
// included, stays as it was. Block and flow style are each edited in their own style.
import { isMap, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { childStep, column, indentStep, isFlow, isNull, lineStart, nextLineStart, pairEnd, range, scalarText, topPair } from './layout';
import { YamlEditError, type TextSplice } from './splice';
import { blockLines, flow, scalar, type Value } from './values';

/** Inserts `lines` at `offset` (a line start), adding a line break first when the text does not end with one. */
export function insertLines(text: string, offset: number, lines: string[]): TextSplice {
  const glue = offset > 0 && text[offset - 1] !== '\n' ? '\n' : '';
  return { start: offset, end: offset, text: `${glue}${lines.join('\n')}\n` };
}

/** Adds `key: value` to the map that is `owner`'s value (block or flow), after its last entry. */
export function addEntry(text: string, owner: Pair<Node, Node | null>, key: string, value: Value, block = false): TextSplice {
  const map = owner.value;
  const ownerCol = column(text, range(owner.key)[0]);
  if (isNull(map)) {
    // `networks:` with nothing under it: the entries go on the following lines.
    const step = indentStep(text);
    const at = pairEnd(text, owner);
    return insertLines(text, at, blockLines(key, value, ownerCol + step, step, block));
  }
  if (!isMap(map)) throw new YamlEditError(`"${scalarText(owner.key)}" is not a map in the file; fix it in the editor first.`);
  if (isFlow(map)) return insertInFlow(text, map as YAMLMap, `${scalar(key)}: ${flow(value)}`);
  const items = (map as YAMLMap<Node, Node | null>).items;
  const last = items[items.length - 1]!;
  const col = column(text, range(last.key)[0]);
  const step = childStep(text, items) ?? indentStep(text);
  return insertLines(text, pairEnd(text, last), blockLines(key, value, col, step, block));
}

/** Inserts `entry` before the closing bracket of a flow collection. */
export function insertInFlow(text: string, node: YAMLMap | YAMLSeq, entry: string): TextSplice {
  const [start, end] = range(node as Node);
  const close = text.lastIndexOf(isSeq(node) ? ']' : '}', end - 1);
  if (close < start) throw new YamlEditError('Internal error: a flow collection without its closing bracket.');
  let before = close;
  while (before > start + 1 && /\s/.test(text[before - 1]!)) before--;
  if (node.items.length === 0) {
    const pad = isSeq(node) ? '' : ' ';
    return { start: start + 1, end: close, text: `${pad}${entry}${pad}` };
  }
  return { start: before, end: before, text: `, ${entry}` };
}

export function appendToSeq(text: string, owner: Pair<Node, Node | null>, item: string): TextSplice {
  const seq = owner.value as YAMLSeq<Node>;
  if (isFlow(seq)) return insertInFlow(text, seq, scalar(item));
  const last = seq.items[seq.items.length - 1]!;
  const [s, e] = range(last);
  const dash = text.lastIndexOf('-', s);
  const col = column(text, dash >= 0 && dash >= lineStart(text, s) ? dash : s);
  const at = text[e - 1] === '\n' ? e : nextLineStart(text, e);
  return insertLines(text, at, [`${' '.repeat(col)}- ${scalar(item)}`]);
}

/** Removes one entry of a map (its lines in block style; the entry and a comma in flow style). */
export function removeEntry(text: string, map: YAMLMap, pair: Pair<Node, Node | null>): TextSplice {
  const keyStart = range(pair.key)[0];
  if (!isFlow(map)) {
    // The last entry leaves `networks:` with nothing under it, which reads as an empty map.
    return { start: lineStart(text, keyStart), end: pairEnd(text, pair), text: '' };
  }
  const end = pair.value?.range ? pair.value.range[1] : range(pair.key)[1];
  return removeFlowRange(text, keyStart, end);
}

export function removeSeqItem(text: string, seq: YAMLSeq, index: number): TextSplice {
  const item = seq.items[index] as Node;
  const [s, e] = range(item);
  if (isFlow(seq)) return removeFlowRange(text, s, e);
  return { start: lineStart(text, s), end: text[e - 1] === '\n' ? e : nextLineStart(text, e), text: '' };
}

/** Removes [start, end) of a flow collection with the comma that separates it from its neighbour. */
function removeFlowRange(text: string, start: number, end: number): TextSplice {
  let to = end;
  while (/[ \t]/.test(text[to] ?? '')) to++;
  if (text[to] === ',') {
    to++;
    while (/[ \t]/.test(text[to] ?? '')) to++;
    return { start, end: to, text: '' };
  }
  let from = start;
  while (from > 0 && /[ \t]/.test(text[from - 1]!)) from--;
  if (text[from - 1] === ',') from--;
  return { start: from, end, text: '' };
}

/** Replaces a whole `key: value` pair of `map` by `newKey: value`, where it stood. */
export function replacePair(text: string, map: YAMLMap<Node, Node | null>, pair: Pair<Node, Node | null>, newKey: string, value: Value): TextSplice {
  const keyStart = range(pair.key)[0];
  if (isFlow(map)) {
    const end = pair.value?.range ? pair.value.range[1] : range(pair.key)[1];
    return { start: keyStart, end, text: `${scalar(newKey)}: ${flow(value)}` };
  }
  const from = lineStart(text, keyStart);
  const col = keyStart - from;
  const to = pairEnd(text, pair);
  const step = indentStep(text);
  // A one-line pair that keeps its key keeps the comment at its end; a new key makes that comment stale.
  const oldLine = text.slice(from, to).replace(/\n$/, '');
  const sameKey = scalarText(pair.key) === newKey;
  const comment = sameKey && !oldLine.includes('\n') ? trailingComment(oldLine) : '';
  const lines = blockLines(newKey, value, col, step, false);
  if (comment && lines.length === 1) lines[0] += `  ${comment}`;
  return { start: from, end: to, text: `${lines.join('\n')}\n` };
}

/** The `# …` comment at the end of one line of YAML, ignoring `#` inside quotes. */
function trailingComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#' && (i === 0 || /\s/.test(line[i - 1]!))) return line.slice(i);
  }
  return '';
}

/** Adds a top-level section (`networks:` …) before the first of `before` that exists, else at the end. */
export function insertSection(text: string, doc: Document, key: string, entries: [string, Value][], before: string[]): TextSplice {
  const step = indentStep(text, doc);
  const lines = [`${key}:`, ...entries.flatMap(([k, v]) => blockLines(k, v, step, step, true))];
  const next = before.map((k) => topPair(doc, k)).find((p) => p !== undefined);
  return placeSection(text, next?.key ?? null, lines);
}

/** A new top-level section's lines, above the section whose key is `next` (and the comment lines that introduce it), else at the end. */
export function placeSection(text: string, next: Node | null, lines: string[]): TextSplice {
  if (next) {
    let at = lineStart(text, range(next)[0]);
    while (at > 0) {
      const prev = lineStart(text, at - 1);
      if (!/^\s*#/.test(text.slice(prev, at))) break;
      at = prev;
    }
    return insertLines(text, at, [...lines, '']);
  }
  const trimmed = text.replace(/\s*$/, '').length;
  return { start: trimmed, end: text.length, text: trimmed ? `\n\n${lines.join('\n')}\n` : `${lines.join('\n')}\n` };
}
