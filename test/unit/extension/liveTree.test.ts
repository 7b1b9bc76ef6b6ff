// The explorer's node for a live Docker host, built from a recorded dockerd 20.10.24 (the snapshot
// replayed on the engine, as LiveHost gives it): what a user reads in the tree, and the contextValues
// the live menus select on. Also which hosts are shown, the status bar's words and the verify report.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type Snapshot } from '../../../src/docker/snapshot';
import { snapshotToEngine } from '../../../src/live/replay';
import { parseDockerHost, type DockerEndpoint } from '../../../src/docker/connection';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import type { LiveState, VerifyResult } from '../../../src/live';
import { buildLiveHostTree, liveHostViewOf, walk, type TreeNode } from '../../../src/extension/treeNodes';
import { LIVE_CONTEXT, type LiveConnectionStatus } from '../../../src/extension/live/liveHostsApi';
import { configuredHosts } from '../../../src/extension/live/endpoints';
import { dockerStatusText, dockerStatusTooltip } from '../../../src/extension/live/statusText';
import { verifyHeadline, verifyReport } from '../../../src/extension/live/verifyReport';

interface Recorded {
  version: unknown;
  networks: unknown[];
  containers: unknown[];
}
const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as Recorded;

function state(): LiveState {
  const snapshot: Snapshot = {
    endpoint: 'unix:///var/run/docker.sock',
    daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect),
    containers: recorded.containers.map(parseContainerInspect),
    takenAt: '2026-11-28T07:54:00.000Z',
  };
  return { snapshot, model: snapshotToEngine(snapshot, 'default'), why: null };
}

const ID = 'cnm-live:/unix%3A%2F%2F%2Fvar%2Frun%2Fdocker.sock';
const KEY = 'unix:///var/run/docker.sock';

function tree(status: LiveConnectionStatus, withState = true): TreeNode {
  return buildLiveHostTree(liveHostViewOf({ key: KEY, label: 'default', endpoint: KEY, status, state: withState ? state() : undefined }, ID));
}

const child = (node: TreeNode | undefined, label: string) => node?.children.find((c) => c.label === label);

describe('the tree of a live host', () => {
  const root = tree({ kind: 'connected', version: '20.10.24' });

  it('shows the host by its name with the daemon version and the endpoint', () => {
    assert.equal(root.label, 'default');
    assert.equal(root.description, `Docker 20.10.24 · ${KEY}`);
    assert.equal(root.contextValue, LIVE_CONTEXT.host);
    assert.equal(root.id, ID);
    assert.match(root.tooltip ?? '', /Docker 20\.10\.24\+dfsg1/);
  });

  it('has the structure of a file host: Networks → endpoints, Containers → networks and ports', () => {
    assert.deepEqual(root.children.map((c) => c.label), ['Networks', 'Containers']);
    const nets = child(root, 'Networks');
    assert.deepEqual(nets?.children.map((n) => n.label).sort(), ['bridge', 'fx-auto', 'fx-lan', 'host', 'none']);
    const lan = child(nets, 'fx-lan');
    assert.match(lan?.description ?? '', /^bridge · 10\.203\.0\.0\/16 · /);
    assert.ok(child(lan, 'fx-web'), 'fx-web is an endpoint of fx-lan');
    const web = child(child(root, 'Containers'), 'fx-web');
    assert.ok(web);
    assert.deepEqual(web.children.filter((c) => c.kind === 'endpoint').map((c) => c.label).sort(), ['bridge', 'fx-auto', 'fx-lan']);
    const b2 = child(child(root, 'Containers'), 'fx-b2');
    assert.ok(b2?.children.some((c) => c.kind === 'port' && c.label === '0.0.0.0:18081 → 80/tcp'), 'the published port is listed');
  });

  it('gives every node the live contextValues and the host key (so menus and commands find the host)', () => {
    for (const n of walk(root)) {
      assert.equal(n.liveHost, KEY, `${n.label} carries the host key`);
      assert.match(n.contextValue, /^live\./, `${n.label}: ${n.contextValue}`);
      assert.ok(n.id.startsWith(`${ID}`), `${n.label}: id under the host's URI`);
      assert.equal(n.path, undefined, `${n.label} is not written in any file`);
    }
    const nets = child(root, 'Networks');
    assert.equal(child(nets, 'bridge')?.contextValue, LIVE_CONTEXT.builtinNetwork);
    assert.equal(child(nets, 'fx-lan')?.contextValue, LIVE_CONTEXT.network);
    assert.equal(child(child(nets, 'fx-lan'), 'fx-web')?.contextValue, LIVE_CONTEXT.endpoint);
    assert.equal(child(child(root, 'Containers'), 'fx-web')?.contextValue, LIVE_CONTEXT.container);
    const ids = [...walk(root)].map((n) => n.id);
    assert.equal(new Set(ids).size, ids.length, 'ids are unique');
  });

  it('shows an unreachable host with one child that says why, even when an older state exists', () => {
    const down = tree({ kind: 'unreachable', message: 'connect ENOENT /var/run/docker.sock', retryAt: Date.now() + 8000 });
    assert.equal(down.description, 'unreachable');
    assert.equal(down.children.length, 1);
    assert.equal(down.children[0]!.label, 'connect ENOENT /var/run/docker.sock');
    assert.equal(down.children[0]!.contextValue, LIVE_CONTEXT.message);
    assert.ok(!down.children.some((c) => c.label === 'Networks'), 'no stale networks under a host that does not answer');
  });

  it('says it is connecting before the first snapshot', () => {
    const first = tree({ kind: 'connecting' }, false);
    assert.match(first.description ?? '', /^connecting…/);
    assert.deepEqual(first.children.map((c) => c.label), ['connecting…']);
  });
});

