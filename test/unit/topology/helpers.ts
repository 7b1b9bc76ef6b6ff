// Helpers for topology tests: find where a piece of text is, and the diagnostics at a place.
import type { Position, Range, TopologyDiagnostic } from '../../../src/topology/diagnostics';

/** 0-based position of the `nth` occurrence of `needle` in `text` (throws if absent, to keep tests honest). */
export function positionOf(text: string, needle: string, nth = 0): Position {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" (#${nth}) not in the text`);
  }
  const before = text.slice(0, at);
  const line = before.split('\n').length - 1;
  return { line, character: at - (before.lastIndexOf('\n') + 1) };
}

/** The range covering the `nth` occurrence of `needle` (assumed on one line). */
export function rangeOfText(text: string, needle: string, nth = 0): Range {
  const start = positionOf(text, needle, nth);
  return { start, end: { line: start.line, character: start.character + needle.length } };
}

export function diagnosticsAt(diagnostics: readonly TopologyDiagnostic[], start: Position): TopologyDiagnostic[] {
  return diagnostics.filter((d) => d.range.start.line === start.line && d.range.start.character === start.character);
}

/** A one-line summary per diagnostic, handy in assertion messages. */
export function show(diagnostics: readonly TopologyDiagnostic[]): string {
  return diagnostics.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code ?? ''} ${d.message}`).join('\n');
}

/** Every diagnostic range lies inside the document (LSP clients reject ranges past the end). */
export function rangeInside(text: string, r: Range): boolean {
  const lines = text.split('\n');
  const ok = (p: Position) => p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line]!.length;
  const ordered = r.start.line < r.end.line || (r.start.line === r.end.line && r.start.character <= r.end.character);
  return ok(r.start) && ok(r.end) && ordered;
}
