// Follows a host through Docker's event stream: each network/container change asks for one refresh,
// within the bound (bursts coalesce; the first event of a burst is never held longer than maxDelayMs).
// When the stream breaks (daemon restart, network), it reconnects with exponential backoff and asks
// for a refresh once back, since anything may have changed meanwhile. It never polls.
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
  private readonly o: Required<Omit<WatchOptions, 'onStatus'>> & Pick<WatchOptions, 'onStatus'>;

  constructor(
    private readonly client: DockerClient,
    private readonly onRefresh: (why: RefreshReason) => void,
    opts: WatchOptions = {},
  ) {
    this.o = { debounceMs: 40, maxDelayMs: 200, backoffMinMs: 250, backoffMaxMs: 10_000, ...opts };
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
    for (const t of [this.retryTimer, this.debounceTimer, this.maxTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.debounceTimer = this.maxTimer = null;
    this.pending = [];
    this.o.onStatus?.({ state: 'stopped' });
  }

  private async subscribe(): Promise<void> {
    this.o.onStatus?.({ state: 'connecting' });
    try {
      const sub = await this.client.events(
        (e) => this.onEvent(e),
        (err) => this.onBroken(err ?? new Error('the event stream ended')),
      );
      if (this.stopped) {
        sub.close();
        return;
      }
      this.sub = sub;
      this.backoff = this.o.backoffMinMs;
      this.o.onStatus?.({ state: 'connected' });
      if (this.everConnected) this.onRefresh({ events: [], reconnected: true });
      this.everConnected = true;
    } catch (err) {
      this.onBroken(err instanceof Error ? err : new Error(String(err)));
    }
  }

  private onBroken(err: Error): void {
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
