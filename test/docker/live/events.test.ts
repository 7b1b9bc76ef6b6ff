// Following the real dockerd: a change made with the docker CLI reaches the explorer's model through
// the event stream, the refresh asked for within 300 ms, without polling.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DockerWatcher, type RefreshReason } from '../../../src/docker/events';
import { LiveHost, type LiveState } from '../../../src/live/liveHost';
import { takeSnapshot } from '../../../src/docker/snapshot';
import { client, dockerCli, IMAGE, LIVE_LABEL_ARG, liveScenario, requireLive, sleep } from './support';

interface Refresh {
  at: number;
  /** Wall-clock ms, to compare with the event's own timeNano. */
  wall: number;
  why: RefreshReason;
}

/** Resolves with the time (performance.now) of the first refresh whose events satisfy `match`. */
function waitForRefresh(refreshes: Refresh[], match: (why: RefreshReason) => boolean, timeoutMs = 5000): Promise<Refresh> {
  const end = performance.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const tick = () => {
      const hit = refreshes.find((r) => match(r.why));
      if (hit) return resolve(hit);
      if (performance.now() > end) return reject(new Error(`no refresh within ${timeoutMs} ms; got ${JSON.stringify(refreshes.map((r) => r.why.events.map((e) => e.kind)))}`));
      setTimeout(tick, 5);
    };
    tick();
  });
}

test('network create/connect/disconnect/destroy and container start/die/rename/destroy each refresh within 300 ms', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-ev-', async (made) => {
    const refreshes: Refresh[] = [];
    const watcher = new DockerWatcher(c, (why) => refreshes.push({ at: performance.now(), wall: Date.now(), why }));
    await watcher.start();
    try {
      const home = made.net('home');
      const net = made.net('n');
      const ctr = made.ctr('c');
      const created = await dockerCli(['network', 'create', '--label', LIVE_LABEL_ARG, '--subnet', '10.235.0.0/24', home]);
      assert.equal(created.code, 0, created.stderr);
      const renamed = made.ctr('c2');
      // Each step: the CLI command's own exit marks "after the event"; the refresh must follow within 300 ms.
      const steps: [string, string[], (why: RefreshReason) => boolean][] = [
        ['network create', ['network', 'create', '--label', LIVE_LABEL_ARG, '--subnet', '10.233.0.0/24', net], (w) => w.events.some((e) => e.kind === 'network:create' && e.name === net)],
        ['container start', ['run', '-d', '--label', LIVE_LABEL_ARG, '--name', ctr, '--network', home, IMAGE, 'sleep', '3600'], (w) => w.events.some((e) => e.kind === 'container:start' && e.name === ctr)],
        ['network connect', ['network', 'connect', net, ctr], (w) => w.events.some((e) => e.kind === 'network:connect' && e.name === net)],
        ['network disconnect', ['network', 'disconnect', net, ctr], (w) => w.events.some((e) => e.kind === 'network:disconnect' && e.name === net)],
        ['container rename', ['rename', ctr, renamed], (w) => w.events.some((e) => e.kind === 'container:rename' && e.name === renamed)],
        ['container die', ['kill', renamed], (w) => w.events.some((e) => e.kind === 'container:die' && e.name === renamed)],
        ['container destroy', ['rm', renamed], (w) => w.events.some((e) => e.kind === 'container:destroy' && e.name === renamed)],
        ['network destroy', ['network', 'rm', net], (w) => w.events.some((e) => e.kind === 'network:destroy' && e.name === net)],
      ];
      const latencies: string[] = [];
      for (const [what, args, match] of steps) {
        const r = await dockerCli(args);
        assert.equal(r.code, 0, `${what}: ${r.stderr}`);
        const done = performance.now();
        const hit = await waitForRefresh(refreshes, match);
        const ms = Math.max(0, hit.at - done);
        // From the event itself (dockerd's timestamp, same machine clock) to the refresh.
        const ev = hit.why.events.find((e) => match({ events: [e], reconnected: false }));
        const fromEvent = ev?.timeNano ? hit.wall - Number(BigInt(ev.timeNano) / 1_000_000n) : NaN;
        latencies.push(`${what} ${fromEvent.toFixed(0)} ms`);
        assert.ok(ms < 300, `${what}: refresh ${ms.toFixed(0)} ms after the command returned`);
        assert.ok(fromEvent < 300, `${what}: refresh ${fromEvent.toFixed(0)} ms after the event`);
      }
      console.log(`  refresh latency from the event's timestamp: ${latencies.join(', ')}`);
    } finally {
      watcher.stop();
    }
  });
});

