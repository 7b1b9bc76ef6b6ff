// Following a host: events become refreshes within the bound, bursts coalesce, a broken stream
// reconnects with growing waits and refreshes once back — with a scripted client, no daemon.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DockerWatcher, type RefreshReason, type WatchStatus } from '../../../src/docker/events';
import type { DockerClient, DockerEvent } from '../../../src/docker/types';

type Sink = { onEvent: (e: DockerEvent) => void; onEnd: (err: Error | null) => void };

function scriptedClient(failFirst = 0) {
  const sinks: Sink[] = [];
  let attempts = 0;
  const client = {
    description: 'fake',
    async ping() {},
    async events(onEvent: Sink['onEvent'], onEnd: Sink['onEnd']) {
      attempts++;
      if (attempts <= failFirst) throw new Error('connect ECONNREFUSED /var/run/docker.sock');
      sinks.push({ onEvent, onEnd });
      return { close() {} };
    },
  } as unknown as DockerClient;
  return { client, sinks, attempts: () => attempts };
}

const ev = (kind: DockerEvent['kind']): DockerEvent => ({ kind, id: 'x', name: 'n', container: null, timeNano: null });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('DockerWatcher', () => {
  it('one refresh for a burst of events, well within 300 ms of the first', async () => {
    const { client, sinks } = scriptedClient();
    const refreshes: { at: number; why: RefreshReason }[] = [];
    const w = new DockerWatcher(client, (why) => refreshes.push({ at: performance.now(), why }));
    await w.start();
    const t0 = performance.now();
    sinks[0]!.onEvent(ev('network:create'));
    sinks[0]!.onEvent(ev('network:connect'));
    sinks[0]!.onEvent(ev('container:start'));
    await sleep(350);
    w.stop();
    assert.equal(refreshes.length, 1);
    assert.deepEqual(refreshes[0]!.why.events.map((e) => e.kind), ['network:create', 'network:connect', 'container:start']);
    assert.ok(refreshes[0]!.at - t0 < 300, `refresh after ${refreshes[0]!.at - t0} ms`);
  });

  it('a continuous stream of events still refreshes within the bound (no starvation by debouncing)', async () => {
    const { client, sinks } = scriptedClient();
    const times: number[] = [];
    const w = new DockerWatcher(client, () => times.push(performance.now()));
    await w.start();
    const t0 = performance.now();
    const timer = setInterval(() => sinks[0]!.onEvent(ev('container:die')), 10);
    await sleep(320);
    clearInterval(timer);
    w.stop();
    assert.ok(times.length >= 1 && times[0]! - t0 < 300, `first refresh after ${times[0]! - t0} ms`);
  });

  it('reconnects with growing waits when the daemon is away, and refreshes once it is back', async () => {
    const { client, sinks, attempts } = scriptedClient(2);
    const statuses: WatchStatus[] = [];
    const refreshes: RefreshReason[] = [];
    const w = new DockerWatcher(client, (why) => refreshes.push(why), { backoffMinMs: 20, onStatus: (s) => statuses.push(s) });
    await w.start();
    await sleep(150);
    assert.equal(attempts(), 3);
    const waits = statuses.flatMap((s) => (s.state === 'disconnected' ? [s.retryInMs] : []));
    assert.deepEqual(waits, [20, 40]);
    assert.deepEqual(refreshes, [{ events: [], reconnected: true }]);
    // The stream breaks (dockerd restarted): it says so and comes back.
    sinks[0]!.onEnd(null);
    await sleep(80);
    assert.equal(sinks.length, 2);
    assert.equal(refreshes.length, 2);
    w.stop();
    assert.equal(statuses.at(-1)?.state, 'stopped');
  });

  it('an idle stream stays connected: the pings answer, no reconnect however long nothing happens', async () => {
    const { client, attempts } = scriptedClient();
    let pings = 0;
    (client as unknown as { ping: () => Promise<void> }).ping = async () => void pings++;
    const statuses: WatchStatus[] = [];
    const w = new DockerWatcher(client, () => undefined, { pingIntervalMs: 10, pingTimeoutMs: 50, onStatus: (s) => statuses.push(s) });
    await w.start();
    await sleep(250);
    w.stop();
    assert.ok(pings >= 10, `${pings} pings`);
    assert.equal(attempts(), 1);
    assert.deepEqual(statuses.map((s) => s.state), ['connecting', 'connected', 'stopped']);
  });

  it('a failed ping drops the open stream and reconnects; the status says why at once', async () => {
    const { client, sinks, attempts } = scriptedClient();
    let up = true;
    let closed = 0;
    const c = client as unknown as { ping: (o: { timeoutMs: number }) => Promise<void>; events: (...a: unknown[]) => Promise<{ close(): void }> };
    const events = c.events.bind(client);
    c.events = async (...a: unknown[]) => {
      if (!up) throw new Error('events: cannot reach Docker (ENOENT)');
      const sub = await events(...a);
      return { close: () => { closed++; sub.close(); } };
    };
    c.ping = async (o) => {
      assert.equal(o.timeoutMs, 30);
      if (!up) throw new Error('ping: no answer from Docker within 30 ms');
    };
    const statuses: WatchStatus[] = [];
    const refreshes: RefreshReason[] = [];
    const w = new DockerWatcher(client, (why) => refreshes.push(why), { pingIntervalMs: 20, pingTimeoutMs: 30, backoffMinMs: 20, onStatus: (s) => statuses.push(s) });
    await w.start();
    await sleep(50);
    up = false; // the stream stays open (a hung daemon), only the pings say it is gone
    await sleep(60);
    const down = statuses.find((s) => s.state === 'disconnected');
    assert.ok(down && down.state === 'disconnected' && /no answer from Docker within 30 ms/.test(down.error), JSON.stringify(statuses));
    assert.equal(closed, 1, 'the old stream was closed');
    // An event on the dead stream is not taken for a live one.
    sinks[0]!.onEvent(ev('network:create'));
    up = true;
    await sleep(150);
    w.stop();
    assert.ok(attempts() >= 2);
    assert.equal(statuses.filter((s) => s.state === 'connected').length, 2);
    assert.deepEqual(refreshes, [{ events: [], reconnected: true }], 'one full refresh after the reconnection, nothing from the dead stream');
  });

  it('pings while the stream is asked for: a daemon that never answers the subscription is disconnected by the ping, and a late answer is not used', async () => {
    let answerLate: ((sub: { close(): void }) => void) | undefined;
    let closed = 0;
    let subscriptions = 0;
    const client = {
      description: 'fake',
      async ping() {
        throw new Error('ping: no answer from Docker within 30 ms');
      },
      events() {
        subscriptions++;
        return new Promise((resolve) => (answerLate ??= resolve));
      },
    } as unknown as DockerClient;
    const statuses: WatchStatus[] = [];
    const w = new DockerWatcher(client, () => undefined, { pingIntervalMs: 20, pingTimeoutMs: 30, backoffMinMs: 1000, onStatus: (s) => statuses.push(s) });
    void w.start();
    await sleep(80);
    const down = statuses.find((s) => s.state === 'disconnected');
    assert.ok(down && down.state === 'disconnected' && /ping: no answer/.test(down.error), JSON.stringify(statuses));
    answerLate!({ close: () => void closed++ });
    await sleep(10);
    w.stop();
    assert.equal(subscriptions, 1);
    assert.equal(closed, 1, 'the late stream was closed');
    assert.ok(!statuses.some((s) => s.state === 'connected'), 'never "connected" on a stream the pings gave up on');
  });
});
