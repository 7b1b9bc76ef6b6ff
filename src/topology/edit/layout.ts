// Where things are in the text being edited: pairs and their offsets, columns, line starts, and the
// indentation step the file uses.
import { isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap, type YAMLSeq } from 'yaml';
import { getPair } from '../yaml/nodes';
import { YamlEditError } from './splice';

export function topPair(doc: Document, key: string): Pair<Node, Node | null> | undefined {
  return getPair(doc.contents, key);
}

export function findPair(node: unknown, key: string): Pair<Node, Node | null> | undefined {
  return getPair(node, key);
}

export function containerPair(doc: Document, name: string): Pair<Node, Node | null> {
  const pair = findPair(topPair(doc, 'containers')?.value, name);
  if (!pair) throw new YamlEditError(`The file has no container named "${name}".`);
  return pair;
}

export function asMap(node: unknown, what: string): YAMLMap<Node, Node | null> {
  if (!isMap(node)) throw new YamlEditError(`${what} is not a map in the file; fix it in the editor first.`);
  return node as YAMLMap<Node, Node | null>;
}

export function scalarText(node: unknown): string {
  return isScalar(node) ? String(node.value) : '';
}

export function isNull(node: unknown): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

export function isFlow(node: unknown): boolean {
  return (isMap(node) || isSeq(node)) && (node as YAMLMap | YAMLSeq).flow === true;
}

export const lineStart = (text: string, offset: number) => text.lastIndexOf('\n', offset - 1) + 1;
export const column = (text: string, offset: number) => offset - lineStart(text, offset);

/** The offset just after the line break of the line holding `offset` (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i + 1;
}

export function range(node: Node | null | undefined): [number, number, number] {
  const r = node?.range;
  if (!r) throw new YamlEditError('Internal error: a YAML node without a position.');
  return r;
}

/** Where a block-map pair ends: after its last line, trailing comment included. */
export function pairEnd(text: string, pair: Pair<Node, Node | null>): number {
  const keyEnd = range(pair.key)[1];
  const value = pair.value && pair.value.range ? pair.value.range[1] : keyEnd;
  const end = Math.max(keyEnd, value);
  return end > 0 && text[end - 1] === '\n' ? end : nextLineStart(text, end);
}

/** The indentation step the file uses (2 unless its first nested map says otherwise). */
export function indentStep(text: string, doc?: Document): number {
  const m = doc ? doc.contents : undefined;
  if (isMap(m)) {
    for (const p of (m as YAMLMap<Node, Node | null>).items) {
      const v = p.value;
      if (isMap(v) && !v.flow && v.items[0]) {
        const step = column(text, range(v.items[0].key as Node)[0]) - column(text, range(p.key)[0]);
        if (step > 0 && step <= 8) return step;
      }
    }
  }
  return 2;
}

/** How much deeper the children of these entries are indented, from the first block-map child found. */
export function childStep(text: string, items: Pair<Node, Node | null>[]): number | undefined {
  for (const p of items) {
    if (isMap(p.value) && !p.value.flow && p.value.items[0]) {
      const step = column(text, range(p.value.items[0].key as Node)[0]) - column(text, range(p.key)[0]);
      if (step > 0) return step;
    }
  }
  return undefined;
}
