// The differential suite: every scenario file in test/docker/scenarios and test/docker/scenarios-hostlinks
// is played on the real dockerd and loaded in the engine, and the two are compared — networks,
// endpoints, ports, name resolution and errors. Any disagreement fails the scenario (the engine is
// wrong; see KNOWN-DISAGREEMENTS.md). A scenario that declares `cnm…` host interfaces (macvlan/ipvlan
// parents) is played inside withHostLinks, which makes each as one end of a veth pair (root only).
//
// Normalised beyond compare.ts, because Docker draws them at random: the dummy-link names in "network
// dm-<12hex> is already using parent …" (macvlan dm-, ipvlan di-) carry the existing network's id; and a
// macvlan/ipvlan network's gateway that the user did not give is hidden by dockerd's inspect (reference
// §1.8) with no bridge device to read it from — it is still compared where a container uses it (its
// endpoint's gateway and default route).
//
//   node --import tsx --test test/docker/differential.test.ts
//   CNM_SCENARIO=07-ip-range node --import tsx --test test/docker/differential.test.ts   (one scenario)
//
// Each scenario's full record (docker steps, observed, engine inspect, disagreements) is written to
// $CNM_DIFF_OUT (default: <tmpdir>/cnm-differential/<scenario>.json).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadTopology } from '../../src/topology/index';
import type { TopologySpec } from '../../src/topology/spec';
import { compare, formatDisagreements, type EngineSide } from './harness/compare';
import { assertNoForeignObjects, ensureDaemon, foreignObjects, ensureImage, markCursorUsed, removeLeftovers, requireDaemon, restoreDefaultDaemon } from './harness/daemon';
import { dockerCli } from './harness/exec';
import { observe } from './harness/observe';
import { play } from './harness/play';
import { managedLinks, withHostLinks } from './harness/hostLinks';
import { excludeNoIpvlan, refusedForNoIpvlan } from './harness/machineLimits';
import { HOST_LINK_SCENARIO_DIR, loadScenario, scenarioFiles } from './harness/scenario';
import { isCI } from '../support/ci.mjs';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

function unobservableGateway(spec: TopologySpec, d: { field: string; dockerd: string }): boolean {
  const m = /^networks\.([^.]+)\.(?:ipv6_)?gateway$/.exec(d.field);
  if (!m || d.dockerd !== 'null') return false;
  const n = spec.networks.find((x) => x.name === m[1]);
  return !!n && (n.driver === 'macvlan' || n.driver === 'ipvlan');
}
const DUMMY = /\bd[mi]-[0-9a-f]{12}\b/g;

describe('differential: real dockerd against the engine', { concurrency: 1 }, () => {
  let ready = false;
  const timings: string[] = [];
  const started = Date.now();

  before(async () => {
    const st = await requireDaemon();
    if (!st.reachable) return;
    console.log(`  dockerd ${st.version}; docker CLI ${dockerCli()}; records in ${OUT_DIR}`);
    mkdirSync(OUT_DIR, { recursive: true });
    await ensureImage();
    await removeLeftovers();
    ready = true;
  });

  after(async () => {
    if (!ready) return;
    await removeLeftovers();
    await restoreDefaultDaemon();
    console.log(`  Docker tier timings:\n${timings.map((t) => `    ${t}`).join('\n')}\n    total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  for (const file of [...scenarioFiles(), ...scenarioFiles(HOST_LINK_SCENARIO_DIR)]) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (!ready) return t.skip('dockerd is not reachable');
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      if (managedLinks(sc.spec).length > 0 && process.getuid?.() !== 0) {
        if (isCI()) assert.fail(`${sc.name} makes host links (macvlan/ipvlan parents): run the Docker tier as root`);
        console.error(`\n  !!! SKIPPED ${sc.name}: it makes host links, which needs root !!!\n`);
        return t.skip('needs root to make host links');
      }
      const t0 = Date.now();
      let restarted = false;
      let verdict = 'error';
      try {
        // Another user of this dockerd would change what it allocates: wait for it to finish, or fail.
        await assertNoForeignObjects(90_000);
        await removeLeftovers();
        restarted = await ensureDaemon(sc.daemonFlags, sc.needsFreshCursor);
        const tPlay = Date.now();
        const { played, observed } = await withHostLinks(sc.spec, async () => {
          const played = await play(sc.spec);
          if (sc.needsFreshCursor) markCursorUsed();
          return { played, observed: await observe(sc.spec, played) };
        });
        const tObserved = Date.now();
        const intruders = await foreignObjects();
        if (intruders.length > 0) throw new Error(`objects the suite did not create appeared on dockerd during the scenario (${intruders.join(', ')}): its results are not trustworthy`);

        const loaded = loadTopology(sc.text);
        const host = sc.spec.hosts[0]!.name;
        const engine: EngineSide = {
          inspect: loaded.engine.inspect(),
          resolve: (from, name) => loaded.engine.resolve(host, from, name),
          diagnostics: loaded.diagnostics,
        };
        const all = compare(sc.spec, played, observed, engine)
          .filter((d) => d.dockerd.replace(DUMMY, 'd?-<id>') !== d.engine.replace(DUMMY, 'd?-<id>'))
          .filter((d) => !unobservableGateway(sc.spec, d));
        // Containers dockerd could not start because this kernel has no ipvlan (a limit of the machine,
        // test/EXCLUSIONS.md): their comparisons are left out, each counted as an exclusion; their
        // networks are still compared.
        const noIpvlan = refusedForNoIpvlan(played);
        await excludeNoIpvlan(t, sc.name, noIpvlan, () => 'its comparisons with the engine are left out (its networks are compared)');
        const disagreements = all.filter((d) => ![...noIpvlan.keys()].some((c) => d.field === `error on containers.${c}` || d.field.startsWith(`containers.${c}.`)));
        writeFileSync(
          join(OUT_DIR, `${sc.name}.json`),
          JSON.stringify({ scenario: sc.name, steps: played.steps, observed, engine: { inspect: engine.inspect, diagnostics: engine.diagnostics }, disagreements }, null, 2),
        );
        for (const n of observed.notes) t.diagnostic(`dockerd: ${n}`);
        verdict = disagreements.length === 0 ? 'agrees' : `${disagreements.length} disagreement(s)`;
        timings.push(`${sc.name}: ${verdict}; ${Date.now() - t0} ms (play+observe ${tObserved - tPlay} ms${restarted ? ', daemon restarted' : ''})`);
        assert.equal(disagreements.length, 0, formatDisagreements(sc.name, disagreements));
      } catch (e) {
        if (verdict === 'error') timings.push(`${sc.name}: failed to run (${(e as Error).message.split('\n')[0]}); ${Date.now() - t0} ms`);
        throw e;
      } finally {
        // A failing clean-up must not hide the scenario's own error.
        await removeLeftovers().catch((e: Error) => console.error(`  clean-up after ${sc.name} failed: ${e.message}`));
        console.log(`  [time] ${sc.name}: ${Date.now() - t0} ms${restarted ? ' (daemon restarted)' : ''}`);
      }
    });
  }
});
