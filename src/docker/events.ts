// Follows a host through Docker's event stream: each network/container change asks for one refresh,
// within the bound (bursts coalesce; the first event of a burst is never held longer than maxDelayMs).
// When the stream breaks (daemon restart, network), it reconnects with exponential backoff and asks
// for a refresh once back, since anything may have changed meanwhile. It never polls the host's state.
//
// The stream itself has no idle timeout (a quiet daemon sends nothing for hours), so its liveness is a
// cheap GET /_ping every few seconds with a short deadline of its own, from the moment the stream is
// asked for (its headers may never come): a daemon that was killed, whose socket was removed or that
// stopped answering is noticed within pingIntervalMs + pingTimeoutMs, and the stream is then dropped
// and reconnected. A daemon killed outright also closes the stream at once.
import type { DockerClient, DockerEvent, EventSubscription } from './types';

export type WatchStatus =
  | { state: 'connecting' }
  | { state: 'connected' }
  | { state: 'disconnected'; error: string; retryInMs: number }
  | { state: 'stopped' };

export interface WatchOptions {
  /** Quiet time that ends a burst (default 40 ms). */
  debounceMs?: number;
  /** Upper bound between an event and its refresh (default 200 ms, under the 300 ms promise). */
  maxDelayMs?: number;
  /** Backoff for reconnecting: first wait, growth factor 2, cap. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /** Liveness while subscribing and connected: a ping this often (default 4 s; 0 turns it off) … */
  pingIntervalMs?: number;
  /** … that must answer within this (default 4 s). */
  pingTimeoutMs?: number;
  onStatus?: (s: WatchStatus) => void;
}

/** Why a refresh is asked for: the events of the burst, or a (re)connection. */
export interface RefreshReason {
  events: DockerEvent[];
  reconnected: boolean;
}

export class DockerWatcher {
  private sub: EventSubscription | null = null;
  private stopped = true;
  private backoff: number;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private debounceTimer: ReturnType<typeof setTimeout> | null = null;
  private maxTimer: ReturnType<typeof setTimeout> | null = null;
  private pending: DockerEvent[] = [];
  private everConnected = false;
  private pingTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped on every (re)subscription: a ping answering for an older one is ignored. */
  private generation = 0;
  private readonly o: Required<Omit<WatchOptions, 'onStatus'>> & Pick<WatchOptions, 'onStatus'>;

  constructor(
    private readonly client: DockerClient,
    private readonly onRefresh: (why: RefreshReason) => void,
    opts: WatchOptions = {},
  ) {
    this.o = { debounceMs: 40, maxDelayMs: 200, backoffMinMs: 250, backoffMaxMs: 10_000, pingIntervalMs: 4000, pingTimeoutMs: 4000, ...opts };
    this.backoff = this.o.backoffMinMs;
  }

  /** Subscribes; resolves once the first subscription is up or has failed (then retries in the background). */
  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    await this.subscribe();
  }

  stop(): void {
    this.stopped = true;
    this.sub?.close();
    this.sub = null;
    for (const t of [this.retryTimer, this.debounceTimer, this.maxTimer, this.pingTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.debounceTimer = this.maxTimer = this.pingTimer = null;
    this.generation++;
    this.pending = [];
    this.o.onStatus?.({ state: 'stopped' });
  }

  private async subscribe(): Promise<void> {
    this.o.onStatus?.({ state: 'connecting' });
    const gen = ++this.generation;
    // Pinging starts with the subscription, not once Docker has answered it: a daemon that hangs while
    // the stream's headers are awaited is noticed within the ping bound, not at the request deadline.
    this.schedulePing(gen);
    try {
      const sub = await this.client.events(
        (e) => gen === this.generation && this.onEvent(e),
        (err) => gen === this.generation && this.onBroken(err ?? new Error('Docker ended the event stream')),
      );
      // Stopped, or a ping failed meanwhile (a retry is already scheduled): this stream is not used.
      if (this.stopped || gen !== this.generation) {
        sub.close();
        return;
      }
      this.sub = sub;
      this.backoff = this.o.backoffMinMs;
      this.o.onStatus?.({ state: 'connected' });
      if (this.everConnected) this.onRefresh({ events: [], reconnected: true });
      this.everConnected = true;
    } catch (err) {
      if (gen === this.generation) this.onBroken(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private schedulePing(gen: number): void {
    if (!this.o.pingIntervalMs || this.stopped) return;
    this.pingTimer = setTimeout(() => {
      this.pingTimer = null;
      Promise.resolve().then(() => this.client.ping({ timeoutMs: this.o.pingTimeoutMs })).then(
        () => gen === this.generation && this.schedulePing(gen),
        (err: unknown) => gen === this.generation && this.onBroken(err instanceof Error ? err : new Error(String(err))),
      );
    }, this.o.pingIntervalMs);
  }

  private onBroken(err: Error): void {
    // The stream (if still open) belongs to a dead connection: drop it, stop pinging it.
    this.generation++;
    this.sub?.close();
    if (this.pingTimer) clearTimeout(this.pingTimer);
    this.pingTimer = null;
    this.sub = null;
    if (this.stopped || this.retryTimer) return;
    const wait = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.o.backoffMaxMs);
    this.everConnected = true; // whatever happens next is a reconnection
    this.o.onStatus?.({ state: 'disconnected', error: err.message, retryInMs: wait });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) void this.subscribe();
    }, wait);
  }

  private onEvent(e: DockerEvent): void {
    if (this.stopped) return;
    this.pending.push(e);
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => this.flush(), this.o.debounceMs);
    this.maxTimer ??= setTimeout(() => this.flush(), this.o.maxDelayMs);
  }

  private flush(): void {
    for (const t of [this.debounceTimer, this.maxTimer]) if (t) clearTimeout(t);
    this.debounceTimer = this.maxTimer = null;
    if (this.pending.length === 0) return;
    const events = this.pending;
    this.pending = [];
    this.onRefresh({ events, reconnected: false });
  }
}
