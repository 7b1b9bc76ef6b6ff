// A live host becomes a spec in memory (no topology text written and parsed again on every refresh):
// that spec must be the one parsing the host's imported file gives, paths included, so the tree, the
// diagram, the tracer and `cnm ... --docker` see the same host as before. Also the writer's round trip
// (spec → text → the same spec) on the example files, and the live topology's lazy text and ranges.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { NetworkInfo, Snapshot } from '../../../src/docker';
import { parseContainerInspect, parseNetworkInspect, parseVersionAnswer } from '../../../src/docker/validate';
import { importTopology, liveTopology, snapshotToEngine, snapshotToSpec } from '../../../src/live';
import { parseTopology } from '../../../src/topology';
import { writeTopology } from '../../../src/topology/edit/writer';

const recorded = JSON.parse(readFileSync(join(__dirname, '../docker/fixtures/host-20.10.json'), 'utf8')) as { version: unknown; networks: unknown[]; containers: unknown[] };

function snapshot(): Snapshot {
  return {
    endpoint: 'unix:///var/run/docker.sock',
    daemon: parseVersionAnswer(recorded.version),
    networks: recorded.networks.map(parseNetworkInspect),
    containers: recorded.containers.map(parseContainerInspect),
    takenAt: '2026-11-28T07:54:00.000Z',
  };
}

/** The recorded host with networks in the other IPAM shapes: two pools, an IPAM driver, IPAM options only. */
function variedSnapshot(): Snapshot {
  const s = snapshot();
  const lan = s.networks.find((n) => n.name === 'fx-lan')!;
  const extra = (name: string, id: string, change: Partial<NetworkInfo>): NetworkInfo => ({ ...lan, name, id, created: `${lan.created}9`, members: [], labels: {}, options: {}, ...change });
  s.networks.push(
    extra('fx-dual', 'd'.repeat(64), { enableIpv6: true, ipamConfig: [{ subnet: '10.250.0.0/24', auxAddresses: {} }, { subnet: 'fd00:250::/64', gateway: 'fd00:250::1', auxAddresses: {} }] }),
    extra('fx-drv', 'e'.repeat(64), { ipamDriver: 'custom', attachable: true }),
    extra('fx-opts', 'f'.repeat(64), { ipamConfig: [], ipamOptions: { foo: 'bar' }, internal: true }),
  );
  return s;
}

const parsedSpec = (s: Snapshot, opts = {}) => parseTopology(importTopology(s, opts)).spec;

describe('a snapshot as a spec', () => {
  for (const [what, s] of [['the recorded host', snapshot()], ['other IPAM shapes', variedSnapshot()]] as const) {
    for (const opts of [{}, { label: 'cnm-explorer.live-test=1' }, { name: 'lab', host: 'default' }]) {
      it(`is what parsing the imported file gives (${what}, ${JSON.stringify(opts)})`, () => {
        assert.deepEqual(snapshotToSpec(s, opts).spec, parsedSpec(s, opts));
      });
    }
  }

  it('leaves stopped containers out and names them', () => {
    const { spec, stopped } = snapshotToSpec(snapshot());
    assert.deepEqual(stopped, ['fx-stopped']);
    assert.ok(!spec.containers.some((c) => c.name === 'fx-stopped'));
    assert.deepEqual(spec.containers.find((c) => c.name === 'fx-web')?.networks.map((n) => n.path), [
      ['containers', 'fx-web', 'networks', 'fx-lan'], ['containers', 'fx-web', 'networks', 'bridge'], ['containers', 'fx-web', 'networks', 'fx-auto'],
    ]);
  });
});

describe('the live topology', () => {
  it('has the spec, the replayed engine and the notes; its text and ranges are the imported file\'s', () => {
    const s = snapshot();
    const model = snapshotToEngine(s, 'default');
    const live = liveTopology(s, model);
    assert.equal(live.engine, model.engine);
    assert.deepEqual(live.spec, parsedSpec(s, { host: 'default' }));
    assert.equal(live.diagnostics.length, model.warnings.length);
    const text = importTopology(s, { host: 'default' });
    assert.equal(live.text, text);
    const parsed = parseTopology(text);
    for (const path of [['containers', 'fx-web'], ['networks', 'fx-lan', 'subnet'], ['containers', 'fx-web', 'networks', 'fx-auto']]) {
      assert.deepEqual(live.rangeOf(path, 'key'), parsed.rangeOf(path, 'key'), path.join('.'));
    }
  });
});

describe('writeTopology', () => {
  const dir = join(__dirname, '../../../examples');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cnm.yaml'))) {
    it(`writes a spec that parses back to the same objects (${file})`, () => {
      const parsed = parseTopology(readFileSync(join(dir, file), 'utf8'));
      const again = parseTopology(writeTopology(parsed.spec));
      assert.deepEqual(again.diagnostics.filter((d) => d.severity === 'error'), parsed.diagnostics.filter((d) => d.severity === 'error'));
      // Paths differ only where the file wrote a list the writer writes as a map (networks: [a, b]).
      const withoutPaths = (v: unknown): unknown => JSON.parse(JSON.stringify(v, (k, x: unknown) => (k === 'path' ? undefined : x)));
      assert.deepEqual(withoutPaths(again.spec), withoutPaths(parsed.spec));
    });
  }
});
