// Diagnostics of a topology file, in the shape the language server publishes (LSP's Diagnostic, 0-based
// positions in UTF-16 code units), so the server can pass them on unchanged and the CLI can print them.
import type { YamlPath } from './spec';

export interface Position {
  line: number; // 0-based
  character: number; // 0-based, UTF-16 code units
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information';

export interface TopologyDiagnostic {
  range: Range;
  severity: Severity;
  message: string;
  /** Stable machine-readable kind, e.g. "unknown-key", "yaml-syntax", "docker" (quick fixes key on it). */
  code?: string;
  source: 'cnm';
  /** The YAML path the diagnostic is about, when it is about a node (lets callers re-locate it). */
  path?: YamlPath;
}

export const ZERO_RANGE: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** Document order; errors before warnings at the same place. */
export function compareDiagnostics(a: TopologyDiagnostic, b: TopologyDiagnostic): number {
  return (
    a.range.start.line - b.range.start.line ||
    a.range.start.character - b.range.start.character ||
    severityRank(a.severity) - severityRank(b.severity)
  );
}

function severityRank(s: Severity): number {
  return s === 'error' ? 0 : s === 'warning' ? 1 : 2;
}

export function hasErrors(diagnostics: readonly TopologyDiagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === 'error');
}
