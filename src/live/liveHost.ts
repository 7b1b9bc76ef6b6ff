// A live host kept current: one snapshot at start, then after every burst of events (the watcher
// bounds the delay) what the events name is read again and the engine rebuilt. What the extension's
// tree and diagram follow.
import { DockerApiError, DockerWatcher, observeHost, takeSnapshot, withMembers, type DockerClient, type DockerEvent, type RefreshReason, type Snapshot, type SshHostAccess, type WatchOptions, type WatchStatus } from '../docker';
import { snapshotToEngine, type SnapshotEngine } from './replay';
import type { SwarmTopology } from './swarmNodes';

export interface LiveState {
  snapshot: Snapshot;
  model: SnapshotEngine;
  why: RefreshReason | null;
  /** A swarm manager whose node daemons are read too: the swarm as one multi-host topology (`model` is its engine). */
  swarm?: SwarmTopology;
}

export interface LiveHostOptions extends WatchOptions {
  hostName?: string;
  onState(state: LiveState): void;
  /** A snapshot failed (unreachable, malformed answer): the previous state stays. */
  onError?(err: Error): void;
  /**
   * Read what the host really has (listening sockets, iptables rules, sysctls) after each snapshot,
   * in the background: the state is given at once, then again with the readings. Default true.
   */
  observe?: boolean;
  /** Bound on reading one container's sockets (default 8 s on this machine, 20 s elsewhere). */
  observeTimeoutMs?: number;
  /** An ssh host: whether its rules, routes and sysctls may be read over ssh (asked at each reading). */
  sshHost?: () => SshHostAccess;
}

/** Our own socket reading through exec (src/docker/listeners.ts): not a change of the container. */
const ownExec = (e: DockerEvent) => e.kind === 'container:exec_start' && (e.command ?? '').startsWith('cat /proc/net/');

export class LiveHost {
  private readonly watcher: DockerWatcher;
  private running: Promise<void> | null = null;
  private last: Snapshot | null = null;
  private again: RefreshReason | null = null;
  private observing: AbortController | null = null;

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
    this.observing?.abort();
  }

  /**
   * Reads the listening sockets (of the containers in `only`, else of all) and the host's rules again,
   * then gives the state once more. A newer snapshot meanwhile wins: the reading is dropped.
   */
  async observe(only?: ReadonlySet<string>): Promise<void> {
    const base = this.last;
    if (!base || this.o.observe === false) return;
    this.observing?.abort();
    const ac = new AbortController();
    this.observing = ac;
    const timeoutMs = this.o.observeTimeoutMs ?? (this.client.local ? 8_000 : 20_000);
    const seen = await observeHost(this.client, base, { timeoutMs, signal: ac.signal, ...(only ? { only } : {}), ...(this.o.sshHost ? { sshHost: this.o.sshHost() } : {}) });
    if (ac.signal.aborted || this.last !== base) return;
    this.observing = null;
    this.last = seen;
    this.o.onState({ snapshot: seen, model: snapshotToEngine(seen, this.o.hostName), why: null });
  }

  /**
   * After a burst of events, only what they name is read again: the containers they concern (one
   * inspect each) and, when networks changed, the network list (one request). A reconnection, or an
   * event without an id, reads the whole host.
   */
  private async update(prev: Snapshot, why: RefreshReason): Promise<Snapshot> {
    const containerIds = new Set<string>();
    let networksChanged = false;
    for (const e of why.events) {
      if (ownExec(e)) continue;
      if (e.kind.startsWith('container:')) {
        if (!e.id) return takeSnapshot(this.client);
        containerIds.add(e.id);
      } else {
        networksChanged = true;
        if (e.container) containerIds.add(e.container);
      }
    }
    const [networks, fresh] = await Promise.all([
      networksChanged ? this.client.networks() : Promise.resolve(prev.networks.map((n) => ({ ...n, members: [] }))),
      Promise.all([...containerIds].map((id) => this.client.inspectContainer(id).catch((err: unknown) => (err instanceof DockerApiError && err.status === 404 ? id : Promise.reject(err))))),
    ]);
    const byId = new Map(prev.containers.map((c) => [c.id, c]));
    for (const f of fresh) {
      if (typeof f === 'string') byId.delete(f); // destroyed
      else byId.set(f.id, f);
    }
    const containers = [...byId.values()];
    const next: Snapshot = { ...prev, networks: withMembers(networks, containers), containers, takenAt: new Date().toISOString() };
    return next;
  }

  /** One snapshot at a time; a refresh asked for meanwhile runs right after (merged). */
  refresh(why: RefreshReason | null): Promise<void> {
    if (this.running) {
      this.again = why ? { events: [...(this.again?.events ?? []), ...why.events], reconnected: (this.again?.reconnected ?? false) || why.reconnected } : (this.again ?? { events: [], reconnected: false });
      return this.running;
    }
    this.running = (async () => {
      try {
        if (why && why.events.length > 0 && !why.reconnected && why.events.every(ownExec)) return;
        const snapshot = this.last && why && !why.reconnected ? await this.update(this.last, why) : await takeSnapshot(this.client);
        this.last = snapshot;
        this.o.onState({ snapshot, model: snapshotToEngine(snapshot, this.o.hostName), why });
        // In the background (never holding the tree): the sockets of the containers the events name
        // (started, exec'd into), or of all after a full read; the host's rules each time.
        const named = why && !why.reconnected ? new Set(why.events.filter((e) => e.kind.startsWith('container:') && !ownExec(e)).map((e) => e.id)) : undefined;
        void this.observe(named).catch((err: unknown) => this.o.onError?.(err instanceof Error ? err : new Error(String(err))));
      } catch (err) {
        this.last = null; // events may be lost: the next refresh reads the whole host
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
