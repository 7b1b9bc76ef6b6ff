// The topology layer's public API: parse a `*.cnm.yaml` text, build it on the engine, and locate any
// YAML path in the text.
import type { Engine } from '../engine';
import { buildTopology } from './build';
import { compareDiagnostics, type Range, type TopologyDiagnostic } from './diagnostics';
import { parseTopology } from './parse';
import type { RangePart } from './sourceMap';
import type { TopologySpec, YamlPath } from './spec';

export interface LoadedTopology {
  spec: TopologySpec;
  engine: Engine;
  /** Parser and build diagnostics together, in document order. */
  diagnostics: TopologyDiagnostic[];
  rangeOf(path: YamlPath, part?: RangePart): Range;
}

/** Parse and build in one go. Never throws. */
export function loadTopology(text: string): LoadedTopology {
  const parsed = parseTopology(text);
  const built = buildTopology(parsed.spec, parsed);
  const diagnostics = [...parsed.diagnostics, ...built.diagnostics].sort(compareDiagnostics);
  return { spec: parsed.spec, engine: built.engine, diagnostics, rangeOf: parsed.rangeOf };
}

export { buildTopology, buildTopologySteps, networksChanged, recheckBuild, replayContainer, replayNetwork, type BuildResult, type BuildResume } from './build';
export type { BuildSource } from './buildReport';
export { compareDiagnostics, hasErrors, type Position, type Range, type Severity, type TopologyDiagnostic } from './diagnostics';
export { parseTopology, parseTopologyDocument, type ParsedTopology } from './parse';
export type { RangePart } from './sourceMap';
export type * from './spec';
