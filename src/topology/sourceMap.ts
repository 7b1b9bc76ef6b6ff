// Positions in the topology text: offsets → LSP ranges, and YAML paths → the range of a key or a value.
import type { Document, Node } from 'yaml';
import type { Range } from './diagnostics';
import type { YamlPath } from './spec';
import { PathIndex } from './yaml/nodes';

export type RangePart = 'key' | 'value';

export class SourceMap {
  private readonly paths: PathIndex;

  /** Offsets where lines start. Computed here: yaml's LineCounter misses the line breaks inside multi-line tokens. */
  private readonly lineStarts: readonly number[];

  /** `lineStarts`: the offset after every \n of `text` (and 0), when the caller has them already (lineStartsOf). */
  constructor(
    private readonly text: string,
    doc: Document,
    lineStarts?: readonly number[],
  ) {
    this.paths = new PathIndex(doc);
    if (lineStarts) this.lineStarts = lineStarts;
    else {
      const starts = [0];
      for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.lineStarts = starts;
    }
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
    const found = this.paths.locate(path);
    const node = part === 'key' ? found.key ?? found.value : found.value ?? found.key;
    return this.nodeRange(node) ?? this.offsetRange(0, 0);
  }

  /** True when `path` exists in the document. */
  has(path: YamlPath): boolean {
    return this.paths.locate(path).complete;
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
