// "Compare with Docker Host" for a Compose file, on a recorded snapshot of the real `docker compose up`
// of test/fixtures/compose-drift (dockerd 20.10, Compose 2.26.1): Compose's names, only the project's
// objects as extra, and each item on the key it is about.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { Snapshot } from '../../../src/docker/snapshot';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { composeDriftRange, computeComposeDrift } from '../../../src/live';
import { loadCompose, type ComposeReader } from '../../../src/topology/compose';

const dir = join(import.meta.dirname, '../../fixtures/compose-drift');
const file = join(dir, 'compose.yaml');
const original = readFileSync(file, 'utf8');
const recorded = JSON.parse(readFileSync(join(dir, 'snapshot-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };

function snapshot(): Snapshot {
  return { endpoint: 'unix:///var/run/docker.sock', daemon: parseVersionAnswer(recorded.version), networks: recorded.networks.map(parseNetworkInspect), containers: recorded.containers.map(parseContainerInspect), takenAt: 'now' };
}

function project(text = original) {
  const reader: ComposeReader = { readFile: (p) => (p === file ? text : existsSync(p) ? readFileSync(p, 'utf8') : undefined), exists: (p) => p === file || existsSync(p) };
  return loadCompose(reader, file, { daemonVersion: '20.10' });
}

const lineOf = (text: string, needle: string) => text.slice(0, text.indexOf(needle)).split('\n').length - 1;

describe('Compose drift', () => {
  it('the running project matches its file: no drift, also comparing what Docker picked', () => {
    const compose = project();
    assert.deepEqual(compose.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(computeComposeDrift(compose, snapshot()), []);
    assert.deepEqual(computeComposeDrift(compose, snapshot(), { dynamic: true }), []);
  });

  it('names what differs with Compose\'s names, each on its key in the file', () => {
    const text = original.replace('back: { ipv4_address: 10.226.2.20 }', 'back: { ipv4_address: 10.226.2.30 }').replace('internal: true', 'internal: false');
    const compose = project(text);
    const items = computeComposeDrift(compose, snapshot());
    assert.deepEqual(items.map((i) => i.message).sort(), [
      'container "cnmcomposedrift-db-1" on "cnmcomposedrift_back": ipv4_address is 10.226.2.30 in the file, 10.226.2.20 on the host',
      'network "cnmcomposedrift_back": internal is false in the file, true on the host',
    ]);
    const address = items.find((i) => i.field === 'ipv4_address')!;
    const r = composeDriftRange(compose, address.path, 'value');
    assert.equal(r.start.line, lineOf(text, '10.226.2.30'));
    assert.equal(text.split('\n')[r.start.line]!.slice(r.start.character, r.end.character), '10.226.2.30');
    const internal = items.find((i) => i.field === 'internal')!;
    assert.equal(composeDriftRange(compose, internal.path, 'value').start.line, lineOf(text, 'internal: false'));
  });

  it('a service missing on the host, and only the project\'s own objects as extra', () => {
    const snap = snapshot();
    // db stopped and removed (docker compose rm db)
    const db = snap.containers.find((c) => c.name === 'cnmcomposedrift-db-1')!;
    snap.containers = snap.containers.filter((c) => c !== db);
    // A container started by hand on the project's network (no project label), one of another project,
    // and a second replica of api (docker compose up --scale api=2): only the replica is the project's.
    const api = snap.containers.find((c) => c.name === 'cnmcomposedrift-api-1')!;
    snap.containers.push({ ...api, id: 'a'.repeat(64), name: 'by-hand', labels: {} });
    snap.containers.push({ ...api, id: 'b'.repeat(64), name: 'other-api-1', labels: { ...api.labels, 'com.docker.compose.project': 'other' } });
    snap.containers.push({ ...api, id: 'c'.repeat(64), name: 'cnmcomposedrift-api-2', labels: { ...api.labels, 'com.docker.compose.container-number': '2' } });
    const compose = project();
    const items = computeComposeDrift(compose, snap);
    assert.deepEqual(items.map((i) => `${i.kind} ${i.message}`), [
      'missing container "cnmcomposedrift-db-1" is in the file but not on the host',
      'extra container "cnmcomposedrift-api-2" is running on the host but is not in the file',
    ]);
    // The missing one on its service's key; the extra one on `services:`.
    assert.equal(composeDriftRange(compose, items[0]!.path).start.line, lineOf(original, '  db:'));
    assert.equal(composeDriftRange(compose, ['containers']).start.line, lineOf(original, 'services:'));
  });

  it('a subnet the file leaves to Docker is not drift unless asked; an external network is not the project\'s', () => {
    const text = original.replace('  front:\n    ipam: { config: [{ subnet: 10.226.1.0/24 }] }\n', '  front: {}\n').replace('front: { ipv4_address: 10.226.1.10 }', 'front: {}');
    const compose = project(text);
    // The engine, on a fresh daemon, gives front 172.18.0.0/16; the host gave it 10.226.1.0/24 (the file used to say so).
    assert.deepEqual(computeComposeDrift(compose, snapshot()).map((i) => i.message), []);
    const dynamic = computeComposeDrift(compose, snapshot(), { dynamic: true }).map((i) => i.message);
    assert.ok(dynamic.includes('network "cnmcomposedrift_front": subnet is 172.18.0.0/16 in the file, 10.226.1.0/24 on the host'), dynamic.join('\n'));

    const ext = original.replace('  front:\n    ipam: { config: [{ subnet: 10.226.1.0/24 }] }\n', '  front:\n    external: true\n    name: cnmcomposedrift_front\n').replace('front: { ipv4_address: 10.226.1.10 }', 'front: {}');
    const items = computeComposeDrift(project(ext), snapshot()).map((i) => i.message);
    assert.deepEqual(items, []);
  });
});
