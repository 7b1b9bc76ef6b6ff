// The differential suite: every scenario file in test/docker/scenarios is played on the real dockerd
// and loaded in the engine, and the two are compared — networks, endpoints, ports, name resolution and
// errors. Any disagreement fails the scenario (the engine is wrong; see KNOWN-DISAGREEMENTS.md).
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
import { compare, formatDisagreements, type EngineSide } from './harness/compare';
import { assertNoForeignObjects, ensureDaemon, foreignObjects, ensureImage, markCursorUsed, removeLeftovers, requireDaemon, restoreDefaultDaemon } from './harness/daemon';
import { dockerCli } from './harness/exec';
import { observe } from './harness/observe';
import { play } from './harness/play';
import { loadScenario, scenarioFiles } from './harness/scenario';

const OUT_DIR = process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential');
const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

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

  for (const file of scenarioFiles()) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (!ready) return t.skip('dockerd is not reachable');
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      const t0 = Date.now();
      let restarted = false;
      let verdict = 'error';
      try {
        // Another user of this dockerd would change what it allocates: wait for it to finish, or fail.
        await assertNoForeignObjects(90_000);
        await removeLeftovers();
        restarted = await ensureDaemon(sc.daemonFlags, sc.needsFreshCursor);
        const tPlay = Date.now();
        const played = await play(sc.spec);
        if (sc.needsFreshCursor) markCursorUsed();
        const observed = await observe(sc.spec, played);
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
        const disagreements = compare(sc.spec, played, observed, engine);
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
