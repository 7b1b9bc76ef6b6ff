// A macvlan network on a parent link of this machine: the snapshot brings the host's own interfaces
// (the daemon is local), so the engine reproduces the network and its children's addresses.
// The parent is a veth pair this test makes and removes (the kernel here has no dummy module).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { takeSnapshot } from '../../../src/docker/snapshot';
import { snapshotToEngine } from '../../../src/live/replay';
import { unavailable } from '../../support/exclusions.mjs';
import { client, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

test('a macvlan network and its containers are reproduced from the live host', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  const link = `cnmv${process.pid % 100000}`;
  try {
    execFileSync('ip', ['link', 'add', link, 'type', 'veth', 'peer', 'name', `${link}p`]);
    execFileSync('ip', ['link', 'set', link, 'up']);
    execFileSync('ip', ['link', 'set', `${link}p`, 'up']);
  } catch (err) {
    // Root and veth are what the Docker tier needs anyway (CI runs as root): no exclusion.
    unavailable(t, `cannot make a veth pair here (needs root): ${(err as Error).message}`);
    return;
  }
  try {
    await liveScenario(c, 'cnmlive-mv-', async (made) => {
      const mv = made.net('mv');
      await c.createNetwork({ name: mv, driver: 'macvlan', options: { parent: link }, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.247.0.0/24', gateway: '10.247.0.1', auxAddresses: {} }] });
      const a = made.ctr('a'), b = made.ctr('b');
      await c.runContainer({ name: a, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: mv, endpoint: { ipv4Address: '10.247.0.5' } });
      await c.runContainer({ name: b, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: mv });
      const snap = await takeSnapshot(c);
      assert.ok(snap.hostInterfaces && link in snap.hostInterfaces, `the parent ${link} is among the host's interfaces`);
      const model = snapshotToEngine(snap);
      assert.deepEqual(model.warnings.filter((w) => w.includes(made.prefix)), []);
      const result = model.engine.inspect();
      const net = result.networks.find((n) => n.name === mv);
      assert.deepEqual([net?.driver, net?.subnet, net?.gateway], ['macvlan', '10.247.0.0/24', '10.247.0.1']);
      const live = Object.fromEntries(snap.containers.filter((x) => x.name.startsWith(made.prefix)).map((x) => [x.name, x.endpoints.map((e) => [e.ipv4Address, e.macAddress])]));
      const modelled = Object.fromEntries(result.containers.filter((x) => x.name.startsWith(made.prefix)).map((x) => [x.name, x.endpoints.map((e) => [e.ipv4_address, e.mac_address])]));
      assert.deepEqual(modelled, live);
    });
  } finally {
    execFileSync('ip', ['link', 'del', link]);
  }
});
