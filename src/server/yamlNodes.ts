// Reading the YAML tree the way the features need it: the node and YAML path under the cursor, the
// text span of a scalar without its quotes, and offset ↔ position conversion.
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node, type Pair, type Scalar } from 'yaml';
import type { Position, Range } from 'vscode-languageserver';
import type { YamlPath } from '../topology';

export interface Span {
  start: number;
  end: number;
}

/** Offsets ↔ LSP positions (UTF-16 code units, like JavaScript strings). */
export class LineIndex {
  constructor(
    private readonly lineStarts: readonly number[],
    private readonly text: string,
  ) {}

  /**
   * Lines as LSP counts them: \n, \r\n and a lone \r each end one. The YAML parser's line starts are
   * the same unless the text has a lone \r.
   */
  static of(lineCounter: LineCounter, text: string): LineIndex {
    if (!text.includes('\r') && lineCounter.lineStarts.length > 0) return new LineIndex(lineCounter.lineStarts, text);
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    return new LineIndex(starts, text);
  }

  position(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= o) lo = mid;
      else hi = mid - 1;
    }
    const start = this.lineStarts[lo]!;
    // An offset inside a line break counts as the end of the line.
    return { line: lo, character: Math.min(o, this.lineEnd(lo)) - start };
  }

  offset(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.lineStarts.length) return this.text.length;
    const start = this.lineStarts[position.line]!;
    return Math.min(start + Math.max(0, position.character), this.lineEnd(position.line));
  }

  /** Where the line's text ends (before its line break). */
  lineEnd(line: number): number {
    const start = this.lineStarts[line]!;
    if (line + 1 >= this.lineStarts.length) return this.text.length;
    let end = this.lineStarts[line + 1]! - 1; // the \n or the lone \r
    if (end > start && this.text.charCodeAt(end) === 10 && this.text.charCodeAt(end - 1) === 13) end--;
    return end;
  }

  range(span: Span): Range {
    return { start: this.position(span.start), end: this.position(span.end) };
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.max(0, Math.min(line, this.lineStarts.length - 1))]!;
  }
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