describe('which Docker hosts are shown', () => {
  const resolver = (def: DockerEndpoint) => (explicit: string | undefined) => (explicit === undefined ? def : parseDockerHost(explicit, null, { from: 'explicit' }));
  const local = parseDockerHost('unix:///var/run/docker.sock', null, { from: 'default' });

  it('lists the default host first, then the setting, without duplicates', () => {
    const hosts = configuredHosts(resolver(local), ['unix:///var/run/docker.sock', 'ssh://me@box', 'tcp://box:2376', ' ', 42]);
    assert.deepEqual(hosts.map((h) => [h.key, h.label, h.hostName]), [
      ['unix:///var/run/docker.sock', 'default', 'default'],
      ['ssh://me@box', 'ssh://me@box', 'box'],
      ['tcp://box:2376', 'tcp://box:2376', 'box-2'],
    ]);
  });

  it('names the default host after the docker context it comes from', () => {
    const ctxEp = parseDockerHost('ssh://me@prod', null, { from: 'context', context: 'prod' });
    const [h] = configuredHosts(resolver(ctxEp), []);
    assert.equal(h?.label, 'prod');
    assert.equal(h?.key, 'ssh://me@prod');
  });

  it('keeps a malformed entry, with the reason, instead of dropping it silently', () => {
    const hosts = configuredHosts(resolver(local), ['ftp://nope']);
    const bad = hosts[1]!;
    assert.ok('error' in bad.endpoint);
    assert.match(bad.endpoint.error, /scheme must be unix, tcp or ssh/);
  });
});

describe('the status bar', () => {
  const now = 1_000_000;
  it('shows the daemon version when connected', () => {
    assert.equal(dockerStatusText([{ label: 'default', endpoint: KEY, status: { kind: 'connected', version: '20.10.24' } }], now), '$(plug) docker: 20.10.24');
  });
  it('counts down to the next try when unreachable, and says why in the tooltip', () => {
    const hosts = [{ label: 'default', endpoint: KEY, status: { kind: 'unreachable', message: 'connect ECONNREFUSED', retryAt: now + 7200 } as const }];
    assert.equal(dockerStatusText(hosts, now), '$(debug-disconnect) docker unreachable — retrying in 8 s');
    assert.match(dockerStatusTooltip(hosts, now), /connect ECONNREFUSED/);
  });
  it('sums up further hosts', () => {
    const text = dockerStatusText([
      { label: 'default', endpoint: KEY, status: { kind: 'connected', version: '20.10.24' } },
      { label: 'ssh://me@box', endpoint: 'ssh://me@box', status: { kind: 'unreachable', message: 'ssh: no route', retryAt: now } },
    ], now);
    assert.equal(text, '$(plug) docker: 20.10.24 $(warning) 1 of 2 hosts unreachable');
    assert.equal(dockerStatusText([
      { label: 'default', endpoint: KEY, status: { kind: 'connected', version: '20.10.24' } },
      { label: 'ssh://me@box', endpoint: 'ssh://me@box', status: { kind: 'connected', version: '24.0.7' } },
    ], now), '$(plug) docker: 20.10.24 (+1 host)');
  });
});

describe('the verify report', () => {
  const predicted = { verdict: 'delivered', reason: 'the packet reaches b', hops: [{ node: 'a', interface: 'eth0', action: 'send', detail: 'to 10.213.0.3' }], address: '10.213.0.3' } as unknown as VerifyResult['predicted'];
  const observed = { verdict: 'dropped', detail: '10.213.0.3: no answer within 2 s', command: 'docker exec a ping -c1 -W2 10.213.0.3', exitCode: 1, output: '1 packets transmitted, 0 received', address: '10.213.0.3' } as VerifyResult['observed'];
  const result: VerifyResult = { predicted, observed, agree: false, outcome: 'disagree', explanation: 'predicted delivered, but the packet was dropped: no answer' };

  it('says plainly when the prediction and the probe disagree', () => {
    assert.equal(verifyHeadline(result), 'They disagree: the tracer predicted delivered, the real probe observed dropped.');
    const md = verifyReport('default', { from: 'a', to: 'b', proto: 'icmp' }, result, new Date('2026-11-28T10:00:00Z'));
    assert.match(md, /^# Verify: a → b\/icmp on default/);
    assert.match(md, /\| Verdict \| \*\*delivered\*\* \| \*\*dropped\*\* \|/);
    assert.match(md, /docker exec a ping -c1 -W2 10\.213\.0\.3/);
  });

  it('says when the tracer could not predict (unknown): not an agreement, its own outcome', () => {
    const unknown = { ...result, predicted: { ...predicted, verdict: 'unknown', reason: 'the tracer does not model IPv6 on overlay network backend' } as VerifyResult['predicted'], outcome: 'unpredicted' as const };
    assert.equal(verifyHeadline(unknown), 'Not predicted: the engine cannot know this path; the real probe observed dropped.');
    const md = verifyReport('default', { from: 'a', to: 'b', proto: 'icmp' }, unknown, new Date('2026-11-28T10:00:00Z'));
    assert.match(md, /^❓ \*\*Not predicted/m);
    assert.match(md, /\| Verdict \| \*\*unknown\*\* \| \*\*dropped\*\* \|/);
  });

  it('says when they agree', () => {
    assert.match(verifyHeadline({ ...result, observed: { ...observed, verdict: 'delivered' }, agree: true }), /^Verified: .* delivered/);
  });
});
