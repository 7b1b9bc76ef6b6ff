// One configured Docker host and its connection: a LiveHost (snapshot + Docker's event stream) whose
// watcher reconnects with backoff, mapped to the status the status bar and the tree show. No `vscode`
// at run time (unit-tested with a fake client): the log and the source builder are passed in.
import { tlsWarning, type DockerClient, type SshEndpoint, type SshHostAccess, type WatchStatus } from '../../docker';
import { isSwarmManager, LiveHost, readSwarmNodes, swarmTopology, type LiveState, type NodeEndpoint } from '../../live';
import { endpointUrl, type ConfiguredHost } from './endpoints';
import type { LiveConnectionStatus, LiveHostEntry } from './liveHostsApi';

/** What the connection logs (a vscode.LogOutputChannel in the extension). */
export interface ConnectionLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface ConnectionOptions<S> {
  log: ConnectionLog;
  /** Called on every change of status or state. */
  changed(entry: LiveHostConnection<S>): void;
  connect(host: ConfiguredHost): DockerClient;
  /** Builds the loaded source of a state (once per state, when asked for). */
  buildSource(key: string, label: string, state: LiveState, revision: number): S;
  /** Reconnection backoff: first wait, then doubling up to the cap (default 1 s to 30 s). */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Liveness of a connected host: a ping this often, with this deadline (default 4 s and 4 s; see DockerWatcher). */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
  /** The user allows reading an ssh host's rules, routes and sysctls over ssh (cnm.live.readHostOverSsh); asked at each reading. */
  readHostOverSsh?: () => boolean;
  /**
   * The swarm's node daemons to read beside a manager (cnm.live.swarmNodes), asked at each reading; and
   * how one endpoint as written becomes a client (or why it cannot).
   */
  swarmNodes?: () => readonly string[];
  connectNode?: (endpoint: string) => NodeEndpoint;
}

/**
 * A request to a host that does not answer gives up after this (the next try comes with backoff). It is
 * each request's total deadline; the event stream has none (a quiet daemon sends nothing for hours):
 * whether the host is still there is the watcher's ping's to say, within PING_INTERVAL + PING_TIMEOUT.
 */
export const REQUEST_TIMEOUT_MS = 15_000;
export const PING_INTERVAL_MS = 4000;
export const PING_TIMEOUT_MS = 4000;


/** A client for an endpoint that cannot be used: every request fails with the reason. */
function failingClient(description: string, message: string): DockerClient {
  return new Proxy({} as DockerClient, {
    get: (_target, prop) => {
      if (prop === 'description') return description;
      if (prop === 'local') return false;
      if (prop === 'then') return undefined; // not a thenable
      return () => Promise.reject(new Error(message));
    },
  });
}

/** The ssh host's reading consent, asked afresh at each reading (the setting may change meanwhile). */
function sshAccess(endpoint: SshEndpoint, allowed: (() => boolean) | undefined): () => SshHostAccess {
  return () => ({ endpoint, allowed: allowed?.() ?? false });
}

function short(version: string): string {
  return /^v?(\d+\.\d+(?:\.\d+)?)/.exec(version)?.[1] ?? version;
}

