// A live host as a loaded source, so everything that works on a topology file — the diagram, the
// tracer, "Trace From Here" — works on it unchanged: the engine is the one replayed from the snapshot
// (real addresses), the spec is the host imported as a topology file (names, what containers listen on).
import * as vscode from 'vscode';
import { importTopology, type LiveState } from '../../docker';
import { parseTopology, type LoadedTopology, type TopologyDiagnostic } from '../../topology';
import { TopologySource } from '../topologyStore';

/** The scheme of a live host's URI: `cnm-live:/<key, URI-encoded>`. */
export const LIVE_SCHEME = 'cnm-live';

export function liveUri(key: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LIVE_SCHEME, path: `/${encodeURIComponent(key)}` });
}

export function isLiveUri(uri: vscode.Uri): boolean {
  return uri.scheme === LIVE_SCHEME;
}

/** The host key a live URI stands for. */
export function liveKeyOf(uri: vscode.Uri): string {
  return decodeURIComponent(uri.path.replace(/^\//, ''));
}

/** A TopologySource whose name is the host's label, not the last segment of its URI. */
export class LiveTopologySource extends TopologySource {
  constructor(uri: vscode.Uri, text: string, loaded: LoadedTopology, revision: number, readonly label: string, readonly liveKey: string) {
    super(uri, text, loaded, revision, undefined);
  }

  override get fileName(): string {
    return this.label;
  }

  override get isLive(): boolean {
    return true;
  }
}

/** Builds the source of one state of a live host. */
export function liveSourceOf(key: string, label: string, state: LiveState, revision: number): LiveTopologySource {
  const text = importTopology(state.snapshot, { host: state.model.host });
  const parsed = parseTopology(text);
  // What the engine could not reproduce is said, not hidden: notes in the diagram's problem count.
  const note = (message: string): TopologyDiagnostic => ({ severity: 'warning', message, code: 'live-not-modelled', source: 'cnm', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
  const loaded: LoadedTopology = { spec: parsed.spec, engine: state.model.engine, diagnostics: state.model.warnings.map(note), rangeOf: parsed.rangeOf };
  return new LiveTopologySource(liveUri(key), text, loaded, revision, label, key);
}
