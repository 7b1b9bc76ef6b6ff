// The live host as the explorer reads it: the snapshot (and the engine rebuilt from it) says exactly
// what `docker network inspect` / `docker inspect` say — subnets, gateways, endpoint addresses, MACs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { takeSnapshot } from '../../../src/docker/snapshot';
import { snapshotToEngine } from '../../../src/live/replay';
import { client, dockerInspectJson, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

interface CliNetwork {
  Name: string;
  Containers: Record<string, { Name: string; EndpointID: string; MacAddress: string; IPv4Address: string }>;
  IPAM: { Config: { Subnet: string; Gateway?: string; IPRange?: string }[] | null };
}
interface CliContainer {
  Name: string;
  NetworkSettings: { Networks: Record<string, { IPAddress: string; MacAddress: string; Gateway: string }> };
}

test('the snapshot and its engine equal docker inspect (networks, endpoints, addresses, MACs)', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-snap-', async (made) => {
    const lan = made.net('lan');
    const back = made.net('back');
    await c.createNetwork({ name: lan, labels: LIVE_LABELS, ipamConfig: [{ subnet: '10.231.0.0/24', ipRange: '10.231.0.128/25', auxAddresses: { router: '10.231.0.254' } }] });
    await c.createNetwork({ name: back, labels: LIVE_LABELS, internal: true, ipamConfig: [{ subnet: '10.232.0.0/24', gateway: '10.232.0.1', auxAddresses: {} }] });
    const web = made.ctr('web'), app = made.ctr('app'), side = made.ctr('side');
    await c.runContainer({ name: web, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan, endpoint: { ipv4Address: '10.231.0.10', aliases: ['www'] }, ports: ['127.0.0.1:28081:80'] });
    await c.runContainer({ name: app, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: lan });
    await c.connect(back, app, { aliases: ['api'] });
    await c.runContainer({ name: side, image: IMAGE, cmd: SLEEP, labels: LIVE_LABELS, networkMode: `container:${web}` });

    const snap = await takeSnapshot(c);
    const cliNets = (await dockerInspectJson('network', [lan, back])) as unknown as CliNetwork[];
    const cliCtrs = (await dockerInspectJson('container', [web, app, side])) as unknown as CliContainer[];

    // Networks: IPAM exactly as docker network inspect shows it.
    for (const cn of cliNets) {
      const sn = snap.networks.find((n) => n.name === cn.Name);
      assert.ok(sn, `network ${cn.Name} in the snapshot`);
      assert.deepEqual(
        sn.ipamConfig.map((p) => [p.subnet, p.gateway ?? null, p.ipRange ?? null]),
        (cn.IPAM.Config ?? []).map((p) => [p.Subnet, p.Gateway || null, p.IPRange || null]),
      );
      // Members as `network inspect` lists them under Containers.
      assert.deepEqual(
        sn.members.map((m) => `${m.containerId} ${m.name} ${m.endpointId} ${m.macAddress} ${m.ipv4Address}`).sort(),
        Object.entries(cn.Containers).map(([id, m]) => `${id} ${m.Name} ${m.EndpointID} ${m.MacAddress} ${m.IPv4Address}`).sort(),
      );
    }
    // Endpoints: every address and MAC.
    const cliEndpoints = cliCtrs.flatMap((cc) => Object.entries(cc.NetworkSettings.Networks).map(([net, e]) => `${cc.Name.slice(1)} ${net} ${e.IPAddress} ${e.MacAddress} gw=${e.Gateway}`)).sort();
    const snapEndpoints = snap.containers
      .filter((x) => [web, app, side].includes(x.name))
      .flatMap((x) => x.endpoints.map((e) => `${x.name} ${e.network} ${e.ipv4Address ?? ''} ${e.macAddress ?? ''} gw=${e.gateway ?? ''}`))
      .sort();
    assert.deepEqual(snapEndpoints, cliEndpoints);
    assert.equal(cliEndpoints.length, 3, 'web on lan, app on lan and back (side shares web)');

    // The engine rebuilt from the snapshot: same subnets, gateways (incl. the one Docker picked in the
    // ip range, which network inspect hides), addresses and MACs.
    const model = snapshotToEngine(snap);
    const mine = (w: string) => w.startsWith(made.prefix);
    assert.deepEqual(model.warnings.filter((w) => mine(w.split(' ')[1] ?? '')), []);
    const result = model.engine.inspect();
    const ln = result.networks.find((n) => n.name === lan);
    assert.deepEqual([ln?.subnet, ln?.gateway, ln?.ip_range], ['10.231.0.0/24', cliCtrs.find((x) => x.Name === `/${web}`)!.NetworkSettings.Networks[lan]!.Gateway, '10.231.0.128/25']);
    const bn = result.networks.find((n) => n.name === back);
    assert.deepEqual([bn?.subnet, bn?.gateway, bn?.internal], ['10.232.0.0/24', '10.232.0.1', true]);
    const modelEndpoints = result.containers
      .filter((x) => mine(x.name))
      .flatMap((x) => x.endpoints.map((e) => `${x.name} ${e.network} ${e.ipv4_address ?? ''} ${e.mac_address ?? ''} gw=${e.gateway ?? ''}`))
      .sort();
    assert.deepEqual(modelEndpoints, cliEndpoints);
    assert.equal(result.containers.find((x) => x.name === side)?.network_mode, `container:${web}`);
    // And the engine answers for the live host: embedded DNS with the alias.
    assert.deepEqual(model.engine.resolve(model.host, app, 'www'), ['10.231.0.10']);
    assert.deepEqual(model.engine.resolve(model.host, web, 'api'), [], 'web is not on back: api does not resolve from it');
  });
});
