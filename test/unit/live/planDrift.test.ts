// Apply and drift on plain data: the plan's order is the file's (and Docker's), a refusal stops the
// run at that step with Docker's text, and drift names what differs between a file and a host.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { computeDrift } from '../../../src/live/drift';
import { importTopology } from '../../../src/live/import';
import { applyPlan, planApply } from '../../../src/live/plan';
import type { Snapshot } from '../../../src/docker/snapshot';
import { DockerApiError, type DockerClient } from '../../../src/docker/types';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { loadTopology } from '../../../src/topology';

const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };
const snapshot = (): Snapshot => ({
  endpoint: 'unix:///var/run/docker.sock',
  daemon: parseVersionAnswer(recorded.version),
  networks: recorded.networks.map(parseNetworkInspect),
  containers: recorded.containers.map(parseContainerInspect),
  takenAt: 'now',
});

const FILE = `
networks:
  front: { subnet: 10.60.0.0/24, gateway: 10.60.0.1, aux_addresses: { r: 10.60.0.254 } }
  back: { ipam: { config: [ { subnet: 10.61.0.0/24, ip_range: 10.61.0.128/25 } ] }, internal: true }
containers:
  web:
    image: busybox
    networks:
      front: { ipv4_address: 10.60.0.10, aliases: [www] }
      back: {}
    ports: ["8080:80"]
  side: { image: busybox, network_mode: "container:web" }
`;

function recordingClient(failOn?: string) {
  const calls: string[] = [];
  const client = {
    description: 'fake',
    async createNetwork(o: { name: string; ipamConfig?: unknown }) { calls.push(`network create ${o.name} ${JSON.stringify(o.ipamConfig)}`); if (failOn === o.name) throw new DockerApiError('Pool overlaps with other one on this address space', 403); return { id: 'n', warning: null }; },
    async runContainer(o: { name: string; networkMode?: string; endpoint?: unknown; cmd?: string[]; labels?: unknown }) { calls.push(`run ${o.name} ${o.networkMode} ${JSON.stringify(o.endpoint ?? {})} ${JSON.stringify(o.labels)}`); if (failOn === o.name) throw new DockerApiError('Address already in use', 403); return { id: 'c', warnings: [] }; },
    async connect(net: string, ctr: string, o: unknown) { calls.push(`connect ${net} ${ctr} ${JSON.stringify(o)}`); },
  } as unknown as DockerClient;
  return { client, calls };
}

describe('planApply / applyPlan', () => {
  it('networks in file order, then each container run on its first network and connected to the rest', async () => {
    const loaded = loadTopology(FILE);
    const plan = planApply(loaded.spec, { labels: { 'cnm-explorer.live-test': '1' }, command: ['sleep', '3600'] });
    assert.deepEqual(plan.steps.map((s) => s.description), [
      'docker network create --subnet 10.60.0.0/24 --gateway 10.60.0.1 --aux-address r=10.60.0.254 front',
      'docker network create --subnet 10.61.0.0/24 --ip-range 10.61.0.128/25 --internal back',
      'docker run -d --name web --network front --ip 10.60.0.10 --network-alias www -p 8080:80 busybox sleep 3600',
      'docker network connect back web',
      'docker run -d --name side --network container:web busybox sleep 3600',
    ]);
    const { client, calls } = recordingClient();
    const result = await applyPlan(client, plan);
    assert.deepEqual(result, { done: 5, failed: null });
    assert.match(calls[0]!, /^network create front \[\{"subnet":"10.60.0.0\/24","gateway":"10.60.0.1","auxAddresses":\{"r":"10.60.0.254"\}\}\]$/);
    assert.match(calls[2]!, /^run web front \{"ipv4Address":"10.60.0.10","aliases":\["www"\]\} \{"cnm-explorer.live-test":"1"\}$/);
  });

  it('stops at the first refusal, with Docker\'s text, and runs nothing after it', async () => {
    const plan = planApply(loadTopology(FILE).spec);
    const { client, calls } = recordingClient('web');
    const progress: string[] = [];
    const result = await applyPlan(client, plan, (p) => progress.push(`${p.index}:${p.state}`));
    assert.equal(result.done, 2);
    assert.equal(result.failed?.index, 2);
    assert.equal(result.failed?.error, 'Address already in use');
    assert.equal(calls.length, 3);
    assert.deepEqual(progress, ['0:running', '0:done', '1:running', '1:done', '2:running', '2:failed']);
  });

  it('skips what already exists on the host, and says so', () => {
    const s = snapshot();
    const text = importTopology(s, { label: 'cnm-explorer.live-test=1' });
    const plan = planApply(loadTopology(text).spec, { current: s });
    assert.deepEqual(plan.steps, []);
    assert.ok(plan.skipped.includes('network fx-lan: already exists on the host'));
  });
});

describe('computeDrift', () => {
  it('an imported file has no drift from its host', () => {
    const s = snapshot();
    const loaded = loadTopology(importTopology(s));
    assert.deepEqual(computeDrift(loaded.spec, loaded.engine, s).map((d) => d.message), []);
  });

  it('finds a changed address, a changed subnet, a missing network, an extra endpoint — each on its file path', () => {
    const s = snapshot();
    let text = importTopology(s, { label: 'cnm-explorer.live-test=1' });
    text = text.replace('ipv4_address: 10.203.0.10', 'ipv4_address: 10.203.0.11').replace('subnet: 10.203.0.0/16', 'subnet: 10.203.0.0/17');
    text = text.replace(/\n {6}fx-auto:[^\n]*/, '');
    text = text.replace('networks:\n', 'networks:\n  fx-new: { subnet: 10.209.0.0/24 }\n');
    const loaded = loadTopology(text);
    const drift = computeDrift(loaded.spec, loaded.engine, s, { label: 'cnm-explorer.live-test=1' });
    const messages = drift.map((d) => d.message).sort();
    assert.deepEqual(messages, [
      'container "fx-web" is connected to "fx-auto" on the host, not in the file',
      'container "fx-web" on "fx-lan": ipv4_address is 10.203.0.11 in the file, 10.203.0.10 on the host',
      'network "fx-lan": subnet is 10.203.0.0/17 in the file, 10.203.0.0/16 on the host',
      'network "fx-new" is in the file but not on the host',
    ]);
    const addr = drift.find((d) => d.field === 'ipv4_address');
    assert.deepEqual(addr?.path, ['containers', 'fx-web', 'networks', 'fx-lan', 'ipv4_address']);
  });
});
