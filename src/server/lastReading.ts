// Hover and completion while a newer version of a big file is being read: the last complete analysis
// answers, at the same place in its text, when every edit since lies outside the entry the position is
// in (one container, network, host, service or expectation, or a top-level key with its value). Reading
// the new text of a 5,000-container file takes 50-300 ms before the provisional reading can answer; this
// answers in about a millisecond. Its facts are the last build's, as the provisional reading's engine
// facts are, and the entry under the cursor is the same text in both versions.
import type { Range } from 'vscode-languageserver';
import type { Analysis } from './analysis';
import { isMap, isSeq, pairSpan, type Node, type Pair } from '../topology/yaml';

/** The one region where two texts differ: [start, oldEnd) of the old text became [start, newEnd) of the new. */
export interface ChangedRegion {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** Where `before` and `after` differ, their common prefix and suffix left out; null when they are equal. */
export function changedRegion(before: string, after: string): ChangedRegion | null {
  if (before === after) return null;
  const shorter = Math.min(before.length, after.length);
  let start = 0;
  while (start < shorter && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let suffix = 0;
  while (suffix < shorter - start && before.charCodeAt(before.length - 1 - suffix) === after.charCodeAt(after.length - 1 - suffix)) suffix++;
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}

/** The last complete analysis seen from a newer text of the same document. */
export class LastReading {
  /** Lines the edits added (negative: removed). */
  private readonly lineDelta: number;

  private constructor(
    readonly analysis: Analysis,
    text: string,
    private readonly region: ChangedRegion,
  ) {
    this.lineDelta = lineBreaks(text, region.start, region.newEnd) - lineBreaks(analysis.text, region.start, region.oldEnd);
  }

  /** Undefined when the texts are the same (the analysis is current: no mapping needed). */
  static of(analysis: Analysis, text: string): LastReading | undefined {
    const region = changedRegion(analysis.text, text);
    return region ? new LastReading(analysis, text, region) : undefined;
  }

  /**
   * The offset in the last reading's text of `offset` in the new text, when the entry holding it is
   * untouched by the edits since (from its first line to where the next entry starts); else undefined.
   */
  oldOffset(offset: number): number | undefined {
    const { start, oldEnd, newEnd } = this.region;
    let old: number;
    if (offset < start) old = offset;
    else if (offset >= newEnd) old = offset - (newEnd - oldEnd);
    else return undefined;
    const bounds = entryBounds(this.analysis, old);
    if (!bounds) return undefined;
    return oldEnd < bounds.from || start > bounds.to ? old : undefined;
  }

  /**
   * A range of the last reading inside an entry oldOffset() accepted, as a range of the new text: an entry
   * before the edits is where it was; one after them starts on a line after theirs, so only its lines move.
   */
  range(r: Range): Range {
    if (this.analysis.lines.offset(r.start) < this.region.start) return r;
    return { start: { line: r.start.line + this.lineDelta, character: r.start.character }, end: { line: r.end.line + this.lineDelta, character: r.end.character } };
  }
}

/**
 * The stretch of the old text an edit must stay out of for the entry at `offset` to read the same: from
 * the start of the entry's first line to where the entry after it starts (spaces typed before that one's
 * key indent it into this entry). The last entry of the file has no end: `to` is Infinity.
 */
function entryBounds(a: Analysis, offset: number): { from: number; to: number } | undefined {
  const root = a.yaml.doc.contents as Node | null;
  if (!isMap(root)) return undefined;
  const tops = root.items as Pair<Node, Node | null>[];
  const i = lastStartingBefore(tops.map((p) => pairSpan(p).start), offset);
  if (i < 0) return undefined;
  const lineOf = (o: number) => a.lines.lineStart(a.lines.position(o).line);
  const topEnd = i + 1 < tops.length ? pairSpan(tops[i + 1]!).start : Infinity;
  const value = tops[i]!.value;
  const starts = isMap(value)
    ? (value.items as Pair<Node, Node | null>[]).map((p) => pairSpan(p).start)
    : isSeq(value)
      ? (value.items as (Node | null)[]).map((n) => n?.range?.[0] ?? -1).filter((o) => o >= 0)
      : [];
  const j = lastStartingBefore(starts, offset);
  if (j < 0 || offset > (value?.range?.[1] ?? -1)) return { from: lineOf(pairSpan(tops[i]!).start), to: topEnd };
  return { from: lineOf(starts[j]!), to: j + 1 < starts.length ? starts[j + 1]! : topEnd };
}

/** Line breaks in text[from, to) as LSP counts them (\n, \r\n, a lone \r), as LineIndex does. */
function lineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  return n;
}

/** Index of the last of the ascending `starts` at or before `offset`, -1 when none. */
function lastStartingBefore(starts: readonly number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (starts[mid]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}
