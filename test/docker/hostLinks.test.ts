// Differential scenarios that need host links (macvlan/ipvlan parents): test/docker/scenarios-hostlinks.
// Played exactly like differential.test.ts (same harness: play, observe, compare), inside withHostLinks,
// which makes each declared `cnm…` interface as one end of a veth pair and deletes it afterwards.
// They live outside scenarios/ because differential.test.ts does not create host links (see README there).
//
//   node --import tsx --test test/docker/hostLinks.test.ts
//
// Normalised beyond compare.ts: the dummy-link names in "network dm-<12hex> is already using parent …"
// (macvlan dm-, ipvlan di-) carry the existing network's id, which differs between the two sides.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadTopology } from '../../src/topology/index';
import type { TopologySpec } from '../../src/topology/spec';
import { compare, formatDisagreements, type EngineSide } from './harness/compare';
import { assertNoForeignObjects, ensureDaemon, ensureImage, markCursorUsed, removeLeftovers, requireDaemon, restoreDefaultDaemon } from './harness/daemon';
import { withHostLinks } from './harness/hostLinks';
import { observe } from './harness/observe';
import { play } from './harness/play';
import { loadScenario } from './harness/scenario';

const DIR = join(__dirname, 'scenarios-hostlinks');

/**
 * A macvlan/ipvlan network's gateway when the user gave none: dockerd's inspect hides it (reference §1.8)
 * and there is no bridge device to read it from, so observe.ts reports null. It is still checked where a
 * container uses it (containers.<c>.endpoints[<n>].gateway and its default route are compared).
 */
function unobservableGateway(spec: TopologySpec, d: { field: string; dockerd: string }): boolean {
  const m = /^networks\.([^.]+)\.(?:ipv6_)?gateway$/.exec(d.field);
  if (!m || d.dockerd !== 'null') return false;
  const n = spec.networks.find((x) => x.name === m[1]);
  return !!n && (n.driver === 'macvlan' || n.driver === 'ipvlan');
}
const DUMMY = /\bd[mi]-[0-9a-f]{12}\b/g;

describe('differential with host links: real dockerd against the engine', { concurrency: 1 }, () => {
  let ready = false;
  before(async () => {
    if (process.getuid?.() !== 0) return;
    const st = await requireDaemon();
    if (!st.reachable) return;
    await ensureImage();
    ready = true;
  });
  after(async () => {
    if (!ready) return;
    await removeLeftovers();
    await restoreDefaultDaemon();
  });

  for (const f of readdirSync(DIR).filter((x) => x.endsWith('.cnm.yaml')).sort()) {
    const sc = loadScenario(join(DIR, f));
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (!ready) return t.skip('needs root and a reachable dockerd');
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      await assertNoForeignObjects(90_000);
      await removeLeftovers();
      await ensureDaemon(sc.daemonFlags, sc.needsFreshCursor);
      try {
        const { played, observed } = await withHostLinks(sc.spec, async () => {
          const played = await play(sc.spec);
          if (sc.needsFreshCursor) markCursorUsed();
          const observed = await observe(sc.spec, played);
          return { played, observed };
        });
        const loaded = loadTopology(sc.text);
        const host = sc.spec.hosts[0]!.name;
        const engine: EngineSide = {
          inspect: loaded.engine.inspect(),
          resolve: (from, name) => loaded.engine.resolve(host, from, name),
          diagnostics: loaded.diagnostics,
        };
        const disagreements = compare(sc.spec, played, observed, engine)
          .filter((d) => d.dockerd.replace(DUMMY, 'd?-<id>') !== d.engine.replace(DUMMY, 'd?-<id>'))
          .filter((d) => !unobservableGateway(sc.spec, d));
        assert.equal(disagreements.length, 0, formatDisagreements(sc.name, disagreements));
      } finally {
        await removeLeftovers();
      }
    });
  }
});
