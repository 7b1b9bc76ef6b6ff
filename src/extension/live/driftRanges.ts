// Drift items (src/docker/drift.ts) placed on the topology file: each on the range of the network,
// container, endpoint or field it is about, as diagnostics and as the tree's "Drift with <host>"
// entries. No `vscode` here (unit-tested); drift.ts turns these into vscode.Diagnostics.
import type { DriftItem } from '../../live';
import type { Range, Severity, TopologyDiagnostic } from '../../topology';

type YamlPath = (string | number)[];
type RangeOf = (path: YamlPath, part?: 'key' | 'value') => Range;

const sameRange = (a: Range, b: Range) => a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/** Where in the file an item belongs: something only on the host goes on the section it would be written in. */
export function driftPath(item: DriftItem): YamlPath {
  if (item.kind === 'extra') {
    if (item.object === 'network') return ['networks'];
    if (item.object === 'container') return ['containers'];
  }
  return item.path;
}

/**
 * The range of an item: a field's value when the file writes it; else the key of the closest thing the
 * file writes (the network, the container, its endpoint), never a whole multi-line block.
 */
export function driftRange(item: DriftItem, rangeOf: RangeOf): Range {
  const path = driftPath(item);
  if (item.field && path.length > 1) {
    const own = rangeOf(path, 'value');
    if (!sameRange(own, rangeOf(path.slice(0, -1), 'value'))) return own;
    return rangeOf(path.slice(0, -1), 'key');
  }
  return rangeOf(path, 'key');
}

/** Missing and different: the file does not describe the host (warning); extra: the host has more (information). */
export function driftSeverity(item: DriftItem): Severity {
  return item.kind === 'extra' ? 'information' : 'warning';
}

export function driftDiagnostics(items: readonly DriftItem[], rangeOf: RangeOf, hostLabel: string): TopologyDiagnostic[] {
  return items.map((item) => ({
    range: driftRange(item, rangeOf),
    severity: driftSeverity(item),
    message: `Drift with ${hostLabel}: ${item.message}`,
    code: `drift-${item.kind}`,
    source: 'cnm',
    path: driftPath(item),
  }));
}

/** "2 missing, 1 different, 3 extra" (or "no drift"). */
export function driftSummary(items: readonly DriftItem[]): string {
  const count = (k: DriftItem['kind']) => items.filter((i) => i.kind === k).length;
  const parts = (['missing', 'different', 'extra'] as const).map((k) => [k, count(k)] as const).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  return parts.length ? parts.join(', ') : 'no drift: the host matches the file';
}