/** One configured host and its connection. */
export class LiveHostConnection<S = unknown> implements LiveHostEntry {
  readonly client: DockerClient;
  private currentStatus: LiveConnectionStatus = { kind: 'connecting' };
  private currentState: LiveState | undefined;
  private built: S | undefined;
  private revision = 0;
  private live: LiveHost | undefined;
  /** The event stream is up (a failed snapshot is then retried here, not by the watcher). */
  private streaming = false;
  /** The event stream broke and is not back: a snapshot read meanwhile does not make the host "connected". */
  private streamDown = false;
  private snapshotRetry: ReturnType<typeof setTimeout> | undefined;
  private readonly backoffMin: number;
  private readonly backoffMax: number;
  private snapshotBackoff: number;
  private stopped = false;
  private readonly log: ConnectionLog;
  /** Node clients by endpoint as written (kept across readings). */
  private readonly nodeClients = new Map<string, NodeEndpoint>();
  /** The swarm's nodes are being read for a manager state; a newer state meanwhile is read after it. */
  private swarmReading: Promise<void> | null = null;
  private swarmNext: LiveState | null = null;
  private swarmRetry: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly config: ConfiguredHost,
    private readonly o: ConnectionOptions<S>,
  ) {
    this.log = o.log;
    this.backoffMin = o.backoffMinMs ?? 1000;
    this.backoffMax = o.backoffMaxMs ?? 30_000;
    this.snapshotBackoff = this.backoffMin;
    const ep = config.endpoint;
    if ('error' in ep) this.client = failingClient(config.label, ep.error);
    else {
      try {
        this.client = o.connect(config);
      } catch (e) {
        this.client = failingClient(config.label, e instanceof Error ? e.message : String(e));
      }
    }
  }

  get key(): string {
    return this.config.key;
  }

  get label(): string {
    return this.config.label;
  }

  /** Where the host is, as a URL (the label may be a context's name). */
  get endpoint(): string {
    return 'error' in this.config.endpoint ? this.config.key : endpointUrl(this.config.endpoint);
  }

  get status(): LiveConnectionStatus {
    return this.currentStatus;
  }

  get state(): LiveState | undefined {
    return this.currentState;
  }

  /** The latest state as a loaded source (diagram, tracer); built once per state. */
  source(): S | undefined {
    if (!this.currentState) return undefined;
    this.built ??= this.o.buildSource(this.key, this.label, this.currentState, ++this.revision);
    return this.built;
  }

  start(): void {
    this.stopped = false;
    if ('error' in this.config.endpoint) {
      // A malformed endpoint never starts working by waiting: no retries, the message says what to fix.
      this.setStatus({ kind: 'unreachable', message: this.config.endpoint.error, retryAt: Number.POSITIVE_INFINITY });
      return;
    }
    // Encryption without checking the daemon's certificate is said, never silent (tlsWarning).
    const endpoint = this.config.endpoint;
    const insecure = tlsWarning(endpoint);
    if (insecure) this.log.warn(`Docker host ${this.label}: ${insecure}`);
    this.setStatus({ kind: 'connecting' });
    this.live = new LiveHost(this.client, {
      hostName: this.config.hostName,
      backoffMinMs: this.backoffMin,
      backoffMaxMs: this.backoffMax,
      pingIntervalMs: this.o.pingIntervalMs ?? PING_INTERVAL_MS,
      pingTimeoutMs: this.o.pingTimeoutMs ?? PING_TIMEOUT_MS,
      onState: (state) => this.onState(state),
      onError: (err) => this.onError(err),
      onStatus: (s) => this.onWatch(s),
      ...(endpoint.kind === 'ssh' ? { sshHost: sshAccess(endpoint, this.o.readHostOverSsh) } : {}),
    });
    void this.live.start().catch((e: unknown) => this.onError(e instanceof Error ? e : new Error(String(e))));
  }

  stop(): void {
    this.stopped = true;
    this.swarmNext = null;
    clearTimeout(this.swarmRetry);
    this.nodeClients.clear();
    clearTimeout(this.snapshotRetry);
    this.snapshotRetry = undefined;
    this.live?.stop();
    this.live = undefined;
    this.streaming = false;
    this.streamDown = false;
  }

  /** Reads the whole host again now; an unreachable host is tried again at once (backoff reset). */
  async refresh(): Promise<void> {
    if (!this.live || (this.currentStatus.kind === 'unreachable' && !this.streaming)) {
      this.stop();
      this.snapshotBackoff = this.backoffMin;
      this.start();
      await this.settled(REQUEST_TIMEOUT_MS + 1000);
      return;
    }
    const asked = Date.now();
    const full = { events: [], reconnected: true };
    await this.live.refresh(full);
    // A refresh already running when we asked may have read the host before the caller's change.
    if (this.live && (!this.currentState || Date.parse(this.currentState.snapshot.takenAt) < asked)) await this.live.refresh(full);
    // A swarm manager's state comes once its nodes are read too.
    while (this.swarmReading) await this.swarmReading;
  }

  /** Resolves when the host is connected or unreachable (not connecting), or after `ms`. */
  private settled(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = Date.now() + ms;
      const check = () => {
        if (this.currentStatus.kind !== 'connecting' || Date.now() > end || this.stopped) resolve();
        else setTimeout(check, 50);
      };
      check();
    });
  }

  private onState(state: LiveState): void {
    if (this.stopped) return;
    const nodes = this.o.swarmNodes?.() ?? [];
    if (nodes.length > 0 && isSwarmManager(state.snapshot)) this.readSwarm(state, nodes);
    else this.setState(state);
  }

  /** A manager with node endpoints: its state is given once the nodes are read too (one reading at a time). */
  private readSwarm(state: LiveState, endpoints: readonly string[]): void {
    if (this.swarmReading) {
      this.swarmNext = state;
      return;
    }
    this.swarmReading = (async () => {
      let next: LiveState = state;
      try {
        const nodes = endpoints.map((text) => this.nodeClient(text));
        const read = await readSwarmNodes(this.client, state.snapshot, nodes, { note: (m) => this.log.debug(`Docker host ${this.label}: ${m}`) });
        const swarm = swarmTopology(state.snapshot, read);
        next = { ...state, model: swarm.model, swarm };
      } catch (e) {
        // The manager alone is shown meanwhile (and says why); the nodes are read again shortly.
        const why = `the swarm's nodes cannot be read: ${e instanceof Error ? e.message : String(e)}`;
        this.log.warn(`Docker host ${this.label}: ${why}`);
        next = { ...state, model: { ...state.model, warnings: [...state.model.warnings, why] } };
        clearTimeout(this.swarmRetry);
        this.swarmRetry = setTimeout(() => {
          this.swarmRetry = undefined;
          if (!this.stopped && this.currentState === next) this.onState(state);
        }, this.snapshotBackoff);
      }
      if (!this.stopped && !this.swarmNext) this.setState(next);
    })().finally(() => {
      this.swarmReading = null;
      const again = this.swarmNext;
      this.swarmNext = null;
      if (again && !this.stopped) this.onState(again);
    });
  }

  private nodeClient(text: string): NodeEndpoint {
    let ep = this.nodeClients.get(text);
    if (!ep) {
      try {
        ep = this.o.connectNode?.(text) ?? { error: `${text}: no way to connect to swarm nodes` };
      } catch (e) {
        ep = { error: `${text}: ${e instanceof Error ? e.message : String(e)}` };
      }
      this.nodeClients.set(text, ep);
    }
    return ep;
  }

  private setState(state: LiveState): void {
    this.currentState = state;
    this.built = undefined;
    this.snapshotBackoff = this.backoffMin;
    clearTimeout(this.snapshotRetry);
    this.snapshotRetry = undefined;
    if (this.streamDown) return; // kept (not shown): the reconnection reads the host again
    const version = short(state.snapshot.daemon.version);
    if (this.currentStatus.kind !== 'connected') {
      this.log.info(`Docker host ${this.label}: connected to Docker ${version} at ${this.endpoint}`);
      for (const w of state.model.warnings) this.log.warn(`Docker host ${this.label}: not modelled: ${w}`);
    } else if (state.swarm) {
      // A node that came or went is said each time (its state follows the manager's).
      for (const [node, why] of state.swarm.model.unread) this.log.debug(`Docker host ${this.label}: swarm node ${node} not read: ${why}`);
    }
    this.setStatus({ kind: 'connected', version });
  }

  private onError(err: Error): void {
    if (this.stopped) return;
    let retryAt = this.currentStatus.kind === 'unreachable' ? this.currentStatus.retryAt : Date.now() + this.backoffMin;
    if (this.streaming && !this.snapshotRetry) {
      // The event stream is up but reading the host failed: nothing would try again until the next event.
      const wait = this.snapshotBackoff;
      this.snapshotBackoff = Math.min(wait * 2, this.backoffMax);
      retryAt = Date.now() + wait;
      this.snapshotRetry = setTimeout(() => {
        this.snapshotRetry = undefined;
        void this.live?.refresh({ events: [], reconnected: true });
      }, wait);
    }
    this.unreachable(err.message, retryAt);
  }

  private onWatch(s: WatchStatus): void {
    if (this.stopped) return;
    if (s.state === 'connected') {
      this.streaming = true;
      this.streamDown = false;
      // The stream is back but the host was last read with an error: read it now, not at the next event.
      if (this.currentStatus.kind === 'unreachable' && !this.snapshotRetry) void this.live?.refresh({ events: [], reconnected: true });
    } else if (s.state === 'disconnected') {
      this.streaming = false;
      this.streamDown = true;
      this.unreachable(s.error, Date.now() + s.retryInMs);
    } else if (s.state === 'stopped') this.streaming = false;
  }

  private unreachable(message: string, retryAt: number): void {
    const text = message.replace(/\s*\n\s*/g, ' ').trim() || 'no answer';
    const before = this.currentStatus;
    if (before.kind !== 'unreachable') this.log.warn(`Docker host ${this.label}: unreachable (${this.endpoint}): ${text}`);
    else if (before.message !== text) this.log.info(`Docker host ${this.label}: still unreachable: ${text}`);
    else this.log.debug(`Docker host ${this.label}: still unreachable; next try in ${Math.round((retryAt - Date.now()) / 1000)} s`);
    this.setStatus({ kind: 'unreachable', message: text, retryAt });
  }

  private setStatus(s: LiveConnectionStatus): void {
    this.currentStatus = s;
    this.o.changed(this);
  }
}

