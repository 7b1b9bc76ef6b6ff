// A live host as a loaded source, so everything that works on a topology file — the diagram, the
// tracer, "Trace From Here" — works on it unchanged: the engine is the one replayed from the snapshot
// (real addresses), the spec is the host read as a topology (names, what containers listen on), built
// in memory. The host's topology text is written only if something reads it.
import * as vscode from 'vscode';
import { liveTopology, type LiveState, type LiveTopology } from '../../live';
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
  constructor(uri: vscode.Uri, override readonly loaded: LiveTopology, revision: number, readonly label: string, readonly liveKey: string) {
    super(uri, '', loaded, revision, undefined);
  }

  override get text(): string {
    return this.loaded.text;
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
  return new LiveTopologySource(liveUri(key), liveTopology(state.snapshot, state.model, state.swarm?.spec), revision, label, key);
}
