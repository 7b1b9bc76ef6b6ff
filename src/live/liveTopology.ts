// A live host as a loaded topology: the spec built in memory from the snapshot, the engine replayed
// from it (real addresses), and what the engine could not reproduce as notes. Everything that works on
// a topology file (tree, diagram, tracer, `cnm ... --docker`) takes it unchanged. The host's topology
// text, and the ranges in it, are made only when something asks for them.
import type { Snapshot } from '../docker';
import { parseTopology, type LoadedTopology, type TopologySpec, type Range, type RangePart, type TopologyDiagnostic, type YamlPath } from '../topology';
import { importTopology } from './import';
import type { SnapshotEngine } from './replay';
import { snapshotToSpec } from './snapshotSpec';

export interface LiveTopology extends LoadedTopology {
  /** The host as a topology file (what "Import to file" writes), written on first use. */
  readonly text: string;
}

/** `swarmSpec`: a swarm read across its nodes (swarmNodes.ts) is that spec; its text stays the manager's own host. */
export function liveTopology(snapshot: Snapshot, model: SnapshotEngine, swarmSpec?: TopologySpec): LiveTopology {
  const spec = swarmSpec ?? snapshotToSpec(snapshot, { host: model.host, observed: true }).spec;
  // What the engine could not reproduce is said, not hidden: notes in the diagram's problem count.
  const note = (message: string): TopologyDiagnostic => ({ severity: 'warning', message, code: 'live-not-modelled', source: 'cnm', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  let text: string | undefined;
  let ranges: ((path: YamlPath, part?: RangePart) => Range) | undefined;
  const textOf = () => (text ??= importTopology(snapshot, { host: model.host }));
  return {
    spec,
    engine: model.engine,
    diagnostics: model.warnings.map(note),
    get text() {
      return textOf();
    },
    rangeOf(path: YamlPath, part?: RangePart): Range {
      ranges ??= parseTopology(textOf()).rangeOf;
      return ranges(path, part);
    },
  };
}