test('LiveHost: the model shows a new network and its container shortly after the events', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-lh-', async (made) => {
    const states: { at: number; state: LiveState }[] = [];
    const errors: Error[] = [];
    const live = new LiveHost(c, { onState: (state) => states.push({ at: performance.now(), state }), onError: (e) => errors.push(e) });
    await live.start();
    try {
      assert.ok(states.length >= 1, 'an initial snapshot');
      const net = made.net('n');
      const ctr = made.ctr('c');
      await c.createNetwork({ name: net, labels: { 'cnm-explorer.live-test': '1' }, ipamConfig: [{ subnet: '10.234.0.0/24', auxAddresses: {} }] });
      await c.runContainer({ name: ctr, image: IMAGE, cmd: ['sleep', '3600'], labels: { 'cnm-explorer.live-test': '1' }, networkMode: net, endpoint: { ipv4Address: '10.234.0.7' } });
      const done = performance.now();
      const end = done + 5000;
      let seen: { at: number; state: LiveState } | undefined;
      while (!seen && performance.now() < end) {
        seen = states.find((s) => s.state.model.engine.inspect().containers.some((x) => x.name === ctr && x.endpoints.some((e) => e.ipv4_address === '10.234.0.7')));
        if (!seen) await sleep(10);
      }
      assert.ok(seen, `the model shows ${ctr} at 10.234.0.7 (errors: ${errors.map((e) => e.message).join('; ')})`);
      console.log(`  model updated ${(seen.at - done).toFixed(0)} ms after the run returned (event → refresh → snapshot → engine)`);

      // More changes, followed incrementally; the result equals a fresh full snapshot.
      const other = made.net('o');
      await c.createNetwork({ name: other, labels: { 'cnm-explorer.live-test': '1' }, ipamConfig: [{ subnet: '10.234.1.0/24', auxAddresses: {} }] });
      await c.connect(other, ctr, { ipv4Address: '10.234.1.9', aliases: ['db'] });
      const ctr2 = made.ctr('c2');
      await c.runContainer({ name: ctr2, image: IMAGE, cmd: ['sleep', '3600'], labels: { 'cnm-explorer.live-test': '1' }, networkMode: other });
      await c.removeContainer(ctr2, true);
      const fingerprint = (s: LiveState['snapshot']) => ({
        networks: s.networks.filter((n) => n.name.startsWith(made.prefix)).map((n) => `${n.name} ${JSON.stringify(n.ipamConfig)} ${n.members.map((m) => `${m.name}=${m.ipv4Address}`).sort().join(',')}`).sort(),
        containers: s.containers.filter((x) => x.name.startsWith(made.prefix)).map((x) => `${x.name} ${x.running} ${x.endpoints.map((e) => `${e.network}=${e.ipv4Address}/${e.aliases.join('+')}`).sort().join(',')}`).sort(),
      });
      const full = fingerprint(await takeSnapshot(c));
      const end2 = performance.now() + 5000;
      while (performance.now() < end2 && JSON.stringify(fingerprint(states.at(-1)!.state.snapshot)) !== JSON.stringify(full)) await sleep(20);
      assert.deepEqual(fingerprint(states.at(-1)!.state.snapshot), full);
      assert.deepEqual(states.at(-1)!.state.model.engine.resolve(states.at(-1)!.state.model.host, ctr, 'db'), ['10.234.1.9']);
    } finally {
      live.stop();
    }
  });
});
