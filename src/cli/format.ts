// Text output of the CLI: compiler-style diagnostics and plain tables.
import type { TopologyDiagnostic } from '../topology';

/** FILE:LINE:COL: severity: message — 1-based, as compilers and editors' problem matchers expect. */
export function formatDiagnostic(file: string, d: TopologyDiagnostic): string {
  // One line per diagnostic: some Docker texts span lines ("invalid network config:\ninvalid subnet …").
  return `${file}:${d.range.start.line + 1}:${d.range.start.character + 1}: ${d.severity}: ${d.message.replace(/\s*\n\s*/g, ' ')}`;
}

/** Columns padded to their widest cell; the last column is not padded. */
export function formatTable(header: string[], rows: string[][]): string {
  // A loop, not Math.max(...rows): the matrix of 1,000 containers has a million rows, past the stack.
  const widths = header.map((h) => h.length);
  for (const r of rows) for (let i = 0; i < widths.length; i++) widths[i] = Math.max(widths[i]!, (r[i] ?? '').length);
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function summary(diagnostics: readonly TopologyDiagnostic[]): string {
  const count = (s: string) => diagnostics.filter((d) => d.severity === s).length;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(count('error'), 'error')}, ${plural(count('warning'), 'warning')}`;
}
