// A recorded dockerd 20.10.24 (fixtures/host-20.10.json: raw `GET /version`, `/networks/{id}`,
// `/containers/{id}/json` answers) turned into the engine's state and into a topology file. What the
// explorer shows for a live host must be what `docker inspect` says.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { importTopology } from '../../../src/live/import';
import { type Snapshot } from '../../../src/docker/snapshot';
import { snapshotToEngine } from '../../../src/live/replay';
import { MalformedAnswerError } from '../../../src/docker/types';
import { parseContainerInspect, parseEvent, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { loadTopology } from '../../../src/topology';

interface Recorded {
  version: unknown;
  networks: unknown[];
  containers: unknown[];
}
const recorded = JSON.parse(readFileSync(join(__dirname, 'fixtures/host-20.10.json'), 'utf8')) as Recorded;

function snapshot(): Snapshot {
  return {
    endpoint: 'unix:///var/run/docker.sock',
    daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect),
    containers: recorded.containers.map(parseContainerInspect),
    takenAt: '2026-11-28T07:54:00.000Z',
  };
}

function endpoints(result: ReturnType<ReturnType<typeof snapshotToEngine>['engine']['inspect']>, name: string) {
  const c = result.containers.find((x) => x.name === name);
  assert.ok(c, `container ${name} in the model`);
  return Object.fromEntries(c.endpoints.map((e) => [e.network, [e.ipv4_address, e.mac_address]]));
}

describe('validated inspect answers', () => {
  it('reads networks, IPAM and members as docker network inspect shows them', () => {
    const s = snapshot();
    const lan = s.networks.find((n) => n.name === 'fx-lan');
    assert.ok(lan);
    assert.deepEqual(lan.ipamConfig, [{ subnet: '10.203.0.0/16', ipRange: '10.203.5.0/24', gateway: '10.203.0.1', auxAddresses: { router: '10.203.0.254' } }]);
    assert.equal(s.networks.find((n) => n.name === 'fx-auto')?.internal, true);
    const web = s.containers.find((c) => c.name === 'fx-web');
    assert.ok(web);
    assert.deepEqual(web.endpoints.find((e) => e.network === 'fx-lan')?.aliases, ['web', 'www', web.id.slice(0, 12)]);
    const b2 = s.containers.find((c) => c.name === 'fx-b2');
    assert.deepEqual(b2?.publishedPorts.map((p) => `${p.hostIp}:${p.hostPort}->${p.containerPort}/${p.protocol}`).sort(), ['0.0.0.0:18081->80/tcp', '127.0.0.1:32768->90/udp', ':::18081->80/tcp'].sort());
  });

  it('a malformed answer is one clear error naming the object and the field, never a crash', () => {
    const net = structuredClone(recorded.networks.find((n) => (n as { Name: string }).Name === 'fx-lan')) as { IPAM: { Config: { Subnet: unknown }[] } };
    net.IPAM.Config[0]!.Subnet = '10.203.0.0/99';
    assert.throws(() => parseNetworkInspect(net), (e: Error) => e instanceof MalformedAnswerError && e.message === 'network "fx-lan": IPAM.Config[0]: Subnet is not a CIDR, got "10.203.0.0/99"');
    const ctr = structuredClone(recorded.containers.find((c) => (c as { Name: string }).Name === '/fx-web')) as { NetworkSettings: { Networks: Record<string, { MacAddress: unknown; IPAddress: unknown }> } };
    ctr.NetworkSettings.Networks['fx-lan']!.MacAddress = 42;
    assert.throws(() => parseContainerInspect(ctr), /container "fx-web": NetworkSettings\.Networks\.fx-lan: MacAddress is not a string, got 42/);
    ctr.NetworkSettings.Networks['fx-lan']!.MacAddress = '02:42:0a:cb:00:0a';
    ctr.NetworkSettings.Networks['fx-lan']!.IPAddress = '10.203.0.300';
    assert.throws(() => parseContainerInspect(ctr), /IPAddress is not an IPv4 address, got "10\.203\.0\.300"/);
    for (const junk of [null, 7, 'x', [], { Name: 5 }, { Name: 'n', Id: 'not-hex' }]) {
      assert.throws(() => parseNetworkInspect(junk), MalformedAnswerError);
      assert.throws(() => parseContainerInspect(junk), MalformedAnswerError);
    }
    assert.throws(() => parseVersionAnswer({ Version: 'banana', ApiVersion: '1.41' }), /Version is not a release number/);
  });

  it('events: the ones the explorer follows are kept, the rest and garbage ignored', () => {
    assert.deepEqual(parseEvent({ Type: 'network', Action: 'connect', Actor: { ID: 'n1', Attributes: { container: 'c1', name: 'lan', type: 'bridge' } }, timeNano: 5 }), { kind: 'network:connect', id: 'n1', name: 'lan', container: 'c1', timeNano: '5' });
    // A process started by docker exec may listen on a port: followed, with its command.
    assert.deepEqual(parseEvent({ Type: 'container', Action: 'exec_start: httpd -p 90', Actor: { ID: 'c1', Attributes: { name: 'web' } } }), { kind: 'container:exec_start', id: 'c1', name: 'web', container: null, timeNano: null, command: 'httpd -p 90' });
    assert.equal(parseEvent({ Type: 'container', Action: 'exec_create: sh', Actor: { ID: 'c1' } }), null);
    assert.equal(parseEvent({ Type: 'image', Action: 'pull', Actor: {} }), null);
    assert.equal(parseEvent('garbage'), null);
  });
});

