// Import → file → apply: a live set of labelled networks and containers is imported as a topology
// file, removed, and re-created from the file by the apply plan; the networks and every address come
// back the same. Then drift finds the difference we introduce.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDrift } from '../../../src/live/drift';
import { importTopology } from '../../../src/live/import';
import { applyPlan, planApply } from '../../../src/live/plan';
import { takeSnapshot, type Snapshot } from '../../../src/docker/snapshot';
import { loadTopology } from '../../../src/topology';
import { cleanUp, client, IMAGE, LIVE_LABEL_ARG, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

/** What must survive the round trip: networks' IPAM and every endpoint's address and MAC. */
function fingerprint(s: Snapshot, prefix: string): { networks: string[]; endpoints: string[] } {
  return {
    networks: s.networks
      .filter((n) => n.name.startsWith(prefix))
      .map((n) => `${n.name} ${n.driver} internal=${n.internal} ${n.ipamConfig.map((p) => `${p.subnet} gw=${p.gateway ?? '-'} range=${p.ipRange ?? '-'} aux=${JSON.stringify(p.auxAddresses)}`).join(' ')}`)
      .sort(),
    endpoints: s.containers
      .filter((c) => c.name.startsWith(prefix))
      .flatMap((c) => [`${c.name} mode=${c.networkMode.startsWith('container:') ? 'container' : c.networkMode} running=${c.running}`, ...c.endpoints.map((e) => `${c.name} ${e.network} ${e.ipv4Address} ${e.macAddress} aliases=${e.aliases.filter((a) => a !== c.id.slice(0, 12)).join(',')}`)])
      .sort(),
  };
}

test('import → file → apply onto a clean set reproduces the networks and addresses; drift finds what we change', { timeout: 300_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-rt-', async (made) => {
    const lan = made.net('lan'), back = made.net('back');
    await c.createNetwork({ name: lan, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.239.0.0/16', ipRange: '10.239.7.0/24', auxAddresses: { router: '10.239.0.254' } }] });
    await c.createNetwork({ name: back, labels: LIVE_LABELS, internal: true, ipamConfig: [{ subnet: '10.240.0.0/24', gateway: '10.240.0.1', auxAddresses: {} }] });
    const web = made.ctr('web'), app = made.ctr('app'), db = made.ctr('db'), side = made.ctr('side');
    await c.runContainer({ name: web, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.239.0.10', aliases: ['www'] }, ports: ['127.0.0.1:28083:80'] });
    await c.runContainer({ name: app, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan });
    await c.connect(back, app, { aliases: ['api'] });
    await c.runContainer({ name: db, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: back });
    await c.runContainer({ name: side, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: `container:${web}` });

    const before = await takeSnapshot(c);
    const text = importTopology(before, { label: LIVE_LABEL_ARG, name: 'round-trip' });
    const loaded = loadTopology(text);
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error').map((d) => d.message), [], text);

    // A clean daemon for these objects: remove everything we made, then apply the file.
    await cleanUp(c, made);
    const gone = await takeSnapshot(c);
    assert.deepEqual(fingerprint(gone, made.prefix), { networks: [], endpoints: [] });

    const plan = planApply(loaded.spec, { labels: LIVE_LABELS, command: SLEEP, current: gone });
    assert.deepEqual(plan.steps.map((s) => s.op), ['create-network', 'create-network', 'run-container', 'run-container', 'connect', 'run-container', 'run-container']);
    const progress: string[] = [];
    const result = await applyPlan(c, plan, (p) => p.state !== 'running' && progress.push(`${p.index + 1}/${p.total} ${p.state}`));
    assert.deepEqual(result.failed, null, progress.join(', '));

    const after = await takeSnapshot(c);
    assert.deepEqual(fingerprint(after, made.prefix), fingerprint(before, made.prefix));

    // No drift between the file and the host it was applied to…
    const scope = { label: LIVE_LABEL_ARG };
    assert.deepEqual(computeDrift(loaded.spec, loaded.engine, after, scope).map((d) => d.message), []);
    // …until we change the host.
    await c.disconnect(back, app);
    const extra = made.ctr('extra');
    await c.runContainer({ name: extra, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: back, endpoint: { ipv4Address: '10.240.0.99' } });
    const changed = await takeSnapshot(c);
    const drift = computeDrift(loaded.spec, loaded.engine, changed, scope);
    assert.deepEqual(drift.map((d) => d.message).sort(), [
      `container "${app}" is not connected to "${back}" on the host`,
      `container "${extra}" is running on the host but is not in the file`,
    ]);
    assert.deepEqual(drift.find((d) => d.kind === 'missing')?.path, ['containers', app, 'networks', back]);

    // Apply stops safely at the first error: re-applying the file onto the host where its objects exist.
    const again = await applyPlan(c, planApply(loaded.spec, { labels: LIVE_LABELS, command: SLEEP }));
    assert.equal(again.done, 0);
    assert.equal(again.failed?.index, 0);
    assert.equal(again.failed?.error, `network with name ${lan} already exists`);
  });
});
