// A live host kept current: one snapshot at start, a new one after every burst of events (the
// watcher bounds the delay), the engine rebuilt from it. What the extension's tree and diagram follow.
import { DockerWatcher, type RefreshReason, type WatchOptions, type WatchStatus } from './events';
import { snapshotToEngine, takeSnapshot, type Snapshot, type SnapshotEngine } from './snapshot';
import type { DockerClient } from './types';

export interface LiveState {
  snapshot: Snapshot;
  model: SnapshotEngine;
  why: RefreshReason | null;
}

export interface LiveHostOptions extends WatchOptions {
  hostName?: string;
  onState(state: LiveState): void;
  /** A snapshot failed (unreachable, malformed answer): the previous state stays. */
  onError?(err: Error): void;
}

export class LiveHost {
  private readonly watcher: DockerWatcher;
  private running: Promise<void> | null = null;
  private again: RefreshReason | null = null;

  constructor(
    private readonly client: DockerClient,
    private readonly o: LiveHostOptions,
  ) {
    const status = o.onStatus;
    this.watcher = new DockerWatcher(client, (why) => this.refresh(why), { ...o, onStatus: (s: WatchStatus) => status?.(s) });
  }

  async start(): Promise<void> {
    await this.refresh(null);
    await this.watcher.start();
  }

  stop(): void {
    this.watcher.stop();
  }

  /** One snapshot at a time; a refresh asked for meanwhile runs right after (merged). */
  refresh(why: RefreshReason | null): Promise<void> {
    if (this.running) {
      this.again = why ? { events: [...(this.again?.events ?? []), ...why.events], reconnected: (this.again?.reconnected ?? false) || why.reconnected } : (this.again ?? { events: [], reconnected: false });
      return this.running;
    }
    this.running = (async () => {
      try {
        const snapshot = await takeSnapshot(this.client);
        this.o.onState({ snapshot, model: snapshotToEngine(snapshot, this.o.hostName), why });
      } catch (err) {
        this.o.onError?.(err instanceof Error ? err : new Error(String(err)));
      } finally {
        this.running = null;
        const next = this.again;
        this.again = null;
        if (next) void this.refresh(next);
      }
    })();
    return this.running;
  }
}