describe('snapshotToEngine', () => {
  it('reproduces every network with its real subnet and gateway, and the daemon version', () => {
    const { engine, warnings } = snapshotToEngine(snapshot());
    assert.deepEqual(warnings, []);
    const nets = Object.fromEntries(engine.inspect().networks.map((n) => [n.name, [n.subnet, n.gateway, n.ip_range ?? null, n.internal]]));
    assert.deepEqual(nets['bridge'], ['172.17.0.0/16', '172.17.0.1', null, false]);
    assert.deepEqual(nets['fx-lan'], ['10.203.0.0/16', '10.203.0.1', '10.203.5.0/24', false]);
    assert.deepEqual(nets['fx-auto'], ['172.19.0.0/16', '172.19.0.1', null, true]);
    assert.equal(engine.state.hosts.get('host1')?.daemon.version.text, '20.10.24');
  });

  it('reproduces every endpoint with its real address and MAC, also on the default bridge with a gap at .2', () => {
    const result = snapshotToEngine(snapshot()).engine.inspect();
    assert.deepEqual(endpoints(result, 'fx-b2'), { bridge: ['172.17.0.3', '02:42:ac:11:00:03'] });
    assert.deepEqual(endpoints(result, 'fx-web'), {
      'fx-lan': ['10.203.0.10', '02:42:0a:cb:00:0a'],
      'fx-auto': ['172.19.0.2', '02:42:ac:13:00:02'],
      bridge: ['172.17.0.4', '02:42:ac:11:00:04'],
    });
    // The placeholders that held the gap are gone.
    assert.ok(!result.containers.some((c) => c.name.startsWith('cnm-snapshot-gap')));
  });

  it('keeps network modes (container:, host, none), stopped containers, aliases and published ports', () => {
    const { engine } = snapshotToEngine(snapshot());
    const result = engine.inspect();
    const byName = Object.fromEntries(result.containers.map((c) => [c.name, c]));
    assert.equal(byName['fx-side']?.network_mode, 'container:fx-web');
    assert.equal(byName['fx-hostnet']?.network_mode, 'host');
    assert.equal(byName['fx-nonet']?.network_mode, 'none');
    assert.equal(byName['fx-stopped']?.running, false);
    // Like docker inspect: the configured network is listed, without an address until it starts.
    assert.deepEqual(byName['fx-stopped']?.endpoints.map((e) => [e.network, e.ipv4_address]), [['fx-lan', null]]);
    assert.deepEqual(
      byName['fx-b2']?.ports.map((p) => `${p.host_ip}:${p.host_port}->${p.container_port}/${p.protocol}`).sort(),
      ['0.0.0.0:18081->80/tcp', '127.0.0.1:32768->90/udp'].concat(byName['fx-b2']!.ports.some((p) => p.host_ip === '::') ? [':::18081->80/tcp'] : []).sort(),
    );
    // Embedded DNS on the live model: the alias answers on the user network, the default bridge gives nothing.
    assert.deepEqual(engine.resolve('host1', 'fx-side', 'www'), ['10.203.0.10']);
    assert.deepEqual(engine.resolve('host1', 'fx-web', 'api'), ['172.19.0.2']);
    assert.deepEqual(engine.resolve('host1', 'fx-b2', 'fx-web'), []);
  });

  it('a driver the engine does not model becomes a warning, not a failure', () => {
    const s = snapshot();
    const lan = s.networks.find((n) => n.name === 'fx-lan')!;
    s.networks.push({ ...lan, id: 'f'.repeat(64), name: 'weird', driver: 'acme-sdn', created: '2099-01-01T00:00:00Z', members: [] });
    const { warnings, engine } = snapshotToEngine(s);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /^network weird \(driver acme-sdn\) is not reproduced: /);
    assert.ok(engine.inspect().networks.some((n) => n.name === 'fx-lan'));
  });
});

describe('importTopology', () => {
  it('writes a topology file that the parser accepts and that rebuilds the same networks and addresses', () => {
    const text = importTopology(snapshot());
    const loaded = loadTopology(text);
    assert.deepEqual(loaded.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.match(text, /^# Imported from unix:\/\/\/var\/run\/docker\.sock \(Docker 20\.10\.24\+dfsg1\)/);
    assert.match(text, /Not running, so not imported: fx-stopped/);
    const result = loaded.engine.inspect();
    const lan = result.networks.find((n) => n.name === 'fx-lan');
    assert.deepEqual([lan?.subnet, lan?.gateway, lan?.ip_range], ['10.203.0.0/16', '10.203.0.1', '10.203.5.0/24']);
    assert.equal(loaded.spec.hosts[0]?.daemon.version, '20.10');
    assert.deepEqual(endpoints(result, 'fx-web')['fx-lan'], ['10.203.0.10', '02:42:0a:cb:00:0a']);
    assert.deepEqual(endpoints(result, 'fx-web')['fx-auto'], ['172.19.0.2', '02:42:ac:13:00:02']);
    assert.deepEqual(loaded.spec.containers.find((c) => c.name === 'fx-web')?.networks.map((n) => [n.network, n.aliases ?? []]), [
      ['fx-lan', ['web', 'www']], // the network it was started on comes first
      ['bridge', []],
      ['fx-auto', ['api']],
    ]);
    assert.deepEqual(loaded.spec.containers.find((c) => c.name === 'fx-b2')?.ports, ['18081:80/tcp', '127.0.0.1:32768:90/udp']);
    assert.equal(loaded.spec.containers.find((c) => c.name === 'fx-side')?.networkMode, 'container:fx-web');
  });

  it('a label filter keeps only the labelled networks and containers', () => {
    const text = importTopology(snapshot(), { label: 'cnm-explorer.live-test=1' });
    assert.doesNotMatch(text, /^ {2}bridge:/m);
    assert.match(text, /fx-lan:/);
    assert.equal(importTopology(snapshot(), { label: 'nobody=1' }).includes('containers:'), false);
  });
});
