// The differential suite: every scenario file in test/docker/scenarios and test/docker/scenarios-hostlinks
// is played on the real dockerd and loaded in the engine, and the two are compared — networks,
// endpoints, ports, name resolution and errors. Any disagreement fails the scenario (the engine is
// wrong; see KNOWN-DISAGREEMENTS.md). A scenario that declares `cnm…` host interfaces (macvlan/ipvlan
// parents) is played inside withHostLinks, which makes each as one end of a veth pair (root only).
//
// The play/observe/compare step is harness/differentialRun.ts (shared with lab/differential26.test.ts).
//
//   node --import tsx --test test/docker/differential.test.ts
//   CNM_SCENARIO=07-ip-range node --import tsx --test test/docker/differential.test.ts   (one scenario)
//   CNM_DIFFERENTIAL_ALL=1 node --import tsx --test test/docker/differential.test.ts     (every scenario here)
//
// Every other scenario is played on a lab dockerd 20.10 instead (lab/differential20.test.ts, the same binary
// in a namespace of its own), beside this file, unless CNM_DIFFERENTIAL_ALL=1.
//
// Each scenario's full record (docker steps, observed, engine inspect, disagreements) is written to
// $CNM_DIFF_OUT (default: <tmpdir>/cnm-differential/<scenario>.json).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatDisagreements } from './harness/compare';
import { assertNoForeignObjects, ensureDaemon, ensureImage, removeLeftovers, requireDaemon, restoreDefaultDaemon } from './harness/daemon';
import { managedLinks, playAndCompare } from './harness/differentialRun';
import { dockerCli } from './harness/exec';
import { comparedOnLab20, differentialScenarioFiles } from './harness/labDifferentialSuite';
import { loadScenario } from './harness/scenario';
import { isCI } from '../support/ci.mjs';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());
const ALL = process.env.CNM_DIFFERENTIAL_ALL === '1';

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

  for (const file of differentialScenarioFiles()) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    if (!ALL && comparedOnLab20(sc.name)) continue;
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
        const { disagreements, playMs } = await playAndCompare(t, sc, sc.text, OUT_DIR);
        verdict = disagreements.length === 0 ? 'agrees' : `${disagreements.length} disagreement(s)`;
        timings.push(`${sc.name}: ${verdict}; ${Date.now() - t0} ms (play+observe ${playMs} ms${restarted ? ', daemon restarted' : ''})`);
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
