// A live host's connection as the status bar and the tree report it, against a fake Docker client: a
// daemon that does not answer is "unreachable" with Docker's message and a next try, and is connected
// (with its version) once it answers — by the watcher's backoff, with no user action; a malformed
// endpoint says what is wrong and is not retried.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UnreachableError, type DockerClient } from '../../../src/docker';
import type { LiveState } from '../../../src/live';
import { parseDockerHost } from '../../../src/docker/connection';
import type { ConfiguredHost } from '../../../src/extension/live/endpoints';
import { LiveHostConnection, PING_INTERVAL_MS, PING_TIMEOUT_MS, REQUEST_TIMEOUT_MS } from '../../../src/extension/live/liveHostConnection';

function fakeDocker(): { client: DockerClient; up: boolean } {
  const box = { up: false, client: undefined as unknown as DockerClient };
  const down = () => Promise.reject(new UnreachableError('connect ECONNREFUSED /var/run/fake.sock'));
  box.client = new Proxy({} as DockerClient, {
    get: (_t, prop) => {
      if (prop === 'description') return 'unix:///var/run/fake.sock';
      if (prop === 'local') return false;
      if (prop === 'then') return undefined;
      return (..._args: unknown[]) => {
        if (!box.up) return down();
        switch (prop) {
          case 'daemon': return Promise.resolve({ version: '20.10.24+dfsg1', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' });
          case 'networks': case 'containers': return Promise.resolve([]);
          case 'events': return Promise.resolve({ close() {} });
          default: return Promise.resolve();
        }
      };
    },
  });
  return box;
}

const host = (endpoint: ConfiguredHost['endpoint']): ConfiguredHost => ({ key: 'unix:///var/run/fake.sock', label: 'default', hostName: 'default', endpoint, isDefault: true });

async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('a live host connection', () => {
  it('is unreachable with Docker\'s message while the daemon is down, and connects by itself when it answers', async () => {
    const docker = fakeDocker();
    const logged: string[] = [];
    const log = { info: (m: string) => logged.push(`info ${m}`), warn: (m: string) => logged.push(`warn ${m}`), debug: () => {} };
    let changes = 0;
    const conn = new LiveHostConnection<LiveState>(host(parseDockerHost('unix:///var/run/fake.sock', null, { from: 'default' })), {
      log, changed: () => changes++, connect: () => docker.client, buildSource: (_k, _l, state) => state, backoffMinMs: 40, backoffMaxMs: 200,
    });
    conn.start();
    await until(() => conn.status.kind === 'unreachable', 'the host is unreachable');
    const s = conn.status;
    assert.ok(s.kind === 'unreachable');
    assert.match(s.message, /ECONNREFUSED/);
    assert.ok(Number.isFinite(s.retryAt) && s.retryAt >= Date.now() - 50, 'a next try is scheduled');
    assert.ok(logged.some((l) => l.startsWith('warn Docker host default: unreachable')), 'the disconnect is logged');
    assert.equal(conn.source(), undefined, 'no state before the first snapshot');

    docker.up = true;
    await until(() => conn.status.kind === 'connected', 'the host reconnects');
    assert.deepEqual(conn.status, { kind: 'connected', version: '20.10.24' });
    assert.equal(conn.state?.snapshot.daemon.version, '20.10.24+dfsg1');
    assert.ok(conn.source(), 'the state is there for the tree and the diagram');
    assert.ok(logged.some((l) => l === 'info Docker host default: connected to Docker 20.10.24 at unix:///var/run/fake.sock'), logged.join('\n'));
    assert.ok(changes >= 3, 'every change is announced');
    conn.stop();
  });

  it('does not retry a malformed endpoint: it says what is wrong', () => {
    const conn = new LiveHostConnection(host({ error: 'unsupported Docker endpoint "ftp://x": the scheme must be unix, tcp or ssh' }), {
      log: { info: () => {}, warn: () => {}, debug: () => {} }, changed: () => {}, connect: () => assert.fail('no client for a malformed endpoint'), buildSource: () => null,
    });
    conn.start();
    const s = conn.status;
    assert.ok(s.kind === 'unreachable');
    assert.match(s.message, /scheme must be unix, tcp or ssh/);
    assert.equal(s.retryAt, Number.POSITIVE_INFINITY);
    conn.stop();
  });

  it('a host whose pings stop answering is unreachable within the ping bound, shows no state as current, and reconnects with a fresh read', async () => {
    let answering = true;
    let reads = 0;
    const ends: ((err: Error | null) => void)[] = [];
    const client = new Proxy({} as DockerClient, {
      get: (_t, prop) => {
        if (prop === 'description') return 'unix:///var/run/fake.sock';
        if (prop === 'local') return false;
        if (prop === 'then') return undefined;
        return (...args: unknown[]) => {
          if (prop === 'ping') return answering ? Promise.resolve() : Promise.reject(new UnreachableError('ping: no answer from Docker within 40 ms'));
          if (!answering) return Promise.reject(new UnreachableError(`${String(prop)}: no answer from Docker within 40 ms`));
          switch (prop) {
            case 'daemon': reads++; return Promise.resolve({ version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' });
            case 'networks': case 'containers': return Promise.resolve([]);
            case 'events': ends.push(args[1] as (err: Error | null) => void); return Promise.resolve({ close() {} });
            default: return Promise.resolve();
          }
        };
      },
    });
    const kinds: string[] = [];
    const conn = new LiveHostConnection<LiveState>(host(parseDockerHost('unix:///var/run/fake.sock', null, { from: 'default' })), {
      log: { info: () => {}, warn: () => {}, debug: () => {} },
      changed: (e) => kinds.at(-1) !== e.status.kind && kinds.push(e.status.kind),
      connect: () => client, buildSource: (_k, _l, state) => state, backoffMinMs: 40, backoffMaxMs: 80, pingIntervalMs: 20, pingTimeoutMs: 40,
    });
    conn.start();
    await until(() => conn.status.kind === 'connected', 'connected');
    await new Promise((r) => setTimeout(r, 150));
    assert.deepEqual(kinds, ['connecting', 'connected'], 'idle: no flicker');
    answering = false;
    const t0 = Date.now();
    await until(() => conn.status.kind === 'unreachable', 'unreachable once the pings fail', 500);
    assert.ok(Date.now() - t0 < 200);
    assert.match((conn.status as { message: string }).message, /ping: no answer from Docker within 40 ms/);
    const readsBefore = reads;
    answering = true;
    await until(() => conn.status.kind === 'connected', 'connected again');
    assert.ok(reads > readsBefore, 'the host was read again after the reconnection');
    conn.stop();
  });

  it('a snapshot that lands while the event stream is down does not make the host "connected"', async () => {
    const ends: ((err: Error | null) => void)[] = [];
    let streamUp = true;
    const client = new Proxy({} as DockerClient, {
      get: (_t, prop) => {
        if (prop === 'description') return 'fake';
        if (prop === 'local') return false;
        if (prop === 'then') return undefined;
        return (...args: unknown[]) => {
          switch (prop) {
            case 'daemon': return Promise.resolve({ version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' });
            case 'networks': case 'containers': return Promise.resolve([]);
            case 'events':
              if (!streamUp) return Promise.reject(new UnreachableError('events: cannot reach Docker (ECONNREFUSED)'));
              ends.push(args[1] as (err: Error | null) => void);
              return Promise.resolve({ close() {} });
            default: return Promise.resolve();
          }
        };
      },
    });
    const conn = new LiveHostConnection<LiveState>(host(parseDockerHost('unix:///var/run/fake.sock', null, { from: 'default' })), {
      log: { info: () => {}, warn: () => {}, debug: () => {} }, changed: () => {}, connect: () => client, buildSource: (_k, _l, state) => state,
      backoffMinMs: 30, backoffMaxMs: 60, pingIntervalMs: 0,
    });
    conn.start();
    await until(() => conn.status.kind === 'connected', 'connected');
    streamUp = false;
    ends[0]!(null);
    await until(() => conn.status.kind === 'unreachable', 'unreachable');
    await conn.refresh(); // reads the host fine, but the stream is still down
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(conn.status.kind, 'unreachable');
    streamUp = true;
    await until(() => conn.status.kind === 'connected', 'connected once the stream is back');
    conn.stop();
  });

  it('a daemon that hangs right after the first snapshot, while its event stream is asked for, is unreachable within the ping bound', async (t) => {
    // Fake clock: each request that gets no answer fails at its own deadline, as the real client's do.
    t.mock.timers.enable({ apis: ['setTimeout'] });
    let hung = false;
    const noAnswer = (what: string, ms: number) => new Promise<never>((_resolve, reject) => setTimeout(() => reject(new UnreachableError(`${what}: no answer from Docker within ${ms / 1000} s`)), ms));
    const client = new Proxy({} as DockerClient, {
      get: (_t, prop) => {
        if (prop === 'description') return 'unix:///var/run/fake.sock';
        if (prop === 'local') return false;
        if (prop === 'then') return undefined;
        return (...args: unknown[]) => {
          if (prop === 'ping') return hung ? noAnswer('ping', (args[0] as { timeoutMs: number }).timeoutMs) : Promise.resolve();
          switch (prop) {
            case 'daemon': return Promise.resolve({ version: '20.10.24', apiVersion: '1.41', os: 'linux', arch: 'amd64', kernelVersion: '6.1.0' });
            case 'networks':
            case 'containers': return Promise.resolve([]);
            case 'events':
              hung = true; // the snapshot was read; from now on the daemon answers nothing
              return noAnswer('events', REQUEST_TIMEOUT_MS);
            default: return Promise.resolve();
          }
        };
      },
    });
    const seen: string[] = [];
    const conn = new LiveHostConnection<LiveState>(host(parseDockerHost('unix:///var/run/fake.sock', null, { from: 'default' })), {
      log: { info: () => {}, warn: () => {}, debug: () => {} },
      changed: (e) => seen.at(-1) !== e.status.kind && seen.push(e.status.kind),
      connect: () => client, buildSource: (_k, _l, state) => state,
    });
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    conn.start();
    await settle();
    assert.equal(conn.status.kind, 'connected', 'the first snapshot was read');
    // Step the clock up to the ping bound (a ping's interval plus its deadline), never to the request deadline.
    const bound = PING_INTERVAL_MS + PING_TIMEOUT_MS;
    assert.ok(bound < REQUEST_TIMEOUT_MS);
    for (let ms = 0; ms < bound && conn.status.kind === 'connected'; ms += 250) {
      t.mock.timers.tick(250);
      await settle();
    }
    assert.equal(conn.status.kind, 'unreachable', `still "${conn.status.kind}" after ${bound / 1000} s without an answer`);
    assert.match((conn.status as { message: string }).message, /ping: no answer from Docker/);
    assert.deepEqual(seen, ['connecting', 'connected', 'unreachable']);
    conn.stop();
  });
});
