// Offsets ↔ editor positions (0-based lines, UTF-16 code units, as LSP counts them).
import type { LineCounter } from 'yaml';
import type { Position, Range } from '../diagnostics';
import type { Span } from './nodes';

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
