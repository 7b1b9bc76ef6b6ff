// Every action of the explorer on the real dockerd, checked with the docker CLI, and Docker's own
// refusals reaching the user verbatim.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectContainer, createNetwork, disconnectContainer, removeNetwork, runContainer } from '../../../src/docker/actions';
import { DockerApiError } from '../../../src/docker/types';
import { client, dockerInspectJson, IMAGE, LIVE_LABELS, liveScenario, requireLive, SLEEP } from './support';

interface CliNetwork {
  Name: string;
  Internal: boolean;
  Attachable: boolean;
  Options: Record<string, string>;
  Labels: Record<string, string>;
  IPAM: { Config: { Subnet: string; Gateway?: string; IPRange?: string; AuxiliaryAddresses?: Record<string, string> }[] };
  Containers: Record<string, { Name: string; IPv4Address: string }>;
}
interface CliContainer {
  Name: string;
  State: { Running: boolean };
  HostConfig: { PortBindings: Record<string, { HostIp: string; HostPort: string }[]> };
  NetworkSettings: { Networks: Record<string, { IPAddress: string; Aliases: string[] | null }> };
}

const rejects = async (p: Promise<unknown>, text: RegExp | string) => {
  await assert.rejects(p, (e: Error) => {
    assert.ok(e instanceof DockerApiError, `a DockerApiError, got ${e.name}: ${e.message}`);
    if (typeof text === 'string') assert.equal(e.message, text);
    else assert.match(e.message, text);
    return true;
  });
};

test('create (every IPAM option), run, connect (address, aliases), disconnect, remove — and Docker\'s refusals', { timeout: 240_000 }, async (t) => {
  const c = client();
  if (!(await requireLive(t, c))) return;
  await liveScenario(c, 'cnmlive-act-', async (made) => {
    const lan = made.net('lan');
    const dual = made.net('dual');
    // Every IPAM option: subnet, ip range, gateway, aux addresses; driver options; internal/attachable; labels.
    await createNetwork(c, {
      name: lan,
      driver: 'bridge',
      ipam: { driver: 'default', config: [{ subnet: '10.236.0.0/16', ipRange: '10.236.5.0/24', gateway: '10.236.0.1', auxAddresses: { router: '10.236.0.254', printer: '10.236.0.253' } }] },
      options: { 'com.docker.network.bridge.enable_icc': 'true' },
      attachable: true,
      labels: LIVE_LABELS,
    });
    // Two pools (IPv4 + IPv6) with --ipv6, internal.
    await createNetwork(c, { name: dual, enableIpv6: true, internal: true, ipam: { config: [{ subnet: '10.237.0.0/24' }, { subnet: 'fd00:cafe:237::/64', gateway: 'fd00:cafe:237::1' }] }, labels: LIVE_LABELS });
    const [n1, n2] = (await dockerInspectJson('network', [lan, dual])) as unknown as CliNetwork[];
    assert.deepEqual(n1!.IPAM.Config, [{ Subnet: '10.236.0.0/16', IPRange: '10.236.5.0/24', Gateway: '10.236.0.1', AuxiliaryAddresses: { router: '10.236.0.254', printer: '10.236.0.253' } }]);
    assert.equal(n1!.Options['com.docker.network.bridge.enable_icc'], 'true');
    assert.equal(n1!.Attachable, true);
    assert.equal(n1!.Labels['cnm-explorer.live-test'], '1');
    assert.deepEqual(n2!.IPAM.Config.map((p) => p.Subnet), ['10.237.0.0/24', 'fd00:cafe:237::/64']);
    assert.equal(n2!.Internal, true);

    // Docker's refusals, verbatim.
    await rejects(createNetwork(c, { name: made.net('clash'), ipam: { config: [{ subnet: '10.236.1.0/24' }] }, labels: LIVE_LABELS }), 'Pool overlaps with other one on this address space');
    await rejects(removeNetwork(c, 'bridge'), 'bridge is a pre-defined network and cannot be removed');
    await rejects(createNetwork(c, { name: lan, ipam: { config: [{ subnet: '10.238.0.0/24' }] }, labels: LIVE_LABELS }), `network with name ${lan} already exists`);

    // Run from a local image, with a static address, an alias, a published port on loopback.
    const web = made.ctr('web');
    await runContainer(c, { name: web, image: IMAGE, cmd: SLEEP, networkMode: lan, endpoint: { ipv4Address: '10.236.0.10', aliases: ['www'] }, ports: ['127.0.0.1:28082:80'], labels: LIVE_LABELS });
    const app = made.ctr('app');
    await runContainer(c, { name: app, image: IMAGE, cmd: SLEEP, networkMode: lan, labels: LIVE_LABELS });
    await rejects(runContainer(c, { name: made.ctr('dup'), image: IMAGE, cmd: SLEEP, networkMode: lan, endpoint: { ipv4Address: '10.236.0.10' }, labels: LIVE_LABELS }), /Address already in use/);
    await rejects(runContainer(c, { name: made.ctr('noimg'), image: 'cnm-no-such-image:never', cmd: SLEEP, labels: LIVE_LABELS }), /No such image: cnm-no-such-image:never/);

    // Connect with an address and aliases; disconnect.
    await connectContainer(c, dual, app, { ipv4Address: '10.237.0.20', aliases: ['api', 'backend'] });
    let [w, a] = (await dockerInspectJson('container', [web, app])) as unknown as CliContainer[];
    assert.equal(w!.State.Running, true);
    assert.equal(w!.NetworkSettings.Networks[lan]!.IPAddress, '10.236.0.10');
    assert.ok(w!.NetworkSettings.Networks[lan]!.Aliases?.includes('www'));
    assert.deepEqual(w!.HostConfig.PortBindings['80/tcp'], [{ HostIp: '127.0.0.1', HostPort: '28082' }]);
    assert.equal(a!.NetworkSettings.Networks[lan]!.IPAddress, '10.236.5.0', 'the ip range starts at .5.0 (the gateway is outside it)');
    assert.equal(a!.NetworkSettings.Networks[dual]!.IPAddress, '10.237.0.20');
    assert.deepEqual(a!.NetworkSettings.Networks[dual]!.Aliases?.slice(0, 2), ['api', 'backend']);
    await rejects(connectContainer(c, dual, web, { ipv4Address: '10.237.0.20' }), /Address already in use/);

    await disconnectContainer(c, dual, app);
    [w, a] = (await dockerInspectJson('container', [web, app])) as unknown as CliContainer[];
    assert.deepEqual(Object.keys(a!.NetworkSettings.Networks), [lan]);
    await rejects(disconnectContainer(c, dual, app), /is not connected to (the )?network/);

    // Remove: refused while endpoints are active, then done.
    await rejects(removeNetwork(c, lan), /has active endpoints/);
    await removeNetwork(c, dual);
    const gone = await c.inspectNetwork(dual).then(() => 'still there', (e: Error) => e.message);
    assert.match(gone, /not found/);
  });
});
