// Positions in the topology text: offsets → LSP ranges, and YAML paths → the range of a key or a value.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair } from 'yaml';
import type { Range } from './diagnostics';
import type { YamlPath } from './spec';

export type RangePart = 'key' | 'value';

export class SourceMap {
  // Key → pair, per map, built on first use: a path lookup in a 10,000-entry map must not be a linear scan.
  private readonly pairIndex = new WeakMap<object, Map<string, Pair>>();

  /** Offsets where lines start. Computed here: yaml's LineCounter misses the line breaks inside multi-line tokens. */
  private readonly lineStarts: number[] = [0];

  constructor(
    private readonly text: string,
    private readonly doc: Document,
  ) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.lineStarts.push(i + 1);
  }

  /** Range of text offsets, clamped to the document. */
  offsetRange(start: number, end: number): Range {
    const s = Math.max(0, Math.min(start, this.text.length));
    const e = Math.max(s, Math.min(end, this.text.length));
    return { start: this.position(s), end: this.position(e) };
  }

  /** Range of a node's value (without trailing comments or line breaks). */
  nodeRange(node: Node | null | undefined): Range | undefined {
    const r = node?.range;
    return r ? this.offsetRange(r[0], r[1]) : undefined;
  }

  /** Exact source text of a node, e.g. "20.10" for a YAML number that reads as 20.1. */
  sourceText(node: Node): string {
    const r = node.range;
    return r ? this.text.slice(r[0], r[1]) : '';
  }

  /**
   * Range of the node at `path`: its key (the map key, or the item itself in a list) or its value.
   * A path that does not exist falls back to the key of the closest node that does; a key without a
   * value (`subnet:`) to the key.
   */
  rangeOf(path: YamlPath, part: RangePart = 'value'): Range {
    const found = this.locate(path);
    const node = part === 'key' ? found.key ?? found.value : found.value ?? found.key;
    return this.nodeRange(node) ?? this.offsetRange(0, 0);
  }

  /** True when `path` exists in the document. */
  has(path: YamlPath): boolean {
    return this.locate(path).complete;
  }

  private locate(path: YamlPath): { key?: Node; value?: Node; complete: boolean } {
    let value: Node | null | undefined = this.doc.contents as Node | null;
    let key: Node | undefined;
    for (const segment of path) {
      const container = resolveAlias(value, this.doc);
      let nextKey: Node | undefined;
      let nextValue: Node | null | undefined;
      if (isMap(container) && typeof segment === 'string') {
        const pair = this.pairsOf(container).get(segment);
        if (pair) {
          nextKey = pair.key as Node;
          nextValue = pair.value as Node | null;
        }
      } else if (isSeq(container) && typeof segment === 'number') {
        const item = container.items[segment] as Node | undefined;
        if (item) {
          nextKey = item;
          nextValue = item;
        }
      }
      // Gone: point at the key of the deepest node that exists (not at its whole value, which may be huge).
      if (!nextKey) return { key, complete: false };
      key = nextKey;
      value = nextValue;
    }
    return { key, value: usable(value), complete: true };
  }

  private pairsOf(map: { items: unknown[] }): Map<string, Pair> {
    let index = this.pairIndex.get(map);
    if (!index) {
      index = new Map();
      for (const item of map.items) {
        if (!isPair(item) || !isScalar(item.key)) continue;
        const k = String(item.key.value);
        if (!index.has(k)) index.set(k, item); // the first of duplicate keys is the one that counts
      }
      this.pairIndex.set(map, index);
    }
    return index;
  }

  private position(offset: number): { line: number; character: number } {
    // The last line start at or before offset.
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - this.lineStarts[lo]! };
  }
}

function resolveAlias(node: Node | null | undefined, doc: Document): Node | null | undefined {
  return isAlias(node) ? (node.resolve(doc) as Node | undefined) : node;
}

/** A null value written as nothing (`key:`) has an empty range; the key is the better place to point at. */
function usable(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  if (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1]) return undefined;
  return node;
}
