// Collects the diagnostics of a build, each on the range of the YAML node that caused it. An engine
// error on a range the parser already flagged is dropped: the user sees one error per mistake.
import { DockerError } from '../engine';
import { ZERO_RANGE, type Range, type Severity, type TopologyDiagnostic } from './diagnostics';
import { refinedTarget, subjectKey, targetOf, type Subject, type Target } from './errorTargets';
import type { RangePart } from './sourceMap';
import type { YamlPath } from './spec';

export interface BuildSource {
  rangeOf(path: YamlPath, part?: RangePart): Range;
  /** The parser's diagnostics, so the build does not repeat an error the parser already reported. */
  diagnostics?: readonly TopologyDiagnostic[];
}

export class BuildReport {
  readonly diagnostics: TopologyDiagnostic[] = [];
  private readonly taken = new Set<string>();

  constructor(private readonly source?: BuildSource) {
    for (const d of source?.diagnostics ?? []) if (d.severity === 'error') this.taken.add(rangeKey(d.range));
  }

  add(severity: Severity, target: Target, message: string, code: string): void {
    const range = this.source ? this.source.rangeOf(target.path, target.part) : ZERO_RANGE;
    const key = rangeKey(range);
    if (severity === 'error' && this.taken.has(key)) return;
    const id = `${severity}|${key}|${message}`;
    if (this.taken.has(id)) return;
    this.taken.add(id);
    this.diagnostics.push({ range, severity, message, code, source: 'cnm', path: target.path });
  }

  /** An exception from the engine: Docker's error on the range its hint names; anything else is a bug, reported on the object. */
  failure(subject: Subject, err: unknown): string {
    if (err instanceof DockerError) {
      this.add('error', refinedTarget(subject, err.message, targetOf(subject, err.hint)), err.message, 'docker');
      return err.message;
    }
    const message = `Internal error in the engine: ${err instanceof Error ? err.message : String(err)}`;
    this.add('error', subjectKey(subject), message, 'internal');
    return message;
  }
}

function rangeKey(r: Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}
