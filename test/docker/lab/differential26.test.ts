// The differential suite on Docker 26.1: every single-host scenario of test/docker/scenarios and
// scenarios-hostlinks is played on a lab host running dockerd 26.1 (harness/labTarget.ts: a fresh lab
// dockerd per scenario, started with the scenario's daemon flags, in a network namespace of its own) and
// compared, exactly as differential.test.ts compares 20.10, with the engine loading the same file with
// `daemon.version: "26.1"`. It never touches the main dockerd, so it needs no docker lock and runs beside
// the main-dockerd tier (scripts/test.mjs).
//
//   node --import tsx --test test/docker/lab/differential26.test.ts
//   CNM_SCENARIO=07,seed node --import tsx --test test/docker/lab/differential26.test.ts
//
// Records go to $CNM_DIFF_OUT/26.1 (default <tmpdir>/cnm-differential/26.1/<scenario>.json).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { formatDisagreements } from '../harness/compare';
import { managedLinks, playAndCompare } from '../harness/differentialRun';
import { labMissing } from '../harness/lab';
import { freshLabDaemon, stopLabDaemon } from '../harness/labTarget';
import { HOST_LINK_SCENARIO_DIR, loadScenario, scenarioFiles, textForVersion } from '../harness/scenario';
import { isCI } from '../../support/ci.mjs';

const VERSION = '26.1';
const OUT_DIR = join(process.env.CNM_DIFF_OUT ?? join(tmpdir(), 'cnm-differential'), VERSION);
const only = process.env.CNM_SCENARIO?.split(',').map((s) => s.trim());

describe(`differential: dockerd ${VERSION} on a lab host against the engine`, { concurrency: 1 }, () => {
  const missing = labMissing([VERSION]);
  const timings: string[] = [];
  const started = Date.now();

  before(() => {
    if (missing.length) {
      const msg = `lab hosts of Docker ${VERSION} cannot run here: ${missing.join('; ')}`;
      if (isCI()) throw new Error(msg);
      console.warn(`\n*** SKIPPING the ${VERSION} differential suite: ${msg} ***\n`);
      return;
    }
    mkdirSync(OUT_DIR, { recursive: true });
    console.log(`  Docker ${VERSION} on lab hosts; records in ${OUT_DIR}`);
  });

  after(async () => {
    await stopLabDaemon();
    if (timings.length) console.log(`  Docker ${VERSION} lab timings:\n${timings.map((t) => `    ${t}`).join('\n')}\n    total ${((Date.now() - started) / 1000).toFixed(1)} s`);
  });

  for (const file of [...scenarioFiles(), ...scenarioFiles(HOST_LINK_SCENARIO_DIR)]) {
    const sc = loadScenario(file);
    if (only && !only.some((o) => sc.name.startsWith(o))) continue;
    test(sc.name, { timeout: 300_000 }, async (t) => {
      if (missing.length) return t.skip(`lab hosts of Docker ${VERSION} cannot run here`);
      assert.deepEqual(sc.parseErrors, [], `${sc.name} must be a clean topology file`);
      assert.ok(managedLinks(sc.spec).length === 0 || process.getuid?.() === 0, 'host links need root');
      const t0 = Date.now();
      let verdict = 'error';
      try {
        await freshLabDaemon(VERSION, sc.daemonFlags);
        const { disagreements, playMs } = await playAndCompare(t, sc, textForVersion(sc, VERSION), OUT_DIR);
        verdict = disagreements.length === 0 ? 'agrees' : `${disagreements.length} disagreement(s)`;
        timings.push(`${sc.name}: ${verdict}; ${Date.now() - t0} ms (play+observe ${playMs} ms)`);
        assert.equal(disagreements.length, 0, formatDisagreements(`${sc.name} (Docker ${VERSION})`, disagreements));
      } catch (e) {
        if (verdict === 'error') timings.push(`${sc.name}: failed to run (${(e as Error).message.split('\n')[0]}); ${Date.now() - t0} ms`);
        throw e;
      } finally {
        // The lab goes with everything in it, also when the scenario failed.
        await stopLabDaemon().catch((e: Error) => console.error(`  stopping the lab after ${sc.name} failed: ${e.message}`));
      }
    });
  }
});
