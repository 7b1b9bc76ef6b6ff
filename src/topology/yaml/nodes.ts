// Reading the YAML tree of a topology file, for every caller (the topology reader's source map, the
// language server's features, the edits): a map's pairs and values, the text span of a scalar without
// its quotes, the node and YAML path at an offset, and the key and value nodes at a YAML path.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { YamlPath } from '../spec';

export interface Span {
  start: number;
  end: number;
}

/** The characters of a scalar's value in the text (inside the quotes for a quoted scalar). */
export function scalarSpan(node: Node | null | undefined): Span | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const [start, end] = node.range;
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') return { start: start + 1, end: Math.max(start + 1, end - 1) };
  return { start, end };
}

/** The span of `part` inside a scalar's value, e.g. the `b1` of `container:b1`. */
export function subSpan(node: Scalar, text: string, from: number, length: number): Span | undefined {
  const span = scalarSpan(node);
  if (!span) return undefined;
  // Escapes in quoted scalars would shift the characters; only map when the source text matches the value.
  const source = text.slice(span.start, span.end);
  if (source !== String(node.value)) return undefined;
  return { start: span.start + from, end: span.start + from + length };
}

export function stringValue(node: unknown): string | undefined {
  if (!isScalar(node)) return undefined;
  const v = node.value;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function pairsOf(node: unknown): Pair<Node, Node | null>[] {
  if (!isMap(node)) return [];
  return node.items.filter((p): p is Pair<Node, Node | null> => isPair(p) && isScalar(p.key));
}

export function getPair(map: unknown, key: string): Pair<Node, Node | null> | undefined {
  return pairsOf(map).find((p) => stringValue(p.key) === key);
}

export function getValue(map: unknown, key: string): Node | null | undefined {
  return getPair(map, key)?.value ?? undefined;
}

/** Where the cursor is: the YAML path, and whether it is on a key or on a value. */
export interface NodeAt {
  path: YamlPath;
  /** The key node when the cursor is on a map key. */
  key?: Scalar;
  /** The node under the cursor (a scalar for leaves, a collection otherwise). */
  node: Node | null;
  onKey: boolean;
}

/** The innermost key or value containing `offset` (value ranges end before trailing comments). */
export function nodeAt(doc: Document, offset: number): NodeAt | undefined {
  let current: Node | null = doc.contents as Node | null;
  const path: YamlPath = [];
  if (!current || !contains(current, offset, true)) return undefined;
  for (;;) {
    if (isMap(current)) {
      const pair = findPair(current.items as Pair<Node, Node | null>[], offset);
      if (!pair) return { path, node: current, onKey: false };
      const key = pair.key;
      const name = stringValue(key) ?? '';
      if (key && contains(key, offset, false)) return { path: [...path, name], key: key as Scalar, node: key, onKey: true };
      path.push(name);
      current = pair.value;
      if (!current) return { path, node: null, onKey: false, key: key as Scalar };
      continue;
    }
    if (isSeq(current)) {
      const items = current.items as (Node | null)[];
      const index = items.findIndex((item) => item && contains(item, offset, true));
      if (index < 0) return { path, node: current, onKey: false };
      path.push(index);
      current = items[index]!;
      continue;
    }
    return { path, node: current, onKey: false };
  }
}

function findPair(items: Pair<Node, Node | null>[], offset: number): Pair<Node, Node | null> | undefined {
  // Items are in document order: binary search on where each pair starts.
  let lo = 0;
  let hi = items.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const start = pairStart(items[mid]!);
    if (start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const pair = items[found]!;
  const end = pairEnd(pair);
  return offset <= end ? pair : undefined;
}

function pairStart(p: Pair<Node, Node | null>): number {
  return p.key?.range?.[0] ?? p.value?.range?.[0] ?? Number.MAX_SAFE_INTEGER;
}

export function pairEnd(p: Pair<Node, Node | null>): number {
  return Math.max(p.value?.range?.[1] ?? -1, p.key?.range?.[1] ?? -1);
}

function contains(node: Node, offset: number, inclusiveEnd: boolean): boolean {
  const r = node.range;
  if (!r) return false;
  return offset >= r[0] && (inclusiveEnd ? offset <= r[1] : offset <= r[1]);
}

/** Span of a pair: from its key to the end of its value. */
export function pairSpan(p: Pair<Node, Node | null>): Span {
  return { start: pairStart(p), end: pairEnd(p) };
}

export function nodeSpan(node: Node | null | undefined): Span | undefined {
  const r = node?.range;
  return r ? { start: r[0], end: r[1] } : undefined;
}

/** The nodes at a YAML path: the key (the map key, or the item itself in a list) and the value. */
export interface PathNodes {
  key?: Node;
  value?: Node;
  /** False when the path is gone: `key` is then the key of the deepest node that exists. */
  complete: boolean;
}

/**
 * YAML path → nodes of one document. Key → pair, per map, built on first use: a path lookup in a
 * 10,000-entry map must not be a linear scan.
 */
export class PathIndex {
  private readonly pairIndex = new WeakMap<object, Map<string, Pair>>();

  constructor(private readonly doc: Document) {}

  /** The nodes at `path`; aliases are followed, and a value written as nothing (`key:`) counts as none. */
  locate(path: YamlPath): PathNodes {
    let value: Node | null | undefined = this.doc.contents as Node | null;
    let key: Node | undefined;
    for (const segment of path) {
      const container = isAlias(value) ? (value.resolve(this.doc) as Node | undefined) : value;
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
}

/** A null value written as nothing (`key:`) has an empty range; the key is the better place to point at. */
function usable(node: Node | null | undefined): Node | undefined {
  if (!node) return undefined;
  if (isScalar(node) && node.value === null && node.range && node.range[0] === node.range[1]) return undefined;
  return node;
}
