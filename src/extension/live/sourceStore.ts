// The store every command and view reads sources from: the workspace's topology files (TopologyStore)
// and, under `cnm-live:` URIs, the live Docker hosts — so a command given a live tree node (the
// diagram, "Trace From Here") gets a loaded source just as for a file.
import * as vscode from 'vscode';
import { TopologyStore, type TopologySource } from '../topologyStore';
import type { LiveHosts } from './liveHosts';
import { isLiveUri, liveKeyOf, liveUri } from './liveSource';

/** How long a command on a host that is still connecting waits for its first snapshot. */
const FIRST_STATE_WAIT_MS = 10_000;

export class LiveHostUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LiveHostUnavailableError';
  }
}

export class SourceStore extends TopologyStore {
  private readonly liveChanged = new vscode.EventEmitter<vscode.Uri>();
  /** A live host's state or status changed (its `cnm-live:` URI). File changes come through onDidChange. */
  readonly onDidChangeLive = this.liveChanged.event;
  private readonly subscription: vscode.Disposable;

  constructor(log: vscode.LogOutputChannel, readonly live: LiveHosts) {
    super(log);
    this.subscription = live.onDidChange((e) => this.liveChanged.fire(liveUri(e.key)));
  }

  override async get(uri: vscode.Uri): Promise<TopologySource> {
    return isLiveUri(uri) ? this.liveSource(uri) : super.get(uri);
  }

  override peek(uri: vscode.Uri): TopologySource | undefined {
    return isLiveUri(uri) ? this.live.byUri(uri)?.source() : super.peek(uri);
  }

  override async load(uri: vscode.Uri): Promise<TopologySource> {
    if (!isLiveUri(uri)) return super.load(uri);
    await this.live.byUri(uri)?.refresh();
    return this.liveSource(uri);
  }

  /** The host's latest state; waits a little for a host that is still connecting. */
  private async liveSource(uri: vscode.Uri): Promise<TopologySource> {
    const entry = this.live.byUri(uri);
    if (!entry) throw new LiveHostUnavailableError(`no Docker host ${liveKeyOf(uri)} is configured`);
    const end = Date.now() + FIRST_STATE_WAIT_MS;
    while (!entry.source() && entry.status.kind === 'connecting' && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const source = entry.source();
    if (source) return source;
    const status = entry.status;
    throw new LiveHostUnavailableError(`Docker host ${entry.label} is ${status.kind === 'unreachable' ? `unreachable: ${status.message}` : 'still connecting'}`);
  }

  override dispose(): void {
    this.subscription.dispose();
    this.liveChanged.dispose();
    super.dispose();
  }
}
